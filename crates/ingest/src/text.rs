//! Plain-text and Markdown bodies to passages: paragraphs, headings and speaker turns.

use crate::label::{self, Label};
use crate::lines::{lines, Line};
use crate::shapes::Tally;
use crate::{Diagnostic, Options, Segment};

/// What a line is, decided before the passages are built so that transcript detection can
/// look at the whole file first.
#[derive(Debug)]
enum Kind {
    Blank,
    /// A blank line inside a Markdown code fence: it does not end the block.
    FenceBlank,
    /// A Markdown ATX heading, with the char range of its words (`None` when it has none).
    Heading(Option<(usize, usize)>),
    /// A Markdown line of only `=` or `-`: a setext underline after a one-line paragraph.
    Underline,
    /// A Markdown thematic break (`***`, `___`, `- - -`).
    Rule,
    Label(Label),
    Plain,
    /// A line of a Markdown code fence, fences included: text, never a label.
    Code,
}

/// Splits a text body into passages.
///
/// `first_no` is the input line number of the body's first line (Markdown bodies start after
/// the front matter). Markdown adds headings, rules and code fences.
pub(crate) fn segment(
    text: &str,
    first_no: usize,
    markdown: bool,
    opts: &Options,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Segment> {
    let all: Vec<Line<'_>> = lines(text, first_no).collect();
    let kinds = classify(&all, markdown, opts);
    let transcript = opts
        .transcript
        .unwrap_or_else(|| looks_like_transcript(&kinds));
    let unread = if opts.transcript == Some(false) {
        Vec::new()
    } else {
        unread_labels(&all, &kinds, opts.speaker_pattern.is_some())
    };
    let passages = build(&all, kinds, transcript, diags);
    diags.extend(unread);
    passages
}

/// Warnings about label-like shapes that open many paragraphs without being read as labels.
fn unread_labels(all: &[Line<'_>], kinds: &[Kind], custom: bool) -> Vec<Diagnostic> {
    let mut tally = Tally::default();
    let mut in_block = false;
    for (line, kind) in all.iter().zip(kinds) {
        match kind {
            Kind::Label(_) | Kind::Plain | Kind::Code => {
                tally.line(line, !in_block, matches!(kind, Kind::Plain));
                in_block = true;
            }
            Kind::FenceBlank => {}
            _ => in_block = false,
        }
    }
    tally.warnings(custom)
}

fn classify(all: &[Line<'_>], markdown: bool, opts: &Options) -> Vec<Kind> {
    let detect = opts.transcript != Some(false);
    let mut fence: Option<(char, usize)> = None;
    all.iter()
        .map(|line| {
            if markdown {
                if let Some((ch, len)) = fence_marker(line.text) {
                    match fence {
                        None => fence = Some((ch, len)),
                        Some((open, open_len)) if open == ch && len >= open_len => fence = None,
                        Some(_) => {}
                    }
                    return Kind::Code;
                }
                if fence.is_some() {
                    return if line.is_blank() {
                        Kind::FenceBlank
                    } else {
                        Kind::Code
                    };
                }
            }
            if line.is_blank() {
                return Kind::Blank;
            }
            if markdown {
                if let Some(heading) = atx_heading(line) {
                    return Kind::Heading(heading);
                }
                let t = line.text.trim();
                if t.len() >= 2 && (t.bytes().all(|b| b == b'=') || t.bytes().all(|b| b == b'-')) {
                    return Kind::Underline;
                }
                if is_rule(t) {
                    return Kind::Rule;
                }
            }
            if detect {
                let found = match &opts.speaker_pattern {
                    Some(pattern) => label::custom(pattern, line.text),
                    None => label::built_in(line.text),
                };
                if let Some(found) = found {
                    return Kind::Label(found);
                }
            }
            Kind::Plain
        })
        .collect()
}

/// At least two labelled turns, and at least 30% of the blocks or of the lines start with a label.
fn looks_like_transcript(kinds: &[Kind]) -> bool {
    let (mut blocks, mut labelled_blocks, mut lines, mut labelled_lines) = (0, 0, 0, 0);
    let mut in_block = false;
    for kind in kinds {
        match kind {
            Kind::Label(_) | Kind::Plain | Kind::Code => {
                let labelled = matches!(kind, Kind::Label(_));
                lines += 1;
                labelled_lines += usize::from(labelled);
                if !in_block {
                    blocks += 1;
                    labelled_blocks += usize::from(labelled);
                }
                in_block = true;
            }
            Kind::FenceBlank => {}
            _ => in_block = false,
        }
    }
    labelled_lines >= 2 && (labelled_blocks * 10 >= blocks * 3 || labelled_lines * 10 >= lines * 3)
}

/// The passage being built.
struct Open {
    speaker: Option<String>,
    start_ms: Option<u64>,
    range: Option<(usize, usize)>,
    /// Line number of the label, for the diagnostic about a label without words.
    label_line: Option<usize>,
    lines: usize,
}

impl Open {
    fn unlabelled() -> Open {
        Open {
            speaker: None,
            start_ms: None,
            range: None,
            label_line: None,
            lines: 0,
        }
    }

    fn is_one_plain_line(&self) -> bool {
        self.lines == 1 && self.label_line.is_none() && self.range.is_some()
    }

    fn extend(&mut self, content: Option<(usize, usize)>) {
        self.lines += 1;
        if let Some((start, end)) = content {
            self.range = Some(match self.range {
                Some((first, _)) => (first, end),
                None => (start, end),
            });
        }
    }
}

fn build(
    all: &[Line<'_>],
    kinds: Vec<Kind>,
    transcript: bool,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut open: Option<Open> = None;
    for (line, kind) in all.iter().zip(kinds) {
        match kind {
            Kind::Blank => {
                // A label alone on its line may have its words after a blank line.
                let waiting = open
                    .as_ref()
                    .is_some_and(|o| o.label_line.is_some() && o.range.is_none());
                if !waiting {
                    flush(&mut open, &mut out, diags);
                }
            }
            Kind::FenceBlank => {}
            Kind::Heading(range) => {
                flush(&mut open, &mut out, diags);
                if let Some((start, end)) = range {
                    out.push(Segment {
                        heading: true,
                        ..Segment::new(start, end)
                    });
                }
            }
            // `Title` over `=====`: the one-line paragraph above was a setext heading.
            Kind::Underline if open.as_ref().is_some_and(Open::is_one_plain_line) => {
                if let Some(Open {
                    range: Some((start, end)),
                    ..
                }) = open.take()
                {
                    out.push(Segment {
                        heading: true,
                        ..Segment::new(start, end)
                    });
                }
            }
            // A thematic break separates blocks and is no passage itself.
            Kind::Underline | Kind::Rule if open.is_none() || is_rule(line.text.trim()) => {
                flush(&mut open, &mut out, diags);
            }
            Kind::Label(found) if transcript => {
                flush(&mut open, &mut out, diags);
                if let Some(raw) = &found.bad_time {
                    diags.push(Diagnostic::at(
                        line.no,
                        format!("timestamp `{raw}` not understood; the turn has no start time"),
                    ));
                }
                let mut turn = Open {
                    speaker: Some(found.speaker),
                    start_ms: found.time_ms,
                    range: None,
                    label_line: Some(line.no),
                    lines: 0,
                };
                turn.extend(line.content_from(found.end));
                open = Some(turn);
            }
            _ => open
                .get_or_insert_with(Open::unlabelled)
                .extend(line.content_from(0)),
        }
    }
    flush(&mut open, &mut out, diags);
    out
}

/// Ends the open passage: pushes it, or reports a label that never got its words.
fn flush(open: &mut Option<Open>, out: &mut Vec<Segment>, diags: &mut Vec<Diagnostic>) {
    let Some(done) = open.take() else { return };
    match (done.range, done.label_line) {
        (Some((start, end)), _) => out.push(Segment {
            speaker: done.speaker,
            start_ms: done.start_ms,
            ..Segment::new(start, end)
        }),
        (None, Some(line)) => diags.push(Diagnostic::at(
            line,
            format!(
                "speaker label `{}` has no words after it; no passage was made",
                done.speaker.unwrap_or_default()
            ),
        )),
        (None, None) => {}
    }
}

/// An ATX heading (`## Words ##`): the char range of its words.
fn atx_heading(line: &Line<'_>) -> Option<Option<(usize, usize)>> {
    let indent = line.text.len() - line.text.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line.text[indent..];
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let after = &rest[hashes..];
    if !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let from = indent + hashes;
    let mut words = after.trim_end();
    // A closing run of `#` counts only when a space separates it from the words.
    let without_closing = words.trim_end_matches('#');
    if without_closing.len() < words.len()
        && (without_closing.is_empty() || without_closing.ends_with([' ', '\t']))
    {
        words = without_closing;
    }
    let to = from + words.len();
    Some(line_range(line, from, to))
}

/// The trimmed char range of bytes `from..to` of a line.
fn line_range(line: &Line<'_>, from: usize, to: usize) -> Option<(usize, usize)> {
    let part = &line.text[from..to];
    let trimmed = part.trim();
    if trimmed.is_empty() {
        return None;
    }
    let start = line.char_at(from + (part.len() - part.trim_start().len()));
    Some((start, start + trimmed.chars().count()))
}

fn is_rule(t: &str) -> bool {
    let mut marks = t.chars().filter(|c| !c.is_whitespace());
    let Some(first) = marks.next() else {
        return false;
    };
    matches!(first, '-' | '*' | '_') && marks.clone().all(|c| c == first) && marks.count() >= 2
}

/// A code fence opener or closer: its character and length.
fn fence_marker(text: &str) -> Option<(char, usize)> {
    let t = text.trim_start_matches(' ');
    if text.len() - t.len() > 3 {
        return None;
    }
    let ch = t.chars().next().filter(|&c| c == '`' || c == '~')?;
    let len = t.len() - t.trim_start_matches(ch).len();
    (len >= 3).then_some((ch, len))
}
