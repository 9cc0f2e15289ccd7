//! End-to-end tests for `formats` (being built).
