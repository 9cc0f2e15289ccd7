//! WebVTT and SubRip files: cues merged into speaker turns, stored as a readable transcript.

use crate::label::{self, parse_clock};
use crate::lines::{lines, Line};
use crate::{Diagnostic, Error, Format, Options, Result, Segment};

/// One cue as written: its timing (when usable) and its text lines.
struct Cue<'a> {
    timing: Option<(u64, u64)>,
    payload: Vec<&'a str>,
}

/// A speaker turn being assembled from cues.
struct Turn {
    speaker: Option<String>,
    text: String,
    start_ms: Option<u64>,
    end_ms: Option<u64>,
    /// Turns from cues without a usable time take no further cues, so that text is never
    /// attributed to a speaker on a guess.
    sealed: bool,
}

/// Reads a decoded subtitle file; the stored text is one `Speaker: utterance` paragraph per turn.
pub(crate) fn extract(
    name: &str,
    input: &str,
    format: Format,
    opts: &Options,
    diags: &mut Vec<Diagnostic>,
) -> Result<(String, Vec<Segment>)> {
    let all: Vec<Line<'_>> = lines(input, 1).collect();
    let mut body = all.as_slice();
    if format == Format::Vtt {
        let first = all.first().map_or("", |l| l.text);
        let header = first.strip_prefix("WEBVTT");
        if header.is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t'])) {
            // The header block runs to the first blank line (it may hold `Kind:`, `Language:`).
            let end = all.iter().position(Line::is_blank).unwrap_or(all.len());
            body = &all[end..];
        } else {
            diags.push(Diagnostic::at(
                1,
                "the file does not start with the `WEBVTT` header; it was read as WebVTT anyway",
            ));
        }
    }
    let (cues, timing_lines) = parse_cues(body, format, diags);
    if !cues.iter().any(|c| c.timing.is_some()) {
        let reason = if timing_lines == 0 {
            "no cue timing line (`start --> end`) found".to_owned()
        } else {
            format!("none of the {timing_lines} cue timing lines could be read")
        };
        return Err(Error::BadTiming {
            name: name.to_owned(),
            format,
            reason,
        });
    }
    let turns = merge(&cues, opts);
    if turns.is_empty() {
        return Err(Error::Empty {
            name: name.to_owned(),
        });
    }
    Ok(render(turns))
}

/// Splits the body into cues; returns them and how many timing lines there were.
fn parse_cues<'a>(
    body: &[Line<'a>],
    format: Format,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Cue<'a>>, usize) {
    let mut cues = Vec::new();
    let mut timing_lines = 0;
    let mut prev_start: Option<u64> = None;
    for block in body.split(Line::is_blank).filter(|b| !b.is_empty()) {
        if format == Format::Vtt && starts_skipped_block(block[0].text) {
            continue;
        }
        let timings: Vec<usize> = (0..block.len())
            .filter(|&i| block[i].text.contains("-->"))
            .collect();
        timing_lines += timings.len();
        let Some(&first) = timings.first() else {
            untimed_block(block, &mut cues, diags);
            continue;
        };
        // The line right before a timing line is the cue identifier; anything above it is text
        // that lost its own timing line.
        if first >= 2 {
            diags.push(Diagnostic::at(
                block[0].no,
                "text without a timing line; it is kept as its own passage without a time or speaker",
            ));
            cues.push(Cue {
                timing: None,
                payload: block[..first - 1].iter().map(|l| l.text).collect(),
            });
        }
        for (k, &t) in timings.iter().enumerate() {
            let mut end = timings.get(k + 1).copied().unwrap_or(block.len());
            if end < block.len() {
                diags.push(Diagnostic::at(
                    block[end].no,
                    "no blank line before this cue; the cues were separated anyway",
                ));
                if end - 1 > t && is_index(block[end - 1].text) {
                    end -= 1;
                }
            }
            let line = &block[t];
            let timing = match parse_timing(line.text) {
                Err(why) => {
                    diags.push(Diagnostic::at(line.no, format!("{why}; {KEPT}")));
                    None
                }
                Ok((start, stop)) if stop < start => {
                    diags.push(Diagnostic::at(
                        line.no,
                        format!(
                            "the cue ends ({}) before it starts ({}); {KEPT}",
                            clock(stop),
                            clock(start)
                        ),
                    ));
                    None
                }
                Ok((start, _)) if prev_start.is_some_and(|p| start < p) => {
                    diags.push(Diagnostic::at(
                        line.no,
                        format!(
                            "the cue starts at {}, before the cue above it ({}); {KEPT}",
                            clock(start),
                            clock(prev_start.unwrap_or_default())
                        ),
                    ));
                    None
                }
                Ok(timing) => Some(timing),
            };
            // A cue that goes backwards still sets the reference, so one stray time does not
            // discard the times of every cue after it.
            if let Ok((start, stop)) = parse_timing(line.text) {
                if stop >= start {
                    prev_start = Some(start);
                }
            }
            cues.push(Cue {
                timing,
                payload: block[t + 1..end].iter().map(|l| l.text).collect(),
            });
        }
    }
    (cues, timing_lines)
}

const KEPT: &str = "its text is kept as its own passage without a time";

/// A block with no `-->` at all: a mangled timing line, or text that lost its cue.
fn untimed_block<'a>(block: &[Line<'a>], cues: &mut Vec<Cue<'a>>, diags: &mut Vec<Diagnostic>) {
    let mut rest = block;
    if rest.len() > 1 && is_index(rest[0].text) {
        rest = &rest[1..];
    }
    let message = if looks_like_timing(rest[0].text) {
        let line = rest[0];
        rest = &rest[1..];
        diags.push(Diagnostic::at(
            line.no,
            format!("timing line not understood: `{}`; {KEPT}", line.text.trim()),
        ));
        None
    } else {
        Some("text without a timing line; it is kept as its own passage without a time")
    };
    if rest.is_empty() {
        return;
    }
    if let Some(message) = message {
        diags.push(Diagnostic::at(rest[0].no, message));
    }
    cues.push(Cue {
        timing: None,
        payload: rest.iter().map(|l| l.text).collect(),
    });
}

fn starts_skipped_block(first: &str) -> bool {
    ["NOTE", "STYLE", "REGION"].iter().any(|kw| {
        first
            .strip_prefix(kw)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    })
}

fn is_index(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}

/// A line that starts like a timestamp (`00:01`), so a block without `-->` is a broken cue.
fn looks_like_timing(text: &str) -> bool {
    let t = text.trim_start();
    let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    digits > 0 && t[digits..].starts_with(':')
}

/// `00:00:05.000 --> 00:00:12.500 align:start`: start and end in milliseconds.
fn parse_timing(line: &str) -> std::result::Result<(u64, u64), String> {
    let bad = || format!("timing line not understood: `{}`", line.trim());
    let (left, right) = line.split_once("-->").ok_or_else(bad)?;
    let start = parse_clock(left.trim()).ok_or_else(bad)?;
    let end = right
        .split_whitespace()
        .next()
        .and_then(parse_clock)
        .ok_or_else(bad)?;
    Ok((start, end))
}

fn clock(ms: u64) -> String {
    let (s, ms) = (ms / 1000, ms % 1000);
    format!("{:02}:{:02}:{:02}.{ms:03}", s / 3600, s / 60 % 60, s % 60)
}

/// Merges cues into turns: consecutive cues of one speaker, and cues without a speaker after them.
fn merge(cues: &[Cue<'_>], opts: &Options) -> Vec<Turn> {
    // `Word:` at the start of a subtitle line is a speaker only in files that label their cues;
    // elsewhere it is too often just a sentence ("Look: it works").
    let (mut labelled_lines, mut labelled_cues) = (0, 0);
    for cue in cues {
        let (_, found) = pieces(&cue.payload, opts, true);
        labelled_lines += found;
        labelled_cues += usize::from(found > 0);
    }
    let labels = labelled_lines >= 2 && labelled_cues * 10 >= cues.len() * 3;

    let mut turns: Vec<Turn> = Vec::new();
    for cue in cues {
        for (speaker, text) in pieces(&cue.payload, opts, labels).0 {
            let Some((start, end)) = cue.timing else {
                turns.push(Turn {
                    speaker,
                    text,
                    start_ms: None,
                    end_ms: None,
                    sealed: true,
                });
                continue;
            };
            let continues = turns
                .last()
                .is_some_and(|last| !last.sealed && (speaker.is_none() || last.speaker == speaker));
            match turns.last_mut() {
                Some(last) if continues => {
                    last.text.push(' ');
                    last.text.push_str(&text);
                    last.end_ms = Some(end);
                }
                _ => turns.push(Turn {
                    speaker,
                    text,
                    start_ms: Some(start),
                    end_ms: Some(end),
                    sealed: false,
                }),
            }
        }
    }
    turns
}

/// A cue's text split where the speaker changes (voice tags, and `Name:` labels when `labels`),
/// tags removed, entities decoded, whitespace collapsed; empty pieces are dropped. Also returns
/// how many lines started with a label.
fn pieces(
    payload: &[&str],
    opts: &Options,
    labels: bool,
) -> (Vec<(Option<String>, String)>, usize) {
    let mut out: Vec<(Option<String>, String)> = Vec::new();
    let mut labelled = 0;
    for line in payload {
        // Cue lines are joined with a space; tags within a line join their text directly.
        if let Some((_, piece)) = out.last_mut() {
            piece.push(' ');
        }
        for (i, token) in tokens(line).into_iter().enumerate() {
            match token {
                Token::Voice(name) => out.push((name, String::new())),
                Token::Text(raw) => {
                    let mut text = decode_entities(raw);
                    let found = match (i, &opts.speaker_pattern) {
                        (0, Some(pattern)) => label::custom(pattern, &text),
                        (0, None) => label::built_in(&text),
                        _ => None,
                    };
                    if let Some(found) = found {
                        labelled += 1;
                        if labels {
                            text = text[found.end..].to_owned();
                            out.push((Some(found.speaker), String::new()));
                        }
                    }
                    match out.last_mut() {
                        Some((_, piece)) => piece.push_str(&text),
                        None => out.push((None, text)),
                    }
                }
            }
        }
    }
    let pieces = out
        .into_iter()
        .map(|(speaker, text)| {
            (
                speaker,
                text.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        })
        .filter(|(_, text)| !text.is_empty())
        .collect();
    (pieces, labelled)
}

enum Token<'a> {
    /// `<v Name>`: the speaker from here on (`None` for a voice tag without a name).
    Voice(Option<String>),
    Text(&'a str),
}

/// Splits a cue line into text and voice tags; other tags (`<i>`, `<c.x>`, `</v>`, `<00:01.000>`)
/// and SubRip `{\an8}` overrides are dropped. A `<` without a closing `>` is text.
fn tokens(line: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut from = 0;
    while let Some(found) = line[from..].find(['<', '{']) {
        let at = from + found;
        let rest = &line[at..];
        let closer = if rest.starts_with('<') {
            Some('>')
        } else if rest[1..].starts_with('\\') {
            Some('}')
        } else {
            None
        };
        let Some(close) = closer.and_then(|c| rest.find(c)) else {
            from = at + 1;
            continue;
        };
        if at > text_start {
            out.push(Token::Text(&line[text_start..at]));
        }
        let tag = &rest[1..close];
        if let Some(after) = tag.strip_prefix('v') {
            if after.is_empty() || after.starts_with(['.', ' ', '\t']) {
                let annotation = after
                    .split_once([' ', '\t'])
                    .map_or("", |(_, name)| name)
                    .trim();
                let name = decode_entities(annotation);
                out.push(Token::Voice((!name.is_empty()).then_some(name)));
            }
        }
        from = at + close + 1;
        text_start = from;
    }
    if text_start < line.len() {
        out.push(Token::Text(&line[text_start..]));
    }
    out
}

/// Decodes the character references WebVTT allows (and numeric ones); unknown ones stay as written.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&j| j <= 10);
        let decoded = end.and_then(|j| {
            let named = match &rest[1..j] {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "nbsp" => Some(' '),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "lrm" => Some('\u{200E}'),
                "rlm" => Some('\u{200F}'),
                entity => entity.strip_prefix('#').and_then(|num| {
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }),
            };
            named.map(|c| (c, j))
        });
        match decoded {
            Some((c, j)) => {
                out.push(c);
                rest = &rest[j + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Lays the turns out as paragraphs `Speaker: utterance`; passages cover the utterances.
fn render(turns: Vec<Turn>) -> (String, Vec<Segment>) {
    let mut text = String::new();
    let mut chars = 0;
    let mut passages = Vec::with_capacity(turns.len());
    for turn in turns {
        if !text.is_empty() {
            text.push_str("\n\n");
            chars += 2;
        }
        if let Some(speaker) = &turn.speaker {
            text.push_str(speaker);
            text.push_str(": ");
            chars += speaker.chars().count() + 2;
        }
        let start = chars;
        text.push_str(&turn.text);
        chars += turn.text.chars().count();
        passages.push(Segment {
            speaker: turn.speaker,
            start_ms: turn.start_ms,
            end_ms: turn.end_ms,
            ..Segment::new(start, chars)
        });
    }
    text.push('\n');
    (text, passages)
}
