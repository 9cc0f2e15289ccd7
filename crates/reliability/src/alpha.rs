//! Krippendorff's alpha through the coincidence matrix (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability").

use std::fmt;
use std::str::FromStr;

use crate::coded::Coded;
use crate::{Error, Estimate, Result, UndefinedReason};

/// Level of measurement, which selects alpha's difference function δ².
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Level {
    /// Categories without order: δ² = 0 if equal, else 1.
    Nominal,
    /// Ranks: δ² grows with the number of values coded between the two.
    Ordinal,
    /// Equal intervals: δ² = (c − k)².
    Interval,
    /// Meaningful zero: δ² = ((c − k) / (c + k))².
    Ratio,
}

impl Level {
    /// Lower-case name as used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Level::Nominal => "nominal",
            Level::Ordinal => "ordinal",
            Level::Interval => "interval",
            Level::Ratio => "ratio",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Level {
    type Err = Error;

    fn from_str(s: &str) -> Result<Level> {
        match s.to_ascii_lowercase().as_str() {
            "nominal" => Ok(Level::Nominal),
            "ordinal" => Ok(Level::Ordinal),
            "interval" => Ok(Level::Interval),
            "ratio" => Ok(Level::Ratio),
            _ => Err(Error::InvalidArgument(format!(
                "unknown level {s:?} (expected nominal, ordinal, interval or ratio)"
            ))),
        }
    }
}

/// The coincidence matrix o_ck: how often value c was paired with value k
/// within units, each unit's pairs weighted by 1 / (m_u − 1).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CoincidenceMatrix {
    /// Value labels, in the order of rows and columns (sorted values).
    pub labels: Vec<String>,
    /// Symmetric matrix; row sums are the pairable counts n_c of each value.
    pub counts: Vec<Vec<f64>>,
}

impl CoincidenceMatrix {
    /// n_c: how many pairable values equal each label.
    pub fn marginals(&self) -> Vec<f64> {
        self.counts.iter().map(|row| row.iter().sum()).collect()
    }
}

/// Krippendorff's alpha with the quantities it is made of.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Alpha {
    /// Level of measurement used.
    pub level: Level,
    /// α = 1 − Do / De.
    pub estimate: Estimate,
    /// Do: mean difference δ² between values paired within units.
    pub observed_disagreement: f64,
    /// De: mean difference δ² between any two pairable values.
    pub expected_disagreement: f64,
    /// n: values in units that have at least two values.
    pub pairable_values: usize,
    /// Units with at least two values (the others drop out).
    pub pairable_units: usize,
    /// Pairs of values within units, Σ m_u (m_u − 1) / 2; the bootstrap draws this many.
    pub pairs: usize,
    /// Coincidences between the values that occur in pairable units.
    pub coincidences: CoincidenceMatrix,
    /// δ² between the values of `coincidences`; kept for the bootstrap.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub(crate) delta: Vec<Vec<f64>>,
}

/// Krippendorff's alpha of numeric data: `units[u][c]` is coder c's value for
/// unit u, `None` when missing. Rows may differ in length (missing at the end).
///
/// Fails on NaN or infinite values, and for [`Level::Ratio`] on negative values.
pub fn alpha(units: &[Vec<Option<f64>>], level: Level) -> Result<Alpha> {
    alpha_coded(&Coded::from_numbers(units)?, level)
}

/// Nominal alpha of categorical data of any type (strings, bools, enums).
pub fn alpha_nominal<T: Ord + fmt::Display>(units: &[Vec<Option<T>>]) -> Alpha {
    nominal(&Coded::from_labels(units))
}

pub(crate) fn nominal(coded: &Coded) -> Alpha {
    let table = Coincidences::of(coded);
    let delta = nominal_delta(table.kept.len());
    table.finish(coded, Level::Nominal, delta)
}

pub(crate) fn alpha_coded(coded: &Coded, level: Level) -> Result<Alpha> {
    if level == Level::Nominal {
        return Ok(nominal(coded));
    }
    let numbers = coded.require_numbers(&format!("{level} alpha"))?;
    let table = Coincidences::of(coded);
    let values: Vec<f64> = table.kept.iter().map(|&c| numbers[c]).collect();
    let delta = match level {
        Level::Nominal => nominal_delta(values.len()),
        Level::Ordinal => ordinal_delta(&table.marginals()),
        Level::Interval => metric_delta(&values, |c, k| (c - k).powi(2)),
        Level::Ratio => {
            if let Some(&value) = values.iter().find(|v| **v < 0.0) {
                return Err(Error::NegativeRatio { value });
            }
            metric_delta(&values, |c, k| {
                // Both values zero: no difference, and 0/0 must not become NaN.
                if c + k == 0.0 {
                    0.0
                } else {
                    ((c - k) / (c + k)).powi(2)
                }
            })
        }
    };
    Ok(table.finish(coded, level, delta))
}

/// The coincidence matrix before δ² is known.
struct Coincidences {
    /// Category indices (into `Coded::labels`) that occur in pairable units.
    kept: Vec<usize>,
    /// o_ck over `kept`.
    counts: Vec<Vec<f64>>,
    pairable_values: usize,
    pairable_units: usize,
    pairs: usize,
}

impl Coincidences {
    fn of(coded: &Coded) -> Coincidences {
        let v = coded.categories();
        let mut all = vec![vec![0.0; v]; v];
        let (mut pairable_values, mut pairable_units, mut pairs) = (0, 0, 0);
        let mut unit_counts: Vec<(usize, f64)> = Vec::new();
        for u in 0..coded.units.len() {
            unit_counts.clear();
            for c in coded.values(u) {
                match unit_counts.iter_mut().find(|(k, _)| *k == c) {
                    Some((_, n)) => *n += 1.0,
                    None => unit_counts.push((c, 1.0)),
                }
            }
            let m: usize = coded.values(u).count();
            if m < 2 {
                continue;
            }
            pairable_values += m;
            pairable_units += 1;
            pairs += m * (m - 1) / 2;
            let w = (m - 1) as f64;
            for &(c, nc) in &unit_counts {
                for &(k, nk) in &unit_counts {
                    all[c][k] += if c == k { nc * (nc - 1.0) } else { nc * nk } / w;
                }
            }
        }
        let kept: Vec<usize> = (0..v)
            .filter(|&c| all[c].iter().sum::<f64>() > 0.0)
            .collect();
        let counts = kept
            .iter()
            .map(|&c| kept.iter().map(|&k| all[c][k]).collect())
            .collect();
        Coincidences {
            kept,
            counts,
            pairable_values,
            pairable_units,
            pairs,
        }
    }

    fn marginals(&self) -> Vec<f64> {
        self.counts.iter().map(|row| row.iter().sum()).collect()
    }

    fn finish(self, coded: &Coded, level: Level, delta: Vec<Vec<f64>>) -> Alpha {
        let n_c = self.marginals();
        let n = self.pairable_values as f64;
        let mut observed = 0.0;
        let mut expected = 0.0;
        for (c, row) in delta.iter().enumerate() {
            for (k, d) in row.iter().enumerate() {
                observed += self.counts[c][k] * d;
                expected += n_c[c] * n_c[k] * d;
            }
        }
        let (observed, expected, estimate) = if self.pairable_values < 2 {
            (0.0, 0.0, Estimate::undefined(UndefinedReason::NoData))
        } else {
            let (o, e) = (observed / n, expected / (n * (n - 1.0)));
            let estimate = if e <= 0.0 {
                Estimate::undefined(UndefinedReason::NoVariation)
            } else {
                Estimate::Value(1.0 - o / e)
            };
            (o, e, estimate)
        };
        Alpha {
            level,
            estimate,
            observed_disagreement: observed,
            expected_disagreement: expected,
            pairable_values: self.pairable_values,
            pairable_units: self.pairable_units,
            pairs: self.pairs,
            coincidences: CoincidenceMatrix {
                labels: self.kept.iter().map(|&c| coded.labels[c].clone()).collect(),
                counts: self.counts,
            },
            delta,
        }
    }
}

fn nominal_delta(v: usize) -> Vec<Vec<f64>> {
    (0..v)
        .map(|c| (0..v).map(|k| if c == k { 0.0 } else { 1.0 }).collect())
        .collect()
}

/// Krippendorff's ordinal δ²_ck = (Σ_{g=c..k} n_g − (n_c + n_k) / 2)²: ranks
/// are spaced by how many values were actually used between them.
fn ordinal_delta(n_c: &[f64]) -> Vec<Vec<f64>> {
    let v = n_c.len();
    (0..v)
        .map(|c| {
            (0..v)
                .map(|k| {
                    let (lo, hi) = (c.min(k), c.max(k));
                    let between: f64 = n_c[lo..=hi].iter().sum();
                    (between - (n_c[c] + n_c[k]) / 2.0).powi(2)
                })
                .collect()
        })
        .collect()
}

fn metric_delta(values: &[f64], f: impl Fn(f64, f64) -> f64) -> Vec<Vec<f64>> {
    values
        .iter()
        .map(|&c| values.iter().map(|&k| f(c, k)).collect())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Parses reliability data written as one line per coder, `.` = missing,
    /// the way Krippendorff prints them; returns units × coders.
    pub(crate) fn coders(rows: &[&str]) -> Vec<Vec<Option<f64>>> {
        let parsed: Vec<Vec<Option<f64>>> = rows
            .iter()
            .map(|r| r.split_whitespace().map(|v| v.parse().ok()).collect())
            .collect();
        let units = parsed.iter().map(Vec::len).max().unwrap_or(0);
        (0..units)
            .map(|u| parsed.iter().map(|r| r.get(u).copied().flatten()).collect())
            .collect()
    }

    fn check(rows: &[&str], level: Level, expected: &str) {
        let a = alpha(&coders(rows), level).unwrap();
        assert_eq!(format!("{:.3}", a.estimate), expected, "{level}: {a:?}");
    }

    /// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
    /// section C: 4 coders × 12 units with missing data.
    const KRIPPENDORFF_2011_C: [&str; 4] = [
        "1 2 3 3 2 1 4 1 2 . . .",
        "1 2 3 3 2 2 4 1 2 5 . 3",
        ". 3 3 3 2 3 4 2 2 5 1 .",
        "1 2 3 3 2 4 4 1 2 5 1 .",
    ];

    #[test]
    fn krippendorff_2011_nominal() {
        check(&KRIPPENDORFF_2011_C, Level::Nominal, "0.743");
    }

    #[test]
    fn krippendorff_2011_ordinal() {
        check(&KRIPPENDORFF_2011_C, Level::Ordinal, "0.815");
    }

    #[test]
    fn krippendorff_2011_interval() {
        check(&KRIPPENDORFF_2011_C, Level::Interval, "0.849");
    }

    #[test]
    fn krippendorff_2011_ratio() {
        check(&KRIPPENDORFF_2011_C, Level::Ratio, "0.797");
    }

    #[test]
    fn krippendorff_2011_c_details() {
        // Same source: unit 12 has one value and drops out, leaving n = 40
        // pairable values in 11 units; the coincidence row sums are
        // n_1..n_5 = 9, 13, 10, 5, 3 (his table in section C).
        let a = alpha(&coders(&KRIPPENDORFF_2011_C), Level::Nominal).unwrap();
        assert_eq!(a.pairable_values, 40);
        assert_eq!(a.pairable_units, 11);
        assert_eq!(a.coincidences.labels, ["1", "2", "3", "4", "5"]);
        let n_c: Vec<String> = a
            .coincidences
            .marginals()
            .iter()
            .map(|n| format!("{n:.3}"))
            .collect();
        assert_eq!(n_c, ["9.000", "13.000", "10.000", "5.000", "3.000"]);
    }

    #[test]
    fn krippendorff_2011_binary_two_coders() {
        // Krippendorff (2011), section A: binary data, two observers, no
        // missing data; published α = 0.095.
        check(
            &["0 1 0 0 0 0 0 0 1 0", "1 1 1 0 0 1 0 0 0 0"],
            Level::Nominal,
            "0.095",
        );
    }

    #[test]
    fn krippendorff_2011_nominal_two_coders() {
        // Krippendorff (2011), section B: nominal data, two observers, values
        // a..e written here as 1..5; published α = 0.692.
        check(
            &["1 1 2 2 4 3 3 3 5 4 4 1", "2 1 2 2 2 3 3 3 5 4 4 4"],
            Level::Nominal,
            "0.692",
        );
    }

    #[test]
    fn hayes_krippendorff_2007_ordinal() {
        // Hayes & Krippendorff (2007), Table 1: 40 units × 5 observers,
        // ordinal; KALPHA output in the paper: α = .7598 from 239 pairs.
        let a = alpha(&hayes_krippendorff_2007(), Level::Ordinal).unwrap();
        assert_eq!(format!("{:.4}", a.estimate), "0.7598");
        assert_eq!(a.pairs, 239);
    }

    fn matrix() -> impl Strategy<Value = Vec<Vec<Option<f64>>>> {
        let cell = prop::option::weighted(0.8, (0u8..5).prop_map(f64::from));
        prop::collection::vec(prop::collection::vec(cell, 3), 0..25)
    }

    proptest! {
        #[test]
        fn invariants(units in matrix(), level_index in 0usize..4) {
            let level = [Level::Nominal, Level::Ordinal, Level::Interval, Level::Ratio][level_index];
            let a = alpha(&units, level).unwrap();
            if let Estimate::Value(v) = a.estimate {
                prop_assert!(v <= 1.0 + 1e-12 && v.is_finite());
            }
            // Neither the order of coders nor of units matters.
            let mut shuffled: Vec<Vec<Option<f64>>> =
                units.iter().rev().map(|r| r.iter().rev().copied().collect()).collect();
            let half = shuffled.len() / 2;
            shuffled.rotate_left(half);
            let b = alpha(&shuffled, level).unwrap();
            match (a.estimate, b.estimate) {
                (Estimate::Value(x), Estimate::Value(y)) => prop_assert!((x - y).abs() < 1e-9),
                (x, y) => prop_assert_eq!(x, y),
            }
            // The coincidence matrix is symmetric and sums to n.
            let o = &a.coincidences.counts;
            let total: f64 = o.iter().flatten().sum();
            prop_assert!((total - a.pairable_values as f64).abs() < 1e-9);
            for (c, row) in o.iter().enumerate() {
                for (k, x) in row.iter().enumerate() {
                    prop_assert!((x - o[k][c]).abs() < 1e-9);
                }
            }
        }

        #[test]
        fn labels_and_numbers_agree_on_nominal(units in matrix()) {
            let labels: Vec<Vec<Option<i64>>> = units
                .iter()
                .map(|r| r.iter().map(|v| v.map(|v| v as i64)).collect())
                .collect();
            prop_assert_eq!(
                alpha(&units, Level::Nominal).unwrap().estimate,
                alpha_nominal(&labels).estimate
            );
        }

        #[test]
        fn perfect_agreement_is_one(values in prop::collection::vec(0u8..4, 2..20)) {
            let units: Vec<Vec<Option<f64>>> =
                values.iter().map(|&v| vec![Some(f64::from(v)); 2]).collect();
            let a = alpha(&units, Level::Interval).unwrap();
            let distinct = values.iter().any(|v| *v != values[0]);
            prop_assert_eq!(a.estimate.is_defined(), distinct);
            if distinct {
                prop_assert_eq!(a.estimate, Estimate::Value(1.0));
            }
        }
    }

    pub(crate) fn hayes_krippendorff_2007() -> Vec<Vec<Option<f64>>> {
        const TABLE_1: &str = "
            1 1 1 2 . 2 | 2 1 1 0 1 . | 3 2 3 3 3 . | 4 . 0 0 . 0 | 5 0 0 0 . 0
            6 0 0 0 . 0 | 7 1 0 2 . 1 | 8 1 . 2 0 . | 9 2 2 2 . 2 | 10 2 1 1 1 .
            11 . 1 0 0 . | 12 0 0 0 0 . | 13 1 2 2 2 . | 14 3 3 2 2 3 | 15 1 1 1 . 1
            16 1 1 1 . 1 | 17 2 1 2 . 2 | 18 1 2 3 3 . | 19 1 1 0 1 . | 20 0 0 0 . 0
            21 0 0 1 1 . | 22 0 0 . 0 0 | 23 2 3 3 3 . | 24 0 0 0 0 . | 25 1 2 . 2 2
            26 0 1 1 1 . | 27 0 0 0 1 0 | 28 1 2 1 2 . | 29 1 1 2 2 . | 30 1 1 2 . 2
            31 1 1 0 . 0 | 32 2 1 2 1 . | 33 2 2 . 2 2 | 34 3 2 2 2 . | 35 2 2 2 . 2
            36 2 2 3 . 2 | 37 2 2 2 . 2 | 38 2 2 . 1 2 | 39 2 2 2 2 . | 40 1 1 1 . 1";
        TABLE_1
            .split(['|', '\n'])
            .filter(|unit| !unit.trim().is_empty())
            .map(|unit| {
                unit.split_whitespace()
                    .skip(1)
                    .map(|v| v.parse().ok())
                    .collect()
            })
            .collect()
    }
}
