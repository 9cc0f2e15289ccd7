//! Concordances (keyword in context) and one-line excerpts: passages cut around their
//! matches and kept on one line, for `ambit kwic` and the text output of `ambit search`.
//!
//! Offsets are characters, as everywhere in Ambit; whitespace runs (line breaks too)
//! become one space so that every line of a concordance stays one line.

use ambit_core::{Date, DocId, PassageId};
use ambit_index::{Filter, Query, Sort};
use serde::Serialize;

use crate::error::Result;
use crate::search::{Hit, Search};

/// The order of concordance lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KwicOrder {
    /// Along the timeline (phase, date, document, passage), then by place in the passage.
    #[default]
    Timeline,
    /// By the words left of the match, nearest first, ignoring case.
    Left,
    /// By the words right of the match, ignoring case.
    Right,
}

/// One occurrence of a term with its context.
///
/// **API boundary**: a line of `ambit kwic --format json`; `--format csv` has these
/// fields as its columns, in this order. Field names, and the printed forms of the typed
/// values (`D7:12`, `D7`, `2013-03-20`), are a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KwicLine {
    /// `D7:12`.
    pub passage: PassageId,
    /// `D7`.
    pub doc: DocId,
    /// Phase id.
    pub phase: String,
    /// Document date.
    pub date: Option<Date>,
    /// Speaker.
    pub speaker: Option<String>,
    /// Up to the context width of characters before the match, on one line.
    pub left: String,
    /// The match, on one line.
    #[serde(rename = "match")]
    pub matched: String,
    /// Up to the context width of characters after the match, on one line.
    pub right: String,
    /// Character offset of the match within the passage text.
    pub start: usize,
    /// End of the match (exclusive).
    pub end: usize,
}

/// A concordance, and how many passages its lines come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concordance {
    /// One line per match.
    pub lines: Vec<KwicLine>,
    /// Passages with at least one match.
    pub passages: usize,
}

impl Search<'_, '_> {
    /// Every match of `query` in the passages that pass `filter`, with `width` characters
    /// of context either side, in `order`.
    pub fn concordance(
        &mut self,
        query: &Query,
        filter: &Filter,
        width: usize,
        order: KwicOrder,
    ) -> Result<Concordance> {
        let hits = self.hits(query, filter, Sort::Time, None)?;
        Ok(Concordance {
            lines: kwic_lines(&hits, width, order),
            passages: hits.len(),
        })
    }
}

/// The concordance lines of `hits` (one per highlighted match), `width` characters of
/// context either side, in `order` (hits are taken to be in timeline order already).
pub fn kwic_lines(hits: &[Hit], width: usize, order: KwicOrder) -> Vec<KwicLine> {
    let mut lines = Vec::new();
    for h in hits {
        let chars: Vec<char> = h.text.chars().collect();
        for &[s, e] in &h.highlights {
            // Highlights lie within their text; clamped all the same, never a panic.
            let e = e.min(chars.len());
            let s = s.min(e);
            lines.push(KwicLine {
                passage: h.passage,
                doc: h.doc,
                phase: h.phase.clone(),
                date: h.date,
                speaker: h.speaker.clone(),
                left: flat(&chars[s.saturating_sub(width)..s]),
                matched: flat(&chars[s..e]),
                right: flat(&chars[e..(e + width).min(chars.len())]),
                start: s,
                end: e,
            });
        }
    }
    // Both sorts are stable: equal contexts keep their timeline order.
    match order {
        KwicOrder::Timeline => {}
        KwicOrder::Left => lines.sort_by_cached_key(|l| {
            l.left
                .split_whitespace()
                .rev()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        }),
        KwicOrder::Right => lines.sort_by_cached_key(|l| l.right.to_lowercase()),
    }
    lines
}

/// What goes around each match in an excerpt: nothing, terminal colours, HTML tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marks<'a> {
    /// Written before each match.
    pub on: &'a str,
    /// Written after each match.
    pub off: &'a str,
}

impl Marks<'static> {
    /// Matches unmarked.
    pub const NONE: Marks<'static> = Marks { on: "", off: "" };
    /// Matches in bold red on a terminal (ANSI escapes).
    pub const TERMINAL: Marks<'static> = Marks {
        on: "\x1b[1;31m",
        off: "\x1b[0m",
    };
}

/// A one-line excerpt of a passage around its first match: `context` characters either
/// side (the first `2 × context` characters when nothing matched), every match in it
/// marked, `…` where the text goes on, trimmed.
pub fn excerpt(text: &str, highlights: &[[usize; 2]], context: usize, marks: Marks<'_>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let (from, to) = match highlights.first() {
        Some(&[s, e]) => (
            s.saturating_sub(context).min(chars.len()),
            (e + context).min(chars.len()),
        ),
        None => (0, (2 * context).min(chars.len())),
    };
    let mut line = String::new();
    if from > 0 {
        line.push('…');
    }
    let mut at = from;
    for &[s, e] in highlights {
        if e <= from || s >= to {
            continue;
        }
        // Highlights are sorted and apart; `at` keeps a stray one from going backwards.
        let (s, e) = (s.max(at), e.min(to));
        if s >= e {
            continue;
        }
        line.push_str(&flat(&chars[at..s]));
        line.push_str(marks.on);
        line.push_str(&flat(&chars[s..e]));
        line.push_str(marks.off);
        at = e;
    }
    line.push_str(&flat(&chars[at..to]));
    if to < chars.len() {
        line.push('…');
    }
    line.trim().to_string()
}

/// Whitespace runs become one space, so a keyword-in-context line stays one line.
pub fn flat(chars: &[char]) -> String {
    let mut s = String::with_capacity(chars.len());
    let mut space = false;
    for &c in chars {
        if c.is_whitespace() {
            if !space {
                s.push(' ');
            }
            space = true;
        } else {
            s.push(c);
            space = false;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use ambit_core::DocKind;

    fn hit(passage: &str, text: &str, highlights: &[[usize; 2]]) -> Hit {
        let passage = PassageId::parse(passage).unwrap();
        Hit {
            passage,
            doc: passage.doc,
            title: "t".into(),
            phase: "I1".into(),
            date: Date::parse("2013-03-20").ok(),
            kind: DocKind::Workshop,
            speaker: Some("Åsa".into()),
            start: 0,
            end: text.chars().count(),
            text: text.into(),
            score: 1.0,
            highlights: highlights.to_vec(),
        }
    }

    /// `[match]` in `text` marks the highlights; the lines come back as `left|match|right`.
    fn check(texts: &[&str], width: usize, order: KwicOrder, expected: &[&str]) {
        let hits: Vec<Hit> = texts
            .iter()
            .enumerate()
            .map(|(i, marked)| {
                let (text, ranges) = unmark(marked);
                hit(&format!("D1:{}", i + 1), &text, &ranges)
            })
            .collect();
        let got: Vec<String> = kwic_lines(&hits, width, order)
            .iter()
            .map(|l| format!("{}:{}|{}|{}", l.passage.ordinal, l.left, l.matched, l.right))
            .collect();
        assert_eq!(got, expected);
    }

    /// `a [b] c` → ("a b c", [[2, 3]]), in characters.
    fn unmark(marked: &str) -> (String, Vec<[usize; 2]>) {
        let (mut text, mut ranges, mut open) = (String::new(), Vec::new(), 0);
        for c in marked.chars() {
            match c {
                '[' => open = text.chars().count(),
                ']' => ranges.push([open, text.chars().count()]),
                _ => text.push(c),
            }
        }
        (text, ranges)
    }

    #[test]
    fn lines_cut_context_in_characters_on_one_line() {
        let t = KwicOrder::Timeline;
        check(&["We [order] parts."], 3, t, &["1:We |order| pa"]);
        check(
            &["Työ: [ordered]\n\n  by phone"],
            6,
            t,
            &["1:Työ: |ordered| by"],
        );
        check(&["[Order]"], 10, t, &["1:|Order|"]);
        check(
            &["a [purchase\norder] 👍 b", "[x] [y]"],
            2,
            t,
            &["1:a |purchase order| 👍", "2:|x| y", "2:x |y|"],
        );
    }

    #[test]
    fn lines_sort_by_either_side() {
        let texts = &[
            "the [map] Zeta",
            "a big [map] alpha",
            "one [map] Able",
            "Big [map]",
        ];
        check(
            texts,
            8,
            KwicOrder::Left,
            &[
                "4:Big |map|",
                "2:a big |map| alpha",
                "3:one |map| Able",
                "1:the |map| Zeta",
            ],
        );
        check(
            texts,
            8,
            KwicOrder::Right,
            &[
                "4:Big |map|",
                "3:one |map| Able",
                "2:a big |map| alpha",
                "1:the |map| Zeta",
            ],
        );
        check(
            texts,
            8,
            KwicOrder::Timeline,
            &[
                "1:the |map| Zeta",
                "2:a big |map| alpha",
                "3:one |map| Able",
                "4:Big |map|",
            ],
        );
    }

    #[test]
    fn excerpts() {
        let m = Marks { on: "<", off: ">" };
        let cases: &[(&str, usize, &str)] = &[
            (
                "an [order] is a [purchase order] — 👍 really",
                10,
                "an <order> is a <purc>…",
            ),
            (
                "an order is a [purchase order] — 👍 really",
                10,
                "…rder is a <purchase order> — 👍 reall…",
            ),
            (
                "nothing\nmatched here at all",
                5,
                "nothing\nmatched here at all",
            ),
            ("  [lead]ing space", 20, "<lead>ing space"),
            ("[one] [two]", 0, "<one>…"),
        ];
        for &(marked, context, expected) in cases {
            let (text, ranges) = unmark(marked);
            let got = excerpt(&text, &ranges, context, m);
            let expected = if ranges.is_empty() {
                // No match: the first 2 × context characters, on one line.
                format!(
                    "{}…",
                    flat(&text.chars().take(2 * context).collect::<Vec<_>>())
                )
            } else {
                expected.to_string()
            };
            assert_eq!(got, expected, "{marked:?}");
        }
        assert_eq!(
            excerpt("a [b] c", &[[3, 4]], 9, Marks::NONE),
            "a [b] c",
            "unmarked"
        );
    }
}
