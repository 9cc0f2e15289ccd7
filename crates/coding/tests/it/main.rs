//! Integration tests of `ambit-coding`, one module per topic in a single test binary.

// A failed unwrap is a failed test, with the error in the message; that is what tests want.
#![allow(clippy::unwrap_used)]

mod codebook;
mod matcher;
mod query;
mod template;
