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
    /// The file is damaged, truncated or not what its format needs (malformed XML, a broken
    /// ZIP container, an unreadable PDF).
    #[error(
        "{name}: not a readable {format}: {reason}; open it in the program that made it \
         and save it again, or leave it out of the import"
    )]
    Corrupt {
        /// The file, as the caller named it.
        name: String,
        /// The format it was read as.
        format: Format,
        /// What is wrong, naming the part of the file.
        reason: String,
    },
    /// A ZIP container (docx, odt, xlsx) unpacks to more than [`ZipLimits`](crate::ZipLimits)
    /// allow: a zip bomb, or a genuinely huge document.
    #[error("{name}: refused as a possible zip bomb: entry `{entry}` {what}")]
    ArchiveLimit {
        /// The file, as the caller named it.
        name: String,
        /// The archive entry that hit the limit.
        entry: String,
        /// Which limit, with its value.
        what: String,
    },
    /// A ZIP container has an entry whose path is absolute or climbs out with `..`; office
    /// suites never write such entries. Nothing is ever unpacked to disk, but the file is
    /// refused as hostile.
    #[error(
        "{name}: refused: the archive has an entry with an unsafe path `{entry}` \
         (absolute or with `..`), which no office program writes"
    )]
    UnsafeArchivePath {
        /// The file, as the caller named it.
        name: String,
        /// The entry's path as stored.
        entry: String,
    },
    /// A PDF that is encrypted (password or copy protection).
    #[error(
        "{name}: cannot import an encrypted PDF: {reason}; ask for an unprotected copy, \
         or remove the protection in a PDF program, and import that"
    )]
    Encrypted {
        /// The file, as the caller named it.
        name: String,
        /// What kind of protection.
        reason: String,
    },
    /// A PDF with no text layer (a scan).
    #[error("{name}: the PDF has no text layer (a scan?) — OCR it first, then import the result")]
    NoTextLayer {
        /// The file, as the caller named it.
        name: String,
    },
    /// A format that is recognised but deliberately not read.
    #[error("{name}: {format} files are not imported: {advice}")]
    Unsupported {
        /// The file, as the caller named it.
        name: String,
        /// Its format.
        format: Format,
        /// Why, and what to do instead.
        advice: &'static str,
    },
    /// A survey file and the chosen columns do not fit together.
    #[error("{name}: {reason}")]
    Survey {
        /// The file, as the caller named it.
        name: String,
        /// What does not fit, listing the file's columns where that helps.
        reason: String,
    },
    /// A readable file that holds no document (an mbox without messages, a survey without
    /// answers, a page without visible text).
    #[error("{name}: nothing to import: {reason}")]
    NothingToImport {
        /// The file, as the caller named it.
        name: String,
        /// Why.
        reason: String,
    },
    /// [`extract`](crate::extract) was asked for one document, and the file holds several.
    #[error("{name}: holds {count} documents; read it with `extract_all`")]
    SeveralDocuments {
        /// The file, as the caller named it.
        name: String,
        /// How many documents it holds.
        count: usize,
    },
}
