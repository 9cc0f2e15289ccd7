//! The one error type of the tables crate.

/// What can go wrong while building or writing a table or chart.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input refers to something that is not there (a bad index, a child before its parent).
    #[error("inconsistent table input: {0}")]
    Input(String),
    /// A `--codes` pattern selected no code.
    #[error("no code matches {0:?}; list the codes with `ambit codebook show`")]
    NoCodes(String),
    /// A grouping by an attribute that no document has.
    #[error("no document has the attribute {name:?}; attributes in this project: {available}")]
    UnknownAttribute {
        /// The attribute asked for.
        name: String,
        /// The attributes that exist, comma-separated.
        available: String,
    },
    /// A phase id that is not on the timeline.
    #[error("no phase {0:?} on the timeline")]
    UnknownPhase(String),
    /// A coder with no codings.
    #[error("no codings by coder {0:?}")]
    UnknownCoder(String),
    /// A grouping or measure name that does not exist.
    #[error("{0}")]
    Parse(String),
    /// Writing an output failed.
    #[error("writing the table: {0}")]
    Io(#[from] std::io::Error),
    /// The spreadsheet writer failed.
    #[error("writing the XLSX file: {0}")]
    Xlsx(String),
    /// The Parquet writer failed.
    #[error("writing the Parquet file: {0}")]
    Parquet(String),
    /// Drawing a chart failed.
    #[error("drawing the chart: {0}")]
    Chart(String),
}

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;
