//! Reliability data as read from a file: named coders and units, numeric or categorical values.

use crate::agreement::{self, PercentAgreement};
use crate::alpha::{self, Alpha, Level};
use crate::coded::Coded;
use crate::error::Place;
use crate::fleiss::{self, FleissKappa};
use crate::kappa::{self, Kappa, Weights};
use crate::layout::is_number;
use crate::{Error, Result};

/// A units × coders matrix of ratings with names.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReliabilityData {
    /// Coder names, one per column of `values`.
    pub coders: Vec<String>,
    /// Unit ids, one per row of `values`.
    pub units: Vec<String>,
    /// The ratings.
    pub values: Values,
}

/// The ratings of [`ReliabilityData`], `[unit][coder]`, `None` = missing.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Values {
    /// Every value is a number: all levels of measurement apply.
    Numeric(Vec<Vec<Option<f64>>>),
    /// Some value is not a number: only nominal statistics apply.
    Labels(Vec<Vec<Option<String>>>),
}

impl ReliabilityData {
    /// True if every value is a number.
    pub fn is_numeric(&self) -> bool {
        matches!(self.values, Values::Numeric(_))
    }

    fn coded(&self) -> Result<Coded> {
        let mut coded = match &self.values {
            Values::Numeric(v) => Coded::from_numbers(v)?,
            Values::Labels(v) => Coded::from_labels(v),
        };
        // A coder whose column is empty is still a coder of the design.
        coded.coders = coded.coders.max(self.coders.len());
        Ok(coded)
    }

    /// A refusal of labels, made to name every label that is not a number
    /// and where the first one is; other errors pass unchanged.
    fn locate(&self, error: Error) -> Error {
        let (Error::NotNumeric { what, .. }, Values::Labels(rows)) = (&error, &self.values) else {
            return error;
        };
        let mut labels: Vec<String> = Vec::new();
        let mut first = None;
        for (u, row) in rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                let Some(value) = value.as_ref().filter(|v| !is_number(v)) else {
                    continue;
                };
                first.get_or_insert_with(|| Place {
                    value: value.clone(),
                    unit: self
                        .units
                        .get(u)
                        .cloned()
                        .unwrap_or_else(|| (u + 1).to_string()),
                    coder: self
                        .coders
                        .get(c)
                        .cloned()
                        .unwrap_or_else(|| (c + 1).to_string()),
                });
                if !labels.contains(value) {
                    labels.push(value.clone());
                }
            }
        }
        if labels.is_empty() {
            return error;
        }
        Error::NotNumeric {
            what: what.clone(),
            labels,
            first,
        }
    }

    /// Krippendorff's alpha; ordinal, interval and ratio need numeric data.
    pub fn alpha(&self, level: Level) -> Result<Alpha> {
        alpha::alpha_coded(&self.coded()?, level).map_err(|e| self.locate(e))
    }

    /// Cohen's kappa; needs exactly two coders, and numeric data for weights.
    /// Units that either coder left out are skipped.
    pub fn cohen_kappa(&self, weights: Weights) -> Result<Kappa> {
        kappa::cohen_coded(&self.coded()?, weights).map_err(|e| self.locate(e))
    }

    /// Fleiss' kappa, treating coders as interchangeable raters; every unit
    /// must have the same number of values.
    pub fn fleiss_kappa(&self) -> Result<FleissKappa> {
        fleiss::fleiss_coded(&self.coded()?, &self.units)
    }

    /// Pairwise percent agreement over all coders.
    pub fn percent_agreement(&self) -> Result<PercentAgreement> {
        let coded = self.coded()?;
        Ok(agreement::percent_agreement(&coded.units))
    }
}
