//! End-to-end tests for `search` (being built).
