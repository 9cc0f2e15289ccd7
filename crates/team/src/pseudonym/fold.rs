//! Folding text for name matching, with a map back to the original bytes.
//!
//! A name must be found however it is written: in any case (`PÄIVI`), with its letters
//! decomposed (`a` + U+0308, as some PDF text layers and macOS files have them), with
//! another apostrophe or hyphen character, or with a line break or two spaces between its
//! words. Folding turns each of these into one form —
//! lower case, a letter and a following combining mark composed into one character,
//! every run of whitespace one space — and remembers where each folded character came from.

use ambit_core::text::is_word_char;
use unicode_normalization::char::{compose, is_combining_mark};

/// A folded text and, for each of its bytes, the byte offset in the original text of the
/// character it came from (plus one entry for the end).
pub(crate) struct Folded {
    pub text: String,
    origin: Vec<usize>,
}

impl Folded {
    /// The original byte offset of folded byte offset `b` (a char boundary, or the end).
    pub(crate) fn origin(&self, b: usize) -> usize {
        self.origin[b]
    }
}

/// A character in lower case, when that is one character (`İ` lower-cases to two and is
/// kept as it is, in names and texts alike); typographic apostrophes and hyphens as their
/// ASCII forms, so `O’Brien` is `O'Brien` and `Anna‐Liisa` is `Anna-Liisa`.
fn lower(c: char) -> char {
    match c {
        '’' | '‘' | 'ʼ' => return '\'',
        '\u{2010}' | '\u{2011}' => return '-',
        _ => {}
    }
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(one), None) => one,
        _ => c,
    }
}

/// Folds `text`.
pub(crate) fn fold(text: &str) -> Folded {
    let mut out = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len() + 1);
    let push = |out: &mut String, origin: &mut Vec<usize>, c: char, from: usize| {
        out.push(c);
        origin.resize(out.len(), from);
    };
    let mut in_space = false;
    for (b, c) in text.char_indices() {
        if c.is_whitespace() {
            if !in_space {
                push(&mut out, &mut origin, ' ', b);
            }
            in_space = true;
            continue;
        }
        in_space = false;
        if is_combining_mark(c) {
            if let Some(last) = out.chars().next_back() {
                if let Some(composed) = compose(last, c) {
                    let at = out.len() - last.len_utf8();
                    let from = origin[at];
                    out.truncate(at);
                    origin.truncate(at);
                    push(&mut out, &mut origin, lower(composed), from);
                    continue;
                }
            }
        }
        push(&mut out, &mut origin, lower(c), b);
    }
    origin.push(text.len());
    Folded { text: out, origin }
}

/// The folded form of a name of the key: folded and trimmed.
pub(crate) fn fold_name(name: &str) -> String {
    fold(name.trim()).text.trim().to_string()
}

/// Hyphens in folded text (the typographic ones are folded to `-`).
fn is_hyphen(c: char) -> bool {
    c == '-'
}

/// Whether folded text may start a whole-word name at byte `start`: no word character right
/// before it, and no hyphen joining it to a word before (`Anna-Päivi` is another name).
/// An apostrophe before is fine (`d'Anna`).
pub(crate) fn starts_word(text: &str, start: usize) -> bool {
    let mut before = text[..start].chars().rev();
    match before.next() {
        None => true,
        Some(c) if is_word_char(c) => false,
        Some(c) if is_hyphen(c) => !before.next().is_some_and(is_word_char),
        Some(_) => true,
    }
}

/// Whether a whole-word name may end at byte `end`: no word character right after it, and
/// no hyphen joining it to a word after (`Päivi-Liisa`). An apostrophe after is fine, so
/// possessives (`Päivi's`, `Päivi’s`) are found and keep their ending.
pub(crate) fn ends_word(text: &str, end: usize) -> bool {
    let mut after = text[end..].chars();
    match after.next() {
        None => true,
        Some(c) if is_word_char(c) => false,
        Some(c) if is_hyphen(c) => !after.next().is_some_and(is_word_char),
        Some(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, folded: &str) {
        let f = fold(text);
        assert_eq!(f.text, folded, "{text:?}");
        // Every folded character maps to the start of a character of the original.
        for (b, _) in f.text.char_indices() {
            assert!(text.is_char_boundary(f.origin(b)));
        }
        assert_eq!(f.origin(f.text.len()), text.len());
    }

    #[test]
    fn folds_case_marks_and_spaces() {
        check("Päivi JÄRVINEN", "päivi järvinen");
        check("Pa\u{308}ivi", "päivi");
        check("PA\u{308}IVI", "päivi");
        check("Päivi \n\t Järvinen", "päivi järvinen");
        check("İstanbul ẞ", "İstanbul ß");
        check("O’Brien Anna\u{2011}Liisa", "o'brien anna-liisa");
        check("x\u{301}", "x\u{301}");
        check("", "");
        assert_eq!(fold_name("  Päivi   Järvinen "), "päivi järvinen");
        let f = fold("Pa\u{308}ivi  K");
        assert_eq!(f.origin(1), 1); // ä came from a + mark at byte 1
        assert_eq!(f.origin(3), 4); // i after the two-byte mark
        assert_eq!(f.origin(f.text.find('k').unwrap()), 9);
    }

    #[test]
    fn word_edges() {
        let t = "anna-päivi päivi's d'anna x-";
        assert!(starts_word(t, 0));
        assert!(!ends_word(t, 4)); // anna-päivi
        assert!(!starts_word(t, 5));
        assert!(ends_word(t, t.find("'s").unwrap()));
        assert!(starts_word(
            t,
            t.find("anna").map(|_| t.rfind("anna").unwrap()).unwrap()
        ));
        assert!(ends_word(t, t.len() - 1)); // x followed by a hyphen and nothing
        assert!(!starts_word("xanna", 1));
    }
}
