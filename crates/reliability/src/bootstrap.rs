//! Bootstrapped distribution of Krippendorff's alpha (Hayes & Krippendorff 2007; Krippendorff, "Algorithm for bootstrapping a distribution of α").

use crate::alpha::Alpha;
use crate::{Error, Estimate, Result};

/// The smallest alpha Krippendorff accepts for tentative conclusions.
pub const ALPHA_MIN_TENTATIVE: f64 = 0.667;
/// The alpha Krippendorff asks for before relying on data.
pub const ALPHA_MIN_RELIABLE: f64 = 0.800;

/// A bootstrapped distribution of alpha and what is read off it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Bootstrap {
    /// Number of resamples drawn.
    pub samples: usize,
    /// Seed of the generator; the same seed and data give the same result.
    pub seed: u64,
    /// Pairs of values drawn per resample (the pairs in the data).
    pub draws_per_sample: usize,
    /// Lower end of the 95% interval (2.5th percentile).
    pub ci_low: f64,
    /// Upper end of the 95% interval (97.5th percentile).
    pub ci_high: f64,
    /// q(α < αmin) for αmin = 0.667 and 0.800, as `(αmin, q)`.
    pub q_below: Vec<(f64, f64)>,
    /// The resampled alphas, ascending.
    pub alphas: Vec<f64>,
}

impl Bootstrap {
    /// q: the share of resampled alphas below `alpha_min`, i.e. the
    /// probability of failing to reach `alpha_min`.
    pub fn probability_below(&self, alpha_min: f64) -> f64 {
        let below = self.alphas.partition_point(|a| *a < alpha_min);
        below as f64 / self.alphas.len() as f64
    }
}

impl Alpha {
    /// Bootstraps alpha's sampling distribution with `samples` resamples.
    ///
    /// Krippendorff's algorithm: each resample draws, with replacement, as
    /// many pairs of values as the data have (Σ m_u (m_u − 1) / 2; 239 in
    /// Hayes & Krippendorff's example) from the coincidence matrix, where a
    /// pair c–k has probability o_ck / n; the mean δ² of the drawn pairs is a
    /// resampled Do, and α* = 1 − Do* / De keeps the original De. As in
    /// Hayes's KALPHA macro, α* below −1 is set to −1, and a resample whose
    /// pairs all fall in one diagonal cell (one value only, where alpha
    /// would be indeterminate) counts as α* = 0. Percentiles follow KALPHA:
    /// with X sorted resamples the interval is the ⌊0.025·X⌋-th to the
    /// (⌊0.975·X⌋+1)-th value (1-based).
    ///
    /// The generator is a SplitMix64 seeded with `seed`, so results are
    /// identical across platforms and versions of this crate's dependencies.
    /// The cost is `samples × pairs` draws, each a binary search over the
    /// non-empty cells of the coincidence matrix.
    pub fn bootstrap(&self, samples: usize, seed: u64) -> Result<Bootstrap> {
        if samples == 0 {
            return Err(Error::InvalidArgument(
                "the bootstrap needs at least one sample".into(),
            ));
        }
        if let Estimate::Undefined { reason } = self.estimate {
            return Err(Error::UndefinedAlpha(reason));
        }
        let cells = self.pair_cells();
        if cells.is_empty() {
            return Err(Error::UndefinedAlpha(crate::UndefinedReason::NoData));
        }
        let total: f64 = cells.iter().map(|c| c.weight).sum();
        let mut cumulative = Vec::with_capacity(cells.len());
        let mut running = 0.0;
        for cell in &cells {
            running += cell.weight / total;
            cumulative.push(running);
        }
        let draws = self.pairs;
        let de = self.expected_disagreement;
        let mut rng = SplitMix64::new(seed);
        let mut alphas = Vec::with_capacity(samples);
        for _ in 0..samples {
            let mut sum = 0.0;
            let mut first_cell = None;
            let mut one_diagonal_cell = true;
            for _ in 0..draws {
                let r = rng.next_f64();
                // Rounding can leave the last cumulative value just below 1.
                let i = cumulative.partition_point(|c| *c <= r).min(cells.len() - 1);
                sum += cells[i].delta;
                match first_cell {
                    None => first_cell = Some(i),
                    Some(f) if f != i => one_diagonal_cell = false,
                    Some(_) => {}
                }
            }
            let degenerate = one_diagonal_cell && first_cell.is_some_and(|i| cells[i].diagonal);
            let a = if degenerate {
                0.0
            } else {
                (1.0 - sum / draws as f64 / de).max(-1.0)
            };
            alphas.push(a);
        }
        alphas.sort_by(f64::total_cmp);
        let low = ((0.025 * samples as f64).floor() as usize).max(1) - 1;
        let high = ((0.975 * samples as f64).floor() as usize + 1).min(samples) - 1;
        let mut result = Bootstrap {
            samples,
            seed,
            draws_per_sample: draws,
            ci_low: alphas[low],
            ci_high: alphas[high],
            q_below: Vec::new(),
            alphas,
        };
        result.q_below = [ALPHA_MIN_TENTATIVE, ALPHA_MIN_RELIABLE]
            .iter()
            .map(|&m| (m, result.probability_below(m)))
            .collect();
        Ok(result)
    }

    /// Unordered pairs c ≤ k with their share of the coincidences.
    fn pair_cells(&self) -> Vec<PairCell> {
        let o = &self.coincidences.counts;
        let mut cells = Vec::new();
        for c in 0..o.len() {
            for k in c..o.len() {
                let weight = if c == k { o[c][c] } else { 2.0 * o[c][k] };
                if weight > 0.0 {
                    cells.push(PairCell {
                        weight,
                        delta: self.delta[c][k],
                        diagonal: c == k,
                    });
                }
            }
        }
        cells
    }
}

struct PairCell {
    weight: f64,
    delta: f64,
    diagonal: bool,
}

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast, and fixed forever, which
/// is what reproducible bootstraps need more than a crate's feature set.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::alpha::{alpha, Level};
    use proptest::prelude::*;

    fn hk2007() -> Alpha {
        alpha(
            &crate::alpha::tests::hayes_krippendorff_2007(),
            Level::Ordinal,
        )
        .unwrap()
    }

    #[test]
    fn splitmix_reference_values() {
        // First outputs for seed 1234567, from the reference C implementation
        // (Vigna, splitmix64.c) as listed in the test vectors of several ports.
        let mut rng = SplitMix64::new(1234567);
        let got: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(
            got,
            [
                6457827717110365317,
                3203168211198807973,
                9817491932198370423
            ]
        );
    }

    #[test]
    fn same_seed_same_distribution() {
        let a = hk2007();
        assert_eq!(a.bootstrap(500, 7).unwrap(), a.bootstrap(500, 7).unwrap());
        assert_ne!(
            a.bootstrap(500, 7).unwrap().alphas,
            a.bootstrap(500, 8).unwrap().alphas
        );
    }

    #[test]
    fn interval_contains_alpha_and_q_is_monotone() {
        // Hayes & Krippendorff (2007), Table 1 data (ordinal, α = .7598).
        let a = hk2007();
        let b = a.bootstrap(5000, 2007).unwrap();
        let alpha = a.estimate.value().unwrap();
        assert!(b.ci_low < alpha && alpha < b.ci_high, "{b:?}");
        assert!(alpha - b.ci_low < 0.15 && b.ci_high - alpha < 0.15, "{b:?}");
        assert_eq!(b.draws_per_sample, 239);
        let q667 = b.probability_below(0.667);
        let q800 = b.probability_below(0.800);
        assert!(q667 <= q800);
        assert_eq!(b.q_below, vec![(0.667, q667), (0.800, q800)]);
    }

    #[test]
    fn undefined_alpha_cannot_be_bootstrapped() {
        let a = alpha(&[vec![Some(1.0), Some(1.0)]], Level::Nominal).unwrap();
        assert!(matches!(a.bootstrap(10, 1), Err(Error::UndefinedAlpha(_))));
        assert!(matches!(
            hk2007().bootstrap(0, 1),
            Err(Error::InvalidArgument(_))
        ));
    }

    proptest! {
        #[test]
        fn q_is_monotone_and_interval_ordered(seed in any::<u64>(), m1 in -1.0f64..1.0, m2 in -1.0f64..1.0) {
            let b = hk2007().bootstrap(200, seed).unwrap();
            let (lo, hi) = if m1 <= m2 { (m1, m2) } else { (m2, m1) };
            prop_assert!(b.probability_below(lo) <= b.probability_below(hi));
            prop_assert!(b.ci_low <= b.ci_high);
            prop_assert!(b.alphas.iter().all(|a| (-1.0..=1.0).contains(a)));
        }
    }
}
