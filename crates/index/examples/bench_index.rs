//! Indexes `passages.tsv` from `benches/search/gen.py` straight into an index folder and
//! reports MB/s: the indexing throughput without the store or the CLI around it.
//!
//! `cargo run --release -p ambit-index --example bench_index -- passages.tsv /tmp/ix`
#![allow(clippy::unwrap_used)]

use std::io::BufRead;
use std::time::Instant;

use ambit_core::PassageId;
use ambit_index::{Index, Record, Stemming};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (tsv, dir) = (&args[1], std::path::Path::new(&args[2]));
    let _ = std::fs::remove_dir_all(dir);
    let file = std::io::BufReader::new(std::fs::File::open(tsv)?);
    let mut records = Vec::new();
    for line in file.lines() {
        let line = line?;
        let mut parts = line.splitn(3, '\t');
        // The phase (second column) is the document's, so it is not indexed.
        let (id, _phase, text) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        records.push((PassageId::parse(id)?, text.to_string()));
    }
    let bytes: usize = records.iter().map(|r| r.1.len()).sum();
    let started = Instant::now();
    let index = Index::create(dir, Stemming::for_language("en").unwrap())?;
    let mut writer = index.writer()?;
    for (passage, text) in &records {
        writer.add(&Record {
            passage: *passage,
            text,
            speaker: None,
            codes: &[],
        })?;
    }
    writer.commit(1)?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} passages, {:.1} MB in {secs:.1} s: {:.1} MB/s",
        records.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs
    );
    Ok(())
}
