//! The QDPX benchmark: generates a large project in memory and times `write_qdpx`, or times `read_qdpx` on a file.
//!
//! ```text
//! qdpx_bench export OUT.qdpx [--docs 1000] [--mb 100] [--codings 500000] [--seed 7] [--model-only]
//! qdpx_bench import FILE.qdpx [--no-texts]
//! ```
//!
//! The project is deterministic (SplitMix64): transcripts of speaker turns with Finnish,
//! Swedish and English words, about a fifth of the lines holding a non-ASCII letter and some
//! an emoji; the bundled `ambidexterity` codebook (25 codes with rules); three coders;
//! codings of 3 to 40 words, 60% manual, 35% by rule, 5% imported, 1% with a memo; a
//! timeline of four phases; document dates, kinds and attributes. Only the call being
//! measured is timed; run under `/usr/bin/time -v` for peak memory (`run.sh` does).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::process::ExitCode;
use std::time::Instant;

use ambit_coding::Codebook;
use ambit_core::{Date, DocKind, Origin, Phase};
use ambit_qdpx::{
    read_qdpx, write_qdpx, CodeTree, Coding, Note, NoteTarget, Project, ReadOptions, Selection,
    Source, User, WriteOptions,
};

/// SplitMix64: small, fast, and the same numbers on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "the",
    "order",
    "we",
    "process",
    "model",
    "tilaus",
    "hankinta",
    "och",
    "inköp",
    "betyder",
    "what",
    "do",
    "you",
    "mean",
    "by",
    "that",
    "field",
    "format",
    "xml",
    "excel",
    "sap",
    "meeting",
    "workshop",
    "työpaja",
    "prosessi",
    "kysymys",
    "priority",
    "meaning",
    "shared",
    "understanding",
    "coordination",
    "plan",
    "rule",
    "exploration",
    "exploitation",
    "new",
    "routine",
    "käytäntö",
    "så",
    "att",
    "är",
    "det",
    "inte",
    "samma",
    "sak",
    "ymmärrys",
    "really",
    "always",
    "phone",
    "repairs",
    "customer",
    "asiakas",
    "kund",
    "boundary",
];
const SPEAKERS: &[&str] = &["Päivi", "Kari", "Anna-Liisa", "Erik", "Moderator"];
const CODERS: &[&str] = &["Päivi", "kari", "R. Researcher"];

/// One document of about `bytes` bytes, with the char offsets of its word starts and ends.
fn document(rng: &mut Rng, bytes: usize) -> (String, Vec<(usize, usize)>) {
    let mut text = String::with_capacity(bytes + 256);
    let mut words = Vec::with_capacity(bytes / 6);
    let mut chars = 0usize;
    let push = |text: &mut String, s: &str, chars: &mut usize| {
        text.push_str(s);
        *chars += s.chars().count();
    };
    while text.len() < bytes {
        let speaker = SPEAKERS[rng.below(SPEAKERS.len())];
        push(&mut text, speaker, &mut chars);
        push(&mut text, ": ", &mut chars);
        for w in 0..5 + rng.below(40) {
            if w > 0 {
                push(&mut text, " ", &mut chars);
            }
            let word = WORDS[rng.below(WORDS.len())];
            let start = chars;
            push(&mut text, word, &mut chars);
            words.push((start, chars));
            if rng.below(60) == 0 {
                push(&mut text, " 🙂", &mut chars);
            }
        }
        push(&mut text, ".\n\n", &mut chars);
    }
    (text, words)
}

struct Args {
    docs: usize,
    mb: usize,
    codings: usize,
    seed: u64,
}

fn project(a: &Args) -> Project {
    let mut rng = Rng(a.seed);
    let mut p = Project::new("Benchmark study", "bench-study-key");
    p.created = Some("2024-03-01T09:30:00Z".into());
    p.users = CODERS.iter().map(|c| User::new(c)).collect();
    let template = ambit_coding::template("ambidexterity").unwrap_or_default();
    let codebook = Codebook::parse(template).expect("the bundled template parses");
    p.codebook = CodeTree::from_codebook(&codebook);
    let codes: Vec<(String, Vec<String>)> = codebook
        .codes()
        .iter()
        .map(|c| (c.id.clone(), c.rules.iter().map(|r| r.id.clone()).collect()))
        .collect();
    let d = |s: &str| Date::parse(s).expect("a fixed date");
    p.phases = vec![
        Phase::new("baseline", "Baseline", d("2013-01-07"), d("2013-03-17")),
        Phase::new("I1", "Intervention 1", d("2013-03-18"), d("2013-04-14")),
        Phase::new("I2", "Intervention 2", d("2013-04-15"), d("2013-09-01")),
        Phase::new("follow-up", "Follow-up", d("2013-09-02"), d("2014-06-30")),
    ];
    let bytes_per_doc = a.mb * 1_000_000 / a.docs.max(1);
    let codings_per_doc = a.codings / a.docs.max(1);
    for i in 0..a.docs {
        let (text, words) = document(&mut rng, bytes_per_doc);
        let mut s = Source::new(&format!("D{}", i + 1), &format!("Workshop {}", i + 1), "");
        s.kind = Some(DocKind::ALL[i % 3]);
        s.date = Date::from_ymd(2013, 1 + (i % 12) as u8, 1 + (i % 28) as u8).ok();
        s.attributes = BTreeMap::from([
            (
                "organisation".to_owned(),
                ["Saimaa Paper Oy", "Norrvik", "Kuopio"][i % 3].to_owned(),
            ),
            ("participants".to_owned(), (3 + i % 9).to_string()),
        ]);
        let mut ranges: Vec<(usize, usize, Coding)> = Vec::with_capacity(codings_per_doc);
        for _ in 0..codings_per_doc {
            let w = rng.below(words.len());
            let last = (w + 2 + rng.below(38)).min(words.len() - 1);
            let (code, rules) = &codes[rng.below(codes.len())];
            let coder = CODERS[rng.below(CODERS.len())];
            let origin = match rng.below(100) {
                0..=59 => Origin::Manual,
                60..=94 if !rules.is_empty() => Origin::Rule(rules[rng.below(rules.len())].clone()),
                _ => Origin::Import,
            };
            let mut c = Coding::new(code, coder, origin);
            c.created = Some(format!(
                "2024-04-{:02}T10:{:02}:00Z",
                1 + rng.below(28),
                rng.below(60)
            ));
            if rng.below(100) == 0 {
                c.memo = Some("Check this one with the group; the meaning shifts here.".into());
            }
            ranges.push((words[w].0, words[last].1, c));
        }
        ranges.sort_by_key(|(a, b, _)| (*a, *b));
        for (start, end, c) in ranges {
            match s.selections.last_mut() {
                Some(sel) if sel.start == start && sel.end == end => sel.codings.push(c),
                _ => {
                    let mut sel = Selection::new(start, end);
                    sel.codings.push(c);
                    s.selections.push(sel);
                }
            }
        }
        s.text = text;
        p.sources.push(s);
    }
    for i in 0..100.min(a.docs) {
        p.notes.push(Note {
            key: format!("M{i}"),
            name: format!("Memo {i}"),
            text: "A memo on the document: the group returns to the order question.".into(),
            author: Some(CODERS[i % 3].into()),
            created: Some("2024-05-01T12:00:00Z".into()),
            targets: vec![NoteTarget::Source(format!("D{}", i + 1))],
            guid: None,
        });
    }
    p
}

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(cmd), Some(path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: qdpx_bench export OUT.qdpx [--docs N] [--mb N] [--codings N] [--seed N] [--model-only]\n       qdpx_bench import FILE.qdpx [--no-texts]");
        return ExitCode::from(2);
    };
    match cmd.as_str() {
        "export" => {
            let a = Args {
                docs: arg(&args, "--docs", 1000),
                mb: arg(&args, "--mb", 100),
                codings: arg(&args, "--codings", 500_000),
                seed: arg(&args, "--seed", 7),
            };
            let t = Instant::now();
            let p = project(&a);
            let text: usize = p.sources.iter().map(|s| s.text.len()).sum();
            let codings: usize = p
                .sources
                .iter()
                .flat_map(|s| &s.selections)
                .map(|s| s.codings.len())
                .sum();
            println!(
                "model: {} documents, {:.1} MB of text, {codings} codings, built in {:.2} s",
                p.sources.len(),
                text as f64 / 1e6,
                t.elapsed().as_secs_f64()
            );
            if args.iter().any(|a| a == "--model-only") {
                return ExitCode::SUCCESS;
            }
            let file = match File::create(path) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("{path}: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let t = Instant::now();
            match write_qdpx(&p, BufWriter::new(file), &WriteOptions::default()) {
                Ok(r) => {
                    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
                    println!(
                        "export: {:.2} s, {} selections, {} codings, {} notes, {:.1} MB file",
                        t.elapsed().as_secs_f64(),
                        r.selections,
                        r.codings,
                        r.notes,
                        size as f64 / 1e6
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("export failed: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        "import" => {
            let file = match File::open(path) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("{path}: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let opts = ReadOptions {
                name: path.clone(),
                selection_texts: !args.iter().any(|a| a == "--no-texts"),
                ..ReadOptions::default()
            };
            let t = Instant::now();
            match read_qdpx(BufReader::new(file), &opts) {
                Ok((p, r)) => {
                    let passages: usize = p.sources.iter().map(|s| s.passages.len()).sum();
                    println!(
                        "import: {:.2} s, {} documents, {passages} passages, {} codings, {} selection texts, {} unplaced, {} tolerated",
                        t.elapsed().as_secs_f64(),
                        r.sources.len(),
                        r.codings,
                        r.selections.len(),
                        r.unplaced.len(),
                        r.tolerated.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("import failed: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("unknown command `{cmd}`: export or import");
            ExitCode::from(2)
        }
    }
}
