//! Table workflows: building longitudinal tables and charts from the store (being built).
