//! Structured documents (docx, odt, html) as blocks — headings, paragraphs, tables — and blocks to stored text plus passages.

use crate::{text, Diagnostic, Options, Segment};

/// One block of a structured document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    /// Whether it is a heading.
    pub heading: bool,
    /// Its text; a table is one block with a line per row and tab-separated cells.
    pub text: String,
}

/// What a reader is inside of while it collects text.
#[derive(Debug)]
enum Frame {
    Para { text: String, heading: bool },
    Table { rows: Vec<String> },
    Row { cells: Vec<String> },
    Cell { text: String },
}

/// Collects blocks from start/end events, so that docx, odt and html readers share the rules
/// for nesting: a paragraph in a table cell is part of the cell, a table in a cell is flattened
/// into it, and a paragraph inside a paragraph (a text box) becomes a block of its own.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    pub blocks: Vec<Block>,
    frames: Vec<Frame>,
}

impl Collector {
    pub fn start_paragraph(&mut self, heading: bool) {
        self.frames.push(Frame::Para {
            text: String::new(),
            heading,
        });
    }

    /// Marks the innermost open paragraph as a heading (its style is known only after it starts).
    pub fn mark_heading(&mut self) {
        if let Some(Frame::Para { heading, .. }) = self.frames.last_mut() {
            *heading = true;
        }
    }

    /// Whether text would go anywhere now.
    pub fn in_text(&self) -> bool {
        matches!(
            self.frames.last(),
            Some(Frame::Para { .. } | Frame::Cell { .. })
        )
    }

    pub fn text(&mut self, s: &str) {
        if let Some(Frame::Para { text, .. } | Frame::Cell { text }) = self.frames.last_mut() {
            text.push_str(s);
        }
    }

    /// Whether the open paragraph or cell ends in whitespace (or is empty).
    pub fn ends_in_space(&self) -> bool {
        match self.frames.last() {
            Some(Frame::Para { text, .. } | Frame::Cell { text }) => {
                text.chars().next_back().is_none_or(char::is_whitespace)
            }
            _ => true,
        }
    }

    pub fn end_paragraph(&mut self) {
        if !matches!(self.frames.last(), Some(Frame::Para { .. })) {
            return;
        }
        if let Some(Frame::Para { text, heading }) = self.frames.pop() {
            self.emit(text, heading);
        }
    }

    pub fn start_table(&mut self) {
        self.frames.push(Frame::Table { rows: Vec::new() });
    }

    pub fn start_row(&mut self) {
        if matches!(self.frames.last(), Some(Frame::Table { .. })) {
            self.frames.push(Frame::Row { cells: Vec::new() });
        }
    }

    pub fn start_cell(&mut self) {
        if matches!(self.frames.last(), Some(Frame::Row { .. })) {
            self.frames.push(Frame::Cell {
                text: String::new(),
            });
        }
    }

    pub fn end_cell(&mut self) {
        if !matches!(self.frames.last(), Some(Frame::Cell { .. })) {
            return;
        }
        if let (Some(Frame::Cell { text }), Some(Frame::Row { cells })) =
            (self.frames.pop(), self.frames.last_mut())
        {
            cells.push(one_line(&text));
        }
    }

    pub fn end_row(&mut self) {
        self.end_cell();
        if !matches!(self.frames.last(), Some(Frame::Row { .. })) {
            return;
        }
        if let (Some(Frame::Row { cells }), Some(Frame::Table { rows })) =
            (self.frames.pop(), self.frames.last_mut())
        {
            let line = cells.join("\t");
            if !line.trim().is_empty() {
                rows.push(line.trim_end().to_owned());
            }
        }
    }

    pub fn end_table(&mut self) {
        self.end_row();
        if !matches!(self.frames.last(), Some(Frame::Table { .. })) {
            return;
        }
        if let Some(Frame::Table { rows }) = self.frames.pop() {
            let text = rows.join("\n");
            self.emit(text, false);
        }
    }

    /// Closes whatever is still open (tag soup, or a reader that stopped early).
    pub fn finish(mut self) -> Vec<Block> {
        while let Some(frame) = self.frames.last() {
            match frame {
                Frame::Para { .. } => self.end_paragraph(),
                Frame::Cell { .. } => self.end_cell(),
                Frame::Row { .. } => self.end_row(),
                Frame::Table { .. } => self.end_table(),
            }
        }
        self.blocks
    }

    fn emit(&mut self, text: String, heading: bool) {
        match self.frames.last_mut() {
            Some(Frame::Cell { text: cell }) => {
                if !cell.is_empty() && !text.trim().is_empty() {
                    cell.push(' ');
                }
                cell.push_str(&one_line(&text));
            }
            _ => push_block(&mut self.blocks, text, heading),
        }
    }
}

/// Adds a block unless it has no words; trailing whitespace of its lines is dropped.
pub(crate) fn push_block(blocks: &mut Vec<Block>, text: String, heading: bool) {
    let cleaned: Vec<&str> = text.split('\n').map(str::trim_end).collect();
    let cleaned = cleaned.join("\n");
    let cleaned = cleaned.trim_matches('\n');
    if cleaned.trim().is_empty() {
        return;
    }
    blocks.push(Block {
        heading,
        text: cleaned.to_owned(),
    });
}

/// A cell's text on one line: tabs and line breaks would break the row-per-line layout.
fn one_line(s: &str) -> String {
    s.split(['\n', '\t'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The stored text of `blocks` (separated by blank lines) and its passages: paragraphs, tables
/// and headings, or speaker turns when the paragraphs form a transcript (the plain-text rules).
pub(crate) fn assemble(
    blocks: &[Block],
    opts: &Options,
    diags: &mut Vec<Diagnostic>,
) -> (String, Vec<Segment>) {
    let mut text = String::new();
    let mut headings = Vec::new();
    let mut chars = 0;
    for block in blocks {
        if !text.is_empty() {
            text.push_str("\n\n");
            chars += 2;
        }
        let len = block.text.chars().count();
        if block.heading {
            let lead = block.text.len() - block.text.trim_start().len();
            let lead = block.text[..lead].chars().count();
            headings.push((chars + lead, chars + block.text.trim_end().chars().count()));
        }
        text.push_str(&block.text);
        chars += len;
    }
    if !text.is_empty() {
        text.push('\n');
    }
    let mut found = Vec::new();
    let mut passages = text::segment(&text, 1, false, opts, &mut found);
    // Line numbers of the generated text mean nothing to the researcher; keep the message.
    diags.extend(found.into_iter().map(|d| Diagnostic {
        line: None,
        message: d.message,
    }));
    for p in &mut passages {
        if headings.binary_search(&(p.start, p.end)).is_ok() {
            p.heading = true;
            p.speaker = None;
            p.start_ms = None;
        }
    }
    (text, passages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::char_slice;

    fn check(blocks: &[(bool, &str)], expected: &[(&str, bool, Option<&str>)]) {
        let blocks: Vec<Block> = blocks
            .iter()
            .map(|(heading, text)| Block {
                heading: *heading,
                text: (*text).to_owned(),
            })
            .collect();
        let (text, passages) = assemble(&blocks, &Options::default(), &mut Vec::new());
        let got: Vec<(&str, bool, Option<&str>)> = passages
            .iter()
            .map(|p| {
                (
                    char_slice(&text, p.start, p.end).unwrap_or("<bad range>"),
                    p.heading,
                    p.speaker.as_deref(),
                )
            })
            .collect();
        assert_eq!(got, expected, "{text:?}");
    }

    #[test]
    fn headings_paragraphs_and_tables() {
        check(
            &[
                (true, "Förord"),
                (false, "Åsa sa — hej."),
                (false, "a\tb\nc\td"),
            ],
            &[
                ("Förord", true, None),
                ("Åsa sa — hej.", false, None),
                ("a\tb\nc\td", false, None),
            ],
        );
    }

    #[test]
    fn paragraphs_of_a_transcript_are_turns() {
        check(
            &[
                (true, "Interview"),
                (false, "Erik Nyström: Hur mår du?"),
                (false, "Kari Järvinen: Good — busy 🙂"),
                (false, "and tired."),
            ],
            &[
                ("Interview", true, None),
                ("Hur mår du?", false, Some("Erik Nyström")),
                ("Good — busy 🙂", false, Some("Kari Järvinen")),
                ("and tired.", false, None),
            ],
        );
    }

    #[test]
    fn collector_nests_tables_and_text_boxes() {
        let mut c = Collector::default();
        c.start_paragraph(false);
        c.text("outer ");
        c.start_paragraph(false);
        c.text("box");
        c.end_paragraph();
        c.text("text");
        c.end_paragraph();
        c.start_table();
        c.start_row();
        c.start_cell();
        c.start_paragraph(false);
        c.text("a1");
        c.end_paragraph();
        c.start_paragraph(false);
        c.text("a2");
        c.end_paragraph();
        c.end_cell();
        c.start_cell();
        c.text("b");
        c.end_row();
        c.start_row();
        c.start_cell();
        c.start_paragraph(true);
        c.text("unclosed");
        let blocks = c.finish();
        let got: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(got, ["box", "outer text", "a1 a2\tb\nunclosed"]);
    }
}
