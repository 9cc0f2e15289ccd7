//! Indexes `passages.tsv` from `benches/search/gen.py` straight into an index folder and
//! reports MB/s: the indexing throughput without the store or the CLI around it.
//!
//! `cargo run --release -p ambit-index --example bench_index -- passages.tsv /tmp/ix`
#![allow(clippy::unwrap_used)]

use std::io::BufRead;
use std::time::Instant;

use ambit_core::{DocKind, PassageId};
use ambit_index::{Index, Record, Stemming};

const PHASES: [&str; 6] = ["baseline", "I1", "between", "I2", "I3", "followup"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (tsv, dir) = (&args[1], std::path::Path::new(&args[2]));
    let _ = std::fs::remove_dir_all(dir);
    let file = std::io::BufReader::new(std::fs::File::open(tsv)?);
    let mut records = Vec::new();
    for line in file.lines() {
        let line = line?;
        let mut parts = line.splitn(3, '\t');
        let (id, phase, text) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        records.push(Record {
            passage: PassageId::parse(id)?,
            title: "generated".into(),
            text: text.to_string(),
            start: 0,
            end: text.chars().count(),
            speaker: None,
            kind: DocKind::Interview,
            phase: phase.to_string(),
            phase_order: PHASES.iter().position(|p| *p == phase).unwrap_or(99) as u32,
            date: None,
            attributes: Default::default(),
            codes: Vec::new(),
        });
    }
    let bytes: usize = records.iter().map(|r| r.text.len()).sum();
    let started = Instant::now();
    let index = Index::create(dir, Stemming::for_language("en").unwrap())?;
    let mut writer = index.writer()?;
    for r in &records {
        writer.add(r)?;
    }
    writer.commit(1, "")?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} passages, {:.1} MB in {secs:.1} s: {:.1} MB/s",
        records.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs
    );
    Ok(())
}
