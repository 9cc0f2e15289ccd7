//! Auto-coding: the codebook's rules over every passage in one pass, replacing one coder's
//! earlier rule codings in one transaction.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ambit_coding::{Codebook, Matcher, PassageInput};
use ambit_core::{Coding, DocId, Origin, PassageId};
use ambit_store::{CodingFilter, NewCoding, Project};
use serde::Serialize;

use crate::corpus::Corpus;
use crate::error::Result;

/// What auto-coding did (or would do) per code, in codebook order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AutocodeReport {
    /// `(code, passages coded after the run, added, removed)`.
    pub codes: Vec<AutocodeRow>,
    /// Passages looked at.
    pub passages: usize,
    /// Whether anything was written.
    pub dry_run: bool,
}

/// One code's line of an [`AutocodeReport`].
#[derive(Debug, Clone, Serialize)]
pub struct AutocodeRow {
    /// Code id.
    pub code: String,
    /// Passages this coder's rules code with it after the run.
    pub coded: u64,
    /// Codings added compared with before.
    pub added: u64,
    /// Codings removed compared with before.
    pub removed: u64,
}

/// Runs the codebook's rules over every passage in one pass and replaces `coder`'s earlier
/// rule codings (of the selected codes) in one transaction. Manual codings are untouched.
pub fn autocode(
    project: &mut Project,
    codebook: &Codebook,
    codes: Option<&[String]>,
    coder: &str,
    dry_run: bool,
) -> Result<AutocodeReport> {
    let matcher = Matcher::compile(codebook, codes)?;
    let corpus = Corpus::load(project)?;

    // `within` rules may refer to codes people applied by hand; collect the non-rule codes
    // on each passage once.
    let human = project.store.codings(&CodingFilter::default())?;
    let mut existing_codes: Vec<Vec<String>> = vec![Vec::new(); corpus.passages.len()];
    let pos: HashMap<PassageId, usize> = corpus
        .passages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    for c in human
        .iter()
        .filter(|c| !matches!(c.origin, Origin::Rule(_)))
    {
        for p in corpus.passages_overlapping(c.doc, c.start, c.end) {
            if let Some(&i) = pos.get(&p.id) {
                existing_codes[i].push(c.code.clone());
            }
        }
    }
    let borrowed: Vec<Vec<&str>> = existing_codes
        .iter()
        .map(|v| v.iter().map(String::as_str).collect())
        .collect();
    let inputs: Vec<PassageInput<'_>> = corpus
        .passages
        .iter()
        .zip(&borrowed)
        .map(|(p, codes)| {
            let doc = corpus.doc(p.id.doc);
            PassageInput {
                doc: p.id.doc.0,
                text: corpus.passage_text(p),
                speaker: p.span.speaker.as_deref(),
                kind: doc.map_or(ambit_core::DocKind::Other, |d| d.doc.kind),
                phase: Some(corpus.phase_of(p.id.doc)),
                codes,
            }
        })
        .collect();
    let hits = matcher.run(&inputs);

    // One coding per passage and code: the first rule (in codebook order) that hit it.
    let mut seen = BTreeSet::new();
    let mut new = Vec::new();
    for h in &hits {
        if seen.insert((h.passage, h.code.clone())) {
            let p = &corpus.passages[h.passage];
            new.push(NewCoding {
                doc: p.id.doc,
                start: p.span.start,
                end: p.span.end,
                code: h.code.clone(),
                coder: coder.to_string(),
                origin: Origin::Rule(h.rule.clone()),
                memo: None,
            });
        }
    }

    let scope: Vec<String> = match codes {
        Some(list) => {
            let mut all = Vec::new();
            for c in list {
                all.push(c.clone());
                all.extend(codebook.descendants(c).iter().map(|d| d.id.clone()));
            }
            all
        }
        None => codebook.codes().iter().map(|c| c.id.clone()).collect(),
    };
    let before: Vec<Coding> = project
        .store
        .codings(&CodingFilter {
            coders: vec![coder.to_string()],
            ..Default::default()
        })?
        .into_iter()
        .filter(|c| {
            matches!(c.origin, Origin::Rule(_)) && (codes.is_none() || scope.contains(&c.code))
        })
        .collect();
    // A coding is the same when its range, code and rule are: a renamed rule replaces its
    // codings (removed and added), and an unchanged run writes nothing at all.
    let key = |doc: DocId, s: usize, e: usize, code: &str, origin: &Origin| {
        (doc, s, e, code.to_string(), origin.to_string())
    };
    let old: BTreeSet<_> = before
        .iter()
        .map(|c| key(c.doc, c.start, c.end, &c.code, &c.origin))
        .collect();
    let fresh: BTreeSet<_> = new
        .iter()
        .map(|c| key(c.doc, c.start, c.end, &c.code, &c.origin))
        .collect();
    let mut rows: BTreeMap<&str, AutocodeRow> = BTreeMap::new();
    for c in codebook.codes() {
        rows.insert(
            &c.id,
            AutocodeRow {
                code: c.id.clone(),
                coded: 0,
                added: 0,
                removed: 0,
            },
        );
    }
    for k in &fresh {
        if let Some(r) = rows.get_mut(k.3.as_str()) {
            r.coded += 1;
            if !old.contains(k) {
                r.added += 1;
            }
        }
    }
    for k in old.difference(&fresh) {
        if let Some(r) = rows.get_mut(k.3.as_str()) {
            r.removed += 1;
        }
    }
    // Nothing to change means nothing to write: the store revision stays, and with it the
    // search index.
    let changed = old != fresh || before.len() != new.len();
    if !dry_run && changed {
        let scope_arg = codes.map(|_| scope.as_slice());
        project.store.replace_rule_codings(coder, scope_arg, &new)?;
    }
    let in_scope = |id: &str| codes.is_none() || scope.iter().any(|s| s == id);
    let codes_out = codebook
        .codes()
        .iter()
        .filter(|c| in_scope(&c.id))
        .filter_map(|c| rows.remove(c.id.as_str()))
        .collect();
    Ok(AutocodeReport {
        codes: codes_out,
        passages: corpus.passages.len(),
        dry_run,
    })
}
