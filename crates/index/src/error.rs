//! The one error type of the index crate.

use std::path::PathBuf;

/// Everything that can go wrong while building, opening or searching an index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The query text does not parse; `position` is the 1-based character where it failed.
    #[error("{}", syntax_message(.query, *.position, .message, .hint))]
    Syntax {
        /// The query as typed.
        query: String,
        /// 1-based character position of the problem.
        position: usize,
        /// What is wrong.
        message: String,
        /// How to fix it.
        hint: String,
    },
    /// The index files are missing, unreadable or not written by this version of Ambit.
    #[error("the search index at {path} is unusable: {message}")]
    Corrupt {
        /// The index folder.
        path: PathBuf,
        /// What tantivy reported.
        message: String,
    },
    /// Another process holds the index writer lock.
    #[error("the search index is being updated by another ambit process; try again in a moment")]
    Busy,
    /// A filesystem operation on the index folder failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Any other error reported by tantivy.
    #[error("search index: {0}")]
    Tantivy(String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

fn syntax_message(query: &str, position: usize, message: &str, hint: &str) -> String {
    // A caret under the offending character: the query is one line, so the column is the
    // character position (tabs and newlines are shown as spaces to keep the caret aligned).
    let shown: String = query
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let pad = " ".repeat(position.saturating_sub(1));
    format!("query syntax error at character {position}: {message}\n  {shown}\n  {pad}^ {hint}")
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Error {
        match e {
            tantivy::TantivyError::LockFailure(..) => Error::Busy,
            other => Error::Tantivy(other.to_string()),
        }
    }
}
