//! Percent agreement, and the summary of yes/no coding decisions that Ambit computes for each code.

use crate::alpha::{self, Alpha};
use crate::coded::Coded;
use crate::fleiss::{self, FleissKappa};
use crate::kappa::{self, Kappa, Weights};
use crate::{Estimate, UndefinedReason};

/// Pairwise percent agreement.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PercentAgreement {
    /// Share (0–1) of coder pairs, over all units, that gave the same value.
    pub estimate: Estimate,
    /// Pairs of coders that both rated a unit, summed over units.
    pub pairs: u64,
    /// Of those, pairs that agreed.
    pub agreeing_pairs: u64,
}

/// Pairwise percent agreement: every pair of coders who both rated a unit is
/// one comparison; the result is agreeing comparisons / comparisons. With two
/// coders this is the plain proportion of units they agree on.
pub fn percent_agreement<T: PartialEq>(units: &[Vec<Option<T>>]) -> PercentAgreement {
    let (mut pairs, mut agreeing) = (0u64, 0u64);
    for row in units {
        let values: Vec<&T> = row.iter().flatten().collect();
        for (i, a) in values.iter().enumerate() {
            for b in &values[i + 1..] {
                pairs += 1;
                agreeing += u64::from(a == b);
            }
        }
    }
    let estimate = if pairs == 0 {
        Estimate::undefined(UndefinedReason::NoData)
    } else {
        Estimate::Value(agreeing as f64 / pairs as f64)
    };
    PercentAgreement {
        estimate,
        pairs,
        agreeing_pairs: agreeing,
    }
}

/// How far coders agree on applying one code to a set of documents.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AgreementSummary {
    /// Units (documents) in the input.
    pub units: usize,
    /// Coders (the longest row).
    pub coders: usize,
    /// Units each coder coded (`Some(true)`).
    pub coded_by_coder: Vec<usize>,
    /// Units each coder looked at (`Some(_)`).
    pub rated_by_coder: Vec<usize>,
    /// Pairwise percent agreement over all units.
    pub percent_agreement: PercentAgreement,
    /// Cohen's kappa on the units both coders rated; only with exactly 2 coders.
    pub cohen: Option<Kappa>,
    /// Fleiss' kappa on the units all coders rated; only with 3 or more coders.
    pub fleiss: Option<FleissKappa>,
    /// Nominal Krippendorff's alpha, using every unit with two or more decisions.
    pub alpha: Alpha,
}

/// Agreement of yes/no coding decisions, `decisions[unit][coder]`:
/// `Some(true)` = coded, `Some(false)` = looked at and not coded, `None` =
/// the coder did not code that document. Short rows are padded with `None`.
pub fn binary_agreement(decisions: &[Vec<Option<bool>>]) -> AgreementSummary {
    let coders = decisions.iter().map(Vec::len).max().unwrap_or(0);
    let mut coded_by_coder = vec![0; coders];
    let mut rated_by_coder = vec![0; coders];
    for row in decisions {
        for (c, d) in row.iter().enumerate() {
            if let Some(d) = d {
                rated_by_coder[c] += 1;
                coded_by_coder[c] += usize::from(*d);
            }
        }
    }
    // 0/1 rather than false/true: that is how reliability tables print them.
    let as_digits: Vec<Vec<Option<u8>>> = decisions
        .iter()
        .map(|row| {
            (0..coders)
                .map(|c| row.get(c).copied().flatten().map(u8::from))
                .collect()
        })
        .collect();
    let coded = Coded::from_labels(&as_digits);
    let cohen = (coders == 2)
        .then(|| kappa::cohen_coded(&coded, Weights::None).ok())
        .flatten();
    let fleiss = (coders >= 3)
        .then(|| {
            let complete: Vec<Vec<Option<u8>>> = as_digits
                .iter()
                .filter(|row| row.iter().all(Option::is_some))
                .cloned()
                .collect();
            fleiss::fleiss_coded(&Coded::from_labels(&complete), &[]).ok()
        })
        .flatten();
    AgreementSummary {
        units: decisions.len(),
        coders,
        coded_by_coder,
        rated_by_coder,
        percent_agreement: percent_agreement(decisions),
        cohen,
        fleiss,
        alpha: alpha::nominal(&coded),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// `rows` as one string per unit: `1` coded, `0` not coded, `.` not seen.
    fn decisions(rows: &[&str]) -> Vec<Vec<Option<bool>>> {
        rows.iter()
            .map(|r| {
                r.chars()
                    .filter(|c| !c.is_whitespace())
                    .map(|c| match c {
                        '1' => Some(true),
                        '0' => Some(false),
                        _ => None,
                    })
                    .collect()
            })
            .collect()
    }

    fn fmt(e: Option<Estimate>) -> String {
        e.map_or("-".into(), |e| format!("{e:.3}"))
    }

    /// Expected: "coded=… rated=… pa=… cohen=… fleiss=… alpha=…".
    fn check(rows: &[&str], expected: &str) {
        let s = binary_agreement(&decisions(rows));
        let got = format!(
            "coded={:?} rated={:?} pa={:.3} cohen={} fleiss={} alpha={:.3}",
            s.coded_by_coder,
            s.rated_by_coder,
            s.percent_agreement.estimate,
            fmt(s.cohen.map(|k| k.estimate)),
            fmt(s.fleiss.map(|k| k.estimate)),
            s.alpha.estimate,
        );
        assert_eq!(got, expected);
    }

    #[test]
    fn two_coders_hand_computed() {
        // 2×2 table [[2,1],[1,2]] (rows coder A 0/1): Po = 4/6, Pe = 1/2,
        // κ = (2/3 − 1/2) / (1/2) = 1/3. Coincidences o00 = o11 = 4,
        // o01 = o10 = 2, n0 = n1 = 6, n = 12:
        // α = 1 − (n − 1) · o01 / (n0 · n1) = 1 − 11 · 2 / 36 = 0.389.
        check(
            &["00", "00", "01", "10", "11", "11"],
            "coded=[3, 3] rated=[6, 6] pa=0.667 cohen=0.333 fleiss=- alpha=0.389",
        );
    }

    #[test]
    fn two_coders_with_missing() {
        // The last two units were seen by one coder only: they count for
        // "rated" but drop out of every coefficient.
        check(
            &["00", "00", "01", "10", "11", "11", "1.", ".0"],
            "coded=[4, 3] rated=[7, 7] pa=0.667 cohen=0.333 fleiss=- alpha=0.389",
        );
    }

    #[test]
    fn three_coders() {
        // Units 000, 111, 110, 111; unit 5 (1.0) only counts for alpha and
        // percent agreement. Fleiss on 4 complete units, n = 3: P_i = 1, 1,
        // 1/3, 1 → P̄ = 5/6; p1 = 8/12, p0 = 4/12, Pe = 5/9;
        // κ = (5/6 − 5/9) / (4/9) = 0.625.
        // Percent agreement: 3+3+1+3 agreeing of 12 pairs, plus unit 5's one
        // disagreeing pair: 10/13 = 0.769.
        // Alpha: o00 = 2·3/2 + 0 + 0 = 3, o11 = 3 + 1 + 3 = 7, o01 = 1 + 1 = 2
        // (unit 3 gives 2·1/2 each way; unit 5 gives 1/1), n = 14,
        // n0 = 5, n1 = 9: α = 1 − 13 · 2 / (5 · 9) = 0.422.
        check(
            &["000", "111", "110", "111", "1.0"],
            "coded=[4, 3, 2] rated=[5, 4, 5] pa=0.769 cohen=- fleiss=0.625 alpha=0.422",
        );
    }

    #[test]
    fn everyone_always_codes() {
        check(
            &["11", "11", "11"],
            "coded=[3, 3] rated=[3, 3] pa=1.000 cohen=undefined (no variation) fleiss=- alpha=undefined (no variation)",
        );
    }

    #[test]
    fn nothing_to_compare() {
        check(
            &["1.", ".0"],
            "coded=[1, 0] rated=[1, 1] pa=undefined (no pairable values) cohen=undefined (no pairable values) fleiss=- alpha=undefined (no pairable values)",
        );
        check(&[], "coded=[] rated=[] pa=undefined (no pairable values) cohen=- fleiss=- alpha=undefined (no pairable values)");
    }

    #[test]
    fn percent_agreement_counts_pairs() {
        let pa = percent_agreement(&[
            vec![Some("a"), Some("a"), Some("b")],
            vec![None, Some("c"), Some("c")],
        ]);
        assert_eq!((pa.pairs, pa.agreeing_pairs), (4, 2));
        assert_eq!(pa.estimate, Estimate::Value(0.5));
    }
}
