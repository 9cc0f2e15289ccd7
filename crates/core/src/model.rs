//! Documents, passages and codings: the values the store keeps and every command shows.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::date::Date;
use crate::error::{Error, Result};
use crate::ids::{DocId, PassageId};

/// What kind of material a document is; researchers filter and group by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocKind {
    /// An interview transcript.
    Interview,
    /// A workshop or meeting transcript.
    Workshop,
    /// Observation field notes.
    Observation,
    /// Archival material: process descriptions, memos, e-mails.
    Archival,
    /// Survey answers.
    Survey,
    /// Anything else.
    Other,
}

impl DocKind {
    /// All kinds, in the order tables list them.
    pub const ALL: [DocKind; 6] = [
        DocKind::Interview,
        DocKind::Workshop,
        DocKind::Observation,
        DocKind::Archival,
        DocKind::Survey,
        DocKind::Other,
    ];

    /// The lower-case name used in commands and files.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Interview => "interview",
            DocKind::Workshop => "workshop",
            DocKind::Observation => "observation",
            DocKind::Archival => "archival",
            DocKind::Survey => "survey",
            DocKind::Other => "other",
        }
    }

    /// Parses a kind name (case-insensitive).
    pub fn parse(s: &str) -> Result<DocKind> {
        let lower = s.trim().to_lowercase();
        DocKind::ALL
            .into_iter()
            .find(|k| k.as_str() == lower)
            .ok_or_else(|| Error::UnknownKind(s.to_string()))
    }

    /// Whether documents of this kind are usually speaker-turn transcripts.
    pub fn is_transcript(self) -> bool {
        matches!(self, DocKind::Interview | DocKind::Workshop)
    }
}

impl fmt::Display for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for DocKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<DocKind> {
        DocKind::parse(s)
    }
}

impl Serialize for DocKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A document's metadata. Its text and passages are stored alongside; the phase is not a
/// field because it is derived from the timeline at read time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Stable id.
    pub id: DocId,
    /// Title shown in listings.
    pub title: String,
    /// Kind of material.
    pub kind: DocKind,
    /// The date the material was produced, if known.
    pub date: Option<Date>,
    /// A phase given explicitly at import; wins over the date.
    pub phase: Option<String>,
    /// The path the document was imported from, relative to the project when possible.
    pub source: String,
    /// Free-form attributes (organisation, role, …), sorted by key.
    pub attributes: BTreeMap<String, String>,
}

/// Where a passage lies in its document's text and what the source said about it: the
/// one passage shape that readers produce, the store keeps and every command shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub struct PassageSpan {
    /// Start, in characters, into the document text.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// The speaker of a transcript turn, as the label wrote it.
    pub speaker: Option<String>,
    /// Start time in milliseconds, from a transcript timestamp.
    pub start_ms: Option<u64>,
    /// End time in milliseconds (subtitle cues).
    pub end_ms: Option<u64>,
    /// Page number (1-based) for paged sources (PDF).
    pub page: Option<u32>,
    /// Whether the passage is a heading.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub heading: bool,
    /// The survey question (column) a survey passage answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
}

impl PassageSpan {
    /// A passage covering `start..end` with no speaker, timing or page.
    pub fn new(start: usize, end: usize) -> PassageSpan {
        PassageSpan {
            start,
            end,
            ..PassageSpan::default()
        }
    }
}

/// A unit of text within a document, as stored: a speaker turn or a paragraph, with its id
/// and word count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Passage {
    /// `D7:12`.
    pub id: PassageId,
    /// Where it lies and what the source said about it.
    #[serde(flatten)]
    pub span: PassageSpan,
    /// Words in the passage, by [`crate::text::word_count`].
    pub words: u32,
}

/// Who or what made a coding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// A person, by hand.
    Manual,
    /// An auto-coding rule, by its id.
    Rule(String),
    /// Imported from another tool (REFI-QDA).
    Import,
}

impl Origin {
    /// Parses `manual`, `rule:<id>` or `import`.
    pub fn parse(s: &str) -> Option<Origin> {
        match s {
            "manual" => Some(Origin::Manual),
            "import" => Some(Origin::Import),
            _ => s.strip_prefix("rule:").map(|r| Origin::Rule(r.to_string())),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Manual => f.write_str("manual"),
            Origin::Rule(r) => write!(f, "rule:{r}"),
            Origin::Import => f.write_str("import"),
        }
    }
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Whether a coding still points at the text it was made on.
///
/// Correcting a document's text (`ambit add --replace`) moves its codings to where their
/// text now is; a coding whose text changed needs a person's look, and one whose text was
/// deleted is kept, detached, with the text it coded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum CodingStatus {
    /// It codes its text as made (or as a person confirmed it).
    #[default]
    Ok,
    /// Its text changed when the document was corrected: a person should look at it.
    NeedsReview,
    /// Its text was deleted: it points at no text, and its quote keeps what it coded.
    Detached,
}

impl CodingStatus {
    /// The name used in commands, JSON and the store: `ok`, `needs-review`, `detached`.
    pub fn as_str(self) -> &'static str {
        match self {
            CodingStatus::Ok => "ok",
            CodingStatus::NeedsReview => "needs-review",
            CodingStatus::Detached => "detached",
        }
    }

    /// Parses a stored status: none (or `ok`) is [`CodingStatus::Ok`]; an unknown one is
    /// `None`.
    pub fn parse(s: Option<&str>) -> Option<CodingStatus> {
        match s {
            None | Some("ok") => Some(CodingStatus::Ok),
            Some("needs-review") => Some(CodingStatus::NeedsReview),
            Some("detached") => Some(CodingStatus::Detached),
            Some(_) => None,
        }
    }

    /// The value of the store's `codings.status` column: NULL for [`CodingStatus::Ok`].
    pub fn stored(self) -> Option<&'static str> {
        match self {
            CodingStatus::Ok => None,
            other => Some(other.as_str()),
        }
    }
}

impl fmt::Display for CodingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CodingStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A code applied to a character range of a document.
///
/// A [`CodingStatus::Detached`] coding points at no text: its range is `0..0` and
/// [`Coding::quote`] holds what it coded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coding {
    /// Store id of the coding.
    pub id: i64,
    /// The document.
    pub doc: DocId,
    /// Start, in characters.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// The code id (`kb.semantic`).
    pub code: String,
    /// Who coded it.
    pub coder: String,
    /// How it was made.
    pub origin: Origin,
    /// When, as RFC 3339 UTC.
    pub created: String,
    /// An optional memo.
    pub memo: Option<String>,
    /// Whether it still points at its text.
    pub status: CodingStatus,
    /// For a coding that needs review or is detached: the text it coded before its
    /// document was corrected.
    pub quote: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in DocKind::ALL {
            assert_eq!(DocKind::parse(k.as_str()).unwrap(), k);
        }
        assert_eq!(DocKind::parse("Interview").unwrap(), DocKind::Interview);
        let e = DocKind::parse("podcast").unwrap_err().to_string();
        assert!(e.contains("interview, workshop"), "{e}");
    }

    #[test]
    fn statuses_round_trip_through_the_store_column() {
        for s in [
            CodingStatus::Ok,
            CodingStatus::NeedsReview,
            CodingStatus::Detached,
        ] {
            assert_eq!(CodingStatus::parse(s.stored()), Some(s));
            assert_eq!(CodingStatus::parse(Some(s.as_str())), Some(s));
        }
        assert_eq!(CodingStatus::Ok.stored(), None);
        assert_eq!(CodingStatus::parse(Some("lost")), None);
    }

    #[test]
    fn origins_round_trip() {
        for o in [
            Origin::Manual,
            Origin::Import,
            Origin::Rule("kb.semantic.1".into()),
        ] {
            assert_eq!(Origin::parse(&o.to_string()), Some(o));
        }
        assert_eq!(Origin::parse("robot"), None);
    }
}
