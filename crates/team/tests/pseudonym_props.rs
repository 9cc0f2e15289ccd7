//! Property tests of pseudonymisation: random keys and texts full of names written every
//! which way; no name survives, and offsets map exactly.
// Helpers outside `#[test]` functions unwrap too: a panic is a failed test here.
#![allow(clippy::unwrap_used)]

use ambit_team::pseudonym::{Key, Options, Pseudonymiser};
use proptest::prelude::*;

const NAMES: &[&str] = &[
    "Päivi Järvinen",
    "Kari",
    "Anna-Liisa Virtanen",
    "Åsa Lind",
    "O'Brien",
    "Zoë Öhman",
    "Jyrki",
    "Dr Eero Mäki",
];

/// Pieces of text: names in various spellings, words that contain names without being
/// them, separators of every kind.
const PIECES: &[&str] = &[
    "Päivi Järvinen",
    "PÄIVI JÄRVINEN",
    "päivi\njärvinen",
    "Pa\u{308}ivi Ja\u{308}rvinen",
    "Päivi",
    "Järvinen",
    "Päivi's",
    "Päivi’s",
    "Kari",
    "KARI",
    "Karin",
    "Kari-Pekka",
    "Anna-Liisa",
    "Anna-Liisa Virtanen",
    "Anna‐Liisa",
    "Åsa",
    "Åsa Lind",
    "O'Brien",
    "O’Brien",
    "Zoë",
    "Zoe\u{308} Öhman",
    "Jyrki",
    "Jyrki's",
    "Eero",
    "Dr Eero Mäki",
    "said",
    "the",
    "team",
    "—",
    "👍",
    ",",
    ".",
    " ",
    "  ",
    "\n",
    "\n\n",
    "-",
    "'",
    "(",
    ")",
    "e\u{301}",
    "x",
];

fn key() -> impl Strategy<Value = String> {
    proptest::sample::subsequence(NAMES.to_vec(), 1..=NAMES.len()).prop_map(|names| {
        let mut csv = String::from("name,pseudonym\n");
        for (i, n) in names.iter().enumerate() {
            csv.push_str(&format!("{n},P{:02}\n", i + 1));
        }
        csv
    })
}

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        (
            proptest::sample::select(PIECES),
            proptest::sample::select(&[" ", "", "\n", ", "][..]),
        ),
        0..30,
    )
    .prop_map(|ps| ps.into_iter().map(|(p, sep)| format!("{p}{sep}")).collect())
}

fn slice(chars: &[char], s: usize, e: usize) -> String {
    chars[s..e].iter().collect()
}

/// Whether a range may end at `p` without the text around it changing what matches: at
/// the text's edges or next to whitespace.
fn clean_cut(chars: &[char], p: usize) -> bool {
    p == 0 || p == chars.len() || chars[p - 1].is_whitespace() || chars[p].is_whitespace()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn no_name_survives_and_offsets_map_exactly(
        key in key(),
        text in text(),
        first_names in any::<bool>(),
        cuts in proptest::collection::vec((any::<usize>(), any::<usize>()), 1..16),
    ) {
        let key = Key::parse(&key).unwrap();
        let p = Pseudonymiser::new(&key, Options { first_names }).unwrap();
        let out = p.pseudonymise(&text);
        // Nothing of the key is left, so pseudonymising again changes nothing.
        prop_assert!(p.find(&out.text).is_empty(), "{:?} -> {:?}", text, out.text);
        prop_assert_eq!(&p.pseudonymise(&out.text).text, &out.text);

        let old: Vec<char> = text.chars().collect();
        let new: Vec<char> = out.text.chars().collect();
        // Each replacement covers exactly its name and its pseudonym.
        let found = p.find(&text);
        prop_assert_eq!(found.len(), out.map.replacements().len());
        for (m, r) in found.iter().zip(out.map.replacements()) {
            prop_assert_eq!((m.start, m.end), (r.old_start, r.old_end));
            prop_assert_eq!(slice(&new, r.new_start, r.new_end), m.pseudonym.clone());
        }
        for &(a, b) in &cuts {
            let (s, e) = {
                let (a, b) = (a % (old.len() + 1), b % (old.len() + 1));
                (a.min(b), a.max(b))
            };
            let (ns, ne) = out.map.map_range(s, e);
            prop_assert!(ns <= ne && ne <= new.len());
            if s == e {
                // An empty range stays empty.
                prop_assert_eq!(ns, ne);
            } else if out.map.cuts_name(s, e) {
                // A range that cuts a name covers its whole pseudonym: what it shows is the
                // pseudonymised text of the range widened to whole names.
                let ws = out.map.replacements().iter().find(|r| r.old_start < s && s < r.old_end).map_or(s, |r| r.old_start);
                let we = out.map.replacements().iter().find(|r| r.old_start < e && e < r.old_end).map_or(e, |r| r.old_end);
                prop_assert_eq!((ns, ne), (out.map.map_start(ws), out.map.map_end(we)));
            } else if clean_cut(&old, s) && clean_cut(&old, e) {
                // The key property: the mapped range holds the pseudonymised original range.
                let alone = p.pseudonymise(&slice(&old, s, e)).text;
                prop_assert_eq!(slice(&new, ns, ne), alone, "{}..{} of {:?}", s, e, text);
            }
        }
        // Offsets keep their order.
        let mut last = 0;
        for i in 0..=old.len() {
            let m = out.map.map_start(i);
            prop_assert!(m >= last);
            last = m;
        }
    }
}
