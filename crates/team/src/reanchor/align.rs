//! Character alignment of an old and a new text: which stretches of the old text survive,
//! and where they are in the new one.
//!
//! Three passes, each over less text than the one before:
//! 1. a histogram diff of word tokens (a run of letters and digits, or any other single
//!    character), which finds the unchanged text in order;
//! 2. a character diff inside each small changed hunk, kept only when the two sides are
//!    alike (a typo fixed, a letter added), so that a rewritten sentence is not stitched
//!    together from stray common letters;
//! 3. a token diff of everything still unmatched in the old text against everything still
//!    unmatched in the new one: a paragraph moved elsewhere is deleted and inserted for the
//!    in-order diff, and this pass pairs the two copies (keeping only stretches long enough
//!    not to be chance).

use std::collections::HashMap;
use std::ops::Range;

use ambit_core::text::is_word_char;
use imara_diff::{Algorithm, Diff, Token};

/// Changed hunks larger than this (characters, either side) are not diffed by character:
/// a hunk that large is a rewrite, not a correction, and a character diff of it would cost
/// more than the rest of the alignment.
const REFINE_MAX: usize = 2_000;

/// A character diff of a hunk is kept when at least this share of its characters match
/// (`2 * matched / (old + new)`, as difflib's ratio).
const REFINE_MIN_RATIO: f64 = 0.5;

/// The shortest stretch (characters) that the moves pass accepts as text that moved; shorter
/// common stretches between deleted and inserted text are mostly chance (" of the ").
const MOVE_MIN: usize = 16;

/// Which pass matched a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pass {
    /// The in-order diff (passes 1 and 2): these blocks are in the same order in both texts.
    InOrder,
    /// The moves pass: text that moved relative to the in-order blocks.
    Moved,
}

/// A stretch of `len` characters at `old` in the old text and at `new` in the new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Block {
    pub old: usize,
    pub new: usize,
    pub len: usize,
    pub pass: Pass,
}

impl Block {
    fn old_end(&self) -> usize {
        self.old + self.len
    }
}

/// Where a character range of the old text lies in the new one, by the alignment alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mapped {
    pub start: usize,
    pub end: usize,
}

/// The alignment of two texts (as character slices).
pub(crate) struct Alignment {
    /// Every block, by old position; blocks never overlap on either side.
    blocks: Vec<Block>,
    /// The in-order blocks, by old position (and so also by new position).
    in_order: Vec<Block>,
    /// The new-text range of every block, by start.
    new_spans: Vec<(usize, usize)>,
    new_len: usize,
}

/// Word tokens of `chars[range]`: runs of word characters, and every other character alone.
fn tokens(chars: &[char], range: Range<usize>, out: &mut Vec<(usize, usize)>) {
    let mut i = range.start;
    while i < range.end {
        let start = i;
        if is_word_char(chars[i]) {
            while i < range.end && is_word_char(chars[i]) {
                i += 1;
            }
        } else {
            i += 1;
        }
        out.push((start, i));
    }
}

/// Dense token ids for the histogram diff, which sizes its tables by the number of tokens.
#[derive(Default)]
struct Interner<'a> {
    ids: HashMap<&'a [char], u32>,
}

impl<'a> Interner<'a> {
    fn intern(&mut self, token: &'a [char]) -> Token {
        let next = self.ids.len() as u32;
        Token(*self.ids.entry(token).or_insert(next))
    }

    fn len(&self) -> u32 {
        self.ids.len() as u32
    }
}

/// The character range of tokens `range` of `toks`; an empty token range gives the empty
/// range where its tokens would be.
fn char_span(toks: &[(usize, usize)], range: Range<u32>, text_len: usize) -> Range<usize> {
    let at = |i: u32| toks.get(i as usize).map_or(text_len, |t| t.0);
    at(range.start)..at(range.end)
}

/// Walks a diff, calling `equal(old_tokens, new_tokens)` for each maximal run of unchanged
/// tokens and `changed(old_tokens, new_tokens)` for each hunk, in order.
fn walk(
    diff: &Diff,
    old_count: u32,
    new_count: u32,
    mut equal: impl FnMut(Range<u32>, Range<u32>),
    mut changed: impl FnMut(Range<u32>, Range<u32>),
) {
    let (mut o, mut n) = (0u32, 0u32);
    for hunk in diff.hunks() {
        if hunk.before.start > o {
            equal(o..hunk.before.start, n..hunk.after.start);
        }
        changed(hunk.before.clone(), hunk.after.clone());
        o = hunk.before.end;
        n = hunk.after.end;
    }
    if old_count > o {
        equal(o..old_count, n..new_count);
    }
}

/// Aligns `old` with `new`.
pub(crate) fn align(old: &[char], new: &[char]) -> Alignment {
    let mut old_toks = Vec::with_capacity(old.len() / 3);
    let mut new_toks = Vec::with_capacity(new.len() / 3);
    tokens(old, 0..old.len(), &mut old_toks);
    tokens(new, 0..new.len(), &mut new_toks);
    let mut interner = Interner::default();
    let before: Vec<Token> = old_toks
        .iter()
        .map(|&(a, b)| interner.intern(&old[a..b]))
        .collect();
    let after: Vec<Token> = new_toks
        .iter()
        .map(|&(a, b)| interner.intern(&new[a..b]))
        .collect();
    let mut diff = Diff::default();
    diff.compute_with(Algorithm::Histogram, &before, &after, interner.len());

    let mut in_order = Vec::new();
    let mut hunks = Vec::new();
    walk(
        &diff,
        before.len() as u32,
        after.len() as u32,
        |o, n| {
            let o = char_span(&old_toks, o, old.len());
            let n = char_span(&new_toks, n, new.len());
            debug_assert_eq!(o.len(), n.len());
            in_order.push(Block {
                old: o.start,
                new: n.start,
                len: o.len(),
                pass: Pass::InOrder,
            });
        },
        |o, n| {
            hunks.push((
                char_span(&old_toks, o, old.len()),
                char_span(&new_toks, n, new.len()),
            ))
        },
    );
    for (o, n) in hunks {
        refine(old, new, o, n, &mut in_order);
    }
    in_order.sort_unstable_by_key(|b| b.old);

    let mut blocks = in_order.clone();
    moves(old, new, &in_order, &mut interner, &mut blocks);
    blocks.sort_unstable_by_key(|b| b.old);
    let mut new_spans: Vec<(usize, usize)> =
        blocks.iter().map(|b| (b.new, b.new + b.len)).collect();
    new_spans.sort_unstable();
    Alignment {
        blocks,
        in_order,
        new_spans,
        new_len: new.len(),
    }
}

/// Diffs a changed hunk by character and adds its matching stretches, when the two sides
/// are alike enough for that to mean a correction.
fn refine(old: &[char], new: &[char], o: Range<usize>, n: Range<usize>, out: &mut Vec<Block>) {
    if o.is_empty() || n.is_empty() || o.len() > REFINE_MAX || n.len() > REFINE_MAX {
        return;
    }
    let mut ids: HashMap<char, u32> = HashMap::new();
    let mut intern = |c: char| {
        let next = ids.len() as u32;
        Token(*ids.entry(c).or_insert(next))
    };
    let before: Vec<Token> = old[o.clone()].iter().map(|&c| intern(c)).collect();
    let after: Vec<Token> = new[n.clone()].iter().map(|&c| intern(c)).collect();
    let mut diff = Diff::default();
    diff.compute_with(Algorithm::Myers, &before, &after, ids.len() as u32);
    let mut found = Vec::new();
    walk(
        &diff,
        before.len() as u32,
        after.len() as u32,
        |a, b| {
            found.push(Block {
                old: o.start + a.start as usize,
                new: n.start + b.start as usize,
                len: a.len(),
                pass: Pass::InOrder,
            })
        },
        |_, _| {},
    );
    let matched: usize = found.iter().map(|b| b.len).sum();
    if 2.0 * matched as f64 >= REFINE_MIN_RATIO * (o.len() + n.len()) as f64 {
        out.extend(found);
    }
}

/// The ranges of `0..len` that no span covers; `spans` are sorted and disjoint.
fn gaps(spans: impl Iterator<Item = (usize, usize)>, len: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = 0;
    for (a, b) in spans {
        if a > at {
            out.push(at..a);
        }
        at = b;
    }
    if len > at {
        out.push(at..len);
    }
    out
}

/// Stands for a separator until the interner is complete and separators get their ids.
const SEPARATOR: Token = Token(u32::MAX);

/// The tokens of each gap, each gap followed by a [`SEPARATOR`], and their character spans.
fn gap_tokens<'a>(
    text: &'a [char],
    gaps: &[Range<usize>],
    interner: &mut Interner<'a>,
) -> (Vec<Token>, Vec<(usize, usize)>) {
    let mut toks = Vec::new();
    let mut spans = Vec::new();
    let mut buf = Vec::new();
    for gap in gaps {
        buf.clear();
        tokens(text, gap.clone(), &mut buf);
        for &(a, b) in &buf {
            toks.push(interner.intern(&text[a..b]));
            spans.push((a, b));
        }
        toks.push(SEPARATOR);
        spans.push((gap.end, gap.end));
    }
    (toks, spans)
}

/// Pairs text that the in-order diff saw deleted in one place and inserted in another.
fn moves<'a>(
    old: &'a [char],
    new: &'a [char],
    in_order: &[Block],
    interner: &mut Interner<'a>,
    out: &mut Vec<Block>,
) {
    let old_gaps = gaps(in_order.iter().map(|b| (b.old, b.old_end())), old.len());
    let new_gaps = gaps(in_order.iter().map(|b| (b.new, b.new + b.len)), new.len());
    if old_gaps.is_empty() || new_gaps.is_empty() {
        return;
    }
    // Each gap is tokenised on its own and followed by a separator token of its own, which
    // matches nothing, so no matched stretch runs from one gap into the next.
    let (mut before, before_spans) = gap_tokens(old, &old_gaps, interner);
    let (mut after, after_spans) = gap_tokens(new, &new_gaps, interner);
    let words = interner.len();
    let mut seps = 0;
    for t in before.iter_mut().chain(after.iter_mut()) {
        if *t == SEPARATOR {
            *t = Token(words + seps);
            seps += 1;
        }
    }
    let mut diff = Diff::default();
    diff.compute_with(Algorithm::Histogram, &before, &after, words + seps);
    walk(
        &diff,
        before.len() as u32,
        after.len() as u32,
        |o, n| {
            let (oa, ob) = (
                before_spans[o.start as usize].0,
                before_spans[o.end as usize - 1].1,
            );
            let na = after_spans[n.start as usize].0;
            if ob - oa >= MOVE_MIN {
                out.push(Block {
                    old: oa,
                    new: na,
                    len: ob - oa,
                    pass: Pass::Moved,
                });
            }
        },
        |_, _| {},
    );
}

impl Alignment {
    /// Where position `p` of the old text falls in the new one by the in-order blocks: its
    /// counterpart when it lies in unchanged text, else the start of the new text that
    /// replaced the text around it.
    pub(crate) fn project(&self, p: usize) -> usize {
        let i = self.in_order.partition_point(|b| b.old <= p);
        let Some(b) = i.checked_sub(1).map(|i| self.in_order[i]) else {
            return 0;
        };
        if p < b.old_end() {
            b.new + (p - b.old)
        } else {
            b.new + b.len
        }
    }

    /// Where the characters `s..e` (non-empty) of the old text are in the new one, by the
    /// blocks of one pass (the one that matches more of them): from the first matched
    /// character to the last, with what lies between. Unmatched characters at either edge
    /// are taken to be replaced by as many unmatched characters next to the range in the new
    /// text (a first word rewritten stays inside), never by matched ones (a turn inserted
    /// right before the range stays outside). `None` when no character of the range survives.
    pub(crate) fn map(&self, s: usize, e: usize) -> Option<Mapped> {
        /// First and last matched segment of one pass, and how many characters it matched.
        #[derive(Clone, Copy)]
        struct Chain {
            first: (usize, usize),
            last: (usize, usize),
            covered: usize,
        }
        let mut chains: [Option<Chain>; 2] = [None, None];
        let from = self.blocks.partition_point(|b| b.old_end() <= s);
        for b in self.blocks[from..].iter().take_while(|b| b.old < e) {
            let oa = s.max(b.old);
            let ob = e.min(b.old_end());
            if oa >= ob {
                continue;
            }
            let seg = (oa, b.new + (oa - b.old));
            let end = (ob, b.new + (ob - b.old));
            let slot = &mut chains[usize::from(b.pass == Pass::Moved)];
            match slot {
                Some(c) => {
                    c.last = end;
                    c.covered += ob - oa;
                }
                None => {
                    *slot = Some(Chain {
                        first: seg,
                        last: end,
                        covered: ob - oa,
                    })
                }
            }
        }
        let chain = match chains {
            [Some(a), Some(m)] if m.covered > a.covered => m,
            [Some(a), _] => a,
            [None, m] => m?,
        };
        let (first_old, first_new) = chain.first;
        let (last_old, last_new) = chain.last;
        let before = first_old - s;
        let start = if before > 0 {
            let i = self.new_spans.partition_point(|sp| sp.0 < first_new);
            let prev_end = i.checked_sub(1).map_or(0, |i| self.new_spans[i].1);
            first_new - before.min(first_new.saturating_sub(prev_end))
        } else {
            first_new
        };
        let after = e - last_old;
        let end = if after > 0 {
            let i = self.new_spans.partition_point(|sp| sp.0 < last_new);
            let next_start = self.new_spans.get(i).map_or(self.new_len, |sp| sp.0);
            last_new + after.min(next_start.saturating_sub(last_new))
        } else {
            last_new
        };
        Some(Mapped { start, end })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    /// Maps `old[s..e]` and returns the new text there.
    fn check(old: &str, new: &str, s: usize, e: usize, expected: Option<&str>) {
        let (o, n) = (chars(old), chars(new));
        let al = align(&o, &n);
        let got = al
            .map(s, e)
            .map(|m| n[m.start..m.end].iter().collect::<String>());
        assert_eq!(got.as_deref(), expected, "{old:?} -> {new:?} [{s}..{e}]");
    }

    #[test]
    fn maps_ranges_through_edits() {
        // Unchanged, shifted by an insertion before.
        check("a cat sat", "so a cat sat", 2, 5, Some("cat"));
        // A typo fixed inside: characters refined.
        check("teh cat sat", "the cat sat", 0, 7, Some("the cat"));
        // A first word rewritten: the replacement stays inside.
        check("A: dog ran.", "A: cat ran.", 3, 10, Some("cat ran"));
        // A word inserted right before stays outside.
        check("x dog ran", "x big dog ran", 2, 9, Some("dog ran"));
        // A word inserted inside makes it grow.
        check(
            "the cat sat",
            "the black cat sat",
            0,
            11,
            Some("the black cat sat"),
        );
        // Deleted entirely.
        check("keep this. drop that.", "keep this.", 11, 21, None);
    }

    #[test]
    fn pairs_moved_paragraphs() {
        let old = "First paragraph is here.\n\nSecond one talks about the budget cuts.\n\nThird closes it all.";
        let new = "First paragraph is here.\n\nThird closes it all.\n\nSecond one talks about the budget cuts.";
        let s = old
            .find("about the budget")
            .map(|b| old[..b].chars().count());
        let s = s.unwrap_or_default();
        check(old, new, s, s + 16, Some("about the budget"));
    }

    #[test]
    fn projects_positions() {
        let (o, n) = (chars("abc def ghi"), chars("abc XY ghi"));
        let al = align(&o, &n);
        assert_eq!(al.project(0), 0);
        assert_eq!(al.project(8), 7);
        assert_eq!(al.project(11), 10);
    }
}
