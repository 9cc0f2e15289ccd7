//! Code queries: passages selected by an expression over their codes (AND, OR, NOT, NEAR).

use std::collections::{BTreeSet, HashMap};

use ambit_coding::{PassageCodes, Query};
use ambit_core::{Date, DocId, PassageId};
use ambit_store::{CodingFilter, Project};
use serde::Serialize;

use super::load_codebook;
use super::retrieve::SegmentFilter;
use crate::corpus::Corpus;
use crate::error::Result;

/// A passage selected by a code query.
///
/// **API boundary**: a row of `ambit query --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct QueryHit {
    /// Passage id.
    pub passage: PassageId,
    /// Document id.
    pub doc: DocId,
    /// Phase id.
    pub phase: String,
    /// Document date.
    pub date: Option<Date>,
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
    let q = Query::parse(expr)?;
    q.validate(&cb)?;
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
            let f = &filter.doc;
            if !corpus.passes(p.id.doc, f) || !f.passes_speaker(p.span.speaker.as_deref()) {
                return None;
            }
            let mut codes: Vec<String> = on[i].iter().cloned().collect();
            codes.sort_by_key(|c| cb.position(c).unwrap_or(usize::MAX));
            Some((
                (corpus.timeline_key(p.id.doc), p.id.ordinal),
                QueryHit {
                    passage: p.id,
                    doc: p.id.doc,
                    phase: corpus.phase_of(p.id.doc).to_string(),
                    date: corpus.doc(p.id.doc).and_then(|d| d.doc.date),
                    speaker: p.span.speaker.clone(),
                    codes,
                    start: p.span.start,
                    end: p.span.end,
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
