//! Times the auto-coding matcher over a folder of transcripts held in memory, for comparison
//! with `rg -c -f patterns.txt` over the same folder (see `benches/autocode/run.sh`).
//!
//! ```text
//! cargo run --release -p ambit-coding --example bench_autocode -- CORPUS_DIR [--repeat N] [--sequential] [--codebook FILE]
//! ```
//!
//! Every `*.txt` file is read into memory and split into passages the way the generator writes
//! them (one `Name: text` turn per line; the label becomes the speaker), then the bundled
//! `ambidexterity` codebook (or `--codebook`) is compiled once and [`Matcher::run`] (or
//! `run_sequential`) is timed `N` times over all passages; the best run counts. Reading and
//! splitting are not timed. Throughput is corpus bytes (whole files, labels included) per
//! second, the same measure as for ripgrep.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ambit_coding::{template, Codebook, Matcher, PassageInput};
use ambit_core::DocKind;

const PHASES: &[&str] = &["baseline", "I1", "between", "I2", "I3", "followup"];

struct Doc {
    kind: DocKind,
    phase: &'static str,
    text: String,
}

fn kind_of(name: &str) -> DocKind {
    if name.contains("_workshop") {
        DocKind::Workshop
    } else if name.contains("_interview") {
        DocKind::Interview
    } else {
        DocKind::Observation
    }
}

/// `Name: text` → (Some(Name), text), when the part before the colon looks like a name.
fn split_label(line: &str) -> (Option<&str>, &str) {
    if let Some((label, rest)) = line.split_once(": ") {
        if label.len() <= 40
            && label.starts_with(char::is_uppercase)
            && !label.contains([',', '?', '!', '"'])
        {
            return (Some(label), rest);
        }
    }
    (None, line)
}

fn load(dir: &PathBuf) -> std::io::Result<Vec<Doc>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let mut docs = Vec::with_capacity(paths.len());
    for (i, path) in paths.iter().enumerate() {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        docs.push(Doc {
            kind: kind_of(name.as_deref().unwrap_or("")),
            phase: PHASES[i % PHASES.len()],
            text: std::fs::read_to_string(path)?,
        });
    }
    Ok(docs)
}

fn passages(docs: &[Doc]) -> Vec<PassageInput<'_>> {
    let mut out = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        for line in doc.text.lines().filter(|l| !l.trim().is_empty()) {
            let (speaker, text) = split_label(line);
            out.push(PassageInput {
                doc: u32::try_from(i).unwrap_or(u32::MAX),
                text,
                speaker,
                kind: doc.kind,
                phase: Some(doc.phase),
                codes: &[],
            });
        }
    }
    out
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut dir = None;
    let mut repeat = 3usize;
    let mut sequential = false;
    let mut codebook_file = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--repeat" => repeat = it.next().and_then(|s| s.parse().ok()).unwrap_or(repeat),
            "--sequential" => sequential = true,
            "--codebook" => codebook_file = it.next().cloned(),
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: bench_autocode CORPUS_DIR [--repeat N] [--sequential] [--codebook FILE]");
        return ExitCode::from(2);
    };
    let src = match &codebook_file {
        Some(f) => match std::fs::read_to_string(f) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("bench_autocode: reading {f}: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => template("ambidexterity").unwrap_or_default().to_owned(),
    };
    let matcher = match Codebook::parse(&src).and_then(|cb| Matcher::compile(&cb, None)) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("bench_autocode: {e}");
            return ExitCode::FAILURE;
        }
    };

    let load_start = Instant::now();
    let docs = match load(&dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("bench_autocode: reading {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    };
    let inputs = passages(&docs);
    let corpus_bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let passage_bytes: usize = inputs.iter().map(|p| p.text.len()).sum();
    let non_ascii = inputs.iter().filter(|p| !p.text.is_ascii()).count();
    eprintln!(
        "loaded {} files, {} passages ({} not ASCII), {:.1} MiB ({:.1} MiB of passage text) in {:.1?}; {} rules",
        docs.len(),
        inputs.len(),
        non_ascii,
        mib(corpus_bytes),
        mib(passage_bytes),
        load_start.elapsed(),
        matcher.rule_count(),
    );

    let mut best = Duration::MAX;
    let mut hits = Vec::new();
    for round in 1..=repeat.max(1) {
        let start = Instant::now();
        hits = if sequential {
            matcher.run_sequential(&inputs)
        } else {
            matcher.run(&inputs)
        };
        let took = start.elapsed();
        eprintln!(
            "run {round}: {:.3} s, {:.1} MiB/s, {} rule hits",
            took.as_secs_f64(),
            mib(corpus_bytes) / took.as_secs_f64(),
            hits.len()
        );
        best = best.min(took);
    }

    let mut per_code: BTreeMap<&str, usize> = BTreeMap::new();
    let mut coded = 0;
    let mut last = usize::MAX;
    for h in &hits {
        *per_code.entry(h.code.as_str()).or_default() += 1;
        if h.passage != last {
            coded += 1;
            last = h.passage;
        }
    }
    for (code, n) in &per_code {
        eprintln!("  {code:<22} {n:>9}");
    }
    eprintln!(
        "{coded} of {} passages coded ({:.1}%)",
        inputs.len(),
        100.0 * coded as f64 / inputs.len().max(1) as f64
    );
    // One machine-readable line for run.sh.
    println!(
        "ambit mode={} seconds={:.4} bytes={} mib_per_s={:.1} passages={} hits={}",
        if sequential { "sequential" } else { "parallel" },
        best.as_secs_f64(),
        corpus_bytes,
        mib(corpus_bytes) / best.as_secs_f64(),
        inputs.len(),
        hits.len()
    );
    ExitCode::SUCCESS
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
