//! The codebook model: codes with definitions and auto-coding rules, and the lookups over their hierarchy.
//!
//! Reading TOML lives in `read`, its checks (and the checks against a study timeline) in
//! `validate`, writing it back in `write`, in-memory edits in `edit`.

use std::collections::HashMap;

use ambit_core::DocKind;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, UnknownCode};
use crate::text::{close_enough, edit_distance};

mod edit;
mod read;
mod validate;
mod write;

/// A validated codebook. Codes keep the order of the TOML file everywhere.
///
/// Build one with [`Codebook::parse`]; edits ([`rename`](Codebook::rename),
/// [`merge`](Codebook::merge), [`remove`](Codebook::remove)) keep it valid.
///
/// Two codebooks are equal when their name, description and codes are; where they were
/// written in the source does not count.
#[derive(Debug, Clone, Serialize)]
pub struct Codebook {
    name: String,
    description: String,
    codes: Vec<Code>,
    #[serde(skip)]
    index: HashMap<String, usize>,
    /// For each rule id, the source line of each of its `phase` values, so that the checks
    /// against a timeline, which run after parsing, can still point at the line.
    #[serde(skip)]
    phase_lines: HashMap<String, Vec<usize>>,
}

impl PartialEq for Codebook {
    fn eq(&self, other: &Codebook) -> bool {
        // `index` follows from `codes`; `phase_lines` says where, not what.
        self.name == other.name
            && self.description == other.description
            && self.codes == other.codes
    }
}

/// One code (theme) of the codebook, with its place in the hierarchy.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Code {
    /// Unique id, conventionally dotted (`kb.semantic`).
    pub id: String,
    /// Short human-readable name.
    pub name: String,
    /// Parent code id: explicit `parent`, or the id up to its last dot.
    pub parent: Option<String>,
    /// 0 for top-level codes, parent's depth + 1 otherwise.
    pub depth: usize,
    /// Ids of direct children, in file order.
    pub children: Vec<String>,
    /// The definition of the code.
    pub description: String,
    /// Inclusion criteria: when to apply the code.
    pub include: String,
    /// Exclusion criteria: when not to apply it.
    pub exclude: String,
    /// Example quotes.
    pub examples: Vec<String>,
    /// Display colour, `#RGB` or `#RRGGBB`.
    pub color: Option<String>,
    /// Auto-coding rules of this code, in file order.
    pub rules: Vec<Rule>,
}

/// An auto-coding rule. It matches a passage when any match part (`keywords`, `phrases`,
/// `regex`, `near`) matches, every filter holds, every `all` keyword occurs and no
/// `exclude_keywords` word occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Rule {
    /// Unique across the codebook; `<code id>.<n>` when not given.
    pub id: String,
    /// Whole words, case-insensitive; `*` at the start or end is a wildcard.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Word sequences, case-insensitive, whole-word bounded, any whitespace between words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phrases: Vec<String>,
    /// Regular expressions (Rust `regex` syntax) run on the original text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub regex: Vec<String>,
    /// Proximity conditions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub near: Vec<Near>,
    /// Keywords that must all occur as well.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub all: Vec<String>,
    /// Only passages by one of these speakers (case-insensitive).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub speaker: Vec<String>,
    /// Only passages of documents of one of these kinds (written in any case; an unknown
    /// kind is a diagnostic).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kind: Vec<DocKind>,
    /// Only passages in one of these phases (case-insensitive);
    /// [`Codebook::check_phases`] compares them with the study timeline.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phase: Vec<String>,
    /// Only passages already carrying this code or one of its descendants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    /// Veto words: the rule does not match a passage containing any of them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclude_keywords: Vec<String>,
}

/// A proximity condition: every term occurs within `within` words of the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Near {
    /// Keywords or phrases (each may use `*`).
    pub terms: Vec<String>,
    /// Largest distance in words between the first and the last term (adjacent words: 1).
    pub within: u32,
}

impl Near {
    /// A proximity condition over `terms`.
    pub fn new(terms: Vec<String>, within: u32) -> Near {
        Near { terms, within }
    }
}

impl Rule {
    /// Whether the rule has at least one match part.
    pub fn has_match_part(&self) -> bool {
        !(self.keywords.is_empty()
            && self.phrases.is_empty()
            && self.regex.is_empty()
            && self.near.is_empty())
    }
}

impl Codebook {
    /// The codebook's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The codebook's description.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// All codes in file order.
    pub fn codes(&self) -> &[Code] {
        &self.codes
    }

    /// The code with this id.
    pub fn code(&self, id: &str) -> Option<&Code> {
        self.index.get(id).map(|&i| &self.codes[i])
    }

    /// Position of the code in file order.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Whether a code with this id exists.
    pub fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// The position of the code with this id; for an unknown id, the error names the codes
    /// whose id or name is close to it.
    pub fn require(&self, id: &str) -> Result<usize> {
        self.position(id).ok_or_else(|| {
            Error::UnknownCodes(vec![UnknownCode {
                id: id.to_owned(),
                close: self.close_codes(id),
            }])
        })
    }

    /// Checks that every id names a code; the error lists each unknown id with the codes
    /// whose id or name is close to it.
    pub fn require_codes<S: AsRef<str>>(&self, ids: &[S]) -> Result<()> {
        let mut unknown: Vec<UnknownCode> = Vec::new();
        for id in ids {
            let id = id.as_ref();
            if !self.contains(id) && !unknown.iter().any(|u| u.id == id) {
                unknown.push(UnknownCode {
                    id: id.to_owned(),
                    close: self.close_codes(id),
                });
            }
        }
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(Error::UnknownCodes(unknown))
        }
    }

    /// Ids of the codes (at most three, closest first, then in codebook order) that `word`
    /// may have meant: a typo of the id, of its last dotted part (`semantic` for
    /// `kb.semantic`) or of the name, in any case.
    fn close_codes(&self, word: &str) -> Vec<String> {
        let word = word.trim().to_lowercase();
        let mut scored: Vec<(usize, usize)> = self
            .codes
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let last = c.id.rsplit('.').next().unwrap_or(&c.id);
                [c.id.as_str(), last, c.name.as_str()]
                    .into_iter()
                    .map(|key| {
                        let key = key.to_lowercase();
                        (edit_distance(&word, &key), key.chars().count())
                    })
                    .filter(|&(d, len)| close_enough(d, len))
                    .map(|(d, _)| d)
                    .min()
                    .map(|d| (d, i))
            })
            .collect();
        scored.sort_unstable();
        scored
            .into_iter()
            .take(3)
            .map(|(_, i)| self.codes[i].id.clone())
            .collect()
    }

    /// All descendants of `id` (children, grandchildren, …) in file order, without `id` itself.
    /// Empty for an unknown id.
    pub fn descendants(&self, id: &str) -> Vec<&Code> {
        if !self.contains(id) {
            return Vec::new();
        }
        self.codes
            .iter()
            .filter(|c| c.id != id && self.ancestors(&c.id).any(|a| a == id))
            .collect()
    }

    /// Ancestors of `id`, nearest first.
    pub fn ancestors<'a>(&'a self, id: &str) -> impl Iterator<Item = &'a str> + 'a {
        let mut cur = self.code(id).and_then(|c| c.parent.as_deref());
        // Validation forbids cycles; the step bound keeps a corrupted value from looping forever.
        let mut steps = self.codes.len();
        std::iter::from_fn(move || {
            let here = cur?;
            if steps == 0 {
                return None;
            }
            steps -= 1;
            cur = self.code(here).and_then(|c| c.parent.as_deref());
            Some(here)
        })
    }

    /// `codes` plus all their ancestors, without duplicates, in codebook order (unknown ids
    /// last, as given). A passage coded `kb.semantic` thereby also counts as `kb`.
    pub fn with_ancestors<S: AsRef<str>>(&self, codes: &[S]) -> Vec<String> {
        let mut present = vec![false; self.codes.len()];
        let mut unknown: Vec<String> = Vec::new();
        for c in codes {
            let c = c.as_ref();
            match self.position(c) {
                Some(i) => {
                    present[i] = true;
                    for a in self.ancestors(c) {
                        if let Some(j) = self.position(a) {
                            present[j] = true;
                        }
                    }
                }
                None if !unknown.iter().any(|u| u == c) => unknown.push(c.to_owned()),
                None => {}
            }
        }
        self.codes
            .iter()
            .zip(present)
            .filter(|(_, p)| *p)
            .map(|(c, _)| c.id.clone())
            .chain(unknown)
            .collect()
    }

    /// Positions of the codes in tree order: each parent followed by its subtree, siblings in
    /// codebook order. Tables show the hierarchy in this order. Every code appears once.
    pub fn tree_order(&self) -> Vec<usize> {
        fn visit(cb: &Codebook, i: usize, out: &mut Vec<usize>, seen: &mut [bool]) {
            if std::mem::replace(&mut seen[i], true) {
                return;
            }
            out.push(i);
            for child in &cb.codes[i].children {
                if let Some(k) = cb.position(child) {
                    visit(cb, k, out, seen);
                }
            }
        }
        let mut out = Vec::with_capacity(self.codes.len());
        let mut seen = vec![false; self.codes.len()];
        for (i, c) in self.codes.iter().enumerate() {
            if c.parent.is_none() {
                visit(self, i, &mut out, &mut seen);
            }
        }
        // Codes whose parent is missing still get a row.
        for i in 0..self.codes.len() {
            visit(self, i, &mut out, &mut seen);
        }
        out
    }

    fn rebuild_index(&mut self) {
        self.index = self
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
    }

    /// Recomputes the derived fields (index, depth, children) after parsing or an edit.
    fn rebuild(&mut self) {
        self.rebuild_index();
        let mut children: Vec<Vec<String>> = vec![Vec::new(); self.codes.len()];
        for c in &self.codes {
            if let Some(p) = c.parent.as_deref().and_then(|p| self.index.get(p)) {
                children[*p].push(c.id.clone());
            }
        }
        let depths: Vec<usize> = self
            .codes
            .iter()
            .map(|c| self.ancestors(&c.id).count())
            .collect();
        for ((code, kids), depth) in self.codes.iter_mut().zip(children).zip(depths) {
            code.children = kids;
            code.depth = depth;
        }
    }
}
