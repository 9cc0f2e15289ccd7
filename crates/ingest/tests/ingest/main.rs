//! Integration tests of ambit-ingest, one module per topic, all in one test binary.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod api;
mod cues;
mod decode;
mod fixtures;
mod markdown;
mod props;
mod text;
mod unread;
mod util;
