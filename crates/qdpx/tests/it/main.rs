//! Tests of ambit-qdpx on whole files: round trips, the schemas, other tools' deviations, refusals, positions, the shared samples.

// A failed unwrap is a failed test, with the error in the message; that is what tests want.
#![allow(clippy::unwrap_used)]

mod util;

mod codebook;
mod positions;
mod proptests;
mod refusals;
mod roundtrip;
mod samples;
mod schema;
mod tolerance;
