//! Summaries of a project along its timeline: documents, passages and words per phase.

use std::collections::{BTreeMap, BTreeSet};

use ambit_core::text::CharIndex;
use ambit_core::{Date, DocFilter, DocId, DocKind, Document, PassageId, Placement, UNPHASED};
use ambit_store::{DocRow, Project};
use serde::Serialize;

use crate::error::Result;

/// One row of `ambit phases`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseRow {
    /// Phase id, or `unphased`.
    pub id: String,
    /// Label.
    pub label: String,
    /// First day (none for `unphased`).
    pub start: Option<String>,
    /// Last day.
    pub end: Option<String>,
    /// Documents placed in the phase.
    pub documents: u64,
    /// Their passages.
    pub passages: u64,
    /// Their words.
    pub words: u64,
}

/// A document as `ambit docs` lists it.
///
/// **API boundary**: a row of `ambit docs --format json` and of the web app's
/// `/api/documents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocListing {
    /// Document id.
    pub id: DocId,
    /// Title.
    pub title: String,
    /// Kind of material.
    pub kind: DocKind,
    /// Document date.
    pub date: Option<Date>,
    /// Phase id on the current timeline, or `unphased`.
    pub phase: String,
    /// Number of passages.
    pub passages: u64,
    /// Number of words.
    pub words: u64,
    /// Attributes, sorted by key.
    pub attributes: BTreeMap<String, String>,
}

/// The documents that pass a filter, in id order. With a speaker condition, a document
/// passes when one of its passages does.
pub fn documents(project: &Project, filter: &DocFilter) -> Result<Vec<DocListing>> {
    let with_speaker: Option<BTreeSet<DocId>> = if filter.speakers.is_empty() {
        None
    } else {
        Some(
            project
                .store
                .all_passages()?
                .into_iter()
                .filter(|p| filter.passes_speaker(p.span.speaker.as_deref()))
                .map(|p| p.id.doc)
                .collect(),
        )
    };
    Ok(project
        .store
        .documents()?
        .into_iter()
        .filter_map(|r| {
            let phase = phase_of(project, &r);
            let passes = filter.passes(&r.doc, &phase)
                && with_speaker.as_ref().is_none_or(|s| s.contains(&r.doc.id));
            passes.then_some(DocListing {
                id: r.doc.id,
                title: r.doc.title,
                kind: r.doc.kind,
                date: r.doc.date,
                phase,
                passages: r.passages,
                words: r.words,
                attributes: r.doc.attributes,
            })
        })
        .collect())
}

/// One document with its text and passages, as `ambit show` prints it.
///
/// **API boundary**: `ambit show DOC --format json`, and the web app's
/// `/api/documents/{id}` (which adds the codings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentView {
    /// Document id.
    pub id: DocId,
    /// Title.
    pub title: String,
    /// Kind of material.
    pub kind: DocKind,
    /// Document date.
    pub date: Option<Date>,
    /// Phase id, or `unphased`.
    pub phase: String,
    /// Where it was imported from.
    #[serde(skip)]
    pub source: String,
    /// The passages in order.
    pub passages: Vec<PassageView>,
    /// Number of words.
    pub words: u64,
    /// Attributes, sorted by key.
    pub attributes: BTreeMap<String, String>,
    /// The whole stored text (LF line endings) that every offset counts characters of.
    pub text: String,
}

/// A passage of a [`DocumentView`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassageView {
    /// `D7:12`.
    pub id: PassageId,
    /// Position in the document, from 1.
    pub ordinal: u32,
    /// Speaker of a transcript turn.
    pub speaker: Option<String>,
    /// The survey question a survey answer answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// Start, in characters into the document text.
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// Start time in milliseconds.
    pub start_ms: Option<u64>,
    /// End time in milliseconds.
    pub end_ms: Option<u64>,
    /// Page number, for paged sources.
    #[serde(skip)]
    pub page: Option<u32>,
    /// The passage text.
    pub text: String,
}

/// A document with its text and passages.
pub fn document_view(project: &Project, id: DocId) -> Result<DocumentView> {
    let row = project.store.document(id)?;
    let text = project.store.text(id)?;
    let chars = CharIndex::new(&text);
    let passages = project
        .store
        .passages(id)?
        .into_iter()
        .map(|p| PassageView {
            id: p.id,
            ordinal: p.id.ordinal,
            text: chars
                .slice(&text, p.span.start, p.span.end)
                .unwrap_or("")
                .to_string(),
            speaker: p.span.speaker,
            question: p.span.question,
            start: p.span.start,
            end: p.span.end,
            start_ms: p.span.start_ms,
            end_ms: p.span.end_ms,
            page: p.span.page,
        })
        .collect();
    let phase = phase_of(project, &row);
    Ok(DocumentView {
        id,
        title: row.doc.title,
        kind: row.doc.kind,
        date: row.doc.date,
        phase,
        source: row.doc.source,
        passages,
        words: row.words,
        attributes: row.doc.attributes,
        text,
    })
}

/// Where a document falls on the timeline.
pub fn placement(project: &Project, doc: &Document) -> Placement {
    project
        .config
        .timeline
        .place(doc.date, doc.phase.as_deref())
        .unwrap_or(Placement::Unphased)
}

/// Where each document falls, in the order of `rows`.
pub fn placements(project: &Project, rows: &[DocRow]) -> Vec<Placement> {
    rows.iter().map(|r| placement(project, &r.doc)).collect()
}

/// The phase id a document falls in, or `unphased`.
pub fn phase_of(project: &Project, row: &DocRow) -> String {
    let placed = placement(project, &row.doc);
    project.config.timeline.label_of(placed).to_string()
}

/// Every phase in timeline order with its counts (zero rows kept), plus an `unphased` row
/// when any document falls in no phase.
pub fn phase_summary(project: &Project) -> Result<Vec<PhaseRow>> {
    let rows = project.store.documents()?;
    let places = placements(project, &rows);
    let phases = project.config.timeline.phases();
    let mut out: Vec<PhaseRow> = phases
        .iter()
        .map(|p| PhaseRow {
            id: p.id.clone(),
            label: p.label.clone(),
            start: Some(p.start.to_string()),
            end: Some(p.end.to_string()),
            documents: 0,
            passages: 0,
            words: 0,
        })
        .collect();
    let mut unphased = PhaseRow {
        id: UNPHASED.into(),
        label: "no date or phase, or dated outside every phase".into(),
        start: None,
        end: None,
        documents: 0,
        passages: 0,
        words: 0,
    };
    for (row, place) in rows.iter().zip(&places) {
        let target = match place {
            Placement::Phase(i) => &mut out[*i],
            Placement::Unphased => &mut unphased,
        };
        target.documents += 1;
        target.passages += row.passages;
        target.words += row.words;
    }
    if unphased.documents > 0 {
        out.push(unphased);
    }
    Ok(out)
}
