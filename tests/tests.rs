//! End-to-end tests: each runs the real `ambit` binary in a temporary folder.
#![allow(clippy::unwrap_used)]

mod util;

mod add;
mod coding;
mod completions;
mod concurrency;
mod contract;
mod demo;
mod filters;
mod formats;
mod project;
mod pseudonyms;
mod qdpx;
mod readme;
mod search;
mod stats;
mod store_errors;
mod tables;
mod team;
mod team_store;
mod web;
