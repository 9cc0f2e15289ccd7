//! Ambit's full-text index: one tantivy document per passage, searched along the timeline.
//!
//! The index is derived data: the pipeline builds [`Record`]s from the store and writes
//! them with a [`Writer`], recording the store revision they reflect, so a stale index is
//! recognised ([`Index::revision`]) and rebuilt, beside the old one ([`Staging`]). It
//! holds what varies by passage (words, speaker, codes); what varies by document (phase,
//! kind, date, attributes) comes from a [`Catalogue`] the caller reads from the store for
//! each search, and hits are passage ids whose texts the caller reads from the store too.
//! Documents are filtered by the one [`ambit_core::DocFilter`] every command shares (its
//! `passes` over the catalogue), passages by speaker and code in the index ([`Filter`]).
//! Prefixes (`coordinat*`) stand for every indexed word that starts with them, found in
//! a vocabulary field. Queries are parsed by [`Query::parse`] (words, `"phrases"`,
//! `"proximity"~N`, `AND`/`OR`/`NOT`, `+`/`-`, parentheses, `prefix*`) before any index
//! is touched, so a typo is reported with its position. A [`Highlighter`] gives match
//! ranges as character offsets, like every offset in Ambit.
//!
//! This crate does not know about the store: records come in as values, and the only IO
//! is the index folder itself (and its temporary sibling while it is rebuilt).
//!
//! ```
//! use ambit_core::{DocFilter, DocId, DocKind, Document, PassageId, Placement, TimelineKey};
//! use ambit_index::{Catalogue, DocInfo, Filter, Index, Query, Record, Sort, Stemming};
//!
//! let index = Index::create_in_ram(Stemming::for_language("en").unwrap())?;
//! let mut writer = index.writer()?;
//! let text = "Kari Järvinen: we ordered the maps together";
//! writer.add(&Record {
//!     passage: PassageId { doc: DocId(1), ordinal: 2 },
//!     text,
//!     speaker: Some("Kari Järvinen"),
//!     codes: &["coord".into(), "coord.objects".into()],
//! })?;
//! writer.commit(7)?;
//! assert_eq!(index.revision()?, Some(7));
//!
//! // What search knows of documents comes from the store at search time.
//! let doc = Document {
//!     id: DocId(1),
//!     title: "Workshop 1".into(),
//!     kind: DocKind::Workshop,
//!     date: None,
//!     phase: Some("I1".into()),
//!     source: "ws1.txt".into(),
//!     attributes: Default::default(),
//! };
//! let mut catalogue = Catalogue::default();
//! catalogue.insert(DocInfo {
//!     timeline: TimelineKey::new(Placement::Phase(1), doc.date, doc.id),
//!     phase: "I1".into(),
//!     doc,
//! });
//! let query = Query::parse("\"order map\"~2 OR coordinat*")?;
//! let doc = DocFilter { phases: vec!["I1".into()], ..DocFilter::default() };
//! let filter = Filter { doc, codes: vec!["coord".into()] };
//! let hits = index.search(&query, &filter, &catalogue, Sort::Relevance, Some(10))?;
//! assert_eq!(hits[0].passage.to_string(), "D1:2");
//! let mut highlighter = index.highlighter(&query)?;
//! assert_eq!(highlighter.ranges(text), vec![[18, 25], [30, 34]]); // "ordered", "maps"
//! # Ok::<(), ambit_index::Error>(())
//! ```
#![warn(missing_docs)]

mod catalogue;
mod collector;
mod compile;
mod error;
mod highlight;
mod in_docs;
mod index;
mod language;
mod phrase;
mod positions;
mod query;
mod request;
mod schema;
mod search;
mod staging;
#[cfg(test)]
mod tests;
mod writer;

pub use crate::catalogue::{Catalogue, DocInfo};
pub use crate::error::{Error, Result};
pub use crate::highlight::Highlighter;
pub use crate::index::Index;
pub use crate::language::Stemming;
pub use crate::query::Query;
pub use crate::request::{Filter, Found, Group, GroupBy, GroupKey, Sort};
pub use crate::schema::SCHEMA_VERSION;
pub use crate::staging::Staging;
pub use crate::writer::{Record, Writer};
