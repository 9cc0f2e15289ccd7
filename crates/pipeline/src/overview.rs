//! Summaries of a project along its timeline: documents, passages and words per phase.

use ambit_core::{Document, Placement, UNPHASED};
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
