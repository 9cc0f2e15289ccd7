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
        "{what} needs numeric values, but {} {} not numbers{}",
        quoted(.labels), if .labels.len() == 1 { "is" } else { "are" },
        .first.as_ref().map(|p| format!(" (the first, {:?}, for unit {} by coder {})", p.value, p.unit, p.coder)).unwrap_or_default()
    )]
    NotNumeric {
        /// The statistic asked for, e.g. "ordinal alpha".
        what: String,
        /// The values that are not numbers, in the order they first occur.
        labels: Vec<String>,
        /// Where the first of them is, when the data names its units and coders.
        first: Option<Place>,
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
    /// An id column was asked for by a name the header does not have.
    #[error("no column is named {name:?}; the header has {}; pass --id-column with one of these", backticked(.header))]
    UnknownColumn {
        /// The name asked for.
        name: String,
        /// The header cells.
        header: Vec<String>,
    },
    /// The reading rule cannot tell whether the first column holds ids.
    #[error(
        "cannot tell whether the first column `{column}` holds ids or ratings: {why}; \
         pass --id-column {} if it holds ids, or --no-id-column if it holds ratings",
        shell_word(.column)
    )]
    UnclearIdColumn {
        /// The first column's header.
        column: String,
        /// What the rule saw.
        why: String,
    },
    /// The reading rule cannot tell whether units run down the rows or across the columns.
    #[error(
        "cannot tell whether coders are in rows or in columns: {why}; \
         pass --units-in rows (one row per unit, a column per coder) \
         or --units-in columns (one row per coder, a column per unit)"
    )]
    UnclearLayout {
        /// What the rule saw.
        why: String,
    },
    /// An argument outside its domain (e.g. zero bootstrap samples).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The bootstrap was asked of an alpha that is undefined.
    #[error("cannot bootstrap an undefined alpha ({0})")]
    UndefinedAlpha(crate::UndefinedReason),
}

/// A cell of reliability data: its value, unit and coder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The cell's text.
    pub value: String,
    /// The unit's id.
    pub unit: String,
    /// The coder's name.
    pub coder: String,
}

/// `"a", "b", "c"`, the first few of many followed by how many more.
fn quoted(labels: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut s = labels
        .iter()
        .take(SHOWN)
        .map(|l| format!("{l:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    if labels.len() > SHOWN {
        s.push_str(&format!(" and {} more", labels.len() - SHOWN));
    }
    s
}

fn backticked(labels: &[String]) -> String {
    labels
        .iter()
        .map(|l| format!("`{l}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The name as one shell word, quoted only when it has to be.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Result with this crate's [`enum@Error`].
pub type Result<T> = std::result::Result<T, Error>;
