//! Retrieval: coded segments in timeline order, the counts behind every table cell, and
//! coded passages per theme and phase.

use std::collections::{BTreeMap, BTreeSet};

use ambit_coding::Codebook;
use ambit_core::{Coding, CodingStatus, Date, DocFilter, DocId, Origin, PassageId};
use ambit_store::{CodingFilter, Project};
use serde::Serialize;

use super::load_codebook;
use crate::corpus::Corpus;
use crate::error::Result;

/// Filters for retrieval and queries: codes and coders, and the one document filter.
/// Empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct SegmentFilter {
    /// Codes (their descendants are included).
    pub codes: Vec<String>,
    /// Coders.
    pub coders: Vec<String>,
    /// Documents, and speakers' passages (a segment passes when a passage it overlaps
    /// passes the speaker condition).
    pub doc: DocFilter,
}

/// A coded segment as `ambit codings` shows it.
///
/// **API boundary**: this is a row of `ambit codings --format json` (and of the web app's
/// `/api/codings`); field names and meanings are a contract with researchers' scripts.
#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    /// Coding id.
    pub coding: i64,
    /// Code id.
    pub code: String,
    /// Document id.
    pub doc: DocId,
    /// The passage the segment starts in.
    pub passage: Option<PassageId>,
    /// Phase id.
    pub phase: String,
    /// Document date.
    pub date: Option<Date>,
    /// Speaker of that passage.
    pub speaker: Option<String>,
    /// The survey question that passage answers (survey documents).
    pub question: Option<String>,
    /// Coder.
    pub coder: String,
    /// `manual`, `rule:<id>` or `import`.
    pub origin: Origin,
    /// Start (characters into the document).
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// The coded text.
    pub text: String,
    /// Memo.
    pub memo: Option<String>,
    /// `ok`; `needs-review` when its text changed as its document was corrected; or
    /// `detached` when its text was deleted: it then points at no text (`passage` null,
    /// `start` and `end` 0, `text` empty) and `quote` holds what it coded.
    pub status: CodingStatus,
    /// For a coding that needs review or is detached, the text it coded before its
    /// document was corrected; otherwise null.
    pub quote: Option<String>,
}

/// Coded segments matching a filter, in timeline order (phase, date, document, position).
/// Detached codings, which point at no text, are not among them (see [`listing`]).
pub fn segments(project: &Project, filter: &SegmentFilter) -> Result<Vec<Segment>> {
    collect(project, filter, false)
}

/// What `ambit codings` lists: [`segments`], and the detached codings of the same filter
/// (documents, codes, coders; a speaker filter leaves them out, as they are in no
/// passage), each after the other codings of its document.
pub fn listing(project: &Project, filter: &SegmentFilter) -> Result<Vec<Segment>> {
    collect(project, filter, true)
}

fn collect(project: &Project, filter: &SegmentFilter, detached: bool) -> Result<Vec<Segment>> {
    let cb = load_codebook(project)?;
    let codes = expand_codes(&cb, &filter.codes)?;
    let corpus = Corpus::load(project)?;
    let all = project.store.codings(&CodingFilter {
        detached,
        ..store_filter(codes, filter)
    })?;
    let f = &filter.doc;
    let in_text = |c: &Coding| c.status != CodingStatus::Detached;
    let mut out: Vec<(_, Segment)> = all
        .into_iter()
        .filter(|c| corpus.passes(c.doc, f))
        .filter(|c| {
            f.speakers.is_empty()
                || (in_text(c)
                    && corpus
                        .passages_overlapping(c.doc, c.start, c.end)
                        .iter()
                        .any(|p| f.passes_speaker(p.span.speaker.as_deref())))
        })
        .map(|c| {
            let key = (corpus.timeline_key(c.doc), order_in_document(&c, Some(&cb)));
            let passages = corpus.passages_of(c.doc);
            let date = corpus.doc(c.doc).and_then(|d| d.doc.date);
            let text = corpus.slice(c.doc, c.start, c.end).to_string();
            let phase = corpus.phase_of(c.doc).to_string();
            (key, segment(c, passages, phase, date, text))
        })
        .collect();
    out.sort_by_key(|a| a.0);
    Ok(out.into_iter().map(|(_, s)| s).collect())
}

/// Where a coding comes in its document's listing: by position (detached ones, which
/// have none, last), then codebook order, then id.
fn order_in_document(c: &Coding, cb: Option<&Codebook>) -> (usize, usize, i64) {
    let at = if c.status == CodingStatus::Detached {
        usize::MAX
    } else {
        c.start
    };
    let pos = cb.and_then(|cb| cb.position(&c.code));
    (at, pos.unwrap_or(usize::MAX), c.id)
}

/// The row of one coding; `passages` are its document's, `text` what it codes.
fn segment(
    c: Coding,
    passages: &[ambit_core::Passage],
    phase: String,
    date: Option<Date>,
    text: String,
) -> Segment {
    let in_text = c.status != CodingStatus::Detached;
    let passage = if in_text {
        passages[crate::corpus::overlapping(passages, c.start, c.end)].first()
    } else {
        None
    };
    Segment {
        coding: c.id,
        passage: passage.map(|p| p.id),
        speaker: passage.and_then(|p| p.span.speaker.clone()),
        question: passage.and_then(|p| p.span.question.clone()),
        doc: c.doc,
        phase,
        date,
        coder: c.coder,
        origin: c.origin,
        start: c.start,
        end: c.end,
        text: if in_text { text } else { String::new() },
        memo: c.memo,
        status: c.status,
        quote: c.quote,
        code: c.code,
    }
}

/// The coded segments of one document (or, with `only`, of those codings of it), in the
/// order `ambit codings` lists them, read from that document alone: what the web app's
/// reader and `POST /api/codings` answer with, fast however large the project.
pub fn document_segments(
    project: &Project,
    doc: DocId,
    only: Option<&[i64]>,
) -> Result<Vec<Segment>> {
    let row = project.store.document(doc)?;
    let text = project.store.text(doc)?;
    let passages = project.store.passages(doc)?;
    let phase = crate::overview::phase_of(project, &row);
    // Without a codebook (yet), codings are still listed, in id order within a position.
    // One coding has no order to keep: the coding API answers without reading the codebook.
    let cb = match only {
        Some(ids) if ids.len() < 2 => None,
        _ => load_codebook(project).ok(),
    };
    let chars = ambit_core::text::CharIndex::new(&text);
    let codings: Vec<Coding> = match only {
        Some(ids) => ids
            .iter()
            .map(|&id| project.store.coding(id))
            .collect::<std::result::Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|c| c.doc == doc)
            .collect(),
        None => project.store.codings(&CodingFilter {
            docs: vec![doc],
            ..Default::default()
        })?,
    };
    let mut out: Vec<(_, Segment)> = codings
        .into_iter()
        .map(|c| {
            let key = order_in_document(&c, cb.as_ref());
            let cut = chars.slice(&text, c.start, c.end).unwrap_or("").to_string();
            (key, segment(c, &passages, phase.clone(), row.doc.date, cut))
        })
        .collect();
    out.sort_by_key(|a| a.0);
    Ok(out.into_iter().map(|(_, s)| s).collect())
}

/// What the store can narrow by itself: codes, coders and documents.
pub(crate) fn store_filter(codes: Vec<String>, filter: &SegmentFilter) -> CodingFilter {
    CodingFilter {
        codes,
        docs: filter.doc.docs.clone(),
        coders: filter.coders.clone(),
        ..Default::default()
    }
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
    let all = project.store.codings(&store_filter(codes, filter))?;
    let f = &filter.doc;
    let mut codings = 0u64;
    let mut passages: BTreeSet<PassageId> = BTreeSet::new();
    let mut docs: BTreeSet<DocId> = BTreeSet::new();
    let mut ranges: BTreeMap<PassageId, Vec<(u32, u32)>> = BTreeMap::new();
    for c in all
        .iter()
        .filter(|c| cb.contains(&c.code) && corpus.passes(c.doc, f))
    {
        let mut any = false;
        for p in corpus.passages_overlapping(c.doc, c.start, c.end) {
            if !f.passes_speaker(p.span.speaker.as_deref()) {
                continue;
            }
            any = true;
            passages.insert(p.id);
            if unit == CountUnit::Words {
                let spans = ambit_core::text::word_spans(corpus.passage_text(p));
                let s = c.start.clamp(p.span.start, p.span.end) - p.span.start;
                let e = c.end.clamp(p.span.start, p.span.end) - p.span.start;
                ranges
                    .entry(p.id)
                    .or_default()
                    .push(ambit_core::text::word_range(&spans, s, e));
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
pub(crate) fn expand_codes(cb: &Codebook, codes: &[String]) -> Result<Vec<String>> {
    cb.require_codes(codes)?;
    let mut out = Vec::new();
    for c in codes {
        out.push(c.clone());
        out.extend(cb.descendants(c).iter().map(|d| d.id.clone()));
    }
    out.dedup();
    Ok(out)
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
