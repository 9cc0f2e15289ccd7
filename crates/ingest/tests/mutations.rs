//! A stable stand-in for the cargo-fuzz targets in `fuzz/`: damaged copies of real fixtures (bytes flipped, cut short) must be refused or read, never panic, and what is read keeps the passage invariants.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use ambit_ingest::{extract_all, format_for_path, Options};
use proptest::prelude::*;

const FIXTURES: &[&str] = &[
    "good/transcript.docx",
    "good/transcript.odt",
    "good/transcript.pdf",
    "good/page.html",
    "good/thread.eml",
    "good/glossary.mbox",
    "good/survey.csv",
];

fn fixture(i: usize) -> (String, Vec<u8>) {
    let name = FIXTURES[i % FIXTURES.len()];
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/corpus")
        .join(name);
    (name.to_owned(), std::fs::read(path).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("MUTATION_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(200),
        ..ProptestConfig::default()
    })]

    #[test]
    fn damaged_files_never_panic(
        which in 0usize..100,
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..16),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let (name, mut bytes) = fixture(which);
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        let format = format_for_path(Path::new(&name)).unwrap();
        let opts = Options {
            text_columns: vec!["What works better now?".into()],
            ..Options::default()
        };
        if let Ok(docs) = extract_all(&name, &bytes, format, &opts) {
            for doc in docs {
                let chars = doc.text.chars().count();
                let mut last = 0;
                for p in &doc.passages {
                    prop_assert!(last <= p.start && p.start <= p.end && p.end <= chars, "{name}: {p:?}");
                    last = p.end;
                }
            }
        }
    }
}
