//! The error type of the workflows.

use std::path::PathBuf;

/// What can stop a workflow as a whole. Problems with single files of a batch are not
/// errors: they are reported per file in the batch outcome.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The store or project settings failed.
    #[error(transparent)]
    Store(#[from] ambit_store::Error),
    /// A domain rule was broken by the request itself (e.g. an unknown `--phase`).
    #[error(transparent)]
    Core(#[from] ambit_core::Error),
    /// A manifest that cannot be read at all.
    #[error("{path}: {message}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A codebook, rule or query problem.
    #[error(transparent)]
    Coding(#[from] ambit_coding::Error),
    /// A codebook file that does not parse or breaks a rule.
    #[error("{}: {source}", path.display())]
    Codebook {
        /// The codebook file.
        path: PathBuf,
        /// What is wrong with it.
        source: ambit_coding::Error,
    },
    /// The search index failed, or a search query is not well formed.
    #[error(transparent)]
    Index(#[from] ambit_index::Error),
    /// A table or chart could not be made.
    #[error(transparent)]
    Tables(#[from] ambit_tables::Error),
    /// A reliability statistic could not be computed.
    #[error(transparent)]
    Reliability(#[from] ambit_reliability::Error),
    /// A codebook import that would leave codings pointing at codes it lacks.
    #[error("{} lacks {} code(s) that {} coding(s) use: {}; add those codes to the file (or rename them there), or pass --force to import it anyway (the codings stay, and `ambit codebook check` lists them)", file.display(), codes.len(), codes.iter().map(|c| c.1).sum::<u64>(), codes.iter().map(|(c, n)| format!("{c} ({n})")).collect::<Vec<_>>().join(", "))]
    WouldOrphan {
        /// The codebook file.
        file: PathBuf,
        /// The codes and their numbers of codings.
        codes: Vec<(String, u64)>,
    },
    /// The request is contradictory (e.g. `--title` for several files).
    #[error("{0}")]
    Request(String),
    /// The demo target folder holds something that is not an Ambit demo.
    #[error("{0} exists and is not an Ambit demo project; choose another folder or remove it")]
    NotADemoFolder(PathBuf),
    /// The demo folder holds a researcher's work done after the demo was built.
    #[error("{} holds work done after `ambit demo` built it ({work}); build the demo in another folder (`ambit demo OTHER`), or pass --force to replace it and lose that work", dir.display())]
    DemoWasWorkedIn {
        /// The demo folder.
        dir: PathBuf,
        /// What was done there.
        work: String,
    },
    /// The sample study folder is missing or incomplete.
    #[error(
        "sample study not found at {0}; run from the Ambit source folder or pass --samples DIR"
    )]
    NoSamples(PathBuf),
    /// A pseudonym key file that is refused (its line says why).
    #[error("{}: {source}", path.display())]
    Pseudonyms {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        source: ambit_team::Error,
    },
    /// A REFI-QDA file (`.qdpx`, `.qdc`) that cannot be imported, or a project that cannot
    /// be exported as one.
    #[error(transparent)]
    Qdpx(#[from] ambit_qdpx::Error),
    /// File system trouble outside a single imported file.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// The result type of the workflows.
pub type Result<T, E = Error> = std::result::Result<T, E>;
