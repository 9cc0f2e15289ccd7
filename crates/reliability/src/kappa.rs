//! Cohen's kappa for two coders, unweighted or weighted, with the large-sample standard error of Fleiss, Cohen & Everitt (1969).

use std::fmt;
use std::str::FromStr;

use crate::coded::Coded;
use crate::{Error, Estimate, Result, UndefinedReason};

/// z for a two-sided 95% interval.
pub(crate) const Z_975: f64 = 1.959_963_984_540_054;

/// Agreement weights for Cohen's kappa.
///
/// Weights are built on category *ranks* (the i-th and j-th of the k sorted
/// categories that occur), as in SAS, R's irr/vcd/DescTools and Stata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Weights {
    /// Only identical categories agree.
    None,
    /// Cicchetti–Allison: w_ij = 1 − |i − j| / (k − 1).
    Linear,
    /// Fleiss–Cohen: w_ij = 1 − (i − j)² / (k − 1)².
    Quadratic,
}

impl Weights {
    /// Lower-case name as used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Weights::None => "none",
            Weights::Linear => "linear",
            Weights::Quadratic => "quadratic",
        }
    }

    fn matrix(self, k: usize) -> Vec<Vec<f64>> {
        let span = k.saturating_sub(1).max(1) as f64;
        (0..k)
            .map(|i| {
                (0..k)
                    .map(|j| {
                        let d = i.abs_diff(j) as f64 / span;
                        match self {
                            Weights::None => f64::from(u8::from(i == j)),
                            Weights::Linear => 1.0 - d,
                            Weights::Quadratic => 1.0 - d * d,
                        }
                    })
                    .collect()
            })
            .collect()
    }
}

impl fmt::Display for Weights {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Weights {
    type Err = Error;

    fn from_str(s: &str) -> Result<Weights> {
        match s.to_ascii_lowercase().as_str() {
            "none" | "unweighted" => Ok(Weights::None),
            "linear" => Ok(Weights::Linear),
            "quadratic" => Ok(Weights::Quadratic),
            _ => Err(Error::InvalidArgument(format!(
                "unknown weights {s:?} (expected none, linear or quadratic)"
            ))),
        }
    }
}

/// Cohen's kappa with its large-sample inference.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Kappa {
    /// Weights used.
    pub weights: Weights,
    /// κ = (Po − Pe) / (1 − Pe).
    pub estimate: Estimate,
    /// Standard error under the alternative (Fleiss, Cohen & Everitt 1969),
    /// the one to build a confidence interval from; `None` when κ is undefined.
    pub std_error: Option<f64>,
    /// κ ± 1.96 · SE.
    pub ci95: Option<(f64, f64)>,
    /// Standard error under H0: κ = 0 (same paper), for a z test.
    pub std_error_null: Option<f64>,
    /// Po: (weighted) proportion of agreement.
    pub observed_agreement: f64,
    /// Pe: (weighted) agreement expected from the two coders' marginals.
    pub expected_agreement: f64,
    /// Units rated by both coders.
    pub n: u64,
    /// Categories, in the order of the table's rows and columns.
    pub categories: Vec<String>,
    /// The k × k table: rows = first coder, columns = second coder.
    pub table: Vec<Vec<u64>>,
}

/// Cohen's kappa from a square contingency table of counts (rows = first
/// coder's category, columns = second coder's, categories in their order).
pub fn cohen_kappa_table(table: &[Vec<u64>], weights: Weights) -> Result<Kappa> {
    let k = table.len();
    if let Some(row) = table.iter().find(|r| r.len() != k) {
        return Err(Error::NotSquare {
            rows: k,
            columns: row.len(),
        });
    }
    if k == 0 {
        return Err(Error::NotSquare {
            rows: 0,
            columns: 0,
        });
    }
    let categories = (1..=k).map(|i| i.to_string()).collect();
    Ok(from_table(table.to_vec(), categories, weights))
}

/// Cohen's kappa of two coders' ratings, `units[u] = [first, second]`; units
/// that either coder left out are skipped.
pub(crate) fn cohen_coded(coded: &Coded, weights: Weights) -> Result<Kappa> {
    if coded.coders != 2 {
        return Err(Error::CoderCount {
            what: "Cohen's kappa",
            expected: "exactly 2",
            found: coded.coders,
        });
    }
    if weights != Weights::None {
        coded.require_numbers(&format!("{weights}-weighted kappa"))?;
    }
    let v = coded.categories();
    let mut full = vec![vec![0u64; v]; v];
    for row in &coded.units {
        if let (Some(Some(a)), Some(Some(b))) = (row.first(), row.get(1)) {
            full[*a][*b] += 1;
        }
    }
    // Only categories used by a complete pair enter the table, so that
    // ranks for weighting are those of the compared ratings.
    let used: Vec<usize> = (0..v)
        .filter(|&c| full[c].iter().any(|&x| x > 0) || full.iter().any(|r| r[c] > 0))
        .collect();
    let table = used
        .iter()
        .map(|&i| used.iter().map(|&j| full[i][j]).collect())
        .collect();
    let categories = used.iter().map(|&c| coded.labels[c].clone()).collect();
    Ok(from_table(table, categories, weights))
}

fn from_table(table: Vec<Vec<u64>>, categories: Vec<String>, weights: Weights) -> Kappa {
    let k = table.len();
    let n: u64 = table.iter().flatten().sum();
    let mut result = Kappa {
        weights,
        estimate: Estimate::undefined(UndefinedReason::NoData),
        std_error: None,
        ci95: None,
        std_error_null: None,
        observed_agreement: 0.0,
        expected_agreement: 0.0,
        n,
        categories,
        table,
    };
    if n == 0 {
        return result;
    }
    let nf = n as f64;
    let w = weights.matrix(k);
    let p: Vec<Vec<f64>> = result
        .table
        .iter()
        .map(|r| r.iter().map(|&x| x as f64 / nf).collect())
        .collect();
    let rows: Vec<f64> = p.iter().map(|r| r.iter().sum()).collect();
    let cols: Vec<f64> = (0..k).map(|j| p.iter().map(|r| r[j]).sum()).collect();
    let mut po = 0.0;
    let mut pe = 0.0;
    for i in 0..k {
        for j in 0..k {
            po += w[i][j] * p[i][j];
            pe += w[i][j] * rows[i] * cols[j];
        }
    }
    result.observed_agreement = po;
    result.expected_agreement = pe;
    // Pe = 1 only when both coders used one and the same category throughout.
    if 1.0 - pe <= 1e-12 {
        result.estimate = Estimate::undefined(UndefinedReason::NoVariation);
        return result;
    }
    let kappa = (po - pe) / (1.0 - pe);
    // Fleiss, Cohen & Everitt (1969), with w̄_i. = Σ_j p_.j w_ij and
    // w̄_.j = Σ_i p_i. w_ij; for identity weights this is their eq. for
    // unweighted kappa.
    let w_row: Vec<f64> = (0..k)
        .map(|i| (0..k).map(|j| cols[j] * w[i][j]).sum())
        .collect();
    let w_col: Vec<f64> = (0..k)
        .map(|j| (0..k).map(|i| rows[i] * w[i][j]).sum())
        .collect();
    let mut alt = 0.0;
    let mut null = 0.0;
    for i in 0..k {
        for j in 0..k {
            let centre = w_row[i] + w_col[j];
            alt += p[i][j] * (w[i][j] - centre * (1.0 - kappa)).powi(2);
            null += rows[i] * cols[j] * (w[i][j] - centre).powi(2);
        }
    }
    let scale = nf * (1.0 - pe).powi(2);
    // Rounding can push a true zero variance (perfect agreement) below 0.
    let se = ((alt - (kappa - pe * (1.0 - kappa)).powi(2)) / scale)
        .max(0.0)
        .sqrt();
    let se0 = ((null - pe * pe) / scale).max(0.0).sqrt();
    result.estimate = Estimate::Value(kappa);
    result.std_error = Some(se);
    result.ci95 = Some((kappa - Z_975 * se, kappa + Z_975 * se));
    result.std_error_null = Some(se0);
    result
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Expected: κ, SE, CI low, CI high, SE under H0 (4 decimals), or "undefined".
    fn check(table: &[Vec<u64>], weights: Weights, expected: &str) {
        let k = cohen_kappa_table(table, weights).unwrap();
        let got = match (k.estimate, k.std_error, k.ci95, k.std_error_null) {
            (Estimate::Value(v), Some(se), Some((lo, hi)), Some(se0)) => {
                format!("{v:.4} {se:.4} {lo:.4} {hi:.4} {se0:.4}")
            }
            (e, ..) => e.to_string(),
        };
        assert_eq!(got, expected, "{k:?}");
    }

    #[test]
    fn sas_proc_freq_simple_kappa() {
        // SAS/STAT PROC FREQ AGREE printout for this 3 × 3 table, as quoted
        // in statsmodels' test_inter_rater.py: κ = 0.4842, ASE = 0.1380,
        // 95% CI 0.2137–0.7547, ASE under H0 = 0.1484. SAS's ASE is the
        // Fleiss–Cohen–Everitt (1969) formula.
        check(
            &[vec![0, 4, 1], vec![0, 8, 0], vec![0, 1, 5]],
            Weights::None,
            "0.4842 0.1380 0.2137 0.7547 0.1484",
        );
    }

    #[test]
    fn sas_proc_freq_weighted_kappa() {
        // Same source, Cicchetti–Allison (linear) weights: κw = 0.4701,
        // ASE = 0.1457, CI 0.1845–0.7558, ASE under H0 = 0.1426.
        check(
            &[vec![0, 4, 1], vec![0, 8, 0], vec![0, 1, 5]],
            Weights::Linear,
            "0.4701 0.1457 0.1845 0.7558 0.1426",
        );
    }

    #[test]
    fn fleiss_levin_paik_table_18_1() {
        // Fleiss, Levin & Paik (2003), Statistical Methods for Rates and
        // Proportions, 3rd ed., Table 18.1: 100 subjects, diagnoses
        // psychotic / neurotic / organic; Po = .89, Pe = .66, κ = .676.
        // The SEs (.0877, under H0 .0762) are the FCE (1969) formulas worked
        // independently (Python, by hand) on the published table.
        check(
            &[vec![75, 1, 4], vec![5, 4, 1], vec![0, 0, 10]],
            Weights::None,
            "0.6765 0.0877 0.5046 0.8484 0.0762",
        );
        let k = cohen_kappa_table(
            &[vec![75, 1, 4], vec![5, 4, 1], vec![0, 0, 10]],
            Weights::None,
        )
        .unwrap();
        assert_eq!(format!("{:.2}", k.observed_agreement), "0.89");
        assert_eq!(format!("{:.2}", k.expected_agreement), "0.66");
    }

    #[test]
    fn cohen_1960_example() {
        // Cohen (1960), Table 1: 200 cases, proportions .44 .07 .09 / .05
        // .20 .05 / .01 .03 .06; published Po = .70, Pe = .41, κ = .492.
        let k = cohen_kappa_table(
            &[vec![88, 14, 18], vec![10, 40, 10], vec![2, 6, 12]],
            Weights::None,
        )
        .unwrap();
        assert_eq!(format!("{:.3}", k.estimate), "0.492");
        assert_eq!(format!("{:.2}", k.expected_agreement), "0.41");
    }

    #[test]
    fn perfect_agreement_has_zero_error() {
        check(
            &[vec![5, 0], vec![0, 7]],
            Weights::None,
            "1.0000 0.0000 1.0000 1.0000 0.2887",
        );
    }

    #[test]
    fn single_category_is_undefined() {
        check(&[vec![12]], Weights::None, "undefined (no variation)");
        check(&[vec![12]], Weights::Quadratic, "undefined (no variation)");
        check(
            &[vec![0, 0], vec![0, 9]],
            Weights::Linear,
            "undefined (no variation)",
        );
    }

    #[test]
    fn empty_table_is_undefined() {
        check(
            &[vec![0, 0], vec![0, 0]],
            Weights::None,
            "undefined (no pairable values)",
        );
    }

    #[test]
    fn non_square_is_an_error() {
        assert!(matches!(
            cohen_kappa_table(&[vec![1, 2], vec![3]], Weights::None),
            Err(Error::NotSquare { .. })
        ));
    }

    proptest! {
        #[test]
        fn kappa_is_symmetric_and_bounded(cells in prop::collection::vec(0u64..20, 9), w in 0usize..3) {
            let weights = [Weights::None, Weights::Linear, Weights::Quadratic][w];
            let table: Vec<Vec<u64>> = cells.chunks(3).map(<[u64]>::to_vec).collect();
            let transposed: Vec<Vec<u64>> = (0..3).map(|j| (0..3).map(|i| table[i][j]).collect()).collect();
            let a = cohen_kappa_table(&table, weights).unwrap();
            let b = cohen_kappa_table(&transposed, weights).unwrap();
            match (a.estimate, b.estimate) {
                (Estimate::Value(x), Estimate::Value(y)) => {
                    prop_assert!((x - y).abs() < 1e-9);
                    prop_assert!(x <= 1.0 + 1e-12);
                    prop_assert!(a.std_error.is_some_and(f64::is_finite));
                }
                (x, y) => prop_assert_eq!(x, y),
            }
        }
    }

    #[test]
    fn quadratic_weights() {
        // Worked by hand: table [[2,1,0],[0,2,1],[0,0,2]], n = 8, weights
        // 1, 0.75, 0. Po = (6 + 2·0.75)/8 = 0.9375; margins rows (3,3,2)/8,
        // cols (2,3,3)/8; Pe = Σ w_ij r_i c_j = 0.6796875;
        // κ = (0.9375 − 0.6796875) / 0.3203125 = 0.8049.
        let k = cohen_kappa_table(
            &[vec![2, 1, 0], vec![0, 2, 1], vec![0, 0, 2]],
            Weights::Quadratic,
        )
        .unwrap();
        assert_eq!(format!("{:.4}", k.observed_agreement), "0.9375");
        assert_eq!(format!("{:.7}", k.expected_agreement), "0.6796875");
        assert_eq!(format!("{:.4}", k.estimate), "0.8049");
    }
}
