//! Counting: code × group frequency tables and code × code co-occurrence, in linear passes.
//!
//! A parent's cell is the distinct passages (documents, words, codings) coded with it or
//! any descendant, so every coding is expanded to the chain of selected rows above it, and
//! bitsets make "distinct" cheap: one bit per (row, passage) instead of a set of pairs.
//!
//! `select` picks the rows and `columns` the groups; `blocks` holds the counting machinery
//! that both kinds of table (`freq`, `cooccur`) share.

mod blocks;
mod columns;
mod cooccur;
mod freq;
mod select;

pub use self::cooccur::{cooccur, CooccurScope};
#[cfg(test)]
pub(crate) use self::freq::freq_in;
pub use self::freq::{freq, FreqSpec};
pub use self::select::{glob_match, Selection};
