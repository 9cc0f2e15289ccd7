//! Team work on Ambit projects, as pure functions on in-memory values: re-anchoring codings
//! after a document text is corrected, pseudonymising texts with offset maps, and planning
//! the merge of coders' projects.
//!
//! The crate does no IO and knows neither the store nor the pipeline: callers read store rows,
//! map them onto the types here, and write what comes back.
//!
//! - [`reanchor()`](reanchor::reanchor) moves codings (character ranges) from an old text to
//!   a new one and says per coding whether it was kept, moved, changed (shrunk, grown,
//!   edited) or lost;
//! - [`pseudonym`] parses a key (`pseudonyms.csv`), replaces its names in any text with a
//!   [`Pseudonymiser`](pseudonym::Pseudonymiser) and maps offsets into the result; it also
//!   suggests names for the key;
//! - [`merge::plan_merge`] says what merging another project would add, skip and conflict
//!   on, without writing anything.
//!
//! ```
//! use ambit_team::reanchor::{reanchor, Span, Status};
//!
//! let old = "P1: We recieved the money late.\n";
//! let new = "P2: Hello.\nP1: We received the money late.\n";
//! let got = reanchor(old, new, &[
//!     Span { id: 1, start: 7, end: 15 },  // "recieved"
//!     Span { id: 2, start: 16, end: 25 }, // "the money"
//! ])?;
//! assert_eq!(got[0].status, Status::Edited);
//! assert_eq!(got[0].new_quote.as_deref(), Some("received"));
//! assert_eq!(got[1].status, Status::Moved);
//! assert_eq!((got[1].new_start, got[1].new_end), (Some(27), Some(36)));
//! # Ok::<(), ambit_team::Error>(())
//! ```
#![warn(missing_docs)]

mod error;
pub mod merge;
pub mod pseudonym;
pub mod reanchor;

pub use crate::error::{Error, KeyProblem, Result};
