//! The crate's error type.

use std::fmt;

use crate::merge::{CodeConflict, MergePlan};

/// Everything that can go wrong in `ambit-team`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A coding's range does not fit the old text it is said to point into.
    #[error("coding {id}: range {start}..{end} does not fit the old text of {len} characters; the coding does not belong to this text")]
    RangeOutOfBounds {
        /// The coding's id.
        id: i64,
        /// Start (characters).
        start: usize,
        /// End (characters, exclusive).
        end: usize,
        /// Length of the old text in characters.
        len: usize,
    },
    /// A line of the pseudonym key is refused.
    #[error("line {line} of the pseudonym key: {problem}")]
    Key {
        /// 1-based line number in the key file.
        line: u64,
        /// What is wrong, and what to do about it.
        problem: KeyProblem,
    },
    /// The pseudonym key is not readable CSV.
    #[error("the pseudonym key is not valid CSV: {0}; save it as UTF-8 CSV with the header `name,pseudonym`")]
    KeyCsv(String),
    /// The names of a pseudonym key are too many or too long to compile together.
    #[error("cannot compile the names of the pseudonym key: {0}")]
    Compile(String),
    /// Codes of the two projects share an id but differ, and no side was preferred. Nothing
    /// may be written; the plan that would be carried out once they are resolved is attached
    /// so that a dry run can still show it.
    #[error("{} code conflict{} (same id, different name, parent or definition):\n{}\nresolve them in one of the codebooks, or choose a side with --prefer ours|theirs", .conflicts.len(), if .conflicts.len() == 1 { "" } else { "s" }, ConflictList(.conflicts))]
    CodeConflicts {
        /// Every conflict, in the other project's codebook order.
        conflicts: Vec<CodeConflict>,
        /// The plan as it would be with the conflicting codes left as they are.
        plan: Box<MergePlan>,
    },
}

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a line of the pseudonym key is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyProblem {
    /// The first line is not the header.
    Header(String),
    /// A line with fewer than two fields.
    MissingField,
    /// A name with no letter or digit in it.
    EmptyName,
    /// A name without a pseudonym.
    EmptyPseudonym(String),
    /// The same name (in any case) twice.
    DuplicateName {
        /// The name as written on this line.
        name: String,
        /// The line where it first appears.
        first: u64,
    },
    /// A pseudonym that holds a name of the key, so the name would appear in what is shared.
    PseudonymIsName {
        /// The pseudonym.
        pseudonym: String,
        /// The name it holds.
        name: String,
        /// The line of that name.
        name_line: u64,
    },
    /// Two people of the key with the same first name, when first names alone are replaced.
    AmbiguousFirstName {
        /// The first name.
        first_name: String,
        /// The other line with that first name.
        other: u64,
    },
}

impl fmt::Display for KeyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyProblem::Header(found) => write!(
                f,
                "expected the header `name,pseudonym`, found {found:?}; add that header as the first line"
            ),
            KeyProblem::MissingField => {
                f.write_str("expected two fields, a name and its pseudonym, e.g. `Päivi Järvinen,P03`")
            }
            KeyProblem::EmptyName => {
                f.write_str("the name is empty or has no letter or digit; write the name or remove the line")
            }
            KeyProblem::EmptyPseudonym(name) => {
                write!(f, "{name:?} has no pseudonym; write one, e.g. `{name},P01`")
            }
            KeyProblem::DuplicateName { name, first } => write!(
                f,
                "{name:?} is already listed on line {first}; keep one line per name"
            ),
            KeyProblem::PseudonymIsName {
                pseudonym,
                name,
                name_line,
            } => write!(
                f,
                "pseudonym {pseudonym:?} contains {name:?}, a name of the key (line {name_line}), which would then appear in exports; choose another pseudonym"
            ),
            KeyProblem::AmbiguousFirstName { first_name, other } => write!(
                f,
                "first name {first_name:?} belongs to two people with different pseudonyms (also line {other}), so it cannot be replaced alone; add a line `{first_name},…` to say whose it is, or do without --first-names"
            ),
        }
    }
}

struct ConflictList<'a>(&'a [CodeConflict]);

impl fmt::Display for ConflictList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "  {c}")?;
        }
        Ok(())
    }
}
