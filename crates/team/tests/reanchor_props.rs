//! Property tests of re-anchoring: random texts, random codings, random edits whose effect on
//! every character is known, so each coding's ground truth is known too.
// Helpers outside `#[test]` functions unwrap too: a panic is a failed test here.
#![allow(clippy::unwrap_used)]

use ambit_team::reanchor::{reanchor, Span, Status};
use proptest::prelude::*;

/// Words with repeats (so the diff has ambiguous choices), non-ASCII letters, combining
/// marks, emoji, dashes and apostrophes.
const WORDS: &[&str] = &[
    "the",
    "team",
    "budget",
    "Päivi",
    "öljy",
    "äänestys",
    "—",
    "👍",
    "e\u{301}te\u{301}",
    "a",
    "an",
    "cut",
    "Åsa",
    "said",
    "ok",
    "no",
    "🙂🎉",
    "naïve",
    "x",
    "don't",
    "Anna-Liisa",
    "the",
    "a",
    "we",
    "cut",
];

fn paragraph() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(proptest::sample::select(WORDS), 1..10),
        proptest::sample::select(&[".", "!", "?", ",", ""][..]),
        proptest::sample::select(&["", "P1: ", "Päivi: "][..]),
    )
        .prop_map(|(words, end, speaker)| format!("{speaker}{}{end}", words.join(" ")))
}

fn text() -> impl Strategy<Value = String> {
    (proptest::collection::vec(paragraph(), 1..8), any::<bool>()).prop_map(|(ps, crlf)| {
        let t = ps.join("\n\n");
        if crlf {
            t.replace('\n', "\r\n")
        } else {
            t
        }
    })
}

/// An edit; positions are taken modulo the current length.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, String),
    Delete(usize, usize),
    Replace(usize, usize, String),
    MoveParagraph(usize, usize),
    ToCrlf,
    ToLf,
}

fn edit() -> impl Strategy<Value = Edit> {
    let snippet =
        proptest::collection::vec(proptest::sample::select(WORDS), 1..4).prop_map(|w| w.join(" "));
    prop_oneof![
        3 => (any::<usize>(), snippet.clone()).prop_map(|(a, s)| Edit::Insert(a, s)),
        2 => (any::<usize>(), 1usize..12).prop_map(|(a, n)| Edit::Delete(a, n)),
        3 => (any::<usize>(), 1usize..6, snippet).prop_map(|(a, n, s)| Edit::Replace(a, n, s)),
        1 => (any::<usize>(), any::<usize>(), proptest::sample::select(&["\n\nP2: sorry. ", " ", "\n"][..]))
            .prop_map(|(a, _, s)| Edit::Insert(a, s.to_string())),
        3 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::MoveParagraph(a, b)),
        1 => Just(Edit::ToCrlf),
        1 => Just(Edit::ToLf),
    ]
}

/// A character and the position it had in the old text (`None`: inserted).
type Traced = Vec<(char, Option<usize>)>;

fn inserted(s: &str) -> Traced {
    s.chars().map(|c| (c, None)).collect()
}

/// Splits into paragraphs and the separators (runs of line-break characters holding at
/// least two `\n`) between them.
fn paragraphs(t: &Traced) -> (Vec<Traced>, Vec<Traced>) {
    let (mut paras, mut seps) = (vec![Vec::new()], Vec::new());
    let mut i = 0;
    while i < t.len() {
        let run = t[i..]
            .iter()
            .take_while(|(c, _)| matches!(c, '\n' | '\r'))
            .count();
        if t[i..i + run].iter().filter(|(c, _)| *c == '\n').count() >= 2 {
            seps.push(t[i..i + run].to_vec());
            paras.push(Vec::new());
            i += run;
        } else {
            if let Some(p) = paras.last_mut() {
                p.push(t[i]);
            }
            i += 1;
        }
    }
    (paras, seps)
}

fn apply(t: &mut Traced, edit: &Edit) {
    let n = t.len();
    match edit {
        Edit::Insert(at, s) => {
            let at = at % (n + 1);
            t.splice(at..at, inserted(s));
        }
        Edit::Delete(at, len) | Edit::Replace(at, len, _) if n > 0 => {
            let at = at % n;
            let end = (at + len).min(n);
            let with = match edit {
                Edit::Replace(_, _, s) => inserted(s),
                _ => Vec::new(),
            };
            t.splice(at..end, with);
        }
        Edit::Delete(..) | Edit::Replace(..) => {}
        Edit::MoveParagraph(from, to) => {
            let (mut paras, seps) = paragraphs(t);
            let k = paras.len();
            if k < 2 {
                return;
            }
            let p = paras.remove(from % k);
            paras.insert(to % k, p);
            let mut out = Vec::with_capacity(n);
            for (i, p) in paras.into_iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(&seps[i - 1]);
                }
                out.extend(p);
            }
            *t = out;
        }
        Edit::ToCrlf => {
            let mut out = Vec::with_capacity(n + n / 8);
            for (i, &(c, o)) in t.iter().enumerate() {
                if c == '\n' && (i == 0 || t[i - 1].0 != '\r') {
                    out.push(('\r', None));
                }
                out.push((c, o));
            }
            *t = out;
        }
        Edit::ToLf => {
            let keep: Vec<bool> = (0..n)
                .map(|i| !(t[i].0 == '\r' && t.get(i + 1).is_some_and(|c| c.0 == '\n')))
                .collect();
            let mut i = 0;
            t.retain(|_| {
                i += 1;
                keep[i - 1]
            });
        }
    }
}

fn slice(chars: &[char], s: usize, e: usize) -> String {
    chars[s..e].iter().collect()
}

/// Re-anchors random codings of `old` through `edits` and checks every outcome against
/// what the edits did to the coding's characters.
fn check(old: &str, edits: &[Edit], picks: &[(usize, usize)]) -> Result<(), TestCaseError> {
    let old_chars: Vec<char> = old.chars().collect();
    let mut traced: Traced = old_chars
        .iter()
        .enumerate()
        .map(|(i, &c)| (c, Some(i)))
        .collect();
    for e in edits {
        apply(&mut traced, e);
    }
    let new: String = traced.iter().map(|c| c.0).collect();
    let new_chars: Vec<char> = new.chars().collect();
    let n = old_chars.len();
    let spans: Vec<Span> = picks
        .iter()
        .enumerate()
        .map(|(i, &(s, len))| {
            let start = s % (n + 1);
            Span {
                id: i as i64,
                start,
                end: (start + len).min(n),
            }
        })
        .collect();
    let got = reanchor(old, &new, &spans).unwrap();
    prop_assert_eq!(got.len(), spans.len());
    for (span, a) in spans.iter().zip(&got) {
        prop_assert_eq!(a.id, span.id);
        let quote = slice(&old_chars, span.start, span.end);
        prop_assert_eq!(&a.old_quote, &quote);
        // Where the edit put the coding's characters, if it left them together.
        let len = span.end - span.start;
        let untouched = len == 0
            || traced
                .iter()
                .position(|c| c.1 == Some(span.start))
                .is_some_and(|i| {
                    (0..len).all(|k| {
                        traced
                            .get(i + k)
                            .is_some_and(|c| c.1 == Some(span.start + k))
                    })
                });
        match (a.new_start, a.new_end) {
            (Some(s), Some(e)) => {
                // Every range lies in the new text.
                prop_assert!(s <= e && e <= new_chars.len(), "{:?}", a);
                let at = slice(&new_chars, s, e);
                prop_assert_eq!(a.new_quote.as_deref(), Some(at.as_str()));
                match a.status {
                    Status::Kept => prop_assert_eq!((s, e, &at), (span.start, span.end, &quote)),
                    Status::Moved => prop_assert_eq!(&at, &quote),
                    Status::Shrunk | Status::Grown | Status::Edited => {
                        prop_assert!(
                            !new.contains(&quote),
                            "{:?} changed but its text is still there",
                            a
                        );
                        prop_assert!(a.needs_review);
                    }
                    Status::Lost => prop_assert!(false, "lost with a range: {:?}", a),
                }
            }
            (None, None) => {
                prop_assert_eq!(a.status, Status::Lost);
                // Lost only when its text really is gone.
                prop_assert!(
                    !new.contains(&quote),
                    "{:?} lost but its text is still there",
                    a
                );
                prop_assert!(!untouched);
            }
            _ => prop_assert!(false, "half a range: {:?}", a),
        }
        // The key invariant: text the edit did not touch is found exactly.
        if untouched {
            prop_assert!(
                matches!(a.status, Status::Kept | Status::Moved),
                "{:?} {:?}",
                edits,
                a
            );
            prop_assert_eq!(a.new_quote.as_deref(), Some(quote.as_str()));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn codings_follow_their_text(
        old in text(),
        edits in proptest::collection::vec(edit(), 1..5),
        picks in proptest::collection::vec((any::<usize>(), 0usize..40), 1..12),
    ) {
        check(&old, &edits, &picks)?;
    }

    /// The same on texts of two letters, where nearly every alignment is ambiguous.
    #[test]
    fn codings_follow_their_text_in_repetitive_texts(
        old in "[ab \n]{0,80}",
        edits in proptest::collection::vec(
            prop_oneof![
                (any::<usize>(), "[ab \n]{1,6}").prop_map(|(a, s)| Edit::Insert(a, s)),
                (any::<usize>(), 1usize..6).prop_map(|(a, n)| Edit::Delete(a, n)),
                (any::<usize>(), 1usize..4, "[ab]{1,4}").prop_map(|(a, n, s)| Edit::Replace(a, n, s)),
                (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::MoveParagraph(a, b)),
            ],
            1..4,
        ),
        picks in proptest::collection::vec((any::<usize>(), 0usize..20), 1..8),
    ) {
        check(&old, &edits, &picks)?;
    }

    /// Codings before an insertion keep their text (a larger share of such cases than
    /// random edits give).
    #[test]
    fn codings_before_an_insertion_keep_their_text(
        old in text(),
        at in any::<usize>(),
        insert in "[a-zä👍 \n]{1,20}",
        picks in proptest::collection::vec((any::<usize>(), 0usize..30), 1..8),
    ) {
        let chars: Vec<char> = old.chars().collect();
        let at = at % (chars.len() + 1);
        let new: String = chars[..at].iter().chain(insert.chars().collect::<Vec<_>>().iter()).chain(chars[at..].iter()).collect();
        let spans: Vec<Span> = picks
            .iter()
            .enumerate()
            .filter_map(|(i, &(s, len))| {
                let start = s % (at + 1);
                let end = (start + len).min(at);
                (start < end).then_some(Span { id: i as i64, start, end })
            })
            .collect();
        for a in reanchor(&old, &new, &spans).unwrap() {
            let quote: String = chars[a.old_start..a.old_end].iter().collect();
            prop_assert_eq!(a.new_quote.as_deref(), Some(quote.as_str()));
            prop_assert!(matches!(a.status, Status::Kept | Status::Moved));
        }
    }
}
