//! Ambit's workflows: what a command does from end to end, as library calls.
//!
//! The binary parses flags and prints; everything between (expanding directories, reading
//! manifests, importing file by file, building the demo, summarising the timeline) lives
//! here so it is tested without a terminal and reused by every front end.
//!
//! ```
//! use ambit_pipeline::{expand_paths, import, DocDefaults, ImportOptions, Outcome};
//! use ambit_store::Project;
//!
//! let dir = tempfile::tempdir()?;
//! let mut project = Project::init(dir.path(), "Study")?;
//! let file = dir.path().join("interview.txt");
//! std::fs::write(&file, "I: How do you order repairs?\n\nR: By phone — always by phone.\n")?;
//! let (items, _) = expand_paths(&[file], &DocDefaults::default());
//! let report = import(&mut project, &items, ImportOptions::default(), &mut |_| {})?;
//! assert!(matches!(report.files[0].outcome, Outcome::Added { passages: 2, .. }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub mod agreement;
pub mod coding;
mod corpus;
mod demo;
pub mod documents;
mod error;
mod import;
pub mod kwic;
mod manifest;
pub mod merge;
mod overview;
pub mod pseudonymise;
pub mod qdpx;
pub mod reanchor;
pub mod reparse;
pub mod search;
pub mod tables;

pub use crate::corpus::Corpus;
pub use crate::demo::{demo, DemoReport, DEMO_TEMPLATE};
pub use crate::error::{Error, Result};
pub use crate::import::{
    add, expand_paths, import, BatchReport, DocDefaults, FileReport, ImportError, ImportItem,
    ImportOptions, Outcome,
};
pub use crate::manifest::read_manifest;
pub use crate::overview::{
    document_view, documents, phase_of, phase_summary, placements, DocListing, DocumentView,
    PassageView, PhaseRow,
};
