//! What a search asks for and what it gets back: filter, order, groups, hits.

use std::fmt;

use ambit_core::{DocFilter, DocId, DocKind, PassageId};
use serde::Serialize;

/// What hits must satisfy besides the query: the document filter every command shares
/// (documents, and speakers' passages), and codes, which only search knows of. Both
/// apply; codes are alternatives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Which documents, and which speakers' passages (see [`DocFilter`] for what
    /// combinations mean).
    pub doc: DocFilter,
    /// Codes (a code matches its descendants' passages too, since ancestors are indexed).
    pub codes: Vec<String>,
}

/// The order of hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first (BM25).
    #[default]
    Relevance,
    /// Along the timeline: phase order, date, document, passage.
    Time,
}

/// What `--by` groups matching passages by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupBy {
    /// Phase id.
    Phase,
    /// Document kind.
    Kind,
    /// Speaker.
    Speaker,
    /// Document.
    Doc,
    /// The value of one document attribute.
    Attr(String),
}

impl GroupBy {
    /// The name of the group column in tables: `phase`, `kind`, `speaker`, `doc`, or the
    /// attribute's name.
    pub fn column(&self) -> &str {
        match self {
            GroupBy::Phase => "phase",
            GroupBy::Kind => "kind",
            GroupBy::Speaker => "speaker",
            GroupBy::Doc => "doc",
            GroupBy::Attr(name) => name,
        }
    }
}

/// The value of a `--by` group, typed until it is printed. Groups of one grouping share
/// a variant, so the derived order is the value's own: kinds in [`DocKind`] order,
/// documents by number, the rest alphabetically.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupKey {
    /// A phase id (or `unphased`).
    Phase(String),
    /// A document kind.
    Kind(DocKind),
    /// A speaker, as written in the transcript.
    Speaker(String),
    /// A document.
    Doc(DocId),
    /// A value of the grouped attribute.
    Attr(String),
}

impl fmt::Display for GroupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupKey::Phase(s) | GroupKey::Speaker(s) | GroupKey::Attr(s) => f.write_str(s),
            GroupKey::Kind(k) => f.write_str(k.as_str()),
            GroupKey::Doc(d) => write!(f, "{d}"),
        }
    }
}

impl Serialize for GroupKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Matching passages and documents in one group; `key` is `None` for passages without a
/// value (no speaker, attribute not set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// The group's value.
    pub key: Option<GroupKey>,
    /// Matching passages.
    pub passages: u64,
    /// Documents with at least one matching passage.
    pub docs: u64,
}

/// One matching passage and its relevance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Found {
    /// The passage.
    pub passage: PassageId,
    /// BM25 relevance.
    pub score: f32,
}
