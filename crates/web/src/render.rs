//! Cutting a passage's text at coding boundaries, so that each piece is one run of text
//! covered by the same codings: the reader highlights pieces, and the browser maps a
//! selection back to character offsets through each piece's start.

/// A coding as the reader draws it: its id, range (characters into the document, end
/// exclusive) and the position of its code in the codebook (for its colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub id: i64,
    pub start: usize,
    pub end: usize,
    pub code: usize,
    /// Made by hand (drawn stronger than rule-made codings).
    pub manual: bool,
}

/// A run of text covered by the same codings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece<'t> {
    /// Start, in characters into the document.
    pub start: usize,
    pub text: &'t str,
    /// Indices into the spans given to [`pieces`]: manual ones first, then shortest (most
    /// specific) first.
    pub covered: Vec<usize>,
}

/// Cuts `text` (a passage starting at character `base` of the document) into pieces.
/// `spans` must be sorted by start; `active` carries the spans that may still cover text
/// from one passage to the next (the caller keeps it across passages, so that a document
/// with thousands of passages and codings is cut in one pass).
pub fn pieces<'t>(
    text: &'t str,
    base: usize,
    spans: &[Span],
    next: &mut usize,
    active: &mut Vec<usize>,
) -> Vec<Piece<'t>> {
    let len = text.chars().count();
    let end = base + len;
    while *next < spans.len() && spans[*next].start < end {
        active.push(*next);
        *next += 1;
    }
    active.retain(|&i| spans[i].end > base);
    // Empty codings cover no text, so they draw nothing.
    let here: Vec<usize> = active
        .iter()
        .copied()
        .filter(|&i| spans[i].start < spans[i].end && spans[i].start < end)
        .collect();
    let mut cuts: Vec<usize> = vec![0, len];
    for &i in &here {
        let s = &spans[i];
        cuts.push(s.start.saturating_sub(base).min(len));
        cuts.push(s.end.saturating_sub(base).min(len));
    }
    cuts.sort_unstable();
    cuts.dedup();
    // Byte offsets of the cuts, found in one walk over the characters.
    let mut bytes = Vec::with_capacity(cuts.len());
    let mut k = 0;
    for (ci, (bi, _)) in text.char_indices().enumerate() {
        while k < cuts.len() && cuts[k] == ci {
            bytes.push(bi);
            k += 1;
        }
    }
    while k < cuts.len() {
        bytes.push(text.len());
        k += 1;
    }
    let mut out = Vec::with_capacity(cuts.len());
    for w in 0..cuts.len().saturating_sub(1) {
        let (a, b) = (base + cuts[w], base + cuts[w + 1]);
        let mut covered: Vec<usize> = here
            .iter()
            .copied()
            .filter(|&i| spans[i].start <= a && spans[i].end >= b)
            .collect();
        // Codings made by hand first (they are the reading the researcher is building;
        // rules only suggest), then the most specific.
        covered.sort_by_key(|&i| (!spans[i].manual, spans[i].end - spans[i].start, spans[i].id));
        out.push(Piece {
            start: a,
            text: &text[bytes[w]..bytes[w + 1]],
            covered,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cuts `passages` (base, text) with `spans` (start, end); each piece is written as
    /// `start:text[ids]`.
    fn check(passages: &[(usize, &str)], spans: &[(usize, usize)], expected: &[&str]) {
        let spans: Vec<Span> = spans
            .iter()
            .enumerate()
            .map(|(i, &(start, end))| Span {
                id: i as i64,
                start,
                end,
                code: 0,
                manual: false,
            })
            .collect();
        let (mut next, mut active) = (0, Vec::new());
        let mut got = Vec::new();
        for (base, text) in passages {
            let ps = pieces(text, *base, &spans, &mut next, &mut active);
            let joined: String = ps.iter().map(|p| p.text).collect();
            assert_eq!(&joined, text, "pieces put together give the passage");
            for p in ps {
                let ids: Vec<String> = p.covered.iter().map(|i| spans[*i].id.to_string()).collect();
                got.push(format!("{}:{}[{}]", p.start, p.text, ids.join(",")));
            }
        }
        assert_eq!(got, expected);
    }

    #[test]
    fn uncoded_passage_is_one_piece() {
        check(&[(5, "hello")], &[], &["5:hello[]"]);
    }

    #[test]
    fn overlapping_codings_cut_three_ways() {
        check(
            &[(0, "one two three")],
            &[(0, 7), (4, 13)],
            &["0:one [0]", "4:two[0,1]", "7: three[1]"],
        );
    }

    #[test]
    fn nested_coding_lists_the_shortest_first() {
        check(
            &[(0, "abcdef")],
            &[(0, 6), (2, 4)],
            &["0:ab[0]", "2:cd[1,0]", "4:ef[0]"],
        );
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        // 👍 is one character (two UTF-16 units, four bytes); the combining ring of the
        // decomposed å is a character of its own.
        check(
            &[(10, "👍 Åsa a\u{30A}")],
            &[(12, 15), (16, 18)],
            &["10:👍 []", "12:Åsa[0]", "15: []", "16:a\u{30A}[1]"],
        );
    }

    #[test]
    fn manual_codings_come_before_rule_codings() {
        let spans = [
            Span {
                id: 1,
                start: 0,
                end: 3,
                code: 0,
                manual: false,
            },
            Span {
                id: 2,
                start: 0,
                end: 9,
                code: 1,
                manual: true,
            },
        ];
        let (mut next, mut active) = (0, Vec::new());
        let ps = pieces("abcdefghi", 0, &spans, &mut next, &mut active);
        assert_eq!(ps[0].covered, [1, 0]);
    }

    #[test]
    fn coding_across_passages_and_empty_codings() {
        check(
            &[(0, "first"), (7, "second")],
            &[(3, 10), (4, 4)],
            &["0:fir[]", "3:st[0]", "7:sec[0]", "10:ond[]"],
        );
    }
}
