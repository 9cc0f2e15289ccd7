//! Search workflows: keeping the full-text index in step with the store (being built).
