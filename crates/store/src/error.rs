//! The error type of the project store.

use std::path::PathBuf;

/// What can go wrong opening or writing a project.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No `ambit.toml` in the directory or any parent.
    #[error("not inside an Ambit project (no ambit.toml in {start} or any parent directory); create one with `ambit init [DIR]` or pass --project DIR")]
    NotAProject {
        /// Where the search started.
        start: PathBuf,
    },
    /// `ambit init` on a directory that already holds a project.
    #[error("{0} already holds an Ambit project (ambit.toml exists)")]
    AlreadyAProject(PathBuf),
    /// `ambit.toml` does not parse or breaks a rule.
    #[error("{path}: {message}")]
    Config {
        /// The config file.
        path: PathBuf,
        /// What is wrong, with the line where known.
        message: String,
    },
    /// Reading or writing a project file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The database reported an error.
    #[error("project store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The store was written by a newer Ambit.
    #[error("the project store has schema version {found}, but this Ambit knows up to {known}: upgrade Ambit to open it")]
    TooNew {
        /// Version in the file.
        found: i64,
        /// Newest version this build knows.
        known: i64,
    },
    /// A document id that is not in the project.
    #[error("no document {0} in this project (see `ambit docs`)")]
    NoSuchDocument(String),
    /// A passage id that is not in the project.
    #[error("no passage {0} in this project (see `ambit show DOC`)")]
    NoSuchPassage(String),
    /// A coding id that is not in the project.
    #[error("no coding {0} in this project (see `ambit codings`)")]
    NoSuchCoding(i64),
    /// Replacing a document whose codings a person made by hand.
    #[error("{doc} has {count} manual coding(s); replacing it would lose them. Export or remove those codings first")]
    HasManualCodings {
        /// The document.
        doc: String,
        /// How many manual codings it has.
        count: u64,
    },
    /// A value read back from the store breaks a domain rule (a damaged or hand-edited store).
    #[error("project store holds an invalid value: {0}")]
    Corrupt(String),
    /// A domain rule was broken.
    #[error(transparent)]
    Core(#[from] ambit_core::Error),
}

/// The result type of the store.
pub type Result<T, E = Error> = std::result::Result<T, E>;
