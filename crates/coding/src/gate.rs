//! What a rule regex needs before it can match: the literal gate that lets the keyword scan
//! rule it out, how far from that literal its matches can reach, and a smaller regex with the
//! same verdict.
//!
//! Every regex runs only where the scan saw one of its gate literals, and there only inside
//! the window its reach allows (the literal at most `before` characters after a match's start
//! and `after` characters before its end), so a passage of 300 characters is searched over
//! the few dozen around the literal instead of from its start.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Capture, Hir, HirKind, Repetition};

use crate::text::normalize;

/// A regex's gate: literals, normalised like passage text, one of which occurs in the
/// normalised form of every text the regex matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Gate {
    /// The literals, sorted.
    pub(crate) literals: Vec<String>,
    /// At most this many characters of a match come before the start of its literal
    /// (`None`: no limit).
    pub(crate) before: Option<usize>,
    /// At most this many characters of a match come from the start of its literal on
    /// (`None`: no limit).
    pub(crate) after: Option<usize>,
}

/// Gate literals shorter than this occur in nearly every passage and would only slow the scan.
const MIN_GATE_LEN: usize = 3;

/// Most literals a required set may hold before it stops being worth scanning for.
const MAX_GATE_LITERALS: usize = 64;

/// The gate of a regex (see [`Gate`]); `None` when there is no useful one (the regex then runs
/// on every passage).
///
/// Two sources, the better one wins (the set whose shortest literal is longest):
/// - [`required`]: literals anywhere in the regex (`rules?` needs `rule` even in the middle of
///   `(new|our) rules?\b[^.]{0,80}`), with case-insensitive letters read as their lower-case
///   form, so `(?i)` costs nothing;
/// - the prefix or suffix literals of `regex-syntax`'s extractor. Any substring of a required
///   literal is required too, which makes it safe to cut literals the extractor truncated
///   mid-character.
///
/// Lower-casing and whitespace folding map a literal's occurrence in the raw text onto an
/// occurrence of its normal form in the normalised text.
pub(crate) fn regex_gate(hir: &Hir) -> Option<Gate> {
    let whole = max_chars(hir);
    let mut best = required(hir).and_then(|req| {
        // Normalising drops leading whitespace: each dropped space was one character of the
        // match before the literal's new start.
        let lead = req
            .literals
            .iter()
            .map(|l| l.chars().take_while(|c| c.is_whitespace()).count())
            .max()
            .unwrap_or(0);
        let mut literals: Vec<String> = req.literals.iter().map(|l| normalize(l)).collect();
        literals.sort_unstable();
        literals.dedup();
        let gate = Gate {
            literals,
            before: req.before.map(|b| b + lead),
            after: req.after,
        };
        (gate_quality(&gate.literals).0 >= MIN_GATE_LEN).then_some(gate)
    });
    for prefix in [true, false] {
        let kind = if prefix {
            ExtractKind::Prefix
        } else {
            ExtractKind::Suffix
        };
        let seq = Extractor::new().kind(kind).extract(hir);
        let Some(lits) = seq.literals() else { continue };
        if lits.is_empty() {
            continue;
        }
        let mut set: Vec<String> = Vec::with_capacity(lits.len());
        // Characters of a prefix literal before its normal form begins, and of a suffix
        // literal from there on (a cut character counts as one).
        let (mut lead, mut tail) = (0, 0);
        for lit in lits {
            let lossy = String::from_utf8_lossy(lit.as_bytes());
            let (at, piece) = lossy
                .split('\u{FFFD}')
                .scan(0, |at, p| {
                    let here = *at;
                    *at += p.len() + '\u{FFFD}'.len_utf8();
                    Some((here, p))
                })
                .max_by_key(|(_, p)| p.len())
                .unwrap_or_default();
            let spaces = piece.chars().take_while(|c| c.is_whitespace()).count();
            lead = lead.max(lossy[..at].chars().count() + spaces);
            tail = tail.max(lossy[at..].chars().count());
            set.push(normalize(piece));
        }
        set.sort_unstable();
        set.dedup();
        if gate_quality(&set).0 < MIN_GATE_LEN {
            continue;
        }
        if best
            .as_ref()
            .is_none_or(|b| gate_quality(&set) > gate_quality(&b.literals))
        {
            // Every match starts with a prefix literal (ends with a suffix literal): the
            // other side is bounded by the match's own length only.
            let (before, after) = if prefix {
                (Some(lead), whole)
            } else {
                (whole, Some(tail))
            };
            best = Some(Gate {
                literals: set,
                before,
                after,
            });
        }
    }
    best
}

/// How good a gate is: its shortest literal (longer is rarer), then fewer literals.
fn gate_quality(set: &[String]) -> (usize, std::cmp::Reverse<usize>) {
    let shortest = set.iter().map(String::len).min().unwrap_or(0);
    (shortest, std::cmp::Reverse(set.len()))
}

/// Literals one of which every match of a part of a regex contains (before normalisation),
/// with the part's reach around them, in characters: at most `before` from the part's start
/// to the start of the literal, at most `after` from there to the part's end.
#[derive(Debug)]
struct Required {
    literals: Vec<String>,
    before: Option<usize>,
    after: Option<usize>,
}

/// The required literals of `hir` (see [`Required`]), or `None` when no set is known.
///
/// Concatenations join adjacent single characters into runs (look-arounds such as `\b` are
/// zero-width and do not break a run) and keep the best of their runs and their children's
/// sets; an alternation needs a set from every branch and takes their union; a repetition
/// needs at least one round.
fn required(hir: &Hir) -> Option<Required> {
    match hir.kind() {
        HirKind::Literal(_) | HirKind::Class(_) => single(hir).map(|s| Required {
            literals: vec![s],
            before: Some(0),
            after: max_chars(hir),
        }),
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => {
            let inner = required(&r.sub)?;
            // The literal may be in any round: up to `max - 1` whole rounds on either side.
            let rounds = r
                .max
                .and_then(|m| max_chars(&r.sub)?.checked_mul(m as usize - 1));
            Some(Required {
                literals: inner.literals,
                before: add(inner.before, rounds),
                after: add(inner.after, rounds),
            })
        }
        HirKind::Alternation(branches) => {
            let mut set = Vec::new();
            let (mut before, mut after) = (Some(0), Some(0));
            for b in branches {
                let r = required(b)?;
                set.extend(r.literals);
                before = before.zip(r.before).map(|(x, y)| x.max(y));
                after = after.zip(r.after).map(|(x, y)| x.max(y));
                if set.len() > MAX_GATE_LITERALS {
                    return None;
                }
            }
            Some(Required {
                literals: set,
                before,
                after,
            })
        }
        HirKind::Concat(parts) => {
            // Reach of parts[..i] and of parts[i..], for placing a candidate in the whole.
            let lens: Vec<Option<usize>> = parts.iter().map(max_chars).collect();
            let span = |from: usize, to: usize| -> Option<usize> {
                lens[from..to]
                    .iter()
                    .try_fold(0usize, |acc, l| acc.checked_add((*l)?))
            };
            let mut best: Option<Required> = None;
            let mut keep = |cand: Required| {
                // Measured in normal form: the spaces around ` the ` are dropped from the
                // literal the scan looks for, and `the` is in nearly every passage.
                let q = |s: &[String]| {
                    let shortest = s
                        .iter()
                        .map(|l| l.trim().chars().count())
                        .min()
                        .unwrap_or(0);
                    (shortest, std::cmp::Reverse(s.len()))
                };
                if !cand.literals.is_empty()
                    && best
                        .as_ref()
                        .is_none_or(|b| q(&cand.literals) > q(&b.literals))
                {
                    best = Some(cand);
                }
            };
            let mut run = String::new();
            let mut run_start = 0;
            for (i, part) in parts.iter().enumerate() {
                if let HirKind::Look(_) = part.kind() {
                    continue;
                }
                if let Some(s) = single(part) {
                    if run.is_empty() {
                        run_start = i;
                    }
                    run.push_str(&s);
                    continue;
                }
                if !run.is_empty() {
                    keep(Required {
                        literals: vec![std::mem::take(&mut run)],
                        before: span(0, run_start),
                        after: span(run_start, parts.len()),
                    });
                }
                if let Some(inner) = required(part) {
                    keep(Required {
                        literals: inner.literals,
                        before: add(span(0, i), inner.before),
                        after: add(inner.after, span(i + 1, parts.len())),
                    });
                }
            }
            if !run.is_empty() {
                keep(Required {
                    literals: vec![run],
                    before: span(0, run_start),
                    after: span(run_start, parts.len()),
                });
            }
            best
        }
        _ => None,
    }
}

fn add(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    a?.checked_add(b?)
}

/// The most characters a match of `hir` can have, or `None` when it is unbounded.
pub(crate) fn max_chars(hir: &Hir) -> Option<usize> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(0),
        HirKind::Literal(lit) => {
            Some(std::str::from_utf8(&lit.0).map_or(lit.0.len(), |s| s.chars().count()))
        }
        HirKind::Class(_) => Some(1),
        HirKind::Repetition(r) => match r.max {
            Some(0) => Some(0),
            Some(m) => max_chars(&r.sub)?.checked_mul(m as usize),
            None => None,
        },
        HirKind::Capture(c) => max_chars(&c.sub),
        HirKind::Concat(parts) => parts
            .iter()
            .try_fold(0usize, |acc, p| acc.checked_add(max_chars(p)?)),
        HirKind::Alternation(branches) => branches
            .iter()
            .try_fold(0usize, |acc, b| Some(acc.max(max_chars(b)?))),
    }
}

/// The text a literal or a one-character class always stands for after normalisation: a
/// literal's own text, or the one lower-case form every member of a class shares
/// (`(?i)r` is `[Rr]`: `r`; `['’]`: `'`; whitespace: a space). `None` for anything else.
fn single(hir: &Hir) -> Option<String> {
    use regex_syntax::hir::Class;
    /// Whitespace that the normaliser folds into a space in ASCII and non-ASCII text alike
    /// (the ASCII fast path keeps vertical tab).
    fn folded_space(c: char) -> bool {
        c.is_whitespace() && c != '\u{0B}'
    }
    fn norm(c: char) -> Option<String> {
        if folded_space(c) {
            Some(" ".into())
        } else if c.is_whitespace() {
            None
        } else {
            Some(normalize(c.encode_utf8(&mut [0; 4])))
        }
    }
    match hir.kind() {
        HirKind::Literal(lit) => {
            let text = std::str::from_utf8(&lit.0).ok()?;
            text.chars().map(norm).collect()
        }
        HirKind::Class(Class::Unicode(cls)) => {
            let mut members = Vec::new();
            for r in cls.iter() {
                let n = (r.end() as u32).checked_sub(r.start() as u32)? as usize + 1;
                if members.len() + n > 8 {
                    return None;
                }
                members.extend((r.start()..=r.end()).map(norm));
            }
            let first = members.first()?.clone()?;
            members
                .iter()
                .all(|m| m.as_deref() == Some(first.as_str()))
                .then_some(first)
        }
        _ => None,
    }
}

/// A regex that matches somewhere in a text exactly when `hir` does, but searches less: no
/// capture groups, and without the ends that only lengthen a match (`balanc\w*` matches
/// where `balanc` does; `(the )?(cost|bill)?` at the end of a pattern always can). Only
/// whether a passage matches counts, never where.
pub(crate) fn for_is_match(hir: &Hir) -> Hir {
    trim(&trim(&without_captures(hir), End::Last), End::First)
}

fn without_captures(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Capture(c) => without_captures(&c.sub),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(without_captures(&r.sub)),
            ..r.clone()
        }),
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(without_captures).collect()),
        HirKind::Alternation(bs) => Hir::alternation(bs.iter().map(without_captures).collect()),
        _ => hir.clone(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    First,
    Last,
}

/// `hir` without what it may match at one end beyond the least it needs there: whether a
/// match can start at a position (`End::Last` trimmed) or end at one (`End::First` trimmed)
/// stays the same. A trailing `x{0,n}` can always match nothing, so it goes; a trailing
/// `x{n,m}` holds whenever `x{n}` does; an alternation keeps the trimmed branches, or
/// vanishes when one of them does.
fn trim(hir: &Hir, end: End) -> Hir {
    match hir.kind() {
        HirKind::Repetition(r) if r.min == 0 => Hir::empty(),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            max: Some(r.min),
            ..r.clone()
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(trim(&c.sub, end)),
            ..c.clone()
        }),
        HirKind::Alternation(bs) => {
            let trimmed: Vec<Hir> = bs.iter().map(|b| trim(b, end)).collect();
            if trimmed.iter().any(|b| matches!(b.kind(), HirKind::Empty)) {
                Hir::empty()
            } else {
                Hir::alternation(trimmed)
            }
        }
        HirKind::Concat(parts) => {
            let mut parts = parts.to_vec();
            if end == End::First {
                parts.reverse();
            }
            while let Some(last) = parts.pop() {
                let t = trim(&last, end);
                if !matches!(t.kind(), HirKind::Empty) {
                    parts.push(t);
                    break;
                }
            }
            if end == End::First {
                parts.reverse();
            }
            Hir::concat(parts)
        }
        _ => hir.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(re: &str) -> Option<Vec<String>> {
        regex_gate(&regex_syntax::parse(re).unwrap()).map(|g| g.literals)
    }

    fn reach(re: &str) -> Option<(Option<usize>, Option<usize>)> {
        regex_gate(&regex_syntax::parse(re).unwrap()).map(|g| (g.before, g.after))
    }

    fn trimmed(re: &str) -> String {
        for_is_match(&regex_syntax::parse(re).unwrap()).to_string()
    }

    #[test]
    fn gates_use_inner_and_case_folded_literals() {
        let re = r"(?i)\b(escalation|new|common|the) rules?\b[^.?!]{0,80}\b(is|are|says?)\b";
        assert_eq!(gate(re), Some(vec!["rule".to_string()]));
        assert_eq!(
            gate(r"(?i)\b(nobody|whose|my)(['’]s)? job\b"),
            Some(vec!["job".to_string()])
        );
        // Lengths count in normal form: `who ` is the three letters of `who`, shorter than
        // `pays`; ` the ` is `the`, which nearly every passage holds.
        assert_eq!(
            gate(r"(?i)\bwho (pays|will pay) for\b"),
            Some(vec!["pays".to_string(), "will pay".to_string()])
        );
        assert_eq!(
            gate(r"(?i)\b(owns?|owner of) the (process|queue)\b"),
            Some(vec!["process".to_string(), "queue".to_string()])
        );
        // `(?i)s` also matches the long s, which normalises to `s`.
        assert_eq!(
            gate(r"(?i)\bescalation\b"),
            Some(vec!["escalation".to_string()])
        );
        assert_eq!(gate(r"Ärger\s+über"), Some(vec!["ärger".to_string()]));
        assert_eq!(gate(r"(?i)\b\w+ing\b"), Some(vec!["ing".to_string()]));
        assert_eq!(gate(r"(?i)\b\w+s\b"), None);
        assert_eq!(gate(r"(?i)a|bc"), None);
    }

    #[test]
    fn reach_counts_characters_around_the_literal() {
        // `rule` starts after at most `escalation ` (11); from the space before it the match
        // goes on for at most ` rules` + 80 + `says` (6 + 80 + 4).
        let re = r"(?i)\b(escalation|new|the) rules?\b[^.?!]{0,80}\b(is|are|says?)\b";
        assert_eq!(reach(re), Some((Some(11), Some(90))));
        // `pays`, `will pay` (longer than `who`) start 4 characters into a match, which ends
        // at most 8 characters after their start.
        let re = r"(?i)\bwho (pays|will pay)\b";
        assert_eq!(gate(re), Some(vec!["pays".into(), "will pay".into()]));
        assert_eq!(reach(re), Some((Some(4), Some(8))));
        // A prefix literal: nothing before it.
        let re = r"(?i)\bwho (pays|pays for|pays it) (?:\w+)\b";
        assert_eq!(gate(re), Some(vec!["who pays".into()]));
        assert_eq!(reach(re), Some((Some(0), None)));
        // Leading whitespace of a literal is not in its normal form but still in the match.
        assert_eq!(reach(r"\d own"), Some((Some(2), Some(4))));
        assert_eq!(reach(r"\w+ rules"), Some((None, Some(6))));
        // The literal may be in any of the three rounds.
        assert_eq!(reach(r"\w(?:xyz){1,3}\b"), Some((Some(7), Some(9))));
    }

    #[test]
    fn regexes_for_is_match_drop_what_only_lengthens_a_match() {
        assert_eq!(trimmed(r"(?i)\bbalanc\w*"), trimmed(r"(?i)\bbalanc"));
        assert_eq!(
            trimmed(r"\broles? (of|for) (the )?\w+"),
            trimmed(r"\broles? (?:of|for) (?:the )?\w")
        );
        assert_eq!(trimmed(r"a(x|y+)"), trimmed(r"a(?:x|y)"));
        assert_eq!(trimmed(r"\w*foo(bar)?\b"), trimmed(r"foo(?:bar)?\b"));
        assert_eq!(trimmed(r"a|b*"), trimmed(r""));
        assert_eq!(trimmed(r"x{2,}"), trimmed(r"x{2}"));
    }
}
