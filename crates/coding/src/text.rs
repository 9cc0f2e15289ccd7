//! Text normalisation shared by rule compilation and matching: lower-casing, whitespace folding, word boundaries.

/// Whether `c` belongs to a word. Unicode-aware so that `ä`, `ö` and `å` are letters;
/// combining marks count too, so decomposed (NFD) text does not split words.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || ('\u{300}'..='\u{36f}').contains(&c)
}

/// Writes a lower-cased copy of `text` into `out`, with every whitespace run folded to one space
/// and typographic apostrophes made straight, so that patterns and text are compared in one form.
///
/// Leading whitespace is dropped; a single trailing space may remain.
pub(crate) fn normalize_into(text: &str, out: &mut String) {
    normalize_with(text, out, |_, _| {});
}

/// [`normalize_into`], also writing into `raw_of`, for each byte of `out`, the byte offset in
/// `text` of the character it came from (a folded space: the first of its run), so that a
/// match in the normal form can be found again in the text.
///
/// Returns `true`, leaving `raw_of` empty, when every character of `out` starts at its own
/// offset in `text`: text without leading whitespace, whitespace runs or characters whose
/// normal form is longer or shorter (`’`, the Kelvin sign), as most transcript turns are,
/// needs no table.
pub(crate) fn normalize_mapped_into(text: &str, out: &mut String, raw_of: &mut Vec<u32>) -> bool {
    raw_of.clear();
    let mut identity = true;
    let mut written = 0usize;
    normalize_with(text, out, |raw, bytes| {
        if identity && raw != written {
            identity = false;
            raw_of.extend((0..written).map(|k| u32::try_from(k).unwrap_or(u32::MAX)));
        }
        if !identity {
            let raw = u32::try_from(raw).unwrap_or(u32::MAX);
            raw_of.extend(std::iter::repeat_n(raw, bytes));
        }
        written += bytes;
    });
    identity
}

/// The normaliser, telling `note(offset in text, bytes written)` after each character it
/// writes.
fn normalize_with(text: &str, out: &mut String, mut note: impl FnMut(usize, usize)) {
    out.clear();
    out.reserve(text.len());
    let mut pending_space = false;
    let mut space_at = 0;
    if text.is_ascii() {
        // Most transcripts are largely ASCII; a byte loop avoids the Unicode case tables.
        for (i, b) in text.bytes().enumerate() {
            if b.is_ascii_whitespace() {
                if !pending_space {
                    space_at = i;
                }
                pending_space = !out.is_empty();
                continue;
            }
            if pending_space {
                out.push(' ');
                note(space_at, 1);
                pending_space = false;
            }
            out.push(char::from(b.to_ascii_lowercase()));
            note(i, 1);
        }
        return;
    }
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if !pending_space {
                space_at = i;
            }
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            note(space_at, 1);
            pending_space = false;
        }
        let len = out.len();
        match c {
            '\u{2019}' | '\u{2018}' => out.push('\''),
            // The long s folds to `s` (as Unicode case folding does), so `(?i)s` reads as `s`.
            '\u{017F}' => out.push('s'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
        note(i, out.len() - len);
    }
}

/// Returns the normalised form of `text` (see [`normalize_into`]) without a trailing space.
pub(crate) fn normalize(text: &str) -> String {
    let mut out = String::new();
    normalize_into(text, &mut out);
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// A keyword or phrase as written in a rule, ready to be matched: normalised text plus wildcard flags.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Term {
    /// Normalised text without the `*` marks.
    pub(crate) text: String,
    /// `*` at the start: the match may begin inside a word.
    pub(crate) left_open: bool,
    /// `*` at the end: the match may end inside a word.
    pub(crate) right_open: bool,
}

impl Term {
    /// Parses a keyword or phrase; the error explains what is wrong with it.
    pub(crate) fn parse(raw: &str) -> std::result::Result<Term, String> {
        let trimmed = raw.trim();
        let left_open = trimmed.starts_with('*');
        let inner = trimmed.strip_prefix('*').unwrap_or(trimmed);
        let right_open = inner.ends_with('*');
        let inner = inner.strip_suffix('*').unwrap_or(inner);
        if inner.contains('*') {
            return Err(format!(
                "`{raw}`: `*` is only allowed at the start or the end of a term"
            ));
        }
        let text = normalize(inner);
        if !text.chars().any(is_word_char) {
            return Err(format!("`{raw}` has no letters or digits to match"));
        }
        Ok(Term {
            text,
            left_open,
            right_open,
        })
    }

    /// Whether a match of this term's text at `start..end` of `hay` respects the word boundaries.
    /// Boundaries are only demanded where the term itself begins or ends with a word character,
    /// so that terms such as `c++` still match before a letter-free suffix.
    pub(crate) fn accepts(&self, hay: &str, start: usize, end: usize) -> bool {
        let left_ok = self.left_open
            || !self.text.starts_with(is_word_char)
            || !hay[..start].chars().next_back().is_some_and(is_word_char);
        let right_ok = self.right_open
            || !self.text.ends_with(is_word_char)
            || !hay[end..].chars().next().is_some_and(is_word_char);
        left_ok && right_ok
    }
}

/// Byte offsets at which words start in normalised text, for converting match offsets into
/// word positions (`near` windows).
pub(crate) fn word_starts_into(norm: &str, out: &mut Vec<usize>) {
    out.clear();
    let mut in_word = false;
    for (i, c) in norm.char_indices() {
        let w = is_word_char(c);
        if w && !in_word {
            out.push(i);
        }
        in_word = w;
    }
}

/// The word position of byte offset `at`: the index of the word containing it (or of the word
/// before it, when `at` falls between words).
pub(crate) fn word_position(starts: &[usize], at: usize) -> u32 {
    let pos = starts.partition_point(|&s| s <= at).saturating_sub(1);
    u32::try_from(pos).unwrap_or(u32::MAX)
}

/// Levenshtein distance, for "did you mean" hints on small vocabularies.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate to `word`, if it is close enough to be a plausible typo.
pub(crate) fn suggest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, c)| close_enough(*d, c.chars().count()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Whether an edit distance `d` to a candidate of `len` characters is a plausible typo
/// rather than another word: at most 2 edits (a quarter of the length for long words), and
/// never the whole candidate.
pub(crate) fn close_enough(d: usize, len: usize) -> bool {
    d <= 2.max(len / 4) && d < len
}
