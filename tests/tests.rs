//! End-to-end tests: each runs the real `ambit` binary in a temporary folder.

mod util;

mod add;
mod demo;
mod project;
