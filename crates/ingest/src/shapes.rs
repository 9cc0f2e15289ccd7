//! Label-like openings the speaker detector does not read (`anna:`, `[Anna]`): when many paragraphs start with one such shape, a warning that suggests a `speaker_pattern`.
//!
//! A label the detector misses costs the researcher twice, silently: the turn has no speaker,
//! and the label stays in the passage text. The built-in detector is deliberately strict (a
//! lower-case `so:` or a bracketed `[laughter]` is prose far more often than a speaker), so
//! instead of guessing, a document whose paragraphs keep opening with the same unread shape
//! gets one warning per shape that names it, quotes examples and gives a `speaker_pattern`
//! that reads it, checked against the example line before it is offered.
//!
//! A shape is reported when it opens at least [`MIN_LINES`] lines, at least a fifth of the
//! paragraphs or of the lines, with at least two different labels of which one recurs:
//! speakers take turns, while a header of `key: value` lines never repeats a key.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::label::{self, NOT_SPEAKERS, TIME};
use crate::lines::Line;
use crate::Diagnostic;

/// Fewest lines that must open with one shape before it is reported.
const MIN_LINES: usize = 3;

/// Longer openings are sentences or editorial comments, not labels.
const MAX_CHARS: usize = 40;

/// `word:`, `Word (Word):`, `anna maria:` (up to three words), after an optional timestamp.
static COLON: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(
        r"^[ \t]*(?:(?P<pre>\[{TIME}\]|\({TIME}\)|{TIME})[ \t]+)?(?P<label>\p{{L}}[\p{{L}}\p{{M}}\p{{N}}.'’_\-()]*(?:[ \t]+[\p{{L}}\p{{M}}\p{{N}}.'’_\-()]+){{0,2}})[ \t]*:(?:[ \t]|$)"
    );
    Regex::new(&pattern).expect("the colon shape pattern is valid")
});

/// `[Anna] …`, `[Interviewer] …`, after an optional timestamp.
static BRACKET: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(
        r"^[ \t]*(?:(?P<pre>\[{TIME}\]|\({TIME}\)|{TIME})[ \t]+)?\[(?P<label>\p{{L}}[\p{{L}}\p{{M}}\p{{N}}.'’_\- ]*)\](?:[ \t]|$)"
    );
    Regex::new(&pattern).expect("the bracket shape pattern is valid")
});

/// Bracketed words that transcribers write for what is heard, not who speaks.
const NOISES: &[&str] = &[
    "applause",
    "background noise",
    "beep",
    "break",
    "cough",
    "coughs",
    "cross talk",
    "crosstalk",
    "end",
    "inaudible",
    "indistinct",
    "interruption",
    "laugh",
    "laughing",
    "laughs",
    "laughter",
    "long pause",
    "music",
    "noise",
    "overlapping",
    "overtalk",
    "pause",
    "redacted",
    "sic",
    "sighs",
    "silence",
    "start",
    "unclear",
    "unintelligible",
];

/// How a label is written around its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Form {
    Colon,
    Bracket,
}

/// The timestamp before a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prefix {
    None,
    Bracket,
    Paren,
    Bare,
}

/// One piece of a label's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    /// A word starting with a capital letter.
    Upper,
    /// A word starting with a lower-case letter.
    Lower,
    /// A word in a script without case.
    Caseless,
    Digits,
    Space,
    Literal(char),
}

/// What labels of one style have in common: `[Word]`, `word 9:`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Shape {
    form: Form,
    prefix: Prefix,
    parts: Vec<Part>,
}

impl Shape {
    fn of(form: Form, pre: Option<&str>, label: &str) -> Shape {
        let prefix = match pre.and_then(|p| p.chars().next()) {
            None => Prefix::None,
            Some('[') => Prefix::Bracket,
            Some('(') => Prefix::Paren,
            Some(_) => Prefix::Bare,
        };
        let mut parts: Vec<Part> = Vec::new();
        for c in label.chars() {
            let last = parts.last().copied();
            let part = if c.is_alphabetic() || is_mark(c) {
                if matches!(last, Some(Part::Upper | Part::Lower | Part::Caseless)) {
                    continue;
                }
                if c.is_uppercase() {
                    Part::Upper
                } else if c.is_lowercase() {
                    Part::Lower
                } else {
                    Part::Caseless
                }
            } else if c.is_numeric() {
                Part::Digits
            } else if c.is_whitespace() {
                Part::Space
            } else {
                Part::Literal(c)
            };
            if last != Some(part) || matches!(part, Part::Literal(_)) {
                parts.push(part);
            }
        }
        Shape {
            form,
            prefix,
            parts,
        }
    }

    /// The shape as a reader sees it: `[Word]`, `word-9:`, `[0:00] Word (Word):`.
    fn template(&self) -> String {
        let mut out = String::from(match self.prefix {
            Prefix::None => "",
            Prefix::Bracket => "[0:00] ",
            Prefix::Paren => "(0:00) ",
            Prefix::Bare => "0:00 ",
        });
        if self.form == Form::Bracket {
            out.push('[');
        }
        for part in &self.parts {
            match part {
                Part::Upper | Part::Caseless => out.push_str("Word"),
                Part::Lower => out.push_str("word"),
                Part::Digits => out.push('9'),
                Part::Space => out.push(' '),
                Part::Literal(c) => out.push(*c),
            }
        }
        out.push(if self.form == Form::Bracket { ']' } else { ':' });
        out
    }

    /// A `speaker_pattern` reading this shape. It never holds `'`, so it fits a TOML literal
    /// string.
    fn pattern(&self) -> String {
        let mut out = String::from(r"^\s*");
        let time = format!("(?P<time>{TIME})");
        match self.prefix {
            Prefix::None => {}
            Prefix::Bracket => out.push_str(&format!(r"\[{time}\]\s+")),
            Prefix::Paren => out.push_str(&format!(r"\({time}\)\s+")),
            Prefix::Bare => out.push_str(&format!(r"{time}\s+")),
        }
        if self.form == Form::Bracket {
            out.push_str(r"\[");
        }
        out.push_str("(?P<speaker>");
        for part in &self.parts {
            match part {
                Part::Upper => out.push_str(r"\p{Lu}[\p{L}\p{M}]*"),
                Part::Lower => out.push_str(r"\p{Ll}[\p{L}\p{M}]*"),
                Part::Caseless => out.push_str(r"[\p{L}\p{M}]+"),
                Part::Digits => out.push_str(r"\p{N}+"),
                Part::Space => out.push_str(r"\s+"),
                Part::Literal('\'') => out.push_str(r"\x27"),
                Part::Literal(c) => out.push_str(&regex::escape(&c.to_string())),
            }
        }
        out.push(')');
        out.push_str(match self.form {
            Form::Bracket => r"\](?:\s|$)",
            Form::Colon => r"\s*:(?:\s|$)",
        });
        out
    }
}

fn is_mark(c: char) -> bool {
    // Combining marks (U+0300 block and friends) continue the letter before them.
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

/// What was seen of one shape.
#[derive(Debug)]
struct Seen<'a> {
    lines: usize,
    block_starts: usize,
    /// How often each label occurs.
    labels: BTreeMap<String, usize>,
    /// The first two different labels, for the message.
    examples: Vec<String>,
    /// The first line with this shape.
    first: Line<'a>,
}

/// Counts label-like line openings over a document, line by line.
#[derive(Debug, Default)]
pub(crate) struct Tally<'a> {
    lines: usize,
    blocks: usize,
    shapes: BTreeMap<Shape, Seen<'a>>,
}

impl<'a> Tally<'a> {
    /// Counts one line with words. `block_start` says whether it opens a paragraph; `plain`
    /// whether it may hold an unread label (not a recognised label, heading or code).
    pub fn line(&mut self, line: &Line<'a>, block_start: bool, plain: bool) {
        self.lines += 1;
        self.blocks += usize::from(block_start);
        if !plain {
            return;
        }
        let Some((shape, label)) = opening(line.text) else {
            return;
        };
        let seen = self.shapes.entry(shape).or_insert_with(|| Seen {
            lines: 0,
            block_starts: 0,
            labels: BTreeMap::new(),
            examples: Vec::new(),
            first: *line,
        });
        seen.lines += 1;
        seen.block_starts += usize::from(block_start);
        let count = seen.labels.entry(label.to_owned()).or_insert(0);
        *count += 1;
        if *count == 1 && seen.examples.len() < 2 {
            seen.examples.push(label.to_owned());
        }
    }

    /// One warning per shape that opens many paragraphs. `custom` says whether the project has
    /// its own `speaker_pattern`, which changes the advice.
    pub fn warnings(self, custom: bool) -> Vec<Diagnostic> {
        let (lines, blocks) = (self.lines, self.blocks);
        let mut found: Vec<(Shape, Seen<'a>)> = self
            .shapes
            .into_iter()
            .filter(|(_, seen)| {
                seen.lines >= MIN_LINES
                    && (seen.lines * 5 >= lines || seen.block_starts * 5 >= blocks)
                    && seen.labels.len() >= 2
                    && seen.labels.len() < seen.lines
            })
            .collect();
        found.sort_by_key(|(_, seen)| seen.first.no);
        found
            .into_iter()
            .map(|(shape, seen)| Diagnostic::at(seen.first.no, message(&shape, &seen, custom)))
            .collect()
    }
}

/// The label-like opening of a line that the detector did not read, with its shape.
fn opening(text: &str) -> Option<(Shape, &str)> {
    let (form, caps) = match COLON.captures(text) {
        Some(caps) => (Form::Colon, caps),
        None => (Form::Bracket, BRACKET.captures(text)?),
    };
    let label = caps.name("label")?.as_str().trim();
    if label.chars().count() > MAX_CHARS {
        return None;
    }
    let folded = label.trim_end_matches('.').to_lowercase();
    if NOT_SPEAKERS.contains(&folded.as_str())
        || (form == Form::Bracket && NOISES.contains(&folded.as_str()))
    {
        return None;
    }
    let pre = caps.name("pre").map(|m| m.as_str());
    Some((Shape::of(form, pre, label), label))
}

fn message(shape: &Shape, seen: &Seen<'_>, custom: bool) -> String {
    let examples = seen
        .examples
        .iter()
        .map(|e| match shape.form {
            Form::Colon => format!("`{e}:`"),
            Form::Bracket => format!("`[{e}]`"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut msg = format!(
        "{} paragraphs start with a label shaped `{}` ({examples}, …) that is not read as a \
         speaker: those passages have no speaker and keep the label in their text",
        seen.lines,
        shape.template()
    );
    let pattern = shape.pattern();
    // Offer only a pattern that reads the example line the way the message promises.
    let works = Regex::new(&pattern).ok().is_some_and(|re| {
        label::custom(&re, seen.first.text)
            .is_some_and(|l| seen.examples.first().is_some_and(|e| *e == l.speaker))
    });
    if works {
        let scope = if custom {
            "in place of the project's current `speaker_pattern`, which does not match them"
        } else {
            "it replaces the built-in label detection for every file of the project"
        };
        msg.push_str(&format!(
            "; if these are speakers, set `speaker_pattern = '{pattern}'` in ambit.toml \
             ({scope}) and read the file again (`ambit add --reparse`)"
        ));
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(label: &str, form: Form, template: &str) {
        let shape = Shape::of(form, None, label);
        assert_eq!(shape.template(), template, "{label:?}");
    }

    #[test]
    fn shapes() {
        check("Anna", Form::Bracket, "[Word]");
        check("ANNA", Form::Bracket, "[Word]");
        check("anna", Form::Colon, "word:");
        check("speaker 12", Form::Colon, "word 9:");
        check("Interviewer (Erik)", Form::Colon, "Word (Word):");
        check("Zoë Ødegård", Form::Colon, "Word Word:");
        check("e\u{301}ric", Form::Colon, "word:");
        check("田中", Form::Colon, "Word:");
        check("o'neil--x", Form::Colon, "word'word--word:");
    }
}
