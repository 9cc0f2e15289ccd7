//! Auto-coding: the codebook's rules over every passage, streamed from the store one document
//! at a time, replacing one coder's earlier rule codings in one transaction.
//!
//! The corpus is never held: the main thread reads documents in batches of a few megabytes
//! while a second thread codes the previous batch on all cores, and what the rules found is
//! kept as numbers (range, rule) until it is compared with the earlier codings and written.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc;

use ambit_coding::{Codebook, Matcher, PassageInput};
use ambit_core::text::CharIndex;
use ambit_core::{DocId, Origin, UNPHASED};
use ambit_store::{NewCoding, Origins, Project, StreamedDocument};
use serde::Serialize;

use crate::error::Result;

/// What auto-coding did (or would do) per code, in codebook order.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct AutocodeReport {
    /// `(code, passages coded after the run, added, removed)`.
    pub codes: Vec<AutocodeRow>,
    /// Passages looked at.
    pub passages: usize,
    /// Whether anything was written.
    pub dry_run: bool,
}

/// One code's line of an [`AutocodeReport`].
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
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

/// Text per batch of documents handed to the matcher: enough work to share out over the
/// cores, little enough that a few batches in flight stay a few megabytes.
#[cfg(not(test))]
const BATCH_BYTES: usize = 4 << 20;
/// In tests, a batch per document or two, so that the small generated projects fill the
/// queue and the earlier codings are read while batches wait.
#[cfg(test)]
const BATCH_BYTES: usize = 256;

/// A coding the rules made: a passage's range and the rule, by its index in the matcher.
#[derive(Debug, Clone, Copy)]
struct Made {
    doc: DocId,
    start: usize,
    end: usize,
    rule: u32,
}

/// What makes two rule codings the same: range, code and origin. Code and origin are
/// numbers: codebook positions and matcher rule indexes, and, above those, numbers given
/// to codes and rule ids that the codebook does not have (old codings of renamed rules), so
/// that equal numbers mean equal strings.
type Key = (DocId, usize, usize, u32, u32);

/// Runs the codebook's rules over every passage in one pass and replaces `coder`'s earlier
/// rule codings (of the selected codes) in one transaction. Manual codings are untouched,
/// and a run that would change nothing writes nothing.
pub fn autocode(
    project: &mut Project,
    codebook: &Codebook,
    codes: Option<&[String]>,
    coder: &str,
    dry_run: bool,
) -> Result<AutocodeReport> {
    let matcher = Matcher::compile(codebook, codes)?;

    let docs = project.store.documents()?;
    let placements = crate::overview::placements(project, &docs);
    let timeline = &project.config.timeline;
    let phases: HashMap<DocId, &str> = docs
        .iter()
        .zip(&placements)
        .map(|(d, p)| (d.doc.id, timeline.label_of(*p)))
        .collect();

    // `within` rules may refer to codes people applied by hand: the ranges of the non-rule
    // codings, by document, with the code by codebook position (the matcher knows no other).
    let mut human: HashMap<DocId, Vec<(usize, usize, u32)>> = HashMap::new();
    if matcher.uses_codes() {
        project
            .store
            .for_each_coding_row(None, Origins::NotRules, |c| -> Result<()> {
                if let Some(pos) = codebook.position(c.code) {
                    human
                        .entry(c.doc)
                        .or_default()
                        .push((c.start, c.end, to_u32(pos)));
                }
                Ok(())
            })?;
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
    let in_scope: HashSet<&str> = scope.iter().map(String::as_str).collect();

    // The coder's earlier rule codings are read while the matcher is busy with the first
    // batches, so that reading them does not leave a core idle afterwards.
    let only = codes.map(|_| &in_scope);
    let mut early: Option<Result<(Vec<Key>, Vec<String>)>> = None;
    let read_old = |project: &Project| {
        if early.is_none() {
            early = Some(earlier_codings(project, codebook, &matcher, coder, only));
        }
    };
    let (made, passages) =
        stream_and_match(project, codebook, &matcher, &phases, &human, read_old)?;
    let (mut old, gone) = match early {
        Some(old) => old?,
        None => earlier_codings(project, codebook, &matcher, coder, only)?,
    };
    let before_len = old.len();

    let code_of = |rule: u32| matcher.rule(rule as usize).map_or(0, |r| r.code_position);
    let mut fresh: Vec<Key> = made
        .iter()
        .map(|m| (m.doc, m.start, m.end, to_u32(code_of(m.rule)), m.rule))
        .collect();
    fresh.sort_unstable();
    fresh.dedup();
    old.sort_unstable();
    old.dedup();

    // The codebook's codes, then those it no longer has whose rule codings this run
    // removes: a researcher sees every coding that goes.
    let mut rows: Vec<AutocodeRow> = codebook
        .codes()
        .iter()
        .map(|c| c.id.clone())
        .chain(gone)
        .map(|code| AutocodeRow {
            code,
            coded: 0,
            added: 0,
            removed: 0,
        })
        .collect();
    // Both lists are sorted: one walk finds what only one of them has.
    let (mut i, mut j) = (0, 0);
    while i < fresh.len() || j < old.len() {
        let order = match (fresh.get(i), old.get(j)) {
            (Some(f), Some(o)) => f.cmp(o),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                let row = &mut rows[fresh[i].3 as usize];
                row.coded += 1;
                row.added += 1;
                i += 1;
            }
            std::cmp::Ordering::Equal => {
                rows[fresh[i].3 as usize].coded += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Greater => {
                if let Some(row) = rows.get_mut(old[j].3 as usize) {
                    row.removed += 1;
                }
                j += 1;
            }
        }
    }
    let n_codes = codebook.codes().len();
    let mut gone_rows = rows.split_off(n_codes);
    gone_rows.retain(|r| r.removed > 0);
    gone_rows.sort_by(|a, b| a.code.cmp(&b.code));
    rows.extend(gone_rows);
    // Nothing to change means nothing to write: the store revision stays, and with it the
    // search index.
    let changed = old != fresh || before_len != made.len();
    drop((old, fresh));
    if !dry_run && changed {
        // Made as they are stored: never all at once (900,000 codings were 180 MB).
        let new = || {
            made.iter().filter_map(|m| {
                let rule = matcher.rule(m.rule as usize)?;
                Some(NewCoding {
                    doc: m.doc,
                    start: m.start,
                    end: m.end,
                    code: rule.code.to_string(),
                    coder: coder.to_string(),
                    origin: Origin::Rule(rule.id.to_string()),
                    memo: None,
                })
            })
        };
        let scope_arg = codes.map(|_| scope.as_slice());
        project
            .store
            .replace_rule_codings_with(coder, scope_arg, new)?;
    }
    let codes_out = rows
        .into_iter()
        .filter(|r| codes.is_none() || in_scope.contains(r.code.as_str()))
        .collect();
    Ok(AutocodeReport {
        codes: codes_out,
        passages,
        dry_run,
    })
}

/// `coder`'s earlier rule codings (of the codes in `scope` when given), as keys.
fn earlier_codings(
    project: &Project,
    codebook: &Codebook,
    matcher: &Matcher,
    coder: &str,
    scope: Option<&HashSet<&str>>,
) -> Result<(Vec<Key>, Vec<String>)> {
    let n_codes = codebook.codes().len();
    let rule_index: HashMap<&str, u32> = (0..matcher.rule_count())
        .filter_map(|i| matcher.rule(i).map(|r| (r.id, to_u32(i))))
        .collect();
    let mut other_codes: HashMap<String, u32> = HashMap::new();
    let mut other_rules: HashMap<String, u32> = HashMap::new();
    let mut old: Vec<Key> = Vec::new();
    project
        .store
        .for_each_coding_row(Some(coder), Origins::Rules, |c| -> Result<()> {
            if scope.is_some_and(|s| !s.contains(c.code)) {
                return Ok(());
            }
            let code = match codebook.position(c.code) {
                Some(p) => to_u32(p),
                None => intern(&mut other_codes, c.code, n_codes),
            };
            let id = c.origin.strip_prefix("rule:").unwrap_or(c.origin);
            let origin = match rule_index.get(id) {
                Some(&r) => r,
                None => intern(&mut other_rules, id, matcher.rule_count()),
            };
            old.push((c.doc, c.start, c.end, code, origin));
            Ok(())
        })?;
    // The codes the codebook no longer has, by their numbers above its own.
    let mut gone = vec![String::new(); other_codes.len()];
    for (name, n) in other_codes {
        gone[n as usize - n_codes] = name;
    }
    Ok((old, gone))
}

/// Batches read ahead of the matcher at most: about half a second of work for it, so that
/// `aside` can run while it has some, and the reader never runs far ahead.
const QUEUED_BATCHES: usize = 4;

/// Reads every document and codes its passages: the store is read on this thread, and each
/// full batch is coded on another (the matcher itself uses every core) while the next one
/// is read. `aside` is called whenever the queue of batches is full, while the matcher has
/// work, and once every document is read, to read something else from the store meanwhile.
/// Returns the codings in document, passage and codebook order, and the number of passages.
fn stream_and_match(
    project: &Project,
    codebook: &Codebook,
    matcher: &Matcher,
    phases: &HashMap<DocId, &str>,
    human: &HashMap<DocId, Vec<(usize, usize, u32)>>,
    mut aside: impl FnMut(&Project),
) -> Result<(Vec<Made>, usize)> {
    let (tx, rx) = mpsc::sync_channel::<Vec<StreamedDocument>>(QUEUED_BATCHES);
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || {
            let mut made = Vec::new();
            for batch in rx {
                code_batch(codebook, matcher, phases, human, &batch, &mut made);
            }
            made
        });
        let mut batch: Vec<StreamedDocument> = Vec::new();
        let mut bytes = 0;
        let mut passages = 0;
        let read = project.store.for_each_document(|doc| -> Result<()> {
            passages += doc.passages.len();
            bytes += doc.text.len();
            batch.push(doc);
            if bytes >= BATCH_BYTES {
                bytes = 0;
                // The worker only stops early by panicking, which `join` passes on below.
                match tx.try_send(std::mem::take(&mut batch)) {
                    Err(mpsc::TrySendError::Full(full)) => {
                        aside(project);
                        let _ = tx.send(full);
                    }
                    Ok(()) | Err(mpsc::TrySendError::Disconnected(_)) => {}
                }
            }
            Ok(())
        });
        if read.is_ok() && !batch.is_empty() {
            let _ = tx.send(batch);
        }
        aside(project);
        drop(tx);
        let made = match worker.join() {
            Ok(made) => made,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        read?;
        Ok((made, passages))
    })
}

/// Codes one batch of documents, appending one coding per passage and code: the first rule
/// (in codebook order) that hit it.
fn code_batch(
    codebook: &Codebook,
    matcher: &Matcher,
    phases: &HashMap<DocId, &str>,
    human: &HashMap<DocId, Vec<(usize, usize, u32)>>,
    batch: &[StreamedDocument],
    made: &mut Vec<Made>,
) {
    let code_ids: Vec<&str> = codebook.codes().iter().map(|c| c.id.as_str()).collect();
    // The codes each passage already carries, for `within`.
    let carried: Vec<Vec<Vec<&str>>> = batch
        .iter()
        .map(|d| {
            let mut per: Vec<Vec<&str>> = vec![Vec::new(); d.passages.len()];
            for &(start, end, code) in human.get(&d.id).map_or(&[][..], Vec::as_slice) {
                for i in crate::corpus::overlapping(&d.passages, start, end) {
                    per[i].push(code_ids[code as usize]);
                }
            }
            per
        })
        .collect();
    let mut inputs: Vec<PassageInput<'_>> = Vec::new();
    let mut at: Vec<(usize, usize)> = Vec::new();
    for (di, d) in batch.iter().enumerate() {
        let chars = CharIndex::new(&d.text);
        let phase = phases.get(&d.id).copied().unwrap_or(UNPHASED);
        for (pi, p) in d.passages.iter().enumerate() {
            inputs.push(PassageInput {
                doc: d.id.0,
                text: chars.slice(&d.text, p.span.start, p.span.end).unwrap_or(""),
                speaker: p.span.speaker.as_deref(),
                kind: d.kind,
                phase: Some(phase),
                codes: &carried[di][pi],
            });
            at.push((di, pi));
        }
    }
    let mut last = usize::MAX;
    let mut seen: Vec<usize> = Vec::new();
    for (i, rule) in matcher.run_indexed(&inputs) {
        if i != last {
            last = i;
            seen.clear();
        }
        let Some(info) = matcher.rule(rule) else {
            continue;
        };
        if seen.contains(&info.code_position) {
            continue;
        }
        seen.push(info.code_position);
        let (di, pi) = at[i];
        let span = &batch[di].passages[pi].span;
        made.push(Made {
            doc: batch[di].id,
            start: span.start,
            end: span.end,
            rule: to_u32(rule),
        });
    }
}

/// The number of `name` among names the codebook lacks, numbered from `base` up.
fn intern(names: &mut HashMap<String, u32>, name: &str, base: usize) -> u32 {
    let next = to_u32(base + names.len());
    *names.entry(name.to_string()).or_insert(next)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    //! The streaming auto-coder against the one it replaced, which loaded the whole corpus:
    //! same report, same codings, on generated projects.

    use std::collections::{BTreeMap, BTreeSet};

    use ambit_core::{Coding, Date, DocKind, PassageSpan};
    use ambit_store::{CodingFilter, NewDocument, NewPassage};

    use super::*;
    use crate::corpus::Corpus;

    /// The auto-coder as it was before documents were streamed: the corpus in memory, every
    /// coding as a [`Coding`]. Kept as the reference the streaming one must equal.
    fn autocode_in_memory(
        project: &mut Project,
        codebook: &Codebook,
        codes: Option<&[String]>,
        coder: &str,
        dry_run: bool,
    ) -> Result<AutocodeReport> {
        let matcher = Matcher::compile(codebook, codes)?;
        let corpus = Corpus::load(project)?;
        let human = project.store.codings(&CodingFilter::default())?;
        let mut existing_codes: Vec<Vec<String>> = vec![Vec::new(); corpus.passages.len()];
        let pos: HashMap<ambit_core::PassageId, usize> = corpus
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
        let mut gone: BTreeMap<String, u64> = BTreeMap::new();
        for k in old.difference(&fresh) {
            match rows.get_mut(k.3.as_str()) {
                Some(r) => r.removed += 1,
                None => *gone.entry(k.3.clone()).or_default() += 1,
            }
        }
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
            .chain(gone.into_iter().map(|(code, removed)| AutocodeRow {
                code,
                coded: 0,
                added: 0,
                removed,
            }))
            .collect();
        Ok(AutocodeReport {
            codes: codes_out,
            passages: corpus.passages.len(),
            dry_run,
        })
    }

    /// SplitMix64, so that every seed gives the same project.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    const CONFIG: &str = r#"
name = "generated"
coder = "researcher"
[speakers]
"KJ" = "Kari Järvinen"
[[phase]]
id = "before"
label = "Before"
start = 2013-01-01
end = 2013-03-31
[[phase]]
id = "after"
label = "After"
start = 2013-04-01
end = 2013-12-31
"#;

    const WORDS: &[&str] = &[
        "the",
        "order",
        "orders",
        "Order",
        "ticket",
        "meaning",
        "means",
        "different",
        "things",
        "we",
        "agreed",
        "on",
        "rules",
        "the rule",
        "is",
        "swimlane",
        "map",
        "Järvinen",
        "kääntää",
        "öljy",
        "ÖLJY",
        "who",
        "pays",
        "for",
        "call-out",
        "pizza",
        "escalation",
        "escalated",
        "excel",
        "sap",
        "xml",
        "work",
        "order’s",
        "—",
        ",",
        ".",
        "?",
        "\n",
        "  ",
        "ſ",
        "KELVIN",
        "\u{212A}elvin",
        "😀",
        "weekly",
        "call",
        "calls",
    ];

    const CODEBOOK: &str = r#"
[codebook]
name = "generated"
[[code]]
id = "ctx"
name = "context, coded by hand"
[[code]]
id = "kb"
name = "knowledge boundaries"
  [[code.rule]]
  keywords = ["ticket", "escalat*"]
  exclude_keywords = ["pizza"]
  [[code.rule]]
  near = [{ terms = ["excel", "sap"], within = 3 }]
[[code]]
id = "kb.semantic"
name = "semantic"
  [[code.rule]]
  id = "sem.re"
  regex = ['(?i)\bmeans? (different|other) things?\b', '(?i)\b(the|our) rules?\b[^.?!]{0,20}\bis\b']
  [[code.rule]]
  phrases = ["work order"]
  kind = ["workshop"]
[[code]]
id = "kb.pragmatic"
name = "pragmatic"
  [[code.rule]]
  regex = ['(?i)\bwho pays( for)?\b']
  speaker = ["Kari Järvinen"]
  [[code.rule]]
  keywords = ["öljy"]
  phase = ["after"]
[[code]]
id = "coord"
name = "coordination"
  [[code.rule]]
  keywords = ["swimlane", "map"]
  within = "ctx"
  [[code.rule]]
  keywords = ["weekly"]
  all = ["call*"]
[[code]]
id = "coord.late"
name = "needs coord"
  [[code.rule]]
  keywords = ["order"]
  within = "coord"
"#;

    /// The same codebook with one rule renamed and one keyword gone, so that a second run
    /// removes and adds codings.
    fn edited_codebook() -> String {
        CODEBOOK
            .replace("id = \"sem.re\"", "id = \"sem.regex\"")
            .replace(
                "keywords = [\"swimlane\", \"map\"]",
                "keywords = [\"swimlane\"]",
            )
    }

    /// A project from `seed`: documents of several kinds and dates with speaker turns, hand
    /// codings (`ctx`, and codes of the codebook), imported codings, other coders' rule
    /// codings, and stale rule codings of the coder under a rule id that no longer exists.
    fn generated_project(dir: &std::path::Path, seed: u64) -> Project {
        std::fs::write(dir.join(ambit_store::CONFIG_FILE), CONFIG).unwrap();
        let mut project = Project::create(dir).unwrap();
        let mut rng = Rng(seed);
        let kinds = [DocKind::Workshop, DocKind::Interview, DocKind::Observation];
        let dates = ["2013-02-01", "2013-05-01", "2014-01-01"];
        let mut docs = Vec::new();
        for d in 0..1 + rng.below(7) {
            let mut text = String::new();
            let mut passages = Vec::new();
            for _ in 0..rng.below(12) {
                let speaker = rng.pick(&["KJ", "Anna", ""]);
                if !speaker.is_empty() {
                    text.push_str(speaker);
                    text.push_str(": ");
                }
                let start = text.chars().count();
                for _ in 0..rng.below(14) {
                    text.push_str(rng.pick(WORDS));
                    text.push(' ');
                }
                let end = text.chars().count();
                passages.push(NewPassage {
                    span: PassageSpan {
                        start,
                        end,
                        speaker: (!speaker.is_empty()).then(|| speaker.to_string()),
                        ..Default::default()
                    },
                    words: 1,
                });
                text.push_str("\n\n");
            }
            // Word by word, `sem.re`'s regexes are too rare in projects this small for its
            // rename to leave codings to remove, so every document ends with a passage they
            // match. It draws nothing from `rng` and gets no hand codings, so the rest of the
            // project stays as the seed made it.
            let hand_coded = passages.clone();
            let start = text.chars().count();
            text.push_str("our rule is");
            passages.push(NewPassage {
                span: PassageSpan {
                    start,
                    end: text.chars().count(),
                    ..Default::default()
                },
                words: 3,
            });
            let id = project
                .store
                .insert_document(&NewDocument {
                    title: format!("doc {d}"),
                    kind: kinds[rng.below(kinds.len())],
                    date: Some(Date::parse(dates[rng.below(dates.len())]).unwrap()),
                    phase: None,
                    source: format!("doc{d}.txt"),
                    content_hash: format!("{seed}-{d}"),
                    format: "txt".into(),
                    encoding: "utf-8".into(),
                    words: 0,
                    attributes: BTreeMap::new(),
                    passages,
                    original: None,
                    text,
                })
                .unwrap();
            docs.push((id, hand_coded));
        }
        let mut codings = Vec::new();
        for (id, passages) in &docs {
            for p in passages {
                if p.span.start == p.span.end {
                    continue;
                }
                let (start, end) = (p.span.start, p.span.end);
                let mut push = |code: &str, coder: &str, origin: Origin| {
                    codings.push(NewCoding {
                        doc: *id,
                        start,
                        end: start + 1 + (end - start - 1) / 2,
                        code: code.into(),
                        coder: coder.into(),
                        origin,
                        memo: None,
                    });
                };
                match rng.below(8) {
                    0 => push("ctx", "researcher", Origin::Manual),
                    1 => push("coord", "ann", Origin::Import),
                    2 => push("kb", "ann", Origin::Rule("kb.1".into())),
                    3 => push("kb", "researcher", Origin::Rule("kb.old".into())),
                    4 => push("not-in-codebook", "researcher", Origin::Rule("x.1".into())),
                    _ => {}
                }
            }
        }
        if !codings.is_empty() {
            project.store.add_codings(&codings).unwrap();
        }
        project
    }

    /// Every coding in the store, without its creation time (the two runs differ in it).
    fn all_codings(project: &Project) -> Vec<(i64, DocId, usize, usize, String, String, String)> {
        project
            .store
            .codings(&CodingFilter {
                detached: true,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|c| {
                (
                    c.id,
                    c.doc,
                    c.start,
                    c.end,
                    c.code,
                    c.coder,
                    c.origin.to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn streaming_autocode_equals_in_memory_autocode() {
        let first = Codebook::parse(CODEBOOK).unwrap();
        let second = Codebook::parse(&edited_codebook()).unwrap();
        let selections: [Option<Vec<String>>; 3] = [
            None,
            Some(vec!["kb".into()]),
            Some(vec!["coord".into(), "kb.pragmatic".into()]),
        ];
        // What the runs did, summed over all of them, to show that the cases were met.
        let mut total: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
        for seed in 0..12u64 {
            let codes = selections[seed as usize % selections.len()].as_deref();
            let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
            let mut old = generated_project(a.path(), seed);
            let mut new = generated_project(b.path(), seed);
            assert_eq!(all_codings(&old), all_codings(&new));
            for (step, (cb, dry_run)) in [
                (&first, true),
                (&first, false),
                (&first, false),
                (&second, false),
                (&first, true),
            ]
            .into_iter()
            .enumerate()
            {
                let before = new.store.revision().unwrap();
                let want = autocode_in_memory(&mut old, cb, codes, "researcher", dry_run).unwrap();
                let got = autocode(&mut new, cb, codes, "researcher", dry_run).unwrap();
                assert_eq!(got, want, "seed {seed}, step {step}");
                for r in &got.codes {
                    let t = total.entry(r.code.clone()).or_default();
                    *t = (t.0 + r.coded, t.1 + r.added, t.2 + r.removed);
                }
                assert_eq!(
                    all_codings(&new),
                    all_codings(&old),
                    "seed {seed}, step {step}"
                );
                // A dry run writes nothing, and a second run of the same rules finds
                // nothing to change and writes nothing either.
                let unchanged = got.codes.iter().all(|r| r.added == 0 && r.removed == 0);
                if dry_run || step == 2 {
                    assert!(dry_run || unchanged, "seed {seed}, step {step}: {got:?}");
                    assert_eq!(
                        new.store.revision().unwrap(),
                        before,
                        "seed {seed}, step {step}"
                    );
                }
            }
        }
        // Every code was coded and added somewhere (`coord.late` only through `within` on
        // this run's own `coord` hits), and removed where stale codings, the renamed rule and
        // the dropped keyword make it so.
        for code in ["kb", "kb.semantic", "kb.pragmatic", "coord", "coord.late"] {
            let (coded, added, removed) = total.get(code).copied().unwrap_or_default();
            assert!(coded > 0 && added > 0, "{code}: {total:?}");
            if ["kb", "kb.semantic", "coord"].contains(&code) {
                assert!(removed > 0, "{code}: {total:?}");
            }
        }
    }

    #[test]
    fn a_second_identical_run_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut project = generated_project(dir.path(), 3);
        let cb = Codebook::parse(CODEBOOK).unwrap();
        let first = autocode(&mut project, &cb, None, "researcher", false).unwrap();
        assert!(first.codes.iter().any(|r| r.added > 0), "{first:?}");
        let revision = project.store.revision().unwrap();
        let again = autocode(&mut project, &cb, None, "researcher", false).unwrap();
        assert!(again.codes.iter().all(|r| r.added == 0 && r.removed == 0));
        assert_eq!(project.store.revision().unwrap(), revision);
    }

    /// A code taken out of the codebook loses its rule codings on the next run: the report
    /// says how many, under the code's id, after the codebook's own codes.
    #[test]
    fn codings_of_a_code_no_longer_in_the_codebook_are_reported_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mut project = generated_project(dir.path(), 5);
        let cb = Codebook::parse(CODEBOOK).unwrap();
        let first = autocode(&mut project, &cb, None, "researcher", false).unwrap();
        let late = first
            .codes
            .iter()
            .find(|r| r.code == "coord.late")
            .unwrap()
            .coded;
        assert!(late > 0, "{first:?}");

        let start = CODEBOOK.find("[[code]]\nid = \"coord.late\"").unwrap();
        let cb2 = Codebook::parse(&CODEBOOK[..start]).unwrap();
        assert!(cb2.position("coord.late").is_none());
        let dry = autocode(&mut project, &cb2, None, "researcher", true).unwrap();
        let real = autocode(&mut project, &cb2, None, "researcher", false).unwrap();
        for got in [&dry, &real] {
            let row = got.codes.iter().find(|r| r.code == "coord.late");
            assert_eq!(row.map(|r| r.removed), Some(late), "{got:?}");
            assert_eq!(
                got.codes.last().map(|r| r.code.as_str()),
                Some("coord.late")
            );
        }
        let left = project
            .store
            .codings(&CodingFilter {
                codes: vec!["coord.late".into()],
                ..Default::default()
            })
            .unwrap();
        assert!(left.iter().all(|c| c.origin == Origin::Manual), "{left:?}");
    }
}
