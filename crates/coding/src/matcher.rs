//! The auto-coding engine: every rule of a codebook compiled once into one automaton and one
//! regex set, then one pass over each passage, in parallel over documents.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};
use ambit_core::DocKind;
use rayon::prelude::*;
use regex::Regex;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use serde::Serialize;

use crate::codebook::Codebook;
use crate::error::{Error, Result};
use crate::text::{normalize, normalize_into, word_position, word_starts_into, Term};

/// A passage to be coded, borrowed from the caller's storage.
#[derive(Debug, Clone, Copy)]
pub struct PassageInput<'a> {
    /// Document key; passages of one document are coded together.
    pub doc: u32,
    /// The passage text as stored.
    pub text: &'a str,
    /// Speaker label, for transcripts.
    pub speaker: Option<&'a str>,
    /// Kind of the document.
    pub kind: DocKind,
    /// Study phase id (`I1`, …).
    pub phase: Option<&'a str>,
    /// Codes the passage already carries (manual codings etc.), for `within` rules.
    pub codes: &'a [&'a str],
}

/// One rule matching one passage.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RuleHit {
    /// Index of the passage in the input slice.
    pub passage: usize,
    /// Id of the rule's code.
    pub code: String,
    /// Id of the rule.
    pub rule: String,
}

#[derive(Debug)]
struct CompiledNear {
    terms: Vec<u32>,
    within: u32,
}

#[derive(Debug)]
struct CompiledRule {
    code: u32,
    code_id: String,
    rule_id: String,
    any_terms: Vec<u32>,
    regexes: Vec<u32>,
    near: Vec<CompiledNear>,
    all: Vec<u32>,
    veto: Vec<u32>,
    speaker: Vec<String>,
    kind: Vec<DocKind>,
    phase: Vec<String>,
    /// Codes (by position) whose presence satisfies `within`: the code and its descendants.
    within: Option<Vec<u32>>,
}

impl CompiledRule {
    fn uses_terms(&self) -> bool {
        !(self.any_terms.is_empty()
            && self.near.is_empty()
            && self.all.is_empty()
            && self.veto.is_empty())
    }
}

/// Compiled coding rules. Build once with [`Matcher::compile`], then [`run`](Matcher::run) over
/// any number of passages.
///
/// Regexes are not run over every passage: most of them need some literal text to match
/// (`rules?` needs `rule`), so those literals join the keyword automaton, and a regex runs only
/// on passages where the scan saw one of its literals, and only when the verdict of a rule still
/// depends on it. Running a set of Unicode-aware regexes on every passage was three orders of
/// magnitude slower, because `\b` on non-ASCII text forces the regex engine off its DFA.
#[derive(Debug)]
pub struct Matcher {
    automaton: Option<AhoCorasick>,
    /// For each automaton pattern, the terms sharing its text (they differ in wildcards).
    pattern_terms: Vec<Vec<u32>>,
    /// For each automaton pattern, the regexes it is a required literal of.
    pattern_gates: Vec<Vec<u32>>,
    terms: Vec<Term>,
    /// Terms used in `near`, whose positions must be kept.
    positional: Vec<bool>,
    regexes: Vec<Regex>,
    /// Each regex's state before a passage is scanned: [`MAYBE`] for regexes without
    /// required literals, [`NO`] for the others until the scan finds one of their literals.
    regex_init: Vec<u8>,
    rules: Vec<CompiledRule>,
    code_index: HashMap<String, u32>,
    code_count: usize,
}

/// Interns terms and regexes so each distinct pattern is searched once for all rules.
#[derive(Default)]
struct Interner {
    patterns: Vec<String>,
    pattern_ids: HashMap<String, u32>,
    pattern_terms: Vec<Vec<u32>>,
    pattern_gates: Vec<Vec<u32>>,
    terms: Vec<Term>,
    term_ids: HashMap<Term, u32>,
    positional: Vec<bool>,
    regexes: Vec<String>,
    regex_ids: HashMap<String, u32>,
}

impl Interner {
    fn pattern(&mut self, text: &str) -> usize {
        let next = self.patterns.len();
        let pid = *self
            .pattern_ids
            .entry(text.to_owned())
            .or_insert_with(|| to_u32(next)) as usize;
        if pid == self.patterns.len() {
            self.patterns.push(text.to_owned());
            self.pattern_terms.push(Vec::new());
            self.pattern_gates.push(Vec::new());
        }
        pid
    }

    fn term(&mut self, raw: &str, positional: bool) -> Result<u32> {
        // Validated codebooks only hold parseable terms; this guards hand-built ones.
        let term = Term::parse(raw).map_err(Error::Compile)?;
        let id = match self.term_ids.get(&term) {
            Some(&id) => id,
            None => {
                let pid = self.pattern(&term.text);
                let id = to_u32(self.terms.len());
                self.pattern_terms[pid].push(id);
                self.terms.push(term.clone());
                self.positional.push(false);
                self.term_ids.insert(term, id);
                id
            }
        };
        if positional {
            self.positional[id as usize] = true;
        }
        Ok(id)
    }

    fn terms(&mut self, raws: &[String]) -> Result<Vec<u32>> {
        let mut ids: Vec<u32> = Vec::with_capacity(raws.len());
        for raw in raws {
            let id = self.term(raw, false)?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    fn regex(&mut self, re: &str) -> u32 {
        let next = to_u32(self.regexes.len());
        let id = *self.regex_ids.entry(re.to_owned()).or_insert(next);
        if id == next {
            self.regexes.push(re.to_owned());
        }
        id
    }
}

/// Regex state in [`Scratch::regex_state`]: cannot match this passage, or evaluated false.
const NO: u8 = 0;
/// Regex state: may match; not run yet.
const MAYBE: u8 = 1;
/// Regex state: run, and matched.
const YES: u8 = 2;

/// Gate literals shorter than this occur in nearly every passage and would only slow the scan.
const MIN_GATE_LEN: usize = 3;

/// Literals, normalised like passage text, one of which occurs in the normalised form of every
/// text the regex matches; `None` when there is no useful set (the regex then always runs).
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
fn regex_gate(re: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::parse(re).ok()?;
    let mut best = required(&hir).map(|set| {
        let mut set: Vec<String> = set.into_iter().map(|l| normalize(&l)).collect();
        set.sort_unstable();
        set.dedup();
        set
    });
    if best
        .as_ref()
        .is_some_and(|b| gate_quality(b).0 < MIN_GATE_LEN)
    {
        best = None;
    }
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        let seq = Extractor::new().kind(kind).extract(&hir);
        let Some(lits) = seq.literals() else { continue };
        if lits.is_empty() {
            continue;
        }
        let mut set: Vec<String> = Vec::with_capacity(lits.len());
        for lit in lits {
            let lossy = String::from_utf8_lossy(lit.as_bytes());
            let piece = lossy
                .split('\u{FFFD}')
                .max_by_key(|p| p.len())
                .unwrap_or_default();
            set.push(normalize(piece));
        }
        set.sort_unstable();
        set.dedup();
        if gate_quality(&set).0 < MIN_GATE_LEN {
            continue;
        }
        if best
            .as_ref()
            .is_none_or(|b| gate_quality(&set) > gate_quality(b))
        {
            best = Some(set);
        }
    }
    best
}

/// How good a gate is: its shortest literal (longer is rarer), then fewer literals.
fn gate_quality(set: &[String]) -> (usize, std::cmp::Reverse<usize>) {
    let shortest = set.iter().map(String::len).min().unwrap_or(0);
    (shortest, std::cmp::Reverse(set.len()))
}

/// Most literals a required set may hold before it stops being worth scanning for.
const MAX_GATE_LITERALS: usize = 64;

/// A set of strings one of which every match of `hir` contains (before normalisation; the
/// caller normalises them), or `None` when no such set is known.
///
/// Concatenations join adjacent single characters into runs (look-arounds such as `\b` are
/// zero-width and do not break a run) and keep the best of their runs and their children's
/// sets; an alternation needs a set from every branch and takes their union; a repetition
/// needs at least one round.
fn required(hir: &regex_syntax::hir::Hir) -> Option<Vec<String>> {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Literal(_) | HirKind::Class(_) => single(hir).map(|s| vec![s]),
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub),
        HirKind::Alternation(branches) => {
            let mut set = Vec::new();
            for b in branches {
                set.extend(required(b)?);
                if set.len() > MAX_GATE_LITERALS {
                    return None;
                }
            }
            Some(set)
        }
        HirKind::Concat(parts) => {
            let mut best: Option<Vec<String>> = None;
            let mut keep = |cand: Vec<String>| {
                let q = |s: &[String]| {
                    let shortest = s.iter().map(|l| l.chars().count()).min().unwrap_or(0);
                    (shortest, std::cmp::Reverse(s.len()))
                };
                if !cand.is_empty() && best.as_ref().is_none_or(|b| q(&cand) > q(b)) {
                    best = Some(cand);
                }
            };
            let mut run = String::new();
            for part in parts {
                if let HirKind::Look(_) = part.kind() {
                    continue;
                }
                if let Some(s) = single(part) {
                    run.push_str(&s);
                    continue;
                }
                if !run.is_empty() {
                    keep(vec![std::mem::take(&mut run)]);
                }
                if let Some(set) = required(part) {
                    keep(set);
                }
            }
            if !run.is_empty() {
                keep(vec![run]);
            }
            best
        }
        _ => None,
    }
}

/// The text a literal or a one-character class always stands for after normalisation: a
/// literal's own text, or the one lower-case form every member of a class shares
/// (`(?i)r` is `[Rr]`: `r`; `['’]`: `'`; whitespace: a space). `None` for anything else.
fn single(hir: &regex_syntax::hir::Hir) -> Option<String> {
    use regex_syntax::hir::{Class, HirKind};
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

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn lowered(values: &[String]) -> Vec<String> {
    values.iter().map(|v| v.trim().to_lowercase()).collect()
}

/// Case-insensitive equality without allocating; `wanted` is already lower-cased.
fn eq_fold(value: &str, wanted: &str) -> bool {
    value
        .trim()
        .chars()
        .flat_map(char::to_lowercase)
        .eq(wanted.chars())
}

fn filter_ok(allowed: &[String], value: Option<&str>) -> bool {
    allowed.is_empty() || value.is_some_and(|v| allowed.iter().any(|a| eq_fold(v, a)))
}

/// Per-thread buffers, reused across passages so the hot loop does not allocate.
struct Scratch {
    norm: String,
    term_hit: Vec<bool>,
    touched: Vec<u32>,
    occurrences: Vec<(u32, usize)>,
    word_starts: Vec<usize>,
    word_starts_ready: bool,
    eligible: Vec<u32>,
    fired: Vec<bool>,
    code_present: Vec<bool>,
    regex_state: Vec<u8>,
    window: Vec<(u32, usize)>,
    counts: Vec<u32>,
}

impl Scratch {
    fn new(m: &Matcher) -> Scratch {
        Scratch {
            norm: String::new(),
            term_hit: vec![false; m.terms.len()],
            touched: Vec::new(),
            occurrences: Vec::new(),
            word_starts: Vec::new(),
            word_starts_ready: false,
            eligible: Vec::new(),
            fired: vec![false; m.rules.len()],
            code_present: vec![false; m.code_count],
            regex_state: m.regex_init.clone(),
            window: Vec::new(),
            counts: Vec::new(),
        }
    }
}

/// Passages per parallel work item at most; large documents are split so one long
/// transcript does not leave the other cores idle.
const CHUNK: usize = 512;

impl Matcher {
    /// Compiles the rules of `selected_codes` and their descendants (all codes when `None`).
    pub fn compile(codebook: &Codebook, selected_codes: Option<&[String]>) -> Result<Matcher> {
        let code_index: HashMap<String, u32> = codebook
            .codes()
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), to_u32(i)))
            .collect();
        let selected: Option<Vec<bool>> = match selected_codes {
            None => None,
            Some(ids) => {
                codebook.require_codes(ids)?;
                let mut keep = vec![false; codebook.codes().len()];
                for id in ids {
                    let subtree = std::iter::once(id.as_str())
                        .chain(codebook.descendants(id).into_iter().map(|c| c.id.as_str()));
                    for c in subtree {
                        if let Some(&i) = code_index.get(c) {
                            keep[i as usize] = true;
                        }
                    }
                }
                Some(keep)
            }
        };

        let mut int = Interner::default();
        let mut rules = Vec::new();
        for (ci, code) in codebook.codes().iter().enumerate() {
            if selected.as_ref().is_some_and(|keep| !keep[ci]) {
                continue;
            }
            for rule in &code.rules {
                let mut any_terms = int.terms(&rule.keywords)?;
                for id in int.terms(&rule.phrases)? {
                    if !any_terms.contains(&id) {
                        any_terms.push(id);
                    }
                }
                let mut near = Vec::with_capacity(rule.near.len());
                for n in &rule.near {
                    let mut terms = Vec::with_capacity(n.terms.len());
                    for t in &n.terms {
                        terms.push(int.term(t, true)?);
                    }
                    near.push(CompiledNear {
                        terms,
                        within: n.within,
                    });
                }
                let within = match &rule.within {
                    None => None,
                    Some(w) => {
                        let mut set: Vec<u32> = std::iter::once(w.as_str())
                            .chain(codebook.descendants(w).into_iter().map(|c| c.id.as_str()))
                            .filter_map(|c| code_index.get(c).copied())
                            .collect();
                        set.sort_unstable();
                        Some(set)
                    }
                };
                rules.push(CompiledRule {
                    code: to_u32(ci),
                    code_id: code.id.clone(),
                    rule_id: rule.id.clone(),
                    any_terms,
                    regexes: rule.regex.iter().map(|r| int.regex(r)).collect(),
                    near,
                    all: int.terms(&rule.all)?,
                    veto: int.terms(&rule.exclude_keywords)?,
                    speaker: lowered(&rule.speaker),
                    kind: rule.kind.clone(),
                    phase: lowered(&rule.phase),
                    within,
                });
            }
        }

        let mut regexes = Vec::with_capacity(int.regexes.len());
        let mut regex_init = Vec::with_capacity(int.regexes.len());
        for (i, re) in int.regexes.clone().iter().enumerate() {
            regexes.push(Regex::new(re).map_err(|e| Error::Compile(e.to_string()))?);
            match regex_gate(re) {
                Some(literals) => {
                    regex_init.push(NO);
                    for lit in literals {
                        let pid = int.pattern(&lit);
                        int.pattern_gates[pid].push(to_u32(i));
                    }
                }
                None => regex_init.push(MAYBE),
            }
        }

        let automaton = if int.patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&int.patterns)
                    .map_err(|e| Error::Compile(e.to_string()))?,
            )
        };
        Ok(Matcher {
            automaton,
            pattern_terms: int.pattern_terms,
            pattern_gates: int.pattern_gates,
            regexes,
            regex_init,
            terms: int.terms,
            positional: int.positional,
            rules,
            code_index,
            code_count: codebook.codes().len(),
        })
    }

    /// Number of compiled rules.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Codes the passages, in parallel over documents. Hits are ordered by passage, then by
    /// codebook order of code and rule; the result equals [`run_sequential`](Matcher::run_sequential).
    pub fn run(&self, passages: &[PassageInput<'_>]) -> Vec<RuleHit> {
        let chunks = chunk_by_doc(passages);
        let mut pairs: Vec<(usize, u32)> = chunks
            .par_iter()
            .map_init(
                || Scratch::new(self),
                |scratch, chunk| {
                    let mut out = Vec::new();
                    for &i in chunk {
                        self.match_one(i, &passages[i], scratch, &mut out);
                    }
                    out
                },
            )
            .flatten_iter()
            .collect();
        pairs.sort_unstable();
        self.hits(pairs)
    }

    /// Codes the passages on the calling thread only.
    pub fn run_sequential(&self, passages: &[PassageInput<'_>]) -> Vec<RuleHit> {
        let mut scratch = Scratch::new(self);
        let mut pairs = Vec::new();
        for (i, p) in passages.iter().enumerate() {
            self.match_one(i, p, &mut scratch, &mut pairs);
        }
        pairs.sort_unstable();
        self.hits(pairs)
    }

    fn hits(&self, pairs: Vec<(usize, u32)>) -> Vec<RuleHit> {
        pairs
            .into_iter()
            .map(|(passage, r)| {
                let rule = &self.rules[r as usize];
                RuleHit {
                    passage,
                    code: rule.code_id.clone(),
                    rule: rule.rule_id.clone(),
                }
            })
            .collect()
    }

    fn match_one(
        &self,
        index: usize,
        p: &PassageInput<'_>,
        s: &mut Scratch,
        out: &mut Vec<(usize, u32)>,
    ) {
        // Cheap filters first: a passage no rule may code is never scanned.
        s.eligible.clear();
        for (ri, r) in self.rules.iter().enumerate() {
            if filter_ok(&r.speaker, p.speaker)
                && (r.kind.is_empty() || r.kind.contains(&p.kind))
                && filter_ok(&r.phase, p.phase)
            {
                s.eligible.push(to_u32(ri));
            }
        }
        if s.eligible.is_empty() {
            return;
        }
        let eligible = std::mem::take(&mut s.eligible);
        let rules = &self.rules;
        let need_terms = eligible.iter().any(|&r| rules[r as usize].uses_terms());
        let need_regex = eligible
            .iter()
            .any(|&r| !rules[r as usize].regexes.is_empty());

        if need_terms || need_regex {
            self.scan_terms(p.text, s);
        }

        let has_within = eligible.iter().any(|&r| rules[r as usize].within.is_some());
        if has_within {
            for c in p.codes {
                if let Some(&i) = self.code_index.get(*c) {
                    s.code_present[i as usize] = true;
                }
            }
        }
        for &r in &eligible {
            let rule = &rules[r as usize];
            if rule.within.is_none() && self.rule_matches(rule, p.text, s) {
                s.fired[r as usize] = true;
                s.code_present[rule.code as usize] = true;
            }
        }
        // `within` rules may depend on each other; repeat until nothing new fires.
        if has_within {
            loop {
                let mut changed = false;
                for &r in &eligible {
                    let rule = &rules[r as usize];
                    let Some(within) = &rule.within else { continue };
                    if s.fired[r as usize] || !within.iter().any(|&c| s.code_present[c as usize]) {
                        continue;
                    }
                    if self.rule_matches(rule, p.text, s) {
                        s.fired[r as usize] = true;
                        s.code_present[rule.code as usize] = true;
                        changed = true;
                    }
                }
                if !changed {
                    break;
                }
            }
        }

        for &r in &eligible {
            if s.fired[r as usize] {
                out.push((index, r));
                s.fired[r as usize] = false;
            }
        }
        for &t in &s.touched {
            s.term_hit[t as usize] = false;
        }
        s.touched.clear();
        s.occurrences.clear();
        s.word_starts_ready = false;
        s.regex_state.copy_from_slice(&self.regex_init);
        s.code_present.iter_mut().for_each(|h| *h = false);
        s.eligible = eligible;
    }

    fn scan_terms(&self, text: &str, s: &mut Scratch) {
        let Some(ac) = &self.automaton else { return };
        normalize_into(text, &mut s.norm);
        for m in ac.find_overlapping_iter(s.norm.as_str()) {
            let pid = m.pattern().as_usize();
            for &r in &self.pattern_gates[pid] {
                if s.regex_state[r as usize] == NO {
                    s.regex_state[r as usize] = MAYBE;
                }
            }
            for &t in &self.pattern_terms[pid] {
                if !self.terms[t as usize].accepts(&s.norm, m.start(), m.end()) {
                    continue;
                }
                if !s.term_hit[t as usize] {
                    s.term_hit[t as usize] = true;
                    s.touched.push(t);
                }
                if self.positional[t as usize] {
                    s.occurrences.push((t, m.start()));
                }
            }
        }
    }

    /// Whether the rule codes the passage; regexes run last, and only when still needed.
    fn rule_matches(&self, rule: &CompiledRule, text: &str, s: &mut Scratch) -> bool {
        let hit = |t: &u32| s.term_hit[*t as usize];
        if !rule.all.iter().all(hit) || rule.veto.iter().any(hit) {
            return false;
        }
        if rule.any_terms.iter().any(hit)
            || rule
                .regexes
                .iter()
                .any(|&r| s.regex_state[r as usize] == YES)
            || rule.near.iter().any(|n| near_holds(n, s))
        {
            return true;
        }
        for &r in &rule.regexes {
            let r = r as usize;
            if s.regex_state[r] == MAYBE {
                let matched = self.regexes[r].is_match(text);
                s.regex_state[r] = if matched { YES } else { NO };
                if matched {
                    return true;
                }
            }
        }
        false
    }
}

/// Whether all terms of `near` occur within `near.within` words: the smallest window of word
/// positions holding every term is found with two pointers over the sorted occurrences.
fn near_holds(near: &CompiledNear, s: &mut Scratch) -> bool {
    if !near.terms.iter().all(|&t| s.term_hit[t as usize]) {
        return false;
    }
    if !s.word_starts_ready {
        word_starts_into(&s.norm, &mut s.word_starts);
        s.word_starts_ready = true;
    }
    s.window.clear();
    for &(t, at) in &s.occurrences {
        for (k, &nt) in near.terms.iter().enumerate() {
            if nt == t {
                s.window.push((word_position(&s.word_starts, at), k));
            }
        }
    }
    s.window.sort_unstable();
    let need = near.terms.len();
    s.counts.clear();
    s.counts.resize(need, 0);
    let mut covered = 0;
    let mut left = 0;
    for right in 0..s.window.len() {
        let (_, k) = s.window[right];
        if s.counts[k] == 0 {
            covered += 1;
        }
        s.counts[k] += 1;
        while covered == need {
            let (lpos, lk) = s.window[left];
            if s.window[right].0 - lpos <= near.within {
                return true;
            }
            s.counts[lk] -= 1;
            if s.counts[lk] == 0 {
                covered -= 1;
            }
            left += 1;
        }
    }
    false
}

/// Groups passage indices by document, splitting large documents, for parallel work items.
fn chunk_by_doc(passages: &[PassageInput<'_>]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..passages.len()).collect();
    order.sort_by_key(|&i| passages[i].doc);
    let mut chunks: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut current_doc = None;
    for i in order {
        let doc = passages[i].doc;
        if current_doc != Some(doc) || current.len() >= CHUNK {
            if !current.is_empty() {
                chunks.push(std::mem::take(&mut current));
            }
            current_doc = Some(doc);
        }
        current.push(i);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::regex_gate;

    fn gate(re: &str) -> Option<Vec<String>> {
        regex_gate(re)
    }

    #[test]
    fn gates_use_inner_and_case_folded_literals() {
        let re = r"(?i)\b(escalation|new|common|the) rules?\b[^.?!]{0,80}\b(is|are|says?)\b";
        assert_eq!(gate(re), Some(vec!["rule".to_string()]));
        assert_eq!(
            gate(r"(?i)\b(nobody|whose|my)(['’]s)? job\b"),
            Some(vec!["job".to_string()])
        );
        assert_eq!(
            gate(r"(?i)\bwho (pays|will pay) for\b"),
            Some(vec!["who".to_string()])
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
    fn every_template_regex_is_gated() {
        let cb = crate::Codebook::parse(crate::template("ambidexterity").unwrap()).unwrap();
        let ungated: Vec<&String> = cb
            .codes()
            .iter()
            .flat_map(|c| c.rules.iter().flat_map(|r| r.regex.iter()))
            .filter(|re| regex_gate(re).is_none())
            .collect();
        assert!(ungated.is_empty(), "{ungated:#?}");
    }
}
