//! Ambit's index crate (being built).
