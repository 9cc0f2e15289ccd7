//! One document's coded segments, read from that document only.
//!
//! `ambit_pipeline::coding::segments` loads the whole corpus with every text to list the
//! codings of any filter; the reader and `POST /api/codings` need the segments of one
//! document, so these build the same [`Segment`] rows (same fields, same order) from that
//! document's passages and text. They belong in the pipeline's `retrieve` module.

use ambit_coding::Codebook;
use ambit_core::text::CharIndex;
use ambit_core::{Coding, DocId, Passage};
use ambit_pipeline::coding::Segment;
use ambit_store::{CodingFilter, Project};

use crate::fail::Fail;

/// What a document's segments are cut from.
pub struct DocParts<'a> {
    pub id: DocId,
    pub phase: &'a str,
    pub date: Option<ambit_core::Date>,
    pub text: &'a str,
    pub passages: &'a [Passage],
}

/// Segments of `codings` (all of one document), in the order `ambit codings` lists them:
/// position, then codebook order, then id.
pub fn build(parts: &DocParts<'_>, codings: Vec<Coding>, cb: Option<&Codebook>) -> Vec<Segment> {
    let chars = CharIndex::new(parts.text);
    let mut out: Vec<((usize, usize, i64), Segment)> = codings
        .into_iter()
        .filter(|c| c.doc == parts.id)
        .map(|c| {
            let first = first_passage(parts.passages, c.start, c.end);
            let pos = cb.and_then(|cb| cb.position(&c.code)).unwrap_or(usize::MAX);
            let seg = Segment {
                coding: c.id,
                doc: c.doc,
                passage: first.map(|p| p.id),
                phase: parts.phase.to_string(),
                date: parts.date,
                speaker: first.and_then(|p| p.span.speaker.clone()),
                question: first.and_then(|p| p.span.question.clone()),
                coder: c.coder,
                origin: c.origin,
                start: c.start,
                end: c.end,
                text: chars
                    .slice(parts.text, c.start, c.end)
                    .unwrap_or("")
                    .to_string(),
                memo: c.memo,
                status: c.status,
                quote: c.quote,
                code: c.code,
            };
            ((c.start, pos, c.id), seg)
        })
        .collect();
    out.sort_by_key(|(k, _)| *k);
    out.into_iter().map(|(_, s)| s).collect()
}

/// The passage a range starts in: the first one it overlaps, or for an empty range the
/// one it sits in (the pipeline's rule).
fn first_passage(passages: &[Passage], start: usize, end: usize) -> Option<&Passage> {
    let i = passages.partition_point(|p| {
        p.span.end <= start && !(p.span.start == start && p.span.end == start)
    });
    passages
        .get(i)
        .filter(|p| p.span.start < end || (start == end && p.span.start <= start))
}

/// Every segment of one document.
pub fn of_document(project: &Project, doc: DocId) -> Result<Vec<Segment>, Fail> {
    let codings = project.store.codings(&CodingFilter {
        docs: vec![doc],
        ..Default::default()
    })?;
    with_codings(project, doc, codings)
}

/// The segments of some codings of one document.
pub fn with_codings(
    project: &Project,
    doc: DocId,
    codings: Vec<Coding>,
) -> Result<Vec<Segment>, Fail> {
    let row = project.store.document(doc)?;
    let text = project.store.text(doc)?;
    let passages = project.store.passages(doc)?;
    let phase = ambit_pipeline::phase_of(project, &row);
    let cb = ambit_pipeline::coding::load_codebook(project).ok();
    Ok(build(
        &DocParts {
            id: doc,
            phase: &phase,
            date: row.doc.date,
            text: &text,
            passages: &passages,
        },
        codings,
        cb.as_ref(),
    ))
}

/// The segment of one coding, by id.
pub fn one(project: &Project, doc: DocId, id: i64) -> Result<Segment, Fail> {
    let codings: Vec<Coding> = project
        .store
        .codings(&CodingFilter {
            docs: vec![doc],
            ..Default::default()
        })?
        .into_iter()
        .filter(|c| c.id == id)
        .collect();
    with_codings(project, doc, codings)?
        .pop()
        .ok_or_else(|| Fail::not_found(format!("no coding {id} in {doc}")))
}
