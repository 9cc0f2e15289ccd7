//! Ambit's full-text index: one tantivy document per passage, searched along the timeline.
//!
//! The index is derived data: the pipeline builds [`Record`]s from the store and writes
//! them with a [`Writer`], recording the store revision they reflect, so a stale index is
//! recognised ([`Index::revision`]) and rebuilt. It holds what varies by passage (words,
//! speaker, codes); what varies by document (phase, kind, date, attributes) comes from
//! a [`Catalogue`] the caller reads from the store for each search, and hits are passage
//! ids whose texts the caller reads from the store too. Prefixes (`coordinat*`) stand for
//! every indexed word that starts with them, found in a vocabulary field. Queries are parsed by [`Query::parse`]
//! (words, `"phrases"`, `"proximity"~N`, `AND`/`OR`/`NOT`, `+`/`-`, parentheses,
//! `prefix*`) before any index is touched, so a typo is reported with its position.
//! A [`Highlighter`] gives match ranges as character offsets, like every offset in Ambit.
//!
//! This crate does not know about the store: records come in as values, and the only IO
//! is the index folder itself.
//!
//! ```
//! use ambit_core::{DocId, DocKind, PassageId};
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
//! let mut catalogue = Catalogue::default();
//! catalogue.insert(DocId(1), DocInfo {
//!     kind: DocKind::Workshop,
//!     phase: "I1".into(),
//!     phase_order: 1,
//!     date: None,
//!     attributes: Default::default(),
//! });
//! let query = Query::parse("\"order map\"~2 OR coordinat*")?;
//! let filter = Filter { phases: vec!["I1".into()], ..Filter::default() };
//! let hits = index.search(&query, &filter, &catalogue, Sort::Relevance, Some(10))?;
//! assert_eq!(hits[0].passage.to_string(), "D1:2");
//! let mut highlighter = index.highlighter(&query)?;
//! assert_eq!(highlighter.ranges(text), vec![[18, 25], [30, 34]]); // "ordered", "maps"
//! # Ok::<(), ambit_index::Error>(())
//! ```
#![warn(missing_docs)]

mod error;
mod highlight;
mod index;
mod language;
mod query;

pub use crate::error::{Error, Result};
pub use crate::index::{
    Catalogue, DocInfo, Filter, Found, Group, GroupBy, Highlighter, Index, Record, Sort, Writer,
    SCHEMA_VERSION,
};
pub use crate::language::Stemming;
pub use crate::query::Query;
