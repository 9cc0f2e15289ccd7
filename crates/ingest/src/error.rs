//! The one error type of the crate: why a file could not be imported and what to do about it.

use crate::{Format, Sniffed};

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Why a file cannot be imported at all.
///
/// Every message names the file and says what the researcher can do. Problems that still let
/// the file be imported are [`Diagnostic`](crate::Diagnostic)s instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file has no bytes, or nothing but a byte-order mark and whitespace.
    #[error(
        "{name}: the file is empty; check that it was saved or exported completely, \
         or leave it out of the import"
    )]
    Empty {
        /// The file, as the caller named it.
        name: String,
    },
    /// The bytes are not text in any encoding this crate reads.
    #[error(
        "{name}: not a text file: at byte {offset} it {what}; \
         convert it to plain text (UTF-8) before importing"
    )]
    NotText {
        /// The file, as the caller named it.
        name: String,
        /// Byte offset of the first byte that gave it away.
        offset: u64,
        /// What the content looks like, e.g. "looks like a ZIP archive (a .docx?)".
        what: String,
    },
    /// The file is larger than [`Options::max_bytes`](crate::Options::max_bytes).
    #[error(
        "{name}: {size} bytes is more than the import limit of {limit} bytes; \
         if it really is one document, raise the limit (the `max_bytes` import option), \
         otherwise split the file"
    )]
    TooLarge {
        /// The file, as the caller named it.
        name: String,
        /// Its size in bytes.
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// The content is not what the file name says (a PDF or a ZIP archive named `.txt`).
    #[error("{name}: named as {expected} but the content {found}; {advice}", advice = found.advice())]
    ExtensionMismatch {
        /// The file, as the caller named it.
        name: String,
        /// The format the caller asked for (usually from the extension).
        expected: Format,
        /// What the bytes really are.
        found: Sniffed,
    },
    /// A subtitle file (.vtt, .srt) without a single usable cue.
    #[error(
        "{name}: {reason}; check that it really is a {format} file \
         (timing lines look like `00:00:05{sep}000 --> 00:00:12{sep}500`), \
         or import it as plain text",
        sep = if matches!(format, Format::Srt) { "," } else { "." }
    )]
    BadTiming {
        /// The file, as the caller named it.
        name: String,
        /// The subtitle format that was expected.
        format: Format,
        /// What was wrong.
        reason: String,
    },
    /// [`Options::speaker_pattern`](crate::Options::speaker_pattern) lacks the `speaker` group.
    #[error(
        "speaker pattern `{pattern}` has no named group `speaker`; \
         write it like `^(?P<speaker>[A-Z][a-z]+):`"
    )]
    SpeakerPattern {
        /// The pattern as given.
        pattern: String,
    },
}
