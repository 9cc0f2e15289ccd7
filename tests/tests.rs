//! End-to-end tests: each runs the real `ambit` binary in a temporary folder.
#![allow(clippy::unwrap_used)]

mod util;

mod add;
mod coding;
mod demo;
mod formats;
mod project;
mod search;
mod tables;
