//! Measures re-anchoring and pseudonymisation on a generated 100,000-word transcript with
//! 2,000 codings and a realistic correction (typos fixed, turns inserted, paragraphs moved,
//! sentences deleted).
//!
//!     cargo run --release -p ambit-team --example reanchor_bench [WORDS] [CODINGS] [rewrite]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ambit_core::DocId;
use ambit_team::pseudonym::{suggest_names, Key, Options, Pseudonymiser};
use ambit_team::reanchor::{reanchor, Span};

/// A small deterministic generator (xorshift), so every run measures the same texts.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "sä", "ru", "te", "vö", "na", "pi", "ja", "ko", "le", "tu", "hä", "en", "is",
    "an", "or", "mat", "st", "ri", "ön",
];
const SPEAKERS: &[&str] = &["Interviewer", "Päivi Järvinen", "Kari Mäkelä", "Åsa Lind"];

fn vocabulary(rng: &mut Rng, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let k = 1 + rng.below(3);
            (0..k)
                .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
                .collect()
        })
        .collect()
}

/// Turns of about `words` words in all: `(speaker, sentences)`.
fn transcript(rng: &mut Rng, vocab: &[String], words: usize) -> Vec<(usize, Vec<Vec<String>>)> {
    let mut turns = Vec::new();
    let mut total = 0;
    while total < words {
        let sentences: Vec<Vec<String>> = (0..1 + rng.below(5))
            .map(|_| {
                let n = 4 + rng.below(14);
                total += n;
                let mut s: Vec<String> = (0..n)
                    .map(|_| vocab[rng.below(vocab.len())].clone())
                    .collect();
                if rng.below(20) == 0 {
                    s.insert(rng.below(n), "—".to_string());
                }
                if rng.below(30) == 0 {
                    s.push("👍".to_string());
                }
                if rng.below(25) == 0 {
                    s.insert(
                        rng.below(n),
                        ["Päivi", "Kari", "Åsa"][rng.below(3)].to_string(),
                    );
                }
                s
            })
            .collect();
        turns.push((rng.below(SPEAKERS.len()), sentences));
    }
    turns
}

fn render(turns: &[(usize, Vec<Vec<String>>)]) -> String {
    let mut out = String::new();
    for (speaker, sentences) in turns {
        out.push_str(SPEAKERS[*speaker]);
        out.push_str(": ");
        let body: Vec<String> = sentences
            .iter()
            .map(|s| {
                let mut t = s.join(" ");
                if let Some(first) = t.get(..1) {
                    t = first.to_uppercase() + &t[1..];
                }
                t + "."
            })
            .collect();
        out.push_str(&body.join(" "));
        out.push_str("\n\n");
    }
    out
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let words = args.first().copied().unwrap_or(100_000);
    let codings = args.get(1).copied().unwrap_or(2_000);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let vocab = vocabulary(&mut rng, 3_000);
    let corrected = transcript(&mut rng, &vocab, words);

    // The old version has typos (two letters swapped) that the correction fixes.
    let mut old_turns = corrected.clone();
    for _ in 0..words / 300 {
        let t = rng.below(old_turns.len());
        let s = rng.below(old_turns[t].1.len());
        let sentence = &mut old_turns[t].1[s];
        let w = rng.below(sentence.len());
        let chars: Vec<char> = sentence[w].chars().collect();
        if chars.len() >= 3 {
            let i = rng.below(chars.len() - 1);
            let mut c = chars.clone();
            c.swap(i, i + 1);
            sentence[w] = c.into_iter().collect();
        }
    }
    // The new version also has turns inserted, sentences deleted and paragraphs moved.
    let mut new_turns = corrected;
    for _ in 0..words / 2_000 {
        let at = rng.below(new_turns.len());
        let extra = transcript(&mut rng, &vocab, 20);
        new_turns.splice(at..at, extra);
    }
    for _ in 0..words / 5_000 {
        let t = rng.below(new_turns.len());
        if new_turns[t].1.len() > 1 {
            let s = rng.below(new_turns[t].1.len());
            new_turns[t].1.remove(s);
        }
    }
    for _ in 0..words / 10_000 {
        let from = rng.below(new_turns.len());
        let turn = new_turns.remove(from);
        let to = rng.below(new_turns.len());
        new_turns.insert(to, turn);
    }
    let old = render(&old_turns);
    // `rewrite` as a third argument measures the worst case instead: a new text that shares
    // only its vocabulary with the old one, so every coding is searched for in all of it.
    let rewrite = std::env::args().any(|a| a == "rewrite");
    let new = if rewrite {
        render(&transcript(&mut rng, &vocab, words))
    } else {
        render(&new_turns)
    };

    // Codings of 3 to 40 words, starting and ending on word edges.
    let old_chars: Vec<char> = old.chars().collect();
    let starts: Vec<usize> = (1..old_chars.len())
        .filter(|&i| old_chars[i - 1] == ' ' && old_chars[i] != ' ')
        .collect();
    let spans: Vec<Span> = (0..codings)
        .map(|i| {
            let w = rng.below(starts.len());
            let len = 3 + rng.below(38);
            let start = starts[w];
            let end = starts.get(w + len).map_or(old_chars.len(), |&e| e - 1);
            Span {
                id: i as i64,
                start,
                end,
            }
        })
        .collect();

    let time = |f: &mut dyn FnMut()| {
        let mut best = Duration::MAX;
        for _ in 0..5 {
            let t = Instant::now();
            f();
            best = best.min(t.elapsed());
        }
        best
    };
    let mut result = Vec::new();
    let took = time(&mut || result = reanchor(&old, &new, &spans).unwrap_or_default());
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &result {
        *by_status.entry(a.status.as_str()).or_default() += 1;
    }
    let review = result.iter().filter(|a| a.needs_review).count();
    println!(
        "text: {} words, {} chars (old), {} chars (new); {} codings",
        ambit_core::text::word_count(&old),
        old_chars.len(),
        new.chars().count(),
        spans.len()
    );
    println!("reanchor: {:.1} ms (best of 5)", took.as_secs_f64() * 1e3);
    println!("outcomes: {by_status:?}; needs review: {review}");

    let key = Key::parse("name,pseudonym\nPäivi Järvinen,P01\nKari Mäkelä,P02\nÅsa Lind,P03\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let p =
        Pseudonymiser::new(&key, Options { first_names: true }).unwrap_or_else(|e| panic!("{e}"));
    let mut replaced = 0;
    let took = time(&mut || replaced = p.pseudonymise(&new).map.replacements().len());
    println!(
        "pseudonymise: {:.1} ms (best of 5), {replaced} names replaced",
        took.as_secs_f64() * 1e3
    );
    let docs: Vec<(DocId, &str)> = vec![(DocId(1), old.as_str()), (DocId(2), new.as_str())];
    let mut found = Vec::new();
    let took = time(&mut || found = suggest_names(&docs, &[]));
    let names: Vec<String> = found
        .iter()
        .take(10)
        .map(|c| format!("{} ({} docs, {}×)", c.name, c.documents, c.occurrences))
        .collect();
    println!(
        "suggest_names (2 documents): {:.1} ms (best of 5), {} candidates: {}",
        took.as_secs_f64() * 1e3,
        found.len(),
        names.join(", ")
    );
}
