//! Reduction of a units × coders matrix of raw values to category indices, shared by every coefficient.

use std::collections::BTreeMap;
use std::fmt::Display;

use crate::{Error, Result};

/// A units × coders matrix whose values are indices into `labels`.
///
/// Categories are sorted (numerically for numbers, by `Ord` otherwise), so
/// index order is value order, which ordinal alpha and weighted kappa rely on.
#[derive(Debug, Clone)]
pub(crate) struct Coded {
    /// Printable name of each category.
    pub labels: Vec<String>,
    /// The numeric value of each category, ascending; `None` for labels.
    pub numbers: Option<Vec<f64>>,
    /// units × coders; rows may be shorter than `coders` (missing cells).
    pub units: Vec<Vec<Option<usize>>>,
    /// Number of coders (the longest row).
    pub coders: usize,
}

impl Coded {
    /// Codes numeric data; refuses NaN and infinities, which are not ratings.
    pub fn from_numbers(units: &[Vec<Option<f64>>]) -> Result<Coded> {
        let mut values = Vec::new();
        for v in units.iter().flatten().flatten() {
            if !v.is_finite() {
                return Err(Error::NotFinite { value: *v });
            }
            // Adding 0.0 turns -0.0 into 0.0 so that both are one category.
            values.push(*v + 0.0);
        }
        values.sort_by(f64::total_cmp);
        values.dedup();
        let index = |v: f64| values.binary_search_by(|x| x.total_cmp(&(v + 0.0))).ok();
        let coded_units = units
            .iter()
            .map(|row| row.iter().map(|v| v.and_then(index)).collect())
            .collect();
        Ok(Coded {
            labels: values.iter().map(|v| v.to_string()).collect(),
            coders: units.iter().map(Vec::len).max().unwrap_or(0),
            units: coded_units,
            numbers: Some(values),
        })
    }

    /// Codes categorical data of any ordered type.
    pub fn from_labels<T: Ord + Display>(units: &[Vec<Option<T>>]) -> Coded {
        let mut map: BTreeMap<&T, usize> = BTreeMap::new();
        for v in units.iter().flatten().flatten() {
            map.insert(v, 0);
        }
        let mut labels = Vec::with_capacity(map.len());
        for (i, (k, slot)) in map.iter_mut().enumerate() {
            *slot = i;
            labels.push(k.to_string());
        }
        let coded_units = units
            .iter()
            .map(|row| {
                row.iter()
                    .map(|v| v.as_ref().and_then(|v| map.get(v).copied()))
                    .collect()
            })
            .collect();
        Coded {
            labels,
            numbers: None,
            coders: units.iter().map(Vec::len).max().unwrap_or(0),
            units: coded_units,
        }
    }

    /// Number of categories.
    pub fn categories(&self) -> usize {
        self.labels.len()
    }

    /// The category values of one unit, skipping missing cells.
    pub fn values(&self, unit: usize) -> impl Iterator<Item = usize> + '_ {
        self.units
            .get(unit)
            .into_iter()
            .flat_map(|row| row.iter().flatten().copied())
    }

    /// Refuses labels for a statistic that needs numbers, naming the labels
    /// that are not numbers (labels sort digits first, so the first label
    /// may well be a number). [`crate::ReliabilityData`] checks first and
    /// also says where the first one is.
    pub fn require_numbers(&self, what: &str) -> Result<&[f64]> {
        self.numbers.as_deref().ok_or_else(|| {
            let mut labels: Vec<String> = self
                .labels
                .iter()
                .filter(|l| !crate::layout::is_number(l))
                .cloned()
                .collect();
            if labels.is_empty() {
                // Numbers given as labels: still not numeric data.
                labels = self.labels.iter().take(1).cloned().collect();
            }
            Error::NotNumeric {
                what: what.to_string(),
                labels,
                first: None,
            }
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn check(input: &[Vec<Option<f64>>], labels: &[&str], units: &[Vec<Option<usize>>]) {
        let coded = Coded::from_numbers(input).unwrap();
        assert_eq!(coded.labels, labels);
        assert_eq!(coded.units, units);
    }

    #[test]
    fn numbers_are_sorted_and_deduplicated() {
        check(
            &[
                vec![Some(3.0), None],
                vec![Some(-0.0), Some(0.0)],
                vec![Some(2.5)],
            ],
            &["0", "2.5", "3"],
            &[vec![Some(2), None], vec![Some(0), Some(0)], vec![Some(1)]],
        );
    }

    #[test]
    fn nan_is_refused() {
        assert!(matches!(
            Coded::from_numbers(&[vec![Some(f64::NAN)]]),
            Err(Error::NotFinite { .. })
        ));
    }

    #[test]
    fn labels_are_sorted() {
        let coded = Coded::from_labels(&[vec![Some("b"), Some("a")], vec![None, Some("b")]]);
        assert_eq!(coded.labels, ["a", "b"]);
        assert_eq!(coded.units, [vec![Some(1), Some(0)], vec![None, Some(1)]]);
        assert_eq!(coded.coders, 2);
    }
}
