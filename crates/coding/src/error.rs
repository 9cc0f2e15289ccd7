//! The crate's error type and the diagnostics reported for a faulty codebook.

use std::fmt;

use serde::Serialize;

/// Everything that can go wrong in `ambit-coding`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The codebook has one or more problems; every problem found is listed.
    #[error("invalid codebook ({} problem{}):\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, DiagnosticList(.0))]
    Codebook(Vec<Diagnostic>),
    /// One or more code ids are not in the codebook; each comes with the codes it may have
    /// meant. Build it with [`Codebook::require_codes`](crate::Codebook::require_codes).
    #[error("unknown code id{}: {}; run `ambit codebook show` to list the codes", if .0.len() == 1 { "" } else { "s" }, UnknownList(.0))]
    UnknownCodes(Vec<UnknownCode>),
    /// An edit of the codebook was refused because it would break it.
    #[error("cannot {action} code `{code}`: {reason}")]
    Edit {
        /// What was attempted: "rename", "merge" or "remove".
        action: &'static str,
        /// The code the edit was about.
        code: String,
        /// Why it was refused, phrased for a researcher.
        reason: String,
    },
    /// A code query is not well formed.
    #[error("query syntax error at position {position}: {message}")]
    QuerySyntax {
        /// 1-based character position in the query where the problem was found.
        position: usize,
        /// What was expected, with a hint.
        message: String,
    },
    /// The rule patterns are valid one by one but too large to compile together.
    #[error("cannot compile the coding rules: {0}")]
    Compile(String),
    /// The codebook could not be written out as TOML.
    #[error("cannot write the codebook as TOML: {0}")]
    Serialize(String),
}

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// A code id that is not in the codebook, with the codes whose id or name is close to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownCode {
    /// The id as given.
    pub id: String,
    /// Ids of the closest codes, closest first (at most three); empty when none is close.
    pub close: Vec<String>,
}

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)?;
        let Some((last, rest)) = self.close.split_last() else {
            return Ok(());
        };
        f.write_str(" (did you mean ")?;
        for (i, c) in rest.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{c}`")?;
        }
        if !rest.is_empty() {
            f.write_str(" or ")?;
        }
        write!(f, "`{last}`?)")
    }
}

struct UnknownList<'a>(&'a [UnknownCode]);

impl fmt::Display for UnknownList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, u) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{u}")?;
        }
        Ok(())
    }
}

/// One problem found in a codebook, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// 1-based line in the TOML source, when known.
    pub line: Option<usize>,
    /// The code the problem belongs to, when known.
    pub code: Option<String>,
    /// The rule the problem belongs to, when known.
    pub rule: Option<String>,
    /// What is wrong, phrased for the person editing the codebook.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        match (&self.code, &self.rule) {
            (Some(code), Some(rule)) => write!(f, "code `{code}`, rule `{rule}`: ")?,
            (Some(code), None) => write!(f, "code `{code}`: ")?,
            (None, Some(rule)) => write!(f, "rule `{rule}`: ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)
    }
}

struct DiagnosticList<'a>(&'a [Diagnostic]);

impl fmt::Display for DiagnosticList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "  {d}")?;
        }
        Ok(())
    }
}
