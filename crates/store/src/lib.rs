//! Ambit's project store: the `ambit.toml` settings and the database, an SQLite file or a
//! schema on a PostgreSQL server (a team store, [`StoreUrl`]).
//!
//! A project is a folder with `ambit.toml` (name, language, coder, study timeline) and
//! `.ambit/store.db`, or, for a team store, `store = "postgres://…"` in `ambit.toml`. The
//! database holds what researchers cannot recreate: document text, passages and codings.
//! Everything else (search index, tables) is derived from it.
//! Every write is one transaction, so a crash or a kill leaves the project as it was before
//! or after a command step, never half-written; each takes the write lock at its start, so
//! concurrent commands wait for each other instead of failing.
//!
//! Only [`Project::init`] (and [`Project::create`]) make a store: opening a project whose
//! store is missing or empty is an error, never a silently new, empty project. A store that
//! cannot be written is opened for reading only.
//!
//! ```
//! use ambit_store::Project;
//!
//! let dir = tempfile::tempdir()?;
//! let project = Project::init(dir.path(), "Demo study")?;
//! assert_eq!(project.config.name, "Demo study");
//! assert!(project.store.documents()?.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod codings;
mod config;
mod copy;
mod db;
mod error;
mod guids;
mod pg;
mod project;
mod schema;
mod store;
mod stream;
mod tables;
mod team;
#[cfg(test)]
mod testing;

pub use crate::codings::{CodingFilter, Memo, NewCoding};
pub use crate::config::{Config, CONFIG_FILE, DEFAULT_MAX_FILE_MB};
pub use crate::copy::{Copied, Digest};
pub use crate::error::{Error, Result};
pub use crate::guids::{
    guid_kind, BatchCoding, BatchDoc, BatchDocument, BatchMemo, BatchOutcome, BatchTarget, GuidRow,
    ImportBatch,
};
pub use crate::pg::StoreUrl;
pub use crate::project::{Project, CODEBOOK_FILE, DATA_DIR, STORE_FILE};
pub use crate::schema::SCHEMA_VERSION;
pub use crate::store::{DocRow, Existing, ImportInfo, NewDocument, NewPassage, Original, Store};
pub use crate::stream::{CodingRow, Origins, StreamedDocument};
pub use crate::tables::{CodingColumns, PassageColumns, Stamp};
pub use crate::team::{
    timestamp, Added, DocRef, Incoming, IncomingCoding, IncomingDocument, IncomingMemo,
    IncomingTarget, Reanchor, Reattached, Removed, Replaced,
};
