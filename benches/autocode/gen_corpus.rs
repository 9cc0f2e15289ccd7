//! Deterministic generator of a large transcript corpus for the auto-coding benchmark.
//!
//! ```text
//! gen_corpus OUT_DIR SIZE_MB [--seed N] [--file-kb KB]
//! ```
//!
//! Writes `OUT_DIR/tNNNNN.txt` files of about `KB` kilobytes (default 100) until `SIZE_MB`
//! megabytes are written. Each file is a workshop or interview transcript: a title line, then
//! `Name: text` speaker turns separated by blank lines, one turn per line, so that a ripgrep line
//! and an Ambit passage are the same unit. The vocabulary mixes filler conversation with the
//! keywords, phrases, `near` pairs and example quotes of the bundled codebook, and Nordic names
//! and places (`Päivi Mäkelä`, `Jyväskylä`) so that about a third of the turns are not ASCII.
//! The same seed always gives byte-identical output.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use ambit_coding::{template, Codebook};

/// SplitMix64: tiny, fast and fully determined by its seed, which is all a corpus generator needs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 1000 < percent * 10
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn word<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.below(words.len())]
    }
}

const FILLER: &[&str] = &[
    "the",
    "the",
    "the",
    "a",
    "a",
    "and",
    "and",
    "to",
    "to",
    "of",
    "of",
    "in",
    "is",
    "it",
    "it",
    "that",
    "that",
    "we",
    "we",
    "you",
    "you",
    "they",
    "I",
    "I",
    "he",
    "she",
    "this",
    "for",
    "on",
    "with",
    "but",
    "so",
    "so",
    "then",
    "when",
    "if",
    "not",
    "no",
    "yes",
    "just",
    "also",
    "there",
    "here",
    "what",
    "how",
    "why",
    "who",
    "our",
    "their",
    "your",
    "my",
    "was",
    "were",
    "have",
    "has",
    "had",
    "do",
    "does",
    "did",
    "can",
    "could",
    "would",
    "should",
    "will",
    "must",
    "maybe",
    "really",
    "quite",
    "very",
    "again",
    "already",
    "still",
    "always",
    "never",
    "sometimes",
    "often",
    "usually",
    "first",
    "second",
    "next",
    "last",
    "before",
    "after",
    "morning",
    "night",
    "week",
    "month",
    "day",
    "hour",
    "minutes",
    "time",
    "people",
    "person",
    "guys",
    "team",
    "company",
    "customer",
    "customers",
    "supplier",
    "technician",
    "technicians",
    "engineer",
    "operator",
    "foreman",
    "manager",
    "office",
    "mill",
    "plant",
    "site",
    "line",
    "machine",
    "pump",
    "drive",
    "motor",
    "bearing",
    "valve",
    "sensor",
    "alarm",
    "shutdown",
    "shift",
    "request",
    "requests",
    "ticket",
    "tickets",
    "order",
    "orders",
    "invoice",
    "invoices",
    "portal",
    "system",
    "phone",
    "call",
    "calls",
    "email",
    "message",
    "report",
    "list",
    "number",
    "numbers",
    "part",
    "parts",
    "spare",
    "stock",
    "warehouse",
    "truck",
    "contract",
    "price",
    "budget",
    "money",
    "problem",
    "problems",
    "issue",
    "thing",
    "things",
    "way",
    "work",
    "works",
    "working",
    "job",
    "jobs",
    "fix",
    "fixed",
    "broken",
    "breaks",
    "stops",
    "stopped",
    "runs",
    "running",
    "waiting",
    "wait",
    "late",
    "early",
    "urgent",
    "normal",
    "small",
    "big",
    "long",
    "short",
    "good",
    "bad",
    "better",
    "worse",
    "easy",
    "hard",
    "difficult",
    "simple",
    "clear",
    "same",
    "other",
    "another",
    "new",
    "old",
    "whole",
    "half",
    "all",
    "some",
    "many",
    "much",
    "more",
    "less",
    "every",
    "each",
    "one",
    "two",
    "three",
    "four",
    "five",
    "ten",
    "twenty",
    "know",
    "think",
    "say",
    "said",
    "tell",
    "told",
    "see",
    "saw",
    "look",
    "looks",
    "ask",
    "asked",
    "send",
    "sent",
    "get",
    "got",
    "go",
    "goes",
    "went",
    "come",
    "comes",
    "came",
    "make",
    "makes",
    "made",
    "take",
    "takes",
    "took",
    "need",
    "needs",
    "want",
    "wants",
    "put",
    "write",
    "check",
    "checked",
    "find",
    "found",
    "give",
    "keep",
    "try",
    "tried",
    "start",
    "started",
    "finish",
    "finished",
    "remember",
    "understand",
    "mean",
    "right",
    "okay",
    "well",
    "yeah",
    "exactly",
    "honestly",
    "basically",
    "actually",
    "probably",
    "perhaps",
    "anyway",
    "because",
    "about",
    "around",
    "between",
    "through",
    "from",
    "into",
    "out",
    "up",
    "down",
    "over",
    "back",
    "only",
    "even",
    "like",
    "than",
    "other",
    "people's",
    "don't",
    "doesn't",
    "didn't",
    "it's",
    "that's",
    "there's",
    "we're",
    "they're",
    "I'm",
    "can't",
    "PM3",
    "SAP",
    "Excel",
    "Kaleva",
    "Saimaa",
    "Norrvik",
    "Pohjola",
];

/// Nordic and other non-ASCII names, places and words, so the ASCII fast paths are not all
/// that gets exercised.
const NON_ASCII: &[&str] = &[
    "Päivi",
    "Mäkelä",
    "Åsa",
    "Ström",
    "Järvinen",
    "Söderberg",
    "Rönkkö",
    "Kääriäinen",
    "Nyström",
    "Jyväskylä",
    "Göteborg",
    "Malmö",
    "Hämeenlinna",
    "Tórshavn",
    "Ørsted",
    "Zoë",
    "José",
    "Müller",
    "Øyvind",
    "café",
    "naïve",
    "työmaa",
    "kiitos",
    "Ströms",
    "Söner",
    "Åbo",
    "€",
    "—",
    "“okay”",
    "it’s",
    "we’re",
    "Pöyry",
    "Väisälä",
    "smörgåsbord",
];

const SPEAKERS: &[&str] = &[
    "Dr. Anna Virtanen",
    "Erik Nyström",
    "Päivi Mäkelä",
    "Mikko Lindqvist",
    "Kari Järvinen",
    "Sanna Kääriäinen",
    "Åsa Ström",
    "Olli Rönkkö",
    "Lars Söderberg",
    "Jussi Heikkinen",
    "Tiina Laine",
    "Björn Ek",
    "Anders Holm",
    "Maria Korhonen",
];

const KINDS: &[&str] = &[
    "workshop",
    "interview",
    "workshop",
    "interview",
    "fieldnote",
];

/// Terms taken from the codebook: single words and phrases to sprinkle in, `near` pairs, and
/// whole example quotes.
struct Vocabulary {
    terms: Vec<String>,
    pairs: Vec<(String, String, u32)>,
    quotes: Vec<String>,
}

/// A concrete word for a wildcard term: `escalat*` becomes `escalation`, `escalated`, …
fn realise(raw: &str, rng: &mut Rng) -> String {
    const SUFFIXES: &[&str] = &["", "s", "ion", "ing", "ed", "ity", "es"];
    let t = raw.trim();
    let left = t.starts_with('*');
    let t = t.trim_matches('*');
    let mut out = String::new();
    if left {
        out.push_str(rng.word(&["re", "un", "co", ""]));
    }
    out.push_str(t);
    if raw.trim().ends_with('*') {
        out.push_str(rng.word(SUFFIXES));
    }
    out
}

fn vocabulary(codebook: &Codebook, rng: &mut Rng) -> Vocabulary {
    let mut terms = Vec::new();
    let mut pairs = Vec::new();
    let mut quotes = Vec::new();
    for code in codebook.codes() {
        quotes.extend(code.examples.iter().cloned());
        for rule in &code.rules {
            for raw in rule.keywords.iter().chain(&rule.phrases) {
                // Several spellings of each wildcard so the corpus is not one repeated word.
                for _ in 0..3 {
                    terms.push(realise(raw, rng));
                }
            }
            for n in &rule.near {
                if let [a, b] = n.terms.as_slice() {
                    pairs.push((realise(a, rng), realise(b, rng), n.within));
                }
            }
        }
    }
    Vocabulary {
        terms,
        pairs,
        quotes,
    }
}

fn capitalise(word: &str, out: &mut String) {
    let mut chars = word.chars();
    if let Some(c) = chars.next() {
        out.extend(c.to_uppercase());
        out.push_str(chars.as_str());
    }
}

/// One sentence of 5 to 20 words: filler with codebook terms, `near` pairs and non-ASCII words
/// mixed in; now and then a whole example quote or a `[laughter]`.
fn sentence(v: &Vocabulary, rng: &mut Rng, out: &mut String) {
    if rng.chance(3) {
        out.push_str(rng.pick(&v.quotes).as_str());
        return;
    }
    let len = 5 + rng.below(16);
    for i in 0..len {
        let word: String = if rng.chance(2) {
            rng.pick(&v.terms).clone()
        } else if rng.chance(1) {
            let (a, b, within) = rng.pick(&v.pairs);
            let gap = rng.below(*within as usize + 4);
            let mut s = a.clone();
            for _ in 0..gap {
                s.push(' ');
                s.push_str(rng.word(FILLER));
            }
            s.push(' ');
            s.push_str(b);
            s
        } else if rng.chance(2) {
            rng.word(NON_ASCII).to_string()
        } else {
            rng.word(FILLER).to_string()
        };
        if i == 0 {
            capitalise(&word, out);
        } else {
            out.push(' ');
            out.push_str(&word);
        }
    }
    out.push_str(rng.word(&[".", ".", ".", ".", "?", ",", "!", " —"]));
    if rng.chance(4) {
        out.push_str(" [laughter]");
    }
}

fn turn(v: &Vocabulary, rng: &mut Rng, speakers: &[&str], out: &mut String) {
    out.push_str(rng.word(speakers));
    out.push_str(": ");
    let sentences = 1 + rng.below(6);
    for i in 0..sentences {
        if i > 0 {
            out.push(' ');
        }
        sentence(v, rng, out);
    }
    out.push_str("\n\n");
}

fn run(dir: &PathBuf, size_mb: u64, seed: u64, file_kb: u64) -> std::io::Result<(u64, u64)> {
    let src = template("ambidexterity").unwrap_or_default();
    let codebook = Codebook::parse(src).map_err(std::io::Error::other)?;
    let mut rng = Rng(seed);
    let vocab = vocabulary(&codebook, &mut rng);
    fs::create_dir_all(dir)?;
    let target = size_mb * 1024 * 1024;
    let file_bytes = file_kb as usize * 1024;
    let mut written = 0u64;
    let mut files = 0u64;
    let mut buf = String::with_capacity(file_bytes + 4096);
    while written < target {
        buf.clear();
        let kind = rng.word(KINDS);
        // Each transcript has three to six participants, like a real session.
        let n = 3 + rng.below(4);
        let speakers: Vec<&str> = (0..n).map(|_| rng.word(SPEAKERS)).collect();
        buf.push_str(&format!(
            "Generated {kind} transcript {files} of the Ambit auto-coding benchmark, seed {seed}.\n\n"
        ));
        while buf.len() < file_bytes {
            turn(&vocab, &mut rng, &speakers, &mut buf);
        }
        let path = dir.join(format!("t{files:05}_{kind}.txt"));
        let mut f = BufWriter::new(File::create(path)?);
        f.write_all(buf.as_bytes())?;
        f.flush()?;
        written += buf.len() as u64;
        files += 1;
    }
    Ok((files, written))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let mut seed = 5u64;
    let mut file_kb = 100u64;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seed" => seed = it.next().and_then(|s| s.parse().ok()).unwrap_or(seed),
            "--file-kb" => file_kb = it.next().and_then(|s| s.parse().ok()).unwrap_or(file_kb),
            _ => positional.push(a.clone()),
        }
    }
    let (Some(dir), Some(size)) = (positional.first(), positional.get(1)) else {
        eprintln!("usage: gen_corpus OUT_DIR SIZE_MB [--seed N] [--file-kb KB]");
        return ExitCode::from(2);
    };
    let Ok(size_mb) = size.parse::<u64>() else {
        eprintln!("SIZE_MB must be a whole number, got {size:?}");
        return ExitCode::from(2);
    };
    match run(&PathBuf::from(dir), size_mb, seed, file_kb.max(1)) {
        Ok((files, bytes)) => {
            println!("wrote {files} files, {bytes} bytes to {dir}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_corpus: {e}");
            ExitCode::FAILURE
        }
    }
}
