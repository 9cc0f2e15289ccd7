//! Fleiss' kappa for a fixed number of raters per subject (Fleiss 1971), from a count table or a raters matrix.

use crate::coded::Coded;
use crate::kappa::Z_975;
use crate::{Error, Estimate, Result, UndefinedReason};

/// A subjects × categories table: how many raters put each subject in each category.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CountTable {
    /// Category names, one per column.
    pub categories: Vec<String>,
    /// Subject ids, one per row.
    pub subjects: Vec<String>,
    /// `counts[subject][category]`.
    pub counts: Vec<Vec<u64>>,
}

impl CountTable {
    /// Fleiss' kappa of this table.
    pub fn fleiss_kappa(&self) -> Result<FleissKappa> {
        let places: Vec<String> = self
            .subjects
            .iter()
            .map(|s| format!("subject {s}"))
            .collect();
        fleiss(&self.counts, self.categories.clone(), &places)
    }
}

/// Fleiss' kappa and its parts.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FleissKappa {
    /// κ = (P̄ − P̄e) / (1 − P̄e).
    pub estimate: Estimate,
    /// P̄: mean proportion of agreeing rater pairs per subject.
    pub observed_agreement: f64,
    /// P̄e = Σ p_j²: agreement expected from the category proportions.
    pub expected_agreement: f64,
    /// Standard error under H0: κ = 0 (Fleiss, Nee & Landis 1979).
    pub std_error_null: Option<f64>,
    /// z = κ / SE₀.
    pub z: Option<f64>,
    /// Subjects N.
    pub subjects: usize,
    /// Raters per subject n.
    pub raters: u64,
    /// Category names.
    pub categories: Vec<String>,
    /// p_j: share of all ratings in each category.
    pub proportions: Vec<f64>,
}

impl FleissKappa {
    /// A normal-theory interval from the null standard error; rough, offered
    /// because Fleiss (1971) gives no non-null SE.
    pub fn z_interval(&self) -> Option<(f64, f64)> {
        let (k, se) = (self.estimate.value()?, self.std_error_null?);
        Some((k - Z_975 * se, k + Z_975 * se))
    }
}

/// Fleiss' kappa from `counts[subject][category]`; every subject must have
/// the same total number of ratings (at least 2).
pub fn fleiss_kappa_counts(counts: &[Vec<u64>]) -> Result<FleissKappa> {
    let k = counts.first().map_or(0, Vec::len);
    let categories = (1..=k).map(|i| i.to_string()).collect();
    let places: Vec<String> = (1..=counts.len()).map(|i| format!("subject {i}")).collect();
    fleiss(counts, categories, &places)
}

/// Fleiss' kappa of a raters matrix; every unit must have the same number of values.
pub(crate) fn fleiss_coded(coded: &Coded, unit_ids: &[String]) -> Result<FleissKappa> {
    let v = coded.categories();
    let counts: Vec<Vec<u64>> = (0..coded.units.len())
        .map(|u| {
            let mut row = vec![0u64; v];
            for c in coded.values(u) {
                row[c] += 1;
            }
            row
        })
        .collect();
    let places: Vec<String> = (0..counts.len())
        .map(|u| match unit_ids.get(u) {
            Some(id) => format!("unit {id}"),
            None => format!("unit {}", u + 1),
        })
        .collect();
    fleiss(&counts, coded.labels.clone(), &places)
}

fn fleiss(counts: &[Vec<u64>], categories: Vec<String>, places: &[String]) -> Result<FleissKappa> {
    let k = categories.len();
    let mut raters = None;
    for (i, row) in counts.iter().enumerate() {
        let place = || {
            places
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("subject {}", i + 1))
        };
        if row.len() != k {
            return Err(Error::InvalidArgument(format!(
                "{}: {} categories, expected {k}",
                place(),
                row.len()
            )));
        }
        let total: u64 = row.iter().sum();
        match raters {
            None => raters = Some(total),
            Some(expected) if expected != total => {
                return Err(Error::UnequalRaters {
                    place: place(),
                    expected,
                    found: total,
                })
            }
            Some(_) => {}
        }
    }
    let subjects = counts.len();
    let raters = raters.unwrap_or(0);
    let mut result = FleissKappa {
        estimate: Estimate::undefined(UndefinedReason::NoData),
        observed_agreement: 0.0,
        expected_agreement: 0.0,
        std_error_null: None,
        z: None,
        subjects,
        raters,
        categories,
        proportions: vec![0.0; k],
    };
    if subjects == 0 {
        return Ok(result);
    }
    if raters < 2 {
        return Err(Error::CoderCount {
            what: "Fleiss' kappa",
            expected: "at least 2 (per subject)",
            found: usize::try_from(raters).unwrap_or(usize::MAX),
        });
    }
    let (nf, n) = (subjects as f64, raters as f64);
    let mut p_bar = 0.0;
    for row in counts {
        let agreeing: f64 = row.iter().map(|&x| (x as f64) * (x as f64 - 1.0)).sum();
        p_bar += agreeing / (n * (n - 1.0));
    }
    p_bar /= nf;
    let p: Vec<f64> = (0..k)
        .map(|j| counts.iter().map(|r| r[j] as f64).sum::<f64>() / (nf * n))
        .collect();
    let pe: f64 = p.iter().map(|x| x * x).sum();
    result.observed_agreement = p_bar;
    result.expected_agreement = pe;
    result.proportions = p.clone();
    if 1.0 - pe <= 1e-12 {
        result.estimate = Estimate::undefined(UndefinedReason::NoVariation);
        return Ok(result);
    }
    let kappa = (p_bar - pe) / (1.0 - pe);
    let pq: f64 = p.iter().map(|x| x * (1.0 - x)).sum();
    let pq_skew: f64 = p.iter().map(|x| x * (1.0 - x) * (1.0 - 2.0 * x)).sum();
    let var0 = 2.0 / (nf * n * (n - 1.0)) * (pq * pq - pq_skew) / (pq * pq);
    let se0 = var0.max(0.0).sqrt();
    result.estimate = Estimate::Value(kappa);
    result.std_error_null = Some(se0);
    result.z = (se0 > 0.0).then(|| kappa / se0);
    Ok(result)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn check(counts: &[Vec<u64>], expected: &str) {
        let got = match fleiss_kappa_counts(counts) {
            Ok(f) => format!("{:.3}", f.estimate),
            Err(e) => e.to_string(),
        };
        assert_eq!(got, expected);
    }

    /// Fleiss (1971), Table 1: 30 patients, 6 psychiatrists each, categories
    /// depression, personality disorder, schizophrenia, neurosis, other;
    /// the raters matrix as distributed in R's irr package (`diagnoses`).
    pub(crate) const FLEISS_1971: [[u8; 6]; 30] = [
        [4, 4, 4, 4, 4, 4],
        [2, 2, 2, 5, 5, 5],
        [2, 3, 3, 3, 3, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4],
        [1, 1, 3, 3, 3, 3],
        [3, 3, 3, 3, 5, 5],
        [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4],
        [5, 5, 5, 5, 5, 5],
        [1, 4, 4, 4, 4, 4],
        [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3],
        [1, 4, 4, 4, 4, 4],
        [2, 2, 4, 4, 4, 5],
        [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5],
        [1, 1, 1, 1, 1, 2],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 4, 4, 4, 4, 4],
        [2, 2, 4, 5, 5, 5],
        [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5],
        [2, 2, 2, 2, 2, 4],
        [1, 1, 1, 1, 5, 5],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3],
        [5, 5, 5, 5, 5, 5],
    ];

    fn fleiss_1971_counts() -> Vec<Vec<u64>> {
        FLEISS_1971
            .iter()
            .map(|r| {
                (1..=5)
                    .map(|c| r.iter().filter(|&&x| x == c).count() as u64)
                    .collect()
            })
            .collect()
    }

    #[test]
    fn fleiss_1971_psychiatric_diagnoses() {
        // Fleiss (1971) reports κ = .430; R irr::kappam.fleiss gives
        // 0.4302445 with z = 17.65183 (Fleiss, Nee & Landis 1979 SE₀).
        let counts = fleiss_1971_counts();
        let col_sums: Vec<u64> = (0..5).map(|j| counts.iter().map(|r| r[j]).sum()).collect();
        assert_eq!(col_sums, [26, 26, 30, 55, 43]);
        check(&counts, "0.430");
        let f = fleiss_kappa_counts(&counts).unwrap();
        assert_eq!(format!("{:.7}", f.estimate), "0.4302445");
        assert_eq!(format!("{:.5}", f.z.unwrap()), "17.65183");
        assert_eq!((f.subjects, f.raters), (30, 6));
    }

    #[test]
    fn fleiss_1971_from_raters_matrix() {
        // Same data, through the raters-matrix path that `ambit stats fleiss` uses.
        let units: Vec<Vec<Option<u8>>> = FLEISS_1971
            .iter()
            .map(|r| r.iter().copied().map(Some).collect())
            .collect();
        let f = fleiss_coded(&Coded::from_labels(&units), &[]).unwrap();
        assert_eq!(format!("{:.7}", f.estimate), "0.4302445");
        assert_eq!(f.categories, ["1", "2", "3", "4", "5"]);
        let mut ragged = units.clone();
        ragged[4][0] = None;
        let err = fleiss_coded(&Coded::from_labels(&ragged), &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unit 5: 5 ratings, but earlier subjects have 6"
        );
    }

    #[test]
    fn wikipedia_fourteen_raters() {
        // Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters,
        // 5 categories; P̄ = 0.378, P̄e = 0.213, κ = 0.210.
        let counts = vec![
            vec![0, 0, 0, 0, 14],
            vec![0, 2, 6, 4, 2],
            vec![0, 0, 3, 5, 6],
            vec![0, 3, 9, 2, 0],
            vec![2, 2, 8, 1, 1],
            vec![7, 7, 0, 0, 0],
            vec![3, 2, 6, 3, 0],
            vec![2, 5, 3, 2, 2],
            vec![6, 5, 2, 1, 0],
            vec![0, 2, 2, 3, 7],
        ];
        check(&counts, "0.210");
        let f = fleiss_kappa_counts(&counts).unwrap();
        assert_eq!(format!("{:.3}", f.observed_agreement), "0.378");
        assert_eq!(format!("{:.3}", f.expected_agreement), "0.213");
    }

    #[test]
    fn degenerate_tables() {
        check(&[vec![3, 0], vec![3, 0]], "undefined (no variation)");
        check(&[], "undefined (no pairable values)");
        check(
            &[vec![2, 1], vec![3, 1]],
            "subject 2: 4 ratings, but earlier subjects have 3",
        );
        check(
            &[vec![1, 0], vec![0, 1]],
            "Fleiss' kappa needs at least 2 (per subject) coders, found 1",
        );
        check(&[vec![2, 0], vec![0, 2]], "1.000");
    }

    /// The table above as a researcher's file: `subject,rater1,…,rater6`.
    const FLEISS_1971_CSV: &str = include_str!("../tests/data/fleiss1971.csv");

    #[test]
    fn fleiss_1971_file_is_the_table() {
        let mut expected = String::from("subject,rater1,rater2,rater3,rater4,rater5,rater6\n");
        for (i, row) in FLEISS_1971.iter().enumerate() {
            let cells: Vec<String> = row.iter().map(u8::to_string).collect();
            expected.push_str(&format!("{},{}\n", i + 1, cells.join(",")));
        }
        assert_eq!(FLEISS_1971_CSV, expected);
    }

    fn kappa_of_file(csv: &str) -> String {
        use crate::{read_matrix_with, ReadOptions};
        match read_matrix_with(csv.as_bytes(), &ReadOptions::default()) {
            Ok((data, reading)) => match data.fleiss_kappa() {
                Ok(f) => format!(
                    "{:.3} | {}",
                    f.estimate,
                    reading.describe("subjects", "raters")
                ),
                Err(e) => format!("error: {e}"),
            },
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn fleiss_1971_file_with_a_subject_column() {
        // Was 0.286: the subject number read as a seventh rater.
        let reading =
            "30 subjects × 6 raters (subjects in rows), first column `subject` taken as ids";
        assert_eq!(kappa_of_file(FLEISS_1971_CSV), format!("0.430 | {reading}"));
        // Raters numbered in the header, and the header word in capitals.
        let numbered = FLEISS_1971_CSV.replacen(
            "subject,rater1,rater2,rater3,rater4,rater5,rater6",
            "Subject,1,2,3,4,5,6",
            1,
        );
        assert_eq!(
            kappa_of_file(&numbered),
            "0.430 | 30 subjects × 6 raters (subjects in rows), first column `Subject` taken as ids"
        );
        // R's write.csv: an empty cell above the row names.
        let r = FLEISS_1971_CSV.replacen("subject,", ",", 1);
        assert_eq!(
            kappa_of_file(&r),
            "0.430 | 30 subjects × 6 raters (subjects in rows), first column taken as ids"
        );
        // Without the id column the raters alone are read.
        let bare: String = FLEISS_1971_CSV
            .lines()
            .map(|l| format!("{}\n", l.split_once(',').map_or(l, |(_, rest)| rest)))
            .collect();
        assert_eq!(
            kappa_of_file(&bare),
            "0.430 | 30 subjects × 6 raters (subjects in rows), no id column"
        );
    }

    #[test]
    fn fleiss_1971_count_table_with_a_subject_column() {
        let mut csv =
            String::from("subject,depression,personality disorder,schizophrenia,neurosis,other\n");
        for (i, row) in fleiss_1971_counts().iter().enumerate() {
            let cells: Vec<String> = row.iter().map(u64::to_string).collect();
            csv.push_str(&format!("{},{}\n", i + 1, cells.join(",")));
        }
        let (table, reading) = crate::read_counts(csv.as_bytes(), &crate::IdColumn::Auto).unwrap();
        assert_eq!(
            format!("{:.3}", table.fleiss_kappa().unwrap().estimate),
            "0.430"
        );
        assert_eq!((reading.units, reading.coders), (30, 6));
        // Numbered subjects under a header that is no id word: the values decide.
        let numbered = csv.replacen("subject,", "n,", 1);
        let (table, _) = crate::read_counts(numbered.as_bytes(), &crate::IdColumn::Auto).unwrap();
        assert_eq!(table.categories.len(), 5);
    }
}
