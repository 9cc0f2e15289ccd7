//! Character offsets and word counts.
//!
//! Every stored offset counts Unicode scalar values (Rust `char`s), end exclusive, as
//! REFI-QDA does. Rust strings index by bytes, so the conversions live here, in one place,
//! and run in linear time.

/// Converts character offsets into byte offsets of one text, in one left-to-right pass.
///
/// Build it once per document; each lookup is a binary search over a sparse table of
/// checkpoints, so converting all passages of a document stays `O(n log n)` at worst.
#[derive(Debug, Clone)]
pub struct CharIndex {
    /// Byte offset of every 64th character, plus the end.
    checkpoints: Vec<usize>,
    chars: usize,
    ascii: bool,
}

const STRIDE: usize = 64;

impl CharIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> CharIndex {
        if text.is_ascii() {
            return CharIndex {
                checkpoints: Vec::new(),
                chars: text.len(),
                ascii: true,
            };
        }
        let mut checkpoints = Vec::with_capacity(text.len() / STRIDE + 2);
        let mut chars = 0;
        for (byte, _) in text.char_indices() {
            if chars % STRIDE == 0 {
                checkpoints.push(byte);
            }
            chars += 1;
        }
        CharIndex {
            checkpoints,
            chars,
            ascii: false,
        }
    }

    /// The number of characters in the text.
    pub fn len_chars(&self) -> usize {
        self.chars
    }

    /// The byte offset of character `pos` in `text` (the text this index was built from);
    /// `pos == len_chars()` gives `text.len()`. `None` when out of range.
    pub fn byte_of(&self, text: &str, pos: usize) -> Option<usize> {
        if pos > self.chars {
            return None;
        }
        if self.ascii {
            return Some(pos);
        }
        if pos == self.chars {
            return Some(text.len());
        }
        let base = *self.checkpoints.get(pos / STRIDE)?;
        let skip = pos % STRIDE;
        text.get(base..)?
            .char_indices()
            .nth(skip)
            .map(|(b, _)| base + b)
    }

    /// The text between two character offsets.
    pub fn slice<'a>(&self, text: &'a str, start: usize, end: usize) -> Option<&'a str> {
        if start > end {
            return None;
        }
        text.get(self.byte_of(text, start)?..self.byte_of(text, end)?)
    }

    /// The character offset of byte offset `byte` (which must be on a char boundary).
    pub fn char_of(&self, text: &str, byte: usize) -> Option<usize> {
        if !text.is_char_boundary(byte) {
            return None;
        }
        if self.ascii {
            return Some(byte);
        }
        let k = self
            .checkpoints
            .partition_point(|&b| b <= byte)
            .checked_sub(1)?;
        let base = self.checkpoints[k];
        Some(k * STRIDE + text.get(base..byte)?.chars().count())
    }
}

/// The text between two character offsets, or `None` when the range does not fit.
/// For many lookups into one text, build a [`CharIndex`].
pub fn char_slice(text: &str, start: usize, end: usize) -> Option<&str> {
    if start > end {
        return None;
    }
    let mut it = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()));
    let s = it.nth(start)?;
    let e = if end == start {
        s
    } else {
        it.nth(end - start - 1)?
    };
    text.get(s..e)
}

/// Whether `c` belongs to a word: a letter or digit, or a combining diacritical mark
/// (`e\u{301}` in decomposed text is one letter).
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric() || ('\u{300}'..='\u{36F}').contains(&c)
    }
}

/// Whether `c` joins two word characters into one word: apostrophes (`don't`, `l’été`)
/// and hyphens (`Anna-Liisa`, also U+2010 and the non-breaking U+2011).
pub fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '\u{2010}' | '\u{2011}')
}

/// Counts words: runs of word characters ([`is_word_char`]), where a joiner
/// ([`is_joiner`]) between two of them stays inside the word (`don't`, `Anna-Liisa` are
/// one word each).
///
/// Every stored word count comes from here (documents, passages, tables), so it is on the
/// import path of every passage: ASCII bytes are classified without decoding.
pub fn word_count(text: &str) -> usize {
    /// The char at byte `i` and its length; `i` is on a char boundary.
    #[inline]
    fn at(text: &str, i: usize) -> Option<(char, usize)> {
        let b = *text.as_bytes().get(i)?;
        if b.is_ascii() {
            Some((char::from(b), 1))
        } else {
            let c = text.get(i..)?.chars().next()?;
            Some((c, c.len_utf8()))
        }
    }
    let mut count = 0;
    let mut in_word = false;
    let mut i = 0;
    while let Some((c, len)) = at(text, i) {
        i += len;
        if is_word_char(c) {
            if !in_word {
                count += 1;
                in_word = true;
            }
        } else if in_word && is_joiner(c) && at(text, i).is_some_and(|(n, _)| is_word_char(n)) {
            // Joiner inside a word: stay in the word.
        } else {
            in_word = false;
        }
    }
    count
}

/// Words of a whole text and of character ranges in it, in one pass over the text:
/// `(word_count(text), [word_count(slice) for each range])`, exactly. Ranges must lie in
/// the text (out-of-range ends are clamped) and may come in any order.
///
/// Importing counts a document's words and every passage's words; reading the text once
/// for all of them keeps that at one pass however the passages lie.
pub fn word_counts(text: &str, ranges: &[(usize, usize)]) -> (usize, Vec<usize>) {
    // Where a word starts depends only on the two characters before it (a joiner keeps a
    // word going only between two word characters), so a range counts the word starts of
    // the whole text from its third character on, plus its first two characters read as
    // the start of a text of their own.
    let mut starts = Vec::new();
    // Whether each character is a word character, a bit per character; ASCII bytes are
    // classified without decoding (this is on the import path of every document).
    let mut word_bits: Vec<u64> = Vec::with_capacity(text.len() / 64 + 1);
    let (mut bits, mut i) = (0u64, 0usize);
    let (mut in_word, mut prev_joiner_in_word) = (false, false);
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        let (word, joiner) = if b.is_ascii() {
            at += 1;
            (b.is_ascii_alphanumeric(), b == b'\'' || b == b'-')
        } else {
            let c = text[at..].chars().next().unwrap_or(' ');
            at += c.len_utf8();
            (is_word_char(c), is_joiner(c))
        };
        if word {
            bits |= 1 << (i % 64);
            if !in_word && !prev_joiner_in_word {
                starts.push(i);
            }
            in_word = true;
            prev_joiner_in_word = false;
        } else {
            // A joiner right after a word keeps the word open only if a word char follows.
            prev_joiner_in_word = in_word && joiner;
            in_word = false;
        }
        i += 1;
        if i % 64 == 0 {
            word_bits.push(bits);
            bits = 0;
        }
    }
    word_bits.push(bits);
    let n = i;
    let is_word = |k: usize| word_bits[k / 64] >> (k % 64) & 1 == 1;
    let counts = ranges
        .iter()
        .map(|&(s, e)| {
            let (s, e) = (s.min(n), e.min(n));
            if s >= e {
                return 0;
            }
            let from = (s + 2).min(e);
            let later = starts.partition_point(|&x| x < e) - starts.partition_point(|&x| x < from);
            let first = usize::from(is_word(s));
            let second = usize::from(s + 1 < e && is_word(s + 1) && !is_word(s));
            later + first + second
        })
        .collect();
    (starts.len(), counts)
}

/// Character spans (start, end exclusive) of the words of a text, by the rule of
/// [`word_count`]: `word_spans(t).len() == word_count(t)`.
pub fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = None;
    for (i, &c) in chars.iter().enumerate() {
        if is_word_char(c) {
            if start.is_none() {
                start = Some(i);
            }
        } else if start.is_some()
            && is_joiner(c)
            && chars.get(i + 1).is_some_and(|&n| is_word_char(n))
        {
            // A joiner inside a word.
        } else if let Some(s) = start.take() {
            out.push((s, i));
        }
    }
    if let Some(s) = start {
        out.push((s, chars.len()));
    }
    out
}

/// The words a character range touches, as a range of indices into `spans` (the output
/// of [`word_spans`] for the same text); `start` and `end` are character offsets into that
/// text. A word cut by the range counts as touched, so coded words are never undercounted.
pub fn word_range(spans: &[(usize, usize)], start: usize, end: usize) -> (u32, u32) {
    let first = spans.partition_point(|w| w.1 <= start);
    let last = spans.partition_point(|w| w.0 < end.max(start));
    let last = last.max(first);
    (first as u32, last as u32)
}

/// The straightforward form of [`word_count`], which the fast one must equal.
#[cfg(test)]
fn word_count_reference(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    let word = |c: char| c.is_alphanumeric() || ('\u{300}'..='\u{36F}').contains(&c);
    while let Some(c) = chars.next() {
        if word(c) {
            if !in_word {
                count += 1;
                in_word = true;
            }
        } else if in_word
            && matches!(c, '\'' | '’' | '-' | '\u{2010}' | '\u{2011}')
            && chars.peek().is_some_and(|&n| word(n))
        {
            // Joiner inside a word.
        } else {
            in_word = false;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn slices_by_characters() {
        let t = "Päivi — ok 👍 Åsa";
        assert_eq!(char_slice(t, 0, 5), Some("Päivi"));
        assert_eq!(char_slice(t, 6, 7), Some("—"));
        assert_eq!(char_slice(t, 11, 12), Some("👍"));
        assert_eq!(char_slice(t, 13, 16), Some("Åsa"));
        assert_eq!(char_slice(t, 16, 16), Some(""));
        assert_eq!(char_slice(t, 16, 17), None);
        assert_eq!(char_slice(t, 3, 2), None);
        let idx = CharIndex::new(t);
        assert_eq!(idx.slice(t, 13, 16), Some("Åsa"));
        assert_eq!(idx.len_chars(), 16);
    }

    #[test]
    fn counts_words() {
        assert_eq!(word_count(""), 0);
        assert_eq!(
            word_count("Päivi Mäkelä said: don't — Anna-Liisa's map, 2013!"),
            7
        );
        assert_eq!(word_count("  -- ' "), 0);
        assert_eq!(word_count("emoji 👍 stays out"), 3);
        let check = |text: &str, expected: usize| {
            assert_eq!(word_count(text), expected, "{text:?}");
            assert_eq!(word_spans(text).len(), expected, "{text:?}");
        };
        check("   \n\t", 0);
        check("Anna-Liisa O'Brien", 2);
        check("Anna\u{2010}Liisa and Anna\u{2011}Liisa", 3);
        check("l’été — déjà vu", 3);
        check("well -- no", 2);
        check("'quoted' words-", 2);
        check("3 things, 2024-03-12", 3);
        check("Hyvää päivää 🙂🎉 ok", 3);
        check("e\u{301}te\u{301} decomposed", 2);
        check("東京 is big", 3);
        assert_eq!(word_spans("a don't—b"), [(0, 1), (2, 7), (8, 9)]);
    }

    #[test]
    fn word_ranges_touch_cut_words() {
        let text = "Päivi said: don't order";
        let spans = word_spans(text);
        assert_eq!(word_range(&spans, 0, 5), (0, 1));
        assert_eq!(word_range(&spans, 2, 8), (0, 2)); // cuts Päivi and said
        assert_eq!(word_range(&spans, 10, 11), (2, 2)); // ": " touches no word
        assert_eq!(word_range(&spans, 12, 23), (2, 4));
        assert_eq!(word_range(&spans, 5, 5), (1, 1));
        let check = |text: &str, range: (usize, usize), expected: (u32, u32)| {
            let spans = word_spans(text);
            assert_eq!(
                word_range(&spans, range.0, range.1),
                expected,
                "{text:?} {range:?}"
            );
        };
        check("Don't map it, Anna-Liisa!", (0, 25), (0, 4));
        check("one two three", (5, 9), (1, 3));
        check("one two three", (3, 4), (1, 1));
        check("one two", (5, 5), (1, 2));
        check("Päivi sanoo 👍 näin", (6, 19), (1, 3));
    }

    proptest! {
        #[test]
        fn word_count_equals_the_reference(s in "[a-zA-Z0-9äöåÄÖ'’\\- —👍\u{300}\u{301}\u{2010}\u{2011}\n.,]{0,200}") {
            prop_assert_eq!(word_count(&s), word_count_reference(&s));
            prop_assert_eq!(word_spans(&s).len(), word_count(&s));
        }

        #[test]
        fn word_counts_equal_counting_each_slice(
            s in "[a-zA-Z0-9äö'’\\- —👍\u{301}\u{2011}\n.,]{0,120}",
            cuts in proptest::collection::vec((0usize..130, 0usize..130), 0..8),
        ) {
            let n = s.chars().count();
            let ranges: Vec<(usize, usize)> = cuts
                .into_iter()
                .map(|(a, b)| (a.min(b).min(n), a.max(b).min(n)))
                .collect();
            let (total, each) = word_counts(&s, &ranges);
            prop_assert_eq!(total, word_count(&s));
            for (&(a, b), got) in ranges.iter().zip(each) {
                let slice = char_slice(&s, a, b).unwrap();
                prop_assert_eq!(got, word_count(slice), "{:?} {}..{}", slice, a, b);
            }
        }

        #[test]
        fn char_index_agrees_with_naive(s in "[a-zäöå—👍 \n]{0,300}", a in 0usize..320, b in 0usize..320) {
            let idx = CharIndex::new(&s);
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert_eq!(idx.slice(&s, lo, hi), char_slice(&s, lo, hi));
            if let Some(byte) = idx.byte_of(&s, lo) {
                prop_assert_eq!(idx.char_of(&s, byte), Some(lo));
            }
        }
    }
}
