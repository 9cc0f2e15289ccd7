//! Re-anchoring: moving codings from an old version of a document text to a new one.
//!
//! [`reanchor`] aligns the two texts (see `align`), maps each coding through the alignment,
//! and then checks the result against the coding's old text (its quote):
//!
//! 1. the mapped range holds exactly the old quote: **kept** (same offsets) or **moved**;
//! 2. else the old quote occurs near the mapped range (the diff put a repeated letter on the
//!    wrong side, say): moved there;
//! 3. else the old quote occurs anywhere in the new text: moved to the occurrence whose
//!    surrounding text matches the old surroundings best (nearest to where the diff points
//!    on a tie). This finds paragraphs moved *and* edited elsewhere, and it is what makes the
//!    key guarantee hold whatever the diff does: a coding whose text survives the edit
//!    always ends on exactly that text. When the quote and its matching surroundings are
//!    short (under [`SURE_EVIDENCE`] characters together), the move is a guess and the
//!    coding is marked [`Anchored::needs_review`]. (All codings that get this far are
//!    searched for in one pass over the new text.)
//! 4. else, if some of its characters survive, it **shrunk**, **grew** or was **edited**
//!    (its text changed; old and new quotes are reported, and it needs review); its new
//!    range does not start or end with whitespace unless its old one did;
//! 5. else it is **lost**: nothing of it but whitespace survives and its old quote occurs
//!    nowhere in the new text. Its old quote is kept for re-attaching by hand.
//!
//! So a coding is reported changed or lost only when its old text no longer occurs anywhere
//! in the new text.
//!
//! **Line endings.** Both texts are expected with LF line endings, as the store keeps them
//! (ingest turns CRLF and lone CR into LF, so a transcript saved again with CRLF line endings
//! re-anchors as unchanged). Text from elsewhere goes through [`normalise_newlines`] first.
//! [`reanchor`] itself treats `\r` as an ordinary character: offsets stay exact on any
//! input, and a line ending that changed inside a coding counts as an edit of it.

mod align;

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};
use ambit_core::text::CharIndex;
use serde::Serialize;

use crate::error::{Error, Result};

/// How many characters of surrounding text on each side are compared when choosing among
/// occurrences of a quote.
const CONTEXT: usize = 32;

/// A move found by searching for a coding's quote is certain when the quote plus the
/// surrounding text that matches on both sides spans at least this many characters;
/// shorter ones (a one-word coding whose turn was deleted, found again in another turn)
/// are guesses and need review.
pub const SURE_EVIDENCE: usize = 32;

/// Positions a quote is searched at, at most, in the whole new text (a one-letter coding
/// occurs everywhere; the first occurrences do as well as any for it).
const MAX_CANDIDATES: usize = 10_000;

/// A coding to re-anchor: its id and its character range in the old text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The coding's id, handed back in the result.
    pub id: i64,
    /// Start, in characters, into the old text.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
}

impl From<&ambit_core::Coding> for Span {
    fn from(c: &ambit_core::Coding) -> Span {
        Span {
            id: c.id,
            start: c.start,
            end: c.end,
        }
    }
}

/// What happened to a coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Same offsets, same text.
    Kept,
    /// Same text at other offsets.
    Moved,
    /// Its text changed and has fewer characters.
    Shrunk,
    /// Its text changed and has more characters.
    Grown,
    /// Its text changed and has as many characters (a typo fixed).
    Edited,
    /// Its text was deleted: nothing of it survives and its quote occurs nowhere.
    Lost,
}

impl Status {
    /// The lower-case name used in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Kept => "kept",
            Status::Moved => "moved",
            Status::Shrunk => "shrunk",
            Status::Grown => "grown",
            Status::Edited => "edited",
            Status::Lost => "lost",
        }
    }

    /// Whether the coding's text changed (shrunk, grown or edited).
    pub fn is_changed(self) -> bool {
        matches!(self, Status::Shrunk | Status::Grown | Status::Edited)
    }
}

/// A coding re-anchored in the new text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anchored {
    /// The coding's id.
    pub id: i64,
    /// Its start in the old text.
    pub old_start: usize,
    /// Its end in the old text.
    pub old_end: usize,
    /// Its start in the new text; `None` when lost.
    pub new_start: Option<usize>,
    /// Its end in the new text; `None` when lost.
    pub new_end: Option<usize>,
    /// What happened to it.
    pub status: Status,
    /// Its text in the old version.
    pub old_quote: String,
    /// Its text in the new version; `None` when lost.
    pub new_quote: Option<String>,
    /// Whether a person should look at it: its text changed or is lost, or it was moved on
    /// the evidence of a short quote alone (see [`SURE_EVIDENCE`]).
    pub needs_review: bool,
}

/// CRLF and lone CR to LF, as ingest stores texts.
pub fn normalise_newlines(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push('\n');
        rest = &rest[i + 1..];
        if let Some(after) = rest.strip_prefix('\n') {
            rest = after;
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Moves every coding from `old_text` to where its text now is in `new_text`, and says what
/// happened to it (see the module documentation for the rules). Offsets count characters
/// (Unicode scalar values), end exclusive. The result is in the order of `codings`.
///
/// Refuses a coding whose range does not fit `old_text`.
pub fn reanchor(old_text: &str, new_text: &str, codings: &[Span]) -> Result<Vec<Anchored>> {
    let old: Vec<char> = old_text.chars().collect();
    let new: Vec<char> = new_text.chars().collect();
    if let Some(c) = codings
        .iter()
        .find(|c| c.start > c.end || c.end > old.len())
    {
        return Err(Error::RangeOutOfBounds {
            id: c.id,
            start: c.start,
            end: c.end,
            len: old.len(),
        });
    }
    let texts = Texts {
        old_text,
        new_text,
        old_index: CharIndex::new(old_text),
        new_index: CharIndex::new(new_text),
        old: &old,
        new: &new,
    };
    if old_text == new_text {
        return Ok(codings
            .iter()
            .map(|c| texts.found(c, c.start, true))
            .collect());
    }
    let alignment = align::align(&old, &new);
    let mut out = Vec::with_capacity(codings.len());
    let mut pending = Vec::new();
    for c in codings {
        match texts.anchor(&alignment, c) {
            Step::Done(a) => out.push(Some(a)),
            Step::Search { mapped, expected } => {
                pending.push((out.len(), mapped, expected));
                out.push(None);
            }
        }
    }
    // Codings the alignment did not settle are searched for in the whole new text, all in
    // one pass: a rewritten text leaves most of them to this step.
    let quotes: Vec<&str> = pending
        .iter()
        .map(|&(i, _, _)| texts.quote_str(&codings[i]))
        .collect();
    let occurrences = texts.occurrences(&quotes);
    for ((i, mapped, expected), at) in pending.into_iter().zip(occurrences) {
        let c = &codings[i];
        out[i] = Some(texts.settle(c, mapped, expected, at));
    }
    Ok(out.into_iter().flatten().collect())
}

/// How far [`Texts::anchor`] got with a coding.
enum Step {
    /// Settled.
    Done(Anchored),
    /// Its quote is to be searched for in the whole new text; `mapped` is where the
    /// alignment put it, `expected` where the search prefers it.
    Search {
        mapped: Option<align::Mapped>,
        expected: usize,
    },
}

/// Both texts, as strings (for searching) and as characters (for comparing).
struct Texts<'a> {
    old_text: &'a str,
    new_text: &'a str,
    old_index: CharIndex,
    new_index: CharIndex,
    old: &'a [char],
    new: &'a [char],
}

/// An occurrence of a quote in the new text and how much of its surroundings match.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    at: usize,
    context: usize,
}

impl Texts<'_> {
    /// Settles a coding by the alignment and the text around where it points, or says
    /// where to search for it.
    fn anchor(&self, alignment: &align::Alignment, c: &Span) -> Step {
        let (s, e) = (c.start, c.end);
        if s == e {
            let at = alignment.project(s);
            return Step::Done(self.found(c, at, true));
        }
        let mapped = alignment.map(s, e);
        let quote = &self.old[s..e];
        if let Some(m) = mapped {
            if self.new.get(m.start..m.end) == Some(quote) {
                return Step::Done(self.found(c, m.start, true));
            }
            // The diff may pair a repeated letter or word on the other side of the quote;
            // the quote is then right next to where it points.
            let slack = quote.len() + CONTEXT;
            let from = m.start.saturating_sub(slack);
            let to = (m.end + slack).min(self.new.len());
            if let Some(hit) = self.search(c, from, to, m.start) {
                return Step::Done(self.found(c, hit.at, true));
            }
        }
        let expected = mapped.map_or_else(|| alignment.project(s), |m| m.start);
        Step::Search { mapped, expected }
    }

    /// Settles a coding from the byte offsets `at` where its quote occurs in the new text.
    fn settle(
        &self,
        c: &Span,
        mapped: Option<align::Mapped>,
        expected: usize,
        at: Vec<usize>,
    ) -> Anchored {
        if let Some(hit) = self.best(c, at.into_iter(), expected) {
            let sure = c.end - c.start + hit.context >= SURE_EVIDENCE;
            return self.found(c, hit.at, sure);
        }
        let quote = &self.old[c.start..c.end];
        match mapped.and_then(|m| self.trim(quote, m.start, m.end)) {
            Some((start, end)) => self.changed(c, start, end),
            None => self.lost(c),
        }
    }

    /// The byte offsets where each quote occurs in the new text (at most
    /// [`MAX_CANDIDATES`] each), found in one pass over it.
    fn occurrences(&self, quotes: &[&str]) -> Vec<Vec<usize>> {
        if quotes.is_empty() {
            return Vec::new();
        }
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut patterns: Vec<&str> = Vec::new();
        let of: Vec<usize> = quotes
            .iter()
            .map(|&q| {
                *ids.entry(q).or_insert_with(|| {
                    patterns.push(q);
                    patterns.len() - 1
                })
            })
            .collect();
        let mut found: Vec<Vec<usize>> = vec![Vec::new(); patterns.len()];
        match AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
        {
            Ok(automaton) => {
                for m in automaton.find_overlapping_iter(self.new_text) {
                    let list = &mut found[m.pattern().as_usize()];
                    if list.len() < MAX_CANDIDATES {
                        list.push(m.start());
                    }
                }
            }
            // Too many or too long quotes for one automaton: search for each on its own.
            Err(_) => {
                for (p, list) in patterns.iter().zip(&mut found) {
                    let step = p.chars().next().map_or(1, char::len_utf8);
                    let mut offset = 0;
                    while list.len() < MAX_CANDIDATES {
                        let Some(i) = self.new_text.get(offset..).and_then(|h| h.find(p)) else {
                            break;
                        };
                        list.push(offset + i);
                        offset += i + step;
                    }
                }
            }
        }
        of.into_iter().map(|p| found[p].clone()).collect()
    }

    /// A changed coding's new range without whitespace at an edge where its old quote had
    /// none: of two equally short diffs, one may leave the space after a deleted word inside
    /// the range (`one two` → `one `). `None` when only whitespace is left.
    fn trim(&self, quote: &[char], mut start: usize, mut end: usize) -> Option<(usize, usize)> {
        let space = |c: Option<&char>| c.is_some_and(|c| c.is_whitespace());
        if !space(quote.first()) {
            while start < end && self.new[start].is_whitespace() {
                start += 1;
            }
        }
        if !space(quote.last()) {
            while end > start && self.new[end - 1].is_whitespace() {
                end -= 1;
            }
        }
        (start < end).then_some((start, end))
    }

    /// The best occurrence of the coding's old quote in `from..to` of the new text (see
    /// [`best`](Self::best)).
    fn search(&self, c: &Span, from: usize, to: usize, expected: usize) -> Option<Candidate> {
        let quote = self.quote_str(c);
        let base = self.new_index.byte_of(self.new_text, from)?;
        let end = self.new_index.byte_of(self.new_text, to)?;
        let hay = self.new_text.get(base..end)?;
        let step = quote.chars().next().map_or(1, char::len_utf8);
        let mut offset = 0;
        let at = std::iter::from_fn(|| {
            let found = hay.get(offset..)?.find(quote)?;
            let byte = base + offset + found;
            offset += found + step;
            Some(byte)
        });
        self.best(c, at.take(MAX_CANDIDATES), expected)
    }

    /// Of the occurrences of the coding's quote at byte offsets `at` of the new text, the
    /// one whose surroundings match the old surroundings longest, then the one nearest to
    /// `expected`, then the first.
    fn best(
        &self,
        c: &Span,
        at: impl Iterator<Item = usize>,
        expected: usize,
    ) -> Option<Candidate> {
        let mut best: Option<Candidate> = None;
        for byte in at {
            let Some(at) = self.new_index.char_of(self.new_text, byte) else {
                continue;
            };
            let hit = Candidate {
                at,
                context: self.context(c, at),
            };
            let better = match best {
                None => true,
                Some(b) => match hit.context.cmp(&b.context) {
                    Ordering::Greater => true,
                    Ordering::Less => false,
                    Ordering::Equal => hit.at.abs_diff(expected) < b.at.abs_diff(expected),
                },
            };
            if better {
                best = Some(hit);
            }
        }
        best
    }

    /// The coding's old quote.
    fn quote_str(&self, c: &Span) -> &str {
        self.old_index
            .slice(self.old_text, c.start, c.end)
            .unwrap_or_default()
    }

    /// How many characters before and after the quote at `at` in the new text equal those
    /// around the coding in the old text (up to [`CONTEXT`] on each side).
    fn context(&self, c: &Span, at: usize) -> usize {
        let len = c.end - c.start;
        let before = (1..=CONTEXT)
            .take_while(|&k| k <= c.start && k <= at && self.old[c.start - k] == self.new[at - k])
            .count();
        let after = (0..CONTEXT)
            .take_while(|&k| {
                let (o, n) = (c.end + k, at + len + k);
                o < self.old.len() && n < self.new.len() && self.old[o] == self.new[n]
            })
            .count();
        before + after
    }

    fn quote_old(&self, c: &Span) -> String {
        self.old[c.start..c.end].iter().collect()
    }

    /// The coding found with its exact text at `at`.
    fn found(&self, c: &Span, at: usize, sure: bool) -> Anchored {
        let quote = self.quote_old(c);
        let len = c.end - c.start;
        Anchored {
            id: c.id,
            old_start: c.start,
            old_end: c.end,
            new_start: Some(at),
            new_end: Some(at + len),
            status: if at == c.start {
                Status::Kept
            } else {
                Status::Moved
            },
            new_quote: Some(quote.clone()),
            old_quote: quote,
            needs_review: !sure,
        }
    }

    fn changed(&self, c: &Span, start: usize, end: usize) -> Anchored {
        // What is left of a coded sentence after its words were deleted (its final full
        // stop, a dash) codes nothing: the coding is lost, not shrunk.
        let old_had_words = self.old[c.start..c.end]
            .iter()
            .any(|&ch| ambit_core::text::is_word_char(ch));
        let new_has_words = self.new[start..end]
            .iter()
            .any(|&ch| ambit_core::text::is_word_char(ch));
        if old_had_words && !new_has_words {
            return self.lost(c);
        }
        let status = match (end - start).cmp(&(c.end - c.start)) {
            Ordering::Less => Status::Shrunk,
            Ordering::Greater => Status::Grown,
            Ordering::Equal => Status::Edited,
        };
        Anchored {
            id: c.id,
            old_start: c.start,
            old_end: c.end,
            new_start: Some(start),
            new_end: Some(end),
            status,
            old_quote: self.quote_old(c),
            new_quote: Some(self.new[start..end].iter().collect()),
            needs_review: true,
        }
    }

    fn lost(&self, c: &Span) -> Anchored {
        Anchored {
            id: c.id,
            old_start: c.start,
            old_end: c.end,
            new_start: None,
            new_end: None,
            status: Status::Lost,
            old_quote: self.quote_old(c),
            new_quote: None,
            needs_review: true,
        }
    }
}

#[cfg(test)]
mod tests;
