//! End-to-end tests for `tables` (being built).
