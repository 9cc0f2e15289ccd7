//! Ambit's tables crate (being built).
