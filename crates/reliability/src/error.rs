//! The crate's error type: everything that makes a reliability computation impossible.

use thiserror::Error;

/// Why a reliability statistic or a data file was refused.
///
/// A statistic that is merely *undefined* for the data (no variation) is not
/// an error: it is [`crate::Estimate::Undefined`].
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The CSV layer failed (bad quoting, invalid UTF-8, IO error while reading).
    #[error("line {line}: {message}")]
    Csv {
        /// 1-based line number where the reader stopped.
        line: u64,
        /// The reader's own description.
        message: String,
    },
    /// The input had no header row.
    #[error("the data has no header row")]
    Empty,
    /// A row has a different number of cells than the header.
    #[error("line {line}: expected {expected} cells like the header, found {found}")]
    RaggedRow {
        /// 1-based line number of the row.
        line: u64,
        /// Number of cells in the header.
        expected: usize,
        /// Number of cells in this row.
        found: usize,
    },
    /// A cell of a count table is not a non-negative whole number.
    #[error("line {line}: {value:?} is not a count (a whole number ≥ 0)")]
    BadCount {
        /// 1-based line number of the row.
        line: u64,
        /// The offending cell.
        value: String,
    },
    /// Rows of a count table (or units of a raters matrix) do not all have the
    /// same number of ratings, which Fleiss' kappa requires.
    #[error("{place}: {found} ratings, but earlier subjects have {expected}")]
    UnequalRaters {
        /// Where: "line 7" for count tables, "unit u12" for raters matrices.
        place: String,
        /// Ratings per subject established by the first subject.
        expected: u64,
        /// Ratings of this subject.
        found: u64,
    },
    /// A level of measurement (or weighting) that needs numbers was asked of
    /// categorical labels.
    #[error(
        "{what} needs numeric values, but the data has non-numeric labels such as {example:?}"
    )]
    NotNumeric {
        /// The statistic asked for, e.g. "ordinal alpha".
        what: String,
        /// One non-numeric label from the data.
        example: String,
    },
    /// A number that cannot be a rating (NaN or infinite).
    #[error("{value} is not a finite number")]
    NotFinite {
        /// The offending value.
        value: f64,
    },
    /// Ratio-level alpha was asked of data with negative values.
    #[error("ratio alpha needs values ≥ 0, found {value}")]
    NegativeRatio {
        /// The offending value.
        value: f64,
    },
    /// The statistic needs a different number of coders.
    #[error("{what} needs {expected} coders, found {found}")]
    CoderCount {
        /// The statistic asked for.
        what: &'static str,
        /// What the statistic needs, e.g. "exactly 2" or "at least 2".
        expected: &'static str,
        /// Coders in the data.
        found: usize,
    },
    /// A contingency table that is not square, or has no cells.
    #[error("the table must be square and non-empty: {rows} rows, a row of {columns} columns")]
    NotSquare {
        /// Number of rows.
        rows: usize,
        /// Length of the first row that does not match.
        columns: usize,
    },
    /// An argument outside its domain (e.g. zero bootstrap samples).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The bootstrap was asked of an alpha that is undefined.
    #[error("cannot bootstrap an undefined alpha ({0})")]
    UndefinedAlpha(crate::UndefinedReason),
}

/// Result with this crate's [`enum@Error`].
pub type Result<T> = std::result::Result<T, Error>;
