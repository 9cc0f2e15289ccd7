//! Coding workflows: the project codebook, manual coding, auto-coding, retrieval, queries.
//!
//! The codebook file (`codebook.toml` in the project root) is the researcher's to edit; the
//! store keeps codings. Edits that touch both (rename, merge, delete) update the store in one
//! transaction first and then replace the file atomically, so an interrupted edit is
//! finished by running the same command again.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use ambit_coding::{Codebook, Matcher, PassageCodes, PassageInput, Query};
use ambit_core::{Coding, DocId, Origin, PassageId};
use ambit_store::{CodingFilter, NewCoding, Project};
use serde::Serialize;

use crate::corpus::Corpus;
use crate::error::{Error, Result};

/// The codebook file inside a project.
pub const CODEBOOK_FILE: &str = "codebook.toml";

/// The path of a project's codebook.
pub fn codebook_path(project: &Project) -> PathBuf {
    project.root.join(CODEBOOK_FILE)
}

/// Reads and validates a codebook file.
pub fn read_codebook(path: &Path) -> Result<Codebook> {
    let src = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Codebook::parse(&src).map_err(|e| Error::Coding(format!("{}: {e}", path.display())))
}

/// The project's codebook, with a hint when there is none yet.
pub fn load_codebook(project: &Project) -> Result<Codebook> {
    let path = codebook_path(project);
    if !path.is_file() {
        return Err(Error::Request(format!(
            "this project has no codebook ({} is missing); start one with \
             `ambit codebook init --template ambidexterity` or `ambit codebook import FILE`",
            path.display()
        )));
    }
    read_codebook(&path)
}

/// Writes a codebook's TOML source atomically (temporary file, then rename).
pub fn write_codebook_source(project: &Project, src: &str) -> Result<()> {
    let path = codebook_path(project);
    let tmp = project.root.join(format!(".{CODEBOOK_FILE}.tmp"));
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| Error::Io { path: p, source }
    };
    std::fs::write(&tmp, src).map_err(io(&tmp))?;
    std::fs::rename(&tmp, &path).map_err(io(&path))
}

/// Writes a codebook atomically.
pub fn save_codebook(project: &Project, codebook: &Codebook) -> Result<()> {
    let src = codebook
        .to_toml()
        .map_err(|e| Error::Coding(e.to_string()))?;
    write_codebook_source(project, &src)
}

/// Renames a code (and its dotted descendants) in the codebook and in every coding.
/// Returns how many codings changed.
pub fn rename_code(project: &mut Project, old: &str, new: &str) -> Result<u64> {
    let mut cb = load_codebook(project)?;
    let mapping = cb
        .rename(old, new)
        .map_err(|e| Error::Coding(e.to_string()))?;
    let n = project.store.recode(&mapping)?;
    save_codebook(project, &cb)?;
    Ok(n)
}

/// Merges code `from` into `into`: its codings move to `into`, the code goes.
pub fn merge_code(project: &mut Project, from: &str, into: &str) -> Result<u64> {
    let mut cb = load_codebook(project)?;
    cb.merge(from, into)
        .map_err(|e| Error::Coding(e.to_string()))?;
    let n = project
        .store
        .recode(&[(from.to_string(), into.to_string())])?;
    save_codebook(project, &cb)?;
    Ok(n)
}

/// Deletes a code. With codings, refused unless `force`; returns how many codings went.
pub fn delete_code(project: &mut Project, id: &str, force: bool) -> Result<u64> {
    let mut cb = load_codebook(project)?;
    cb.remove(id).map_err(|e| Error::Coding(e.to_string()))?;
    let ids = vec![id.to_string()];
    let count = project
        .store
        .codings(&CodingFilter {
            codes: ids.clone(),
            ..Default::default()
        })?
        .len() as u64;
    if count > 0 && !force {
        return Err(Error::Request(format!(
            "code `{id}` has {count} coding(s); pass --force to delete the code and its codings"
        )));
    }
    let n = project.store.delete_codings_of(&ids)?;
    save_codebook(project, &cb)?;
    Ok(n)
}

/// A target of manual coding: a document or a passage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A whole document (`D7`).
    Doc(DocId),
    /// A passage (`D7:12`).
    Passage(PassageId),
}

impl Target {
    /// Parses `D7` or `D7:12`.
    pub fn parse(s: &str) -> Result<Target> {
        if s.contains(':') {
            Ok(Target::Passage(PassageId::parse(s)?))
        } else {
            Ok(Target::Doc(DocId::parse(s)?))
        }
    }
}

/// Which part of the target to code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// The whole passage or document.
    All,
    /// The exact words, found in the target.
    Quote(String),
    /// A character range relative to the target's start.
    Span(usize, usize),
}

/// A manual coding request.
#[derive(Debug, Clone)]
pub struct ManualCoding {
    /// What to code.
    pub target: Target,
    /// Which part.
    pub selection: Selection,
    /// The code id.
    pub code: String,
    /// Who codes.
    pub coder: String,
    /// Optional memo.
    pub memo: Option<String>,
}

/// Stores a manual coding; returns its id and the coded document range.
pub fn code_manually(
    project: &mut Project,
    req: &ManualCoding,
) -> Result<(i64, DocId, usize, usize)> {
    let cb = load_codebook(project)?;
    if !cb.contains(&req.code) {
        return Err(Error::Coding(
            ambit_coding::Error::UnknownCodes(vec![req.code.clone()]).to_string(),
        ));
    }
    let corpus = Corpus::load(project)?;
    let (doc, base, len) = match req.target {
        Target::Doc(d) => {
            corpus
                .doc(d)
                .ok_or_else(|| ambit_store::Error::NoSuchDocument(d.to_string()))?;
            (d, 0, corpus.len_chars(d))
        }
        Target::Passage(p) => {
            let found = corpus.passages_of(p.doc).iter().find(|x| x.id == p);
            let found = found.ok_or_else(|| ambit_store::Error::NoSuchPassage(p.to_string()))?;
            (p.doc, found.start, found.end - found.start)
        }
    };
    let target_text = corpus.slice(doc, base, base + len);
    let (start, end) = match &req.selection {
        Selection::All => (0, len),
        Selection::Span(s, e) => {
            if s > e || *e > len {
                return Err(Error::Request(format!(
                    "span {s}..{e} does not fit the target, which has {len} characters (0..{len})"
                )));
            }
            (*s, *e)
        }
        Selection::Quote(q) => find_quote(&corpus, doc, base, target_text, q)?,
    };
    let id = project.store.add_coding(&NewCoding {
        doc,
        start: base + start,
        end: base + end,
        code: req.code.clone(),
        coder: req.coder.clone(),
        origin: Origin::Manual,
        memo: req.memo.clone(),
    })?;
    Ok((id, doc, base + start, base + end))
}

/// Finds `quote` in `text` exactly once; otherwise an error listing what was found.
fn find_quote(
    corpus: &Corpus,
    doc: DocId,
    base: usize,
    text: &str,
    quote: &str,
) -> Result<(usize, usize)> {
    if quote.is_empty() {
        return Err(Error::Request("--quote is empty".into()));
    }
    let hits: Vec<usize> = text
        .match_indices(quote)
        .map(|(b, _)| text[..b].chars().count())
        .collect();
    let qlen = quote.chars().count();
    let locate = |pos: usize| {
        corpus
            .passages_overlapping(doc, base + pos, base + pos + qlen)
            .first()
            .map_or_else(|| doc.to_string(), |p| p.id.to_string())
    };
    match hits.as_slice() {
        [one] => Ok((*one, one + qlen)),
        [] => {
            // Near misses: the same words ignoring case, to show what the researcher may mean.
            let lower = text.to_lowercase();
            let candidates: Vec<String> = if lower.len() == text.len() {
                lower
                    .match_indices(&quote.to_lowercase())
                    .take(5)
                    .map(|(b, m)| {
                        format!(
                            "{} {:?}",
                            locate(text[..b].chars().count()),
                            &text[b..b + m.len()]
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let hint = if candidates.is_empty() {
                "check the exact words with `ambit show`".to_string()
            } else {
                format!("candidates differing in case: {}", candidates.join(", "))
            };
            Err(Error::Request(format!(
                "quote {quote:?} not found in the target; {hint}"
            )))
        }
        many => {
            let list: Vec<String> = many
                .iter()
                .take(10)
                .map(|&p| format!("{} at {}..{}", locate(p), p, p + qlen))
                .collect();
            Err(Error::Request(format!(
                "quote {quote:?} occurs {} times in the target: {}; code a passage (D7:12) or use --span",
                many.len(),
                list.join(", ")
            )))
        }
    }
}

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
    let matcher = Matcher::compile(codebook, codes).map_err(|e| Error::Coding(e.to_string()))?;
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
                speaker: p.speaker.as_deref(),
                kind: doc.map_or("other", |d| d.doc.kind.as_str()),
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
                start: p.start,
                end: p.end,
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

/// Filters for retrieval and queries. Empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct SegmentFilter {
    /// Codes (their descendants are included).
    pub codes: Vec<String>,
    /// Phase ids (or `unphased`).
    pub phases: Vec<String>,
    /// Document kinds.
    pub kinds: Vec<String>,
    /// Coders.
    pub coders: Vec<String>,
    /// Documents.
    pub docs: Vec<DocId>,
    /// Speakers (a segment passes when a passage it overlaps has one of them; `(no
    /// speaker)` for passages without one).
    pub speakers: Vec<String>,
    /// Months of the document date, `YYYY-MM` (or `undated`).
    pub months: Vec<String>,
    /// Document attributes `(name, value)` that must all hold (value `(none)`: the
    /// document lacks the attribute).
    pub attrs: Vec<(String, String)>,
}

/// A coded segment as `ambit codings` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    /// Coding id.
    pub coding: i64,
    /// Code id.
    pub code: String,
    /// Document id.
    pub doc: String,
    /// The passage the segment starts in.
    pub passage: Option<String>,
    /// Phase id.
    pub phase: String,
    /// Document date.
    pub date: Option<String>,
    /// Speaker of that passage.
    pub speaker: Option<String>,
    /// Coder.
    pub coder: String,
    /// `manual`, `rule:<id>` or `import`.
    pub origin: String,
    /// Start (characters into the document).
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// The coded text.
    pub text: String,
    /// Memo.
    pub memo: Option<String>,
}

/// Coded segments matching a filter, in timeline order (phase, date, document, position).
pub fn segments(project: &Project, filter: &SegmentFilter) -> Result<Vec<Segment>> {
    let cb = load_codebook(project)?;
    let codes = expand_codes(&cb, &filter.codes)?;
    let corpus = Corpus::load(project)?;
    let all = project.store.codings(&CodingFilter {
        codes,
        docs: filter.docs.clone(),
        coders: filter.coders.clone(),
    })?;
    let mut out: Vec<(_, Segment)> = all
        .into_iter()
        .filter(|c| doc_passes(&corpus, c.doc, filter))
        .filter(|c| {
            filter.speakers.is_empty()
                || corpus
                    .passages_overlapping(c.doc, c.start, c.end)
                    .iter()
                    .any(|p| speaker_passes(p, filter))
        })
        .map(|c| {
            let passage = corpus.passages_overlapping(c.doc, c.start, c.end).first();
            let seg = Segment {
                coding: c.id,
                code: c.code.clone(),
                doc: c.doc.to_string(),
                passage: passage.map(|p| p.id.to_string()),
                phase: corpus.phase_of(c.doc).to_string(),
                date: corpus
                    .doc(c.doc)
                    .and_then(|d| d.doc.date)
                    .map(|d| d.to_string()),
                speaker: passage.and_then(|p| p.speaker.clone()),
                coder: c.coder.clone(),
                origin: c.origin.to_string(),
                start: c.start,
                end: c.end,
                text: corpus.slice(c.doc, c.start, c.end).to_string(),
                memo: c.memo.clone(),
            };
            let code_pos = cb.position(&c.code).unwrap_or(usize::MAX);
            ((corpus.timeline_key(c.doc), c.start, code_pos, c.id), seg)
        })
        .collect();
    out.sort_by_key(|a| a.0);
    Ok(out.into_iter().map(|(_, s)| s).collect())
}

fn doc_passes(corpus: &Corpus, doc: DocId, f: &SegmentFilter) -> bool {
    let phase_ok = f.phases.is_empty() || f.phases.iter().any(|p| p == corpus.phase_of(doc));
    let kind_ok = f.kinds.is_empty()
        || corpus
            .doc(doc)
            .is_some_and(|d| f.kinds.iter().any(|k| k == d.doc.kind.as_str()));
    let doc_ok = f.docs.is_empty() || f.docs.contains(&doc);
    let row = corpus.doc(doc);
    let month = row
        .and_then(|d| d.doc.date)
        .map_or(ambit_tables::UNDATED.to_string(), |d| {
            d.to_string().chars().take(7).collect()
        });
    let month_ok = f.months.is_empty() || f.months.contains(&month);
    let attrs_ok = f.attrs.iter().all(|(name, value)| {
        let have = row.and_then(|d| d.doc.attributes.get(name));
        match have {
            Some(v) => v == value,
            None => value == ambit_tables::NO_VALUE,
        }
    });
    phase_ok && kind_ok && doc_ok && month_ok && attrs_ok
}

fn speaker_passes(p: &ambit_core::Passage, f: &SegmentFilter) -> bool {
    f.speakers.is_empty()
        || f.speakers
            .iter()
            .any(|s| p.speaker.as_deref().unwrap_or(ambit_tables::NO_SPEAKER) == s)
}

/// What `ambit codings --count --measure M` counts; each matches the table measure of the
/// same name, so any table cell can be reproduced from the filtered listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountUnit {
    /// Codings overlapping at least one passage that passes the filters.
    Codings,
    /// Distinct passages those codings overlap.
    Passages,
    /// Distinct documents.
    Documents,
    /// Coded words, a word coded twice counted once.
    Words,
}

/// Counts what a filtered listing covers, the way a table cell does: codings of codebook
/// codes only, passages and words counted once however many codings touch them.
pub fn count_segments(project: &Project, filter: &SegmentFilter, unit: CountUnit) -> Result<u64> {
    let cb = load_codebook(project)?;
    let codes = expand_codes(&cb, &filter.codes)?;
    let corpus = Corpus::load(project)?;
    let all = project.store.codings(&CodingFilter {
        codes,
        docs: filter.docs.clone(),
        coders: filter.coders.clone(),
    })?;
    let mut codings = 0u64;
    let mut passages: BTreeSet<PassageId> = BTreeSet::new();
    let mut docs: BTreeSet<DocId> = BTreeSet::new();
    let mut ranges: BTreeMap<PassageId, Vec<(u32, u32)>> = BTreeMap::new();
    for c in all
        .iter()
        .filter(|c| cb.contains(&c.code) && doc_passes(&corpus, c.doc, filter))
    {
        let mut any = false;
        for p in corpus.passages_overlapping(c.doc, c.start, c.end) {
            if !speaker_passes(p, filter) {
                continue;
            }
            any = true;
            passages.insert(p.id);
            if unit == CountUnit::Words {
                let spans = ambit_core::text::word_spans(corpus.passage_text(p));
                let s = c.start.clamp(p.start, p.end) - p.start;
                let e = c.end.clamp(p.start, p.end) - p.start;
                ranges
                    .entry(p.id)
                    .or_default()
                    .push(crate::tables::word_range(&spans, s, e));
            }
        }
        if any {
            codings += 1;
            docs.insert(c.doc);
        }
    }
    Ok(match unit {
        CountUnit::Codings => codings,
        CountUnit::Passages => passages.len() as u64,
        CountUnit::Documents => docs.len() as u64,
        CountUnit::Words => ranges
            .into_values()
            .map(|mut rs| {
                // Union of word ranges: sort, then count each word once.
                rs.sort_unstable();
                let (mut total, mut reach) = (0u64, 0u32);
                for (a, b) in rs {
                    let a = a.max(reach);
                    if b > a {
                        total += u64::from(b - a);
                        reach = b;
                    }
                }
                total
            })
            .sum(),
    })
}

/// Expands code ids with their descendants, checking they exist.
fn expand_codes(cb: &Codebook, codes: &[String]) -> Result<Vec<String>> {
    let unknown: Vec<String> = codes.iter().filter(|c| !cb.contains(c)).cloned().collect();
    if !unknown.is_empty() {
        return Err(Error::Coding(
            ambit_coding::Error::UnknownCodes(unknown).to_string(),
        ));
    }
    let mut out = Vec::new();
    for c in codes {
        out.push(c.clone());
        out.extend(cb.descendants(c).iter().map(|d| d.id.clone()));
    }
    out.dedup();
    Ok(out)
}

/// A passage selected by a code query.
#[derive(Debug, Clone, Serialize)]
pub struct QueryHit {
    /// Passage id.
    pub passage: String,
    /// Document id.
    pub doc: String,
    /// Phase id.
    pub phase: String,
    /// Document date.
    pub date: Option<String>,
    /// Speaker.
    pub speaker: Option<String>,
    /// Codes on the passage (codebook order).
    pub codes: Vec<String>,
    /// Start (characters into the document).
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// Passage text.
    pub text: String,
}

/// Passages selected by a code expression, in timeline order.
pub fn query(project: &Project, expr: &str, filter: &SegmentFilter) -> Result<Vec<QueryHit>> {
    let cb = load_codebook(project)?;
    let q = Query::parse(expr).map_err(|e| Error::Coding(e.to_string()))?;
    q.validate(&cb).map_err(|e| Error::Coding(e.to_string()))?;
    let corpus = Corpus::load(project)?;
    let codings = project.store.codings(&CodingFilter {
        coders: filter.coders.clone(),
        ..Default::default()
    })?;
    let pos: HashMap<PassageId, usize> = corpus
        .passages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    let mut on: Vec<BTreeSet<String>> = vec![BTreeSet::new(); corpus.passages.len()];
    for c in &codings {
        for p in corpus.passages_overlapping(c.doc, c.start, c.end) {
            if let Some(&i) = pos.get(&p.id) {
                on[i].insert(c.code.clone());
            }
        }
    }
    let table: Vec<PassageCodes> = corpus
        .passages
        .iter()
        .zip(&on)
        .map(|(p, codes)| PassageCodes {
            doc: p.id.doc.0,
            ordinal: p.id.ordinal,
            codes: codes.iter().cloned().collect(),
        })
        .collect();
    let selected = q.eval_in(&cb, &table);
    let mut hits: Vec<(_, QueryHit)> = selected
        .into_iter()
        .filter_map(|i| {
            let p = &corpus.passages[i];
            if !doc_passes(&corpus, p.id.doc, filter) || !speaker_passes(p, filter) {
                return None;
            }
            let mut codes: Vec<String> = on[i].iter().cloned().collect();
            codes.sort_by_key(|c| cb.position(c).unwrap_or(usize::MAX));
            Some((
                (corpus.timeline_key(p.id.doc), p.id.ordinal),
                QueryHit {
                    passage: p.id.to_string(),
                    doc: p.id.doc.to_string(),
                    phase: corpus.phase_of(p.id.doc).to_string(),
                    date: corpus
                        .doc(p.id.doc)
                        .and_then(|d| d.doc.date)
                        .map(|d| d.to_string()),
                    speaker: p.speaker.clone(),
                    codes,
                    start: p.start,
                    end: p.end,
                    text: corpus.passage_text(p).to_string(),
                },
            ))
        })
        .collect();
    hits.sort_by_key(|a| a.0);
    Ok(hits.into_iter().map(|(_, h)| h).collect())
}

/// Counts per phase in timeline order (every phase, zeros kept, `unphased` when used).
pub fn count_by_phase<'a>(
    project: &Project,
    phases: impl Iterator<Item = &'a str>,
) -> Vec<(String, u64)> {
    let mut rows: Vec<(String, u64)> = project
        .config
        .timeline
        .phases()
        .iter()
        .map(|p| (p.id.clone(), 0))
        .collect();
    for ph in phases {
        match rows.iter_mut().find(|(id, _)| id == ph) {
            Some(r) => r.1 += 1,
            None => rows.push((ph.to_string(), 1)),
        }
    }
    rows
}

/// A top-level code's id, name and count per column.
pub type ThemeRow = (String, String, Vec<u64>);

/// Coded passages per top-level code (rows, codebook order) and phase (columns, timeline
/// order, plus `unphased` when used): a passage counts once per top-level code however many
/// of its descendants coded it.
pub fn theme_by_phase(project: &Project) -> Result<(Vec<String>, Vec<ThemeRow>)> {
    let cb = load_codebook(project)?;
    let corpus = Corpus::load(project)?;
    let mut columns: Vec<String> = project
        .config
        .timeline
        .phases()
        .iter()
        .map(|p| p.id.clone())
        .collect();
    if corpus
        .docs
        .iter()
        .any(|d| corpus.phase_of(d.doc.id) == ambit_core::UNPHASED)
    {
        columns.push(ambit_core::UNPHASED.to_string());
    }
    let tops: Vec<&ambit_coding::Code> = cb.codes().iter().filter(|c| c.parent.is_none()).collect();
    let mut seen: BTreeSet<(usize, PassageId)> = BTreeSet::new();
    let mut counts = vec![vec![0u64; columns.len()]; tops.len()];
    for c in project.store.codings(&CodingFilter::default())? {
        let root = cb
            .ancestors(&c.code)
            .last()
            .map(str::to_string)
            .unwrap_or_else(|| c.code.clone());
        let Some(t) = tops.iter().position(|x| x.id == root) else {
            continue;
        };
        let phase = corpus.phase_of(c.doc);
        let Some(col) = columns.iter().position(|p| p == phase) else {
            continue;
        };
        for p in corpus.passages_overlapping(c.doc, c.start, c.end) {
            if seen.insert((t, p.id)) {
                counts[t][col] += 1;
            }
        }
    }
    let rows = tops
        .iter()
        .zip(counts)
        .map(|(c, n)| (c.id.clone(), c.name.clone(), n))
        .collect();
    Ok((columns, rows))
}
