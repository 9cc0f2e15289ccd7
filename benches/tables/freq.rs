//! Benchmark: the code × phase table over 10 million generated codings.
//!
//! Run with `cargo bench -p ambit-tables --bench freq` (release). It prints the best and
//! median of five runs for the default table (coded passages) and the other measures; the
//! target is under one second for the default table.

use std::time::{Duration, Instant};

use ambit_core::{DocId, DocKind};
use ambit_tables::{
    cooccur, freq, CodeInfo, CodingInfo, CooccurScope, DocInfo, FreqSpec, Measure, Overlap,
    PassageInfo, PhaseInfo, Selection, TableInput,
};

/// A small deterministic generator (xorshift64*), so every run measures the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// 10 themes with 4 sub-codes each, 6 phases, 20,000 documents of 50 passages, and
/// `n` codings, a tenth of them spanning two passages.
fn generate(n: usize) -> TableInput {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let phases = (0..6)
        .map(|i| PhaseInfo {
            id: format!("P{i}"),
            label: format!("Phase {i}"),
        })
        .collect();
    let mut codes = Vec::new();
    for t in 0..10 {
        let parent = codes.len();
        codes.push(CodeInfo {
            id: format!("t{t}"),
            name: format!("Theme {t}"),
            parent: None,
            color: None,
        });
        for c in 0..4 {
            codes.push(CodeInfo {
                id: format!("t{t}.c{c}"),
                name: format!("Code {t}.{c}"),
                parent: Some(parent),
                color: None,
            });
        }
    }
    let ndocs = 20_000;
    let per_doc = 50;
    let documents = (0..ndocs)
        .map(|d| DocInfo {
            id: DocId(d as u32),
            title: String::new(),
            kind: DocKind::Interview,
            date: None,
            phase: (d % 7 < 6).then_some(d % 7),
            attributes: Default::default(),
        })
        .collect();
    let passages: Vec<PassageInfo> = (0..ndocs * per_doc)
        .map(|p| PassageInfo {
            doc: (p / per_doc) as u32,
            speaker: None,
            words: 40 + (p % 60) as u32,
        })
        .collect();
    let mut codings = Vec::with_capacity(n);
    let mut overlaps = Vec::with_capacity(n + n / 10);
    for k in 0..n {
        let code = rng.below(codes.len() as u64) as u32;
        codings.push(CodingInfo {
            code,
            coder: (k % 2) as u32,
        });
        let p = rng.below(passages.len() as u64 - 1) as u32;
        let words = passages[p as usize].words;
        let a = rng.below(u64::from(words)) as u32;
        overlaps.push(Overlap {
            coding: k as u32,
            passage: p,
            first_word: a,
            end_word: words,
        });
        if k % 10 == 0 {
            overlaps.push(Overlap {
                coding: k as u32,
                passage: p + 1,
                first_word: 0,
                end_word: 5,
            });
        }
    }
    TableInput {
        phases,
        codes,
        documents,
        passages,
        speakers: Vec::new(),
        coders: vec!["a".into(), "b".into()],
        codings,
        overlaps,
    }
}

fn time(label: &str, mut f: impl FnMut()) -> Duration {
    let mut runs: Vec<Duration> = (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    runs.sort();
    println!(
        "{label:<40} best {:>8.1?}  median {:>8.1?}",
        runs[0], runs[2]
    );
    runs[2]
}

fn main() {
    let n = std::env::var("AMBIT_BENCH_CODINGS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let t = Instant::now();
    let input = generate(n);
    println!(
        "generated {n} codings ({} overlaps) on {} passages in {:.1?}",
        input.overlaps.len(),
        input.passages.len(),
        t.elapsed()
    );
    let mut cells = 0.0;
    let median = time("code x phase, passages (default)", || {
        let table = freq(&input, &FreqSpec::default()).expect("table");
        cells = table.rows[0].values.iter().sum::<f64>();
    });
    for m in [
        Measure::Codings,
        Measure::Documents,
        Measure::Words,
        Measure::Per1k,
    ] {
        time(&format!("code x phase, {m}"), || {
            let spec = FreqSpec {
                measure: m,
                ..FreqSpec::default()
            };
            freq(&input, &spec).expect("table");
        });
    }
    time("co-occurrence", || {
        cooccur(&input, &Selection::default(), &CooccurScope::All).expect("table");
    });
    println!("(theme t0 total: {cells} passages)");
    println!(
        "default table: {}",
        if median < Duration::from_secs(1) {
            "under 1 s"
        } else {
            "OVER 1 s"
        }
    );
}
