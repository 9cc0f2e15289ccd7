//! Pseudonymisation: replacing the names of a key in texts, with an offset map per text.
//!
//! Rules of matching (the same for texts, titles, attribute values, memos and speaker
//! labels):
//! - a name matches as a **whole word**: no letter or digit ([`is_word_char`]) right before
//!   or after it, and no hyphen joining it to one (`Anna-Liisa` is not `Anna`); an
//!   apostrophe after it is fine, so possessives and clitics keep their ending
//!   (`Päivi's`, `Päivi’s` → `P03's`, `P03’s`);
//! - in **any case**, with letters composed or decomposed (`Pa\u{308}ivi`), and with any
//!   whitespace between the words of a multi-word name (a line break, two spaces);
//! - where names overlap, the leftmost wins, and of those starting at the same place the
//!   longest, so **multi-word names go before their parts** (`Päivi Järvinen` → `P03`,
//!   not `Päivi` replaced and `Järvinen` left);
//! - with [`Options::first_names`], the first word of every name of two or more words
//!   (after a title such as `Dr` or `Prof`) is replaced alone too, by the same pseudonym.
//!   A first name that is also a name of the key on its own line follows that line; one
//!   shared by two people with different pseudonyms is refused.
//!
//! Everything happens in one pass over the folded text with one automaton of all names.
//! Inflected forms without an apostrophe (Finnish `Päivin`, `Päiville`) are other words:
//! list them as aliases with the same pseudonym.
//!
//! [`is_word_char`]: ambit_core::text::is_word_char

mod fold;
mod key;
mod offsets;
mod suggest;

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

use aho_corasick::{AhoCorasick, MatchKind};
use ambit_core::text::word_spans;

use self::fold::{ends_word, fold, fold_name, starts_word};
use crate::error::{Error, KeyProblem, Result};

pub use self::key::{Entry, Key};
pub use self::offsets::{OffsetMap, Replacement};
pub use self::suggest::{suggest_names, Candidate};

/// Titles skipped when taking a first name (`Dr Päivi Järvinen` → `Päivi`).
const TITLES: &[&str] = &["dr", "prof", "mr", "mrs", "ms", "mx", "miss", "sir", "dame"];

/// How names are replaced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Also replace the first name of every multi-word name alone (`--first-names`).
    pub first_names: bool,
}

/// A text with its names replaced, and the map from its old offsets to the new ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pseudonymised {
    /// The pseudonymised text.
    pub text: String,
    /// Moves character offsets of the original text into [`text`](Self::text).
    pub map: OffsetMap,
}

/// A name found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMatch {
    /// Start, in characters, in the text searched.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// The name as the key writes it (for a first name alone, the first name).
    pub name: String,
    /// Its pseudonym.
    pub pseudonym: String,
}

/// One name to match: as written, its key line and its pseudonym.
#[derive(Debug, Clone)]
struct Target {
    name: String,
    line: u64,
    pseudonym: String,
}

/// The compiled names: one automaton over the folded names.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    automaton: AhoCorasick,
    targets: Vec<Target>,
}

impl Names {
    /// Compiles `(name, line, pseudonym)` triples; folded names must be distinct.
    pub(crate) fn build(names: impl IntoIterator<Item = (String, u64, String)>) -> Result<Names> {
        let targets: Vec<Target> = names
            .into_iter()
            .map(|(name, line, pseudonym)| Target {
                name,
                line,
                pseudonym,
            })
            .collect();
        let patterns: Vec<String> = targets.iter().map(|t| fold_name(&t.name)).collect();
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|e| Error::Compile(e.to_string()))?;
        Ok(Names { automaton, targets })
    }

    /// Whole-word matches in folded text, as byte ranges of it and target indices: leftmost
    /// first, longest first at the same start, never overlapping.
    fn find_folded(&self, folded: &str) -> Vec<(usize, usize, usize)> {
        let mut found: Vec<(usize, usize, usize)> = self
            .automaton
            .find_overlapping_iter(folded)
            .filter(|m| starts_word(folded, m.start()) && ends_word(folded, m.end()))
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        found.sort_unstable_by_key(|&(s, e, p)| (s, Reverse(e), p));
        let mut taken = Vec::with_capacity(found.len());
        let mut free_from = 0;
        for (s, e, p) in found {
            if s >= free_from {
                taken.push((s, e, p));
                free_from = e;
            }
        }
        taken
    }

    /// Refuses the first entry (in line order) whose pseudonym contains one of the names.
    pub(crate) fn check_pseudonyms(&self, entries: &[Entry]) -> Result<()> {
        for e in entries {
            let folded = fold(&e.pseudonym);
            if let Some(&(_, _, p)) = self.find_folded(&folded.text).first() {
                let t = &self.targets[p];
                let problem = KeyProblem::PseudonymIsName {
                    pseudonym: e.pseudonym.clone(),
                    name: t.name.clone(),
                    name_line: t.line,
                };
                return Err(key::key_error(e.line, problem));
            }
        }
        Ok(())
    }
}

/// The first name of a multi-word name, after a title; `None` for one-word names and for
/// first words that are not one clean word (`Järvinen,` in `Järvinen, Päivi`).
fn first_name(name: &str) -> Option<&str> {
    let mut words = name
        .split_whitespace()
        .skip_while(|w| TITLES.contains(&fold_name(w.trim_end_matches('.')).as_str()));
    let first = words.next()?;
    words.next()?;
    let spans = word_spans(first);
    (spans == [(0, first.chars().count())]).then_some(first)
}

/// Replaces the names of a key in texts. Build it once per export and apply it to every
/// text, title, attribute value, memo and speaker label.
///
/// ```
/// use ambit_team::pseudonym::{Key, Options, Pseudonymiser};
///
/// let key = Key::parse("name,pseudonym\nPäivi Järvinen,P03\nKari Mäkelä,P07\n")?;
/// let p = Pseudonymiser::new(&key, Options { first_names: true })?;
/// let out = p.pseudonymise("PÄIVI JÄRVINEN met Kari. Päivi’s plan won.");
/// assert_eq!(out.text, "P03 met P07. P03’s plan won.");
/// // "met Kari" was at 15..23; it is at 4..11 now.
/// assert_eq!(out.map.map_range(15, 23), (4, 11));
/// # Ok::<(), ambit_team::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Pseudonymiser {
    names: Names,
}

impl Pseudonymiser {
    /// Compiles the key. With [`Options::first_names`], refuses first names shared by people
    /// with different pseudonyms, and pseudonyms that contain a first name.
    pub fn new(key: &Key, options: Options) -> Result<Pseudonymiser> {
        let mut names: Vec<(String, u64, String)> = key
            .entries()
            .iter()
            .map(|e| (e.name.clone(), e.line, e.pseudonym.clone()))
            .collect();
        if options.first_names {
            let full: HashSet<String> = key.entries().iter().map(|e| fold_name(&e.name)).collect();
            let mut firsts: HashMap<String, usize> = HashMap::new();
            let mut derived: Vec<(String, u64, String)> = Vec::new();
            for e in key.entries() {
                let Some(first) = first_name(&e.name) else {
                    continue;
                };
                let folded = fold_name(first);
                if full.contains(&folded) {
                    continue;
                }
                match firsts.get(&folded) {
                    Some(&i) if derived[i].2 != e.pseudonym => {
                        let problem = KeyProblem::AmbiguousFirstName {
                            first_name: first.to_string(),
                            other: derived[i].1,
                        };
                        return Err(key::key_error(e.line, problem));
                    }
                    Some(_) => {}
                    None => {
                        firsts.insert(folded, derived.len());
                        derived.push((first.to_string(), e.line, e.pseudonym.clone()));
                    }
                }
            }
            names.extend(derived);
        }
        let names = Names::build(names)?;
        names.check_pseudonyms(key.entries())?;
        Ok(Pseudonymiser { names })
    }

    /// The names in `text`, by the rules of the module.
    pub fn find(&self, text: &str) -> Vec<NameMatch> {
        self.replace(text, |_, _, _| {})
    }

    /// Replaces every name in `text` and returns the new text with its offset map.
    pub fn pseudonymise(&self, text: &str) -> Pseudonymised {
        let mut out = String::with_capacity(text.len());
        let mut edits = Vec::new();
        let mut last = 0;
        let found = self.replace(text, |byte_range, found, pseudonym| {
            out.push_str(&text[last..byte_range.0]);
            out.push_str(pseudonym);
            last = byte_range.1;
            let shift = edits
                .last()
                .map_or(0, |r: &Replacement| r.new_end as isize - r.old_end as isize);
            let new_start = found.start.saturating_add_signed(shift);
            edits.push(Replacement {
                old_start: found.start,
                old_end: found.end,
                new_start,
                new_end: new_start + pseudonym.chars().count(),
            });
        });
        if found.is_empty() {
            return Pseudonymised {
                text: text.to_string(),
                map: OffsetMap::default(),
            };
        }
        out.push_str(&text[last..]);
        Pseudonymised {
            text: out,
            map: OffsetMap::new(edits),
        }
    }

    /// Replaces every name in `text`, for values whose offsets nobody keeps (titles,
    /// attribute values, speaker labels, memos).
    pub fn pseudonymise_str<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let out = self.pseudonymise(text);
        if out.map.is_identity() {
            Cow::Borrowed(text)
        } else {
            Cow::Owned(out.text)
        }
    }

    /// Finds the names of `text` and calls `each(original byte range, match, pseudonym)` for
    /// each, in text order.
    fn replace(
        &self,
        text: &str,
        mut each: impl FnMut((usize, usize), &NameMatch, &str),
    ) -> Vec<NameMatch> {
        let folded = fold(text);
        let mut out = Vec::new();
        // Character offsets are counted along the way: matches come in text order.
        let (mut byte, mut chars) = (0, 0);
        for (fs, fe, p) in self.names.find_folded(&folded.text) {
            let (bs, be) = (folded.origin(fs), folded.origin(fe));
            chars += text[byte..bs].chars().count();
            let start = chars;
            chars += text[bs..be].chars().count();
            byte = be;
            let t = &self.names.targets[p];
            let m = NameMatch {
                start,
                end: chars,
                name: t.name.clone(),
                pseudonym: t.pseudonym.clone(),
            };
            each((bs, be), &m, &t.pseudonym);
            out.push(m);
        }
        out
    }
}

#[cfg(test)]
mod tests;
