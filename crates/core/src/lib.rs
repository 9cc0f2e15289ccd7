//! Ambit's domain model: documents, passages, the study timeline, codings and their ids.
//!
//! This crate does no IO. It defines the values every other Ambit crate passes around and
//! the rules that hold for them: ids print and parse the same way everywhere (`D7`,
//! `D7:12`), dates are plain calendar dates, and a [`Timeline`] places a document in a
//! phase at read time, so editing the timeline re-places documents without re-importing.
//!
//! ```
//! use ambit_core::{Date, Phase, Timeline, Placement};
//!
//! let timeline = Timeline::new(vec![
//!     Phase::new("baseline", "Baseline", Date::parse("2013-01-07")?, Date::parse("2013-03-17")?),
//!     Phase::new("I1", "Intervention 1", Date::parse("2013-03-18")?, Date::parse("2013-04-14")?),
//! ])?;
//! let placed = timeline.place(Some(Date::parse("2013-03-20")?), None)?;
//! assert_eq!(placed, Placement::Phase(1));
//! assert_eq!(timeline.label_of(placed), "I1");
//! # Ok::<(), ambit_core::Error>(())
//! ```
#![warn(missing_docs)]

mod date;
mod error;
mod filter;
mod ids;
mod model;
mod speakers;
pub mod text;
mod timeline;

pub use crate::date::{Date, Month, UNDATED};
pub use crate::error::{Error, Result};
pub use crate::filter::{parse_attr, parse_month, parse_speaker, DocFilter, NO_SPEAKER, NO_VALUE};
pub use crate::ids::{DocId, PassageId};
pub use crate::model::{Coding, CodingStatus, DocKind, Document, Origin, Passage, PassageSpan};
pub use crate::speakers::SpeakerAliases;
pub use crate::timeline::{Phase, Placement, Timeline, TimelineKey, UNPHASED};
