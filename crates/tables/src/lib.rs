//! Ambit's tables: longitudinal code × phase frequencies, crosstabs, co-occurrence, and
//! the charts and files researchers put in their papers.
//!
//! Everything works on a [`TableInput`] held in memory (the pipeline builds it from a
//! project); nothing here opens the store. [`freq`] counts codes against a [`Grouping`]
//! (phase, kind, document, speaker, month or a document attribute) with a [`Measure`];
//! [`cooccur`] counts passages coded with two codes. A parent code's cell always counts
//! distinct passages coded with it or any child, never a sum. Writers in
//! [`write`](mod@write) turn a [`Table`] into text, Markdown, CSV, JSON, Parquet or XLSX,
//! byte-identical on every run; [`chart`] draws timelines and heatmaps as SVG or PNG.
//!
//! ```
//! use ambit_core::{DocId, DocKind};
//! use ambit_tables::*;
//!
//! let input = TableInput {
//!     phases: vec![
//!         PhaseInfo { id: "before".into(), label: "Before".into() },
//!         PhaseInfo { id: "after".into(), label: "After".into() },
//!     ],
//!     codes: vec![
//!         CodeInfo { id: "kb".into(), name: "Boundaries".into(), parent: None, color: None },
//!         CodeInfo { id: "kb.semantic".into(), name: "Semantic".into(), parent: Some(0), color: None },
//!     ],
//!     documents: vec![DocInfo {
//!         id: DocId(1), title: "Workshop".into(), kind: DocKind::Workshop,
//!         date: None, phase: Some(1), attributes: Default::default(),
//!     }],
//!     passages: vec![PassageInfo { doc: 0, speaker: None, words: 10 }],
//!     speakers: vec![],
//!     coders: vec!["anna".into()],
//!     codings: vec![CodingInfo { code: 0, coder: 0 }, CodingInfo { code: 1, coder: 0 }],
//!     overlaps: vec![
//!         Overlap { coding: 0, passage: 0, first_word: 0, end_word: 4 },
//!         Overlap { coding: 1, passage: 0, first_word: 2, end_word: 6 },
//!     ],
//! };
//! let table = freq(&input, &FreqSpec::default())?;
//! // The parent counts the one passage once, although two codings touch it.
//! assert_eq!(table.get("kb", "after"), Some(1.0));
//! assert_eq!(table.get("kb", "before"), Some(0.0));
//! let words = freq(&input, &FreqSpec { measure: Measure::Words, ..FreqSpec::default() })?;
//! assert_eq!(words.get("kb", "after"), Some(6.0));
//! # Ok::<(), ambit_tables::Error>(())
//! ```
#![warn(missing_docs)]

pub mod chart;
mod compute;
mod error;
mod input;
mod table;
pub mod write;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;

pub use crate::compute::{cooccur, freq, glob_match, CooccurScope, FreqSpec, Selection};
pub use crate::error::{Error, Result};
pub use crate::input::{
    CodeInfo, CodingInfo, DocInfo, Overlap, PassageInfo, PhaseInfo, TableInput,
};
pub use crate::table::{Column, Grouping, Measure, Row, Table};

// Re-exported while other crates still name the shared labels through this crate; new code
// uses `ambit_core`'s.
pub use ambit_core::{NO_SPEAKER, NO_VALUE, UNDATED, UNPHASED};
