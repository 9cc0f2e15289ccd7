//! Lines of a text with their input line numbers and char offsets, counted as we go.
//!
//! Everything downstream addresses the text by char offsets; counting them line by line keeps
//! the whole pass linear (never `text[..i].chars().count()` over the whole text).

/// One line of the text, without its `\n`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// 1-based line number in the input file.
    pub no: usize,
    /// Char offset of the line's first char in the whole text.
    pub start: usize,
    /// The line, without the line break.
    pub text: &'a str,
}

impl Line<'_> {
    /// Char offset (in the whole text) of byte index `i` of this line.
    pub fn char_at(&self, i: usize) -> usize {
        self.start + self.text[..i].chars().count()
    }

    /// The char range of the line's content from byte `from` on, without surrounding
    /// whitespace; `None` when there is nothing but whitespace.
    pub fn content_from(&self, from: usize) -> Option<(usize, usize)> {
        let rest = &self.text[from..];
        let trimmed = rest.trim();
        if trimmed.is_empty() {
            return None;
        }
        let leading = rest.len() - rest.trim_start().len();
        let start = self.char_at(from + leading);
        Some((start, start + trimmed.chars().count()))
    }

    /// Whether the line holds only whitespace.
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }
}

/// The lines of `text`, numbered from `first_no`, with char offsets from 0.
pub(crate) fn lines(text: &str, first_no: usize) -> impl Iterator<Item = Line<'_>> {
    let mut start = 0;
    text.split('\n').enumerate().map(move |(i, line)| {
        let item = Line {
            no: first_no + i,
            start,
            text: line,
        };
        start += line.chars().count() + 1;
        item
    })
}
