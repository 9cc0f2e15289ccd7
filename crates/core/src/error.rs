//! The error type of the domain model.

use crate::date::Date;

/// A value that breaks a rule of the domain model.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A date that is not a real `YYYY-MM-DD` calendar date.
    #[error("invalid date {input:?}: {reason} (expected YYYY-MM-DD, e.g. 2013-03-20)")]
    InvalidDate {
        /// What was given.
        input: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A month that is not `YYYY-MM`.
    #[error("invalid month {input:?}: {reason} (expected YYYY-MM, e.g. 2013-03, or `undated`)")]
    InvalidMonth {
        /// What was given.
        input: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A `KEY=VALUE` attribute condition that does not parse.
    #[error("invalid attribute {input:?}: expected KEY=VALUE with a non-empty KEY, e.g. organisation=Kaleva")]
    InvalidAttribute {
        /// What was given.
        input: String,
    },
    /// A document or passage id that does not parse.
    #[error("invalid id {input:?}: expected {expected}")]
    InvalidId {
        /// What was given.
        input: String,
        /// The expected shape, e.g. "a document id like D7".
        expected: &'static str,
    },
    /// A phase whose end lies before its start.
    #[error("phase {id:?} ends ({end}) before it starts ({start})")]
    PhaseEndsBeforeStart {
        /// The phase id.
        id: String,
        /// Its start.
        start: Date,
        /// Its end.
        end: Date,
    },
    /// Two phases whose date ranges overlap.
    #[error("phases {first:?} ({first_range}) and {second:?} ({second_range}) overlap: a date may belong to one phase only")]
    PhasesOverlap {
        /// The earlier phase.
        first: String,
        /// Its range.
        first_range: String,
        /// The later phase.
        second: String,
        /// Its range.
        second_range: String,
    },
    /// Two phases with the same id.
    #[error("phase id {0:?} is used twice in the timeline")]
    DuplicatePhase(String),
    /// A phase id that is empty or contains characters that break ids in tables and queries.
    #[error("phase id {0:?} is not valid: use letters, digits, '-', '_' or '.'")]
    InvalidPhaseId(String),
    /// A phase id that the timeline does not have.
    #[error("unknown phase {id:?}; the timeline has: {known}")]
    UnknownPhase {
        /// The id asked for.
        id: String,
        /// The valid ids, comma-separated, in timeline order.
        known: String,
    },
    /// A document kind that Ambit does not know.
    #[error("unknown document kind {0:?}; use one of interview, workshop, observation, archival, survey, other")]
    UnknownKind(String),
    /// A character range that does not fit the text it points into.
    #[error("character range {start}..{end} does not fit a text of {len} characters")]
    RangeOutOfBounds {
        /// Start (characters).
        start: usize,
        /// End (characters, exclusive).
        end: usize,
        /// Length of the text in characters.
        len: usize,
    },
}

/// The result type of the domain model.
pub type Result<T, E = Error> = std::result::Result<T, E>;
