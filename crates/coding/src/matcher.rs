//! The auto-coding engine: every rule of a codebook compiled once into one automaton and a
//! few gated regexes, then one pass over each passage, in parallel over documents.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};
use ambit_core::DocKind;
use rayon::prelude::*;
use regex_automata::meta;
use regex_automata::{Anchored, Input};
use serde::Serialize;

use crate::codebook::Codebook;
use crate::error::{Error, Result};
use crate::gate::{for_is_match, regex_gate};
use crate::text::{normalize_mapped_into, word_position, word_starts_into, Term};

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

/// A compiled rule, as [`Matcher::rule`] describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo<'a> {
    /// Id of the rule's code.
    pub code: &'a str,
    /// Position of that code in the codebook ([`Codebook::position`]).
    pub code_position: usize,
    /// Id of the rule.
    pub id: &'a str,
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
    /// Whether the rule applies to this passage's speaker, kind and phase.
    fn applies_to(&self, p: &PassageInput<'_>) -> bool {
        filter_ok(&self.speaker, p.speaker)
            && (self.kind.is_empty() || self.kind.contains(&p.kind))
            && filter_ok(&self.phase, p.phase)
    }

    fn filtered(&self) -> bool {
        !(self.speaker.is_empty() && self.kind.is_empty() && self.phase.is_empty())
    }
}

/// Compiled coding rules. Build once with [`Matcher::compile`], then [`run`](Matcher::run) over
/// any number of passages.
///
/// Regexes are not run over every passage: most of them need some literal text to match
/// (`rules?` needs `rule`), so those literals join the keyword automaton, and a regex runs only
/// on passages where the scan saw one of its literals, only when the verdict of a rule still
/// depends on it, and only over the few dozen characters around each occurrence of the
/// literal that a match can reach (see [`crate::gate`]). Running a set of Unicode-aware
/// regexes on every passage was three orders of magnitude slower, because `\b` on non-ASCII
/// text forces the regex engine off its DFA; a short window is often ASCII, and where it is
/// not, the slower engines have little to search.
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
    regexes: Vec<CompiledRegex>,
    /// Each regex's state before a passage is scanned: [`MAYBE`] for regexes without
    /// required literals, [`NO`] for the others until the scan finds one of their literals.
    regex_init: Vec<u8>,
    rules: Vec<CompiledRule>,
    /// For each term, the rules that can fire through it: it is one of their keywords or
    /// phrases, or a term of one of their `near` conditions.
    term_rules: Vec<Vec<u32>>,
    /// For each regex, the rules it belongs to.
    regex_rules: Vec<Vec<u32>>,
    /// Rules with a regex that has no gate: they may fire on any passage.
    ungated_rules: Vec<u32>,
    /// Whether every rule filters on speaker, kind or phase, so that a passage no rule
    /// applies to can be skipped before it is scanned.
    all_filtered: bool,
    code_index: HashMap<String, u32>,
    code_count: usize,
    /// Scratch buffers given back by finished parallel jobs, for the next ones: a regex's
    /// lazy DFA keeps the states it built in its cache, and rebuilding them for every job
    /// of every batch was a tenth of an `ambit autocode`.
    pool: ScratchPool,
}

/// Spare [`Scratch`]es (see [`Matcher::run_indexed`]).
#[derive(Default)]
struct ScratchPool(std::sync::Mutex<Vec<Scratch>>);

impl std::fmt::Debug for ScratchPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ScratchPool")
    }
}

/// A [`Scratch`] taken from the pool, given back when dropped.
struct Pooled<'a> {
    scratch: Option<Scratch>,
    pool: &'a ScratchPool,
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let (Some(s), Ok(mut spare)) = (self.scratch.take(), self.pool.0.lock()) {
            spare.push(s);
        }
    }
}

/// A rule regex as it runs: compiled from the smaller pattern with the same verdict
/// ([`for_is_match`]), with the reach of its gate.
#[derive(Debug)]
struct CompiledRegex {
    engine: meta::Regex,
    /// Searched only around occurrences of its gate literals (it has a gate, bounded on at
    /// least one side); otherwise over the whole passage.
    windowed: bool,
    /// A match starts at most this many characters before its literal (`None`: anywhere).
    before: Option<usize>,
    /// A match ends at most this many characters after its literal's start.
    after: Option<usize>,
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
    /// For each byte of `norm`, the offset in the passage text of the character it came from,
    /// unless `same_offsets`: then each character of `norm` is at its own offset in the text.
    raw_of: Vec<u32>,
    same_offsets: bool,
    /// Where the scan saw gate literals of windowed regexes: (regex, offset in `norm`), sorted
    /// once the scan is done.
    gate_hits: Vec<(u32, u32)>,
    /// Byte ranges of the passage text a regex is searched in.
    windows: Vec<(usize, usize)>,
    /// One search cache per regex, made when the regex first runs on this thread.
    caches: Vec<Option<meta::Cache>>,
    term_hit: Vec<bool>,
    touched: Vec<u32>,
    occurrences: Vec<(u32, usize)>,
    word_starts: Vec<usize>,
    word_starts_ready: bool,
    /// The rules that may fire on this passage (something they need was found), in the
    /// order found; `candidate` flags them.
    candidates: Vec<u32>,
    candidate: Vec<bool>,
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
            raw_of: Vec::new(),
            same_offsets: false,
            gate_hits: Vec::new(),
            windows: Vec::new(),
            caches: (0..m.regexes.len()).map(|_| None).collect(),
            term_hit: vec![false; m.terms.len()],
            touched: Vec::new(),
            occurrences: Vec::new(),
            word_starts: Vec::new(),
            word_starts_ready: false,
            candidates: Vec::new(),
            candidate: vec![false; m.rules.len()],
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
            let failed = |e: String| {
                let rule = rules
                    .iter()
                    .find(|r| r.regexes.contains(&to_u32(i)))
                    .map_or("?", |r| r.rule_id.as_str());
                Error::Compile(format!(
                    "regex `{re}` of rule `{rule}`: {e}; `ambit codebook check` lists every problem"
                ))
            };
            let hir = regex_syntax::parse(re).map_err(|e| failed(e.to_string()))?;
            let hir = for_is_match(&hir);
            let engine = meta::Builder::new()
                .build_from_hir(&hir)
                .map_err(|e| failed(e.to_string()))?;
            let gate = regex_gate(&hir);
            let (before, after) = gate.as_ref().map_or((None, None), |g| (g.before, g.after));
            regexes.push(CompiledRegex {
                engine,
                windowed: gate.is_some() && (before.is_some() || after.is_some()),
                before,
                after,
            });
            match gate {
                Some(gate) => {
                    regex_init.push(NO);
                    for lit in gate.literals {
                        let pid = int.pattern(&lit);
                        int.pattern_gates[pid].push(to_u32(i));
                    }
                }
                None => regex_init.push(MAYBE),
            }
        }

        let mut term_rules: Vec<Vec<u32>> = vec![Vec::new(); int.terms.len()];
        let mut regex_rules: Vec<Vec<u32>> = vec![Vec::new(); regexes.len()];
        let mut ungated_rules = Vec::new();
        for (ri, rule) in rules.iter().enumerate() {
            let ri = to_u32(ri);
            let near_terms = rule.near.iter().flat_map(|n| n.terms.iter());
            for &t in rule.any_terms.iter().chain(near_terms) {
                if !term_rules[t as usize].contains(&ri) {
                    term_rules[t as usize].push(ri);
                }
            }
            for &r in &rule.regexes {
                regex_rules[r as usize].push(ri);
            }
            if rule
                .regexes
                .iter()
                .any(|&r| regex_init[r as usize] == MAYBE)
            {
                ungated_rules.push(ri);
            }
        }
        let all_filtered = rules.iter().all(CompiledRule::filtered);

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
            term_rules,
            regex_rules,
            ungated_rules,
            all_filtered,
            code_index,
            code_count: codebook.codes().len(),
            pool: ScratchPool::default(),
        })
    }

    /// Number of compiled rules.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// The rule with this index (`0..rule_count()`, in codebook order), as
    /// [`run_indexed`](Matcher::run_indexed) names it.
    pub fn rule(&self, index: usize) -> Option<RuleInfo<'_>> {
        self.rules.get(index).map(|r| RuleInfo {
            code: &r.code_id,
            code_position: r.code as usize,
            id: &r.rule_id,
        })
    }

    /// Whether some rule has `within`, so that [`PassageInput::codes`] matters; without one,
    /// callers need not look up the codes passages already carry.
    pub fn uses_codes(&self) -> bool {
        self.rules.iter().any(|r| r.within.is_some())
    }

    /// Codes the passages, in parallel over documents. Hits are ordered by passage, then by
    /// codebook order of code and rule; the result equals [`run_sequential`](Matcher::run_sequential).
    pub fn run(&self, passages: &[PassageInput<'_>]) -> Vec<RuleHit> {
        let pairs = self.run_indexed(passages);
        self.hits(pairs)
    }

    /// [`run`](Matcher::run) without building a [`RuleHit`] per hit: `(passage, rule)` pairs,
    /// the rule by its index (see [`rule`](Matcher::rule)), in the same order.
    pub fn run_indexed(&self, passages: &[PassageInput<'_>]) -> Vec<(usize, usize)> {
        let chunks = chunk_by_doc(passages);
        let mut pairs: Vec<(usize, usize)> = chunks
            .par_iter()
            .map_init(
                || Pooled {
                    scratch: Some(self.take_scratch()),
                    pool: &self.pool,
                },
                |pooled, chunk| {
                    let mut out = Vec::new();
                    if let Some(scratch) = pooled.scratch.as_mut() {
                        for &i in chunk {
                            self.match_one(i, &passages[i], scratch, &mut out);
                        }
                    }
                    out
                },
            )
            .flatten_iter()
            .collect();
        pairs.sort_unstable();
        pairs
    }

    /// A spare scratch from an earlier job, or a new one.
    fn take_scratch(&self) -> Scratch {
        let spare = self.pool.0.lock().ok().and_then(|mut v| v.pop());
        spare.unwrap_or_else(|| Scratch::new(self))
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

    fn hits(&self, pairs: Vec<(usize, usize)>) -> Vec<RuleHit> {
        pairs
            .into_iter()
            .map(|(passage, r)| {
                let rule = &self.rules[r];
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
        out: &mut Vec<(usize, usize)>,
    ) {
        // A passage no rule applies to is never scanned.
        if self.all_filtered && !self.rules.iter().any(|r| r.applies_to(p)) {
            return;
        }
        // Only the rules for which the scan found something (a keyword, a `near` term, a
        // regex's gate literal) can fire, so only those are looked at: most passages hold a
        // few of the codebook's hundreds of terms.
        for &r in &self.ungated_rules {
            mark(&mut s.candidate, &mut s.candidates, r);
        }
        self.scan_terms(p.text, s);
        let mut candidates = std::mem::take(&mut s.candidates);
        for &r in &candidates {
            s.candidate[r as usize] = false;
        }
        let rules = &self.rules;
        candidates.retain(|&r| rules[r as usize].applies_to(p));

        let has_within = candidates
            .iter()
            .any(|&r| rules[r as usize].within.is_some());
        if has_within {
            for c in p.codes {
                if let Some(&i) = self.code_index.get(*c) {
                    s.code_present[i as usize] = true;
                }
            }
        }
        for &r in &candidates {
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
                for &r in &candidates {
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
        s.code_present.iter_mut().for_each(|h| *h = false);

        for &r in &candidates {
            if s.fired[r as usize] {
                out.push((index, r as usize));
                s.fired[r as usize] = false;
            }
        }
        for &t in &s.touched {
            s.term_hit[t as usize] = false;
        }
        s.touched.clear();
        s.occurrences.clear();
        s.gate_hits.clear();
        s.word_starts_ready = false;
        s.regex_state.copy_from_slice(&self.regex_init);
        candidates.clear();
        s.candidates = candidates;
    }

    fn scan_terms(&self, text: &str, s: &mut Scratch) {
        let Some(ac) = &self.automaton else { return };
        s.same_offsets = normalize_mapped_into(text, &mut s.norm, &mut s.raw_of);
        for m in ac.find_overlapping_iter(s.norm.as_str()) {
            let pid = m.pattern().as_usize();
            for &r in &self.pattern_gates[pid] {
                if s.regex_state[r as usize] == NO {
                    s.regex_state[r as usize] = MAYBE;
                    for &rule in &self.regex_rules[r as usize] {
                        mark(&mut s.candidate, &mut s.candidates, rule);
                    }
                }
                if self.regexes[r as usize].windowed {
                    s.gate_hits.push((r, to_u32(m.start())));
                }
            }
            for &t in &self.pattern_terms[pid] {
                if !self.terms[t as usize].accepts(&s.norm, m.start(), m.end()) {
                    continue;
                }
                if !s.term_hit[t as usize] {
                    s.term_hit[t as usize] = true;
                    s.touched.push(t);
                    for &rule in &self.term_rules[t as usize] {
                        mark(&mut s.candidate, &mut s.candidates, rule);
                    }
                }
                if self.positional[t as usize] {
                    s.occurrences.push((t, m.start()));
                }
            }
        }
        // Each regex then finds its own hits by binary search.
        s.gate_hits.sort_unstable();
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
                let matched = self.regex_matches(r, text, s);
                s.regex_state[r] = if matched { YES } else { NO };
                if matched {
                    return true;
                }
            }
        }
        false
    }

    /// Whether regex `r` matches the passage: searched in the windows around the
    /// occurrences of its gate literals when it has them, else over the whole text.
    fn regex_matches(&self, r: usize, text: &str, s: &mut Scratch) -> bool {
        let re = &self.regexes[r];
        let cache = s.caches[r].get_or_insert_with(|| re.engine.create_cache());
        if !re.windowed {
            let input = Input::new(text).earliest(true);
            return re.engine.search_half_with(cache, &input).is_some();
        }
        let ascii = text.is_ascii();
        s.windows.clear();
        let r32 = to_u32(r);
        let from = s.gate_hits.partition_point(|&(rr, _)| rr < r32);
        let to = s.gate_hits.partition_point(|&(rr, _)| rr <= r32);
        for &(_, at) in &s.gate_hits[from..to] {
            let raw = if s.same_offsets {
                at as usize
            } else {
                match s.raw_of.get(at as usize) {
                    Some(&raw) => raw as usize,
                    None => continue,
                }
            };
            s.windows.push((
                back(text, raw, re.before, ascii),
                ahead(text, raw, re.after, ascii),
            ));
        }
        s.windows.sort_unstable();
        // A match that starts at its literal is looked for only there, anchored; other
        // windows are merged where they overlap, since a match in either lies in their union.
        let anchored = re.before == Some(0);
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(s.windows.len());
        for &(start, end) in &s.windows {
            match merged.last_mut() {
                Some(last) if anchored && last.0 == start => last.1 = last.1.max(end),
                Some(last) if !anchored && start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        for (start, end) in merged {
            // One character either side, so that `\b` and `^`/`$` at the window's edges see
            // what is really there; a short haystack also lets the regex engine pick its
            // bounded backtracker over the slower PikeVM.
            let from = back(text, start, Some(1), ascii);
            let to = ahead(text, end, Some(1), ascii);
            let mut input = Input::new(&text[from..to])
                .span(start - from..end - from)
                .earliest(true);
            if anchored {
                input = input.anchored(Anchored::Yes);
            }
            if re.engine.search_half_with(cache, &input).is_some() {
                return true;
            }
        }
        false
    }
}

/// Adds rule `r` to the passage's candidates.
fn mark(candidate: &mut [bool], candidates: &mut Vec<u32>, r: u32) {
    if !candidate[r as usize] {
        candidate[r as usize] = true;
        candidates.push(r);
    }
}

/// The byte offset `chars` characters before byte offset `at` of `text` (its start when
/// there are fewer, or when `chars` is `None`: no limit).
fn back(text: &str, at: usize, chars: Option<usize>, ascii: bool) -> usize {
    match chars {
        None => 0,
        Some(0) => at,
        Some(n) if ascii => at.saturating_sub(n),
        Some(n) => text[..at]
            .char_indices()
            .rev()
            .nth(n - 1)
            .map_or(0, |(i, _)| i),
    }
}

/// The byte offset `chars` characters after byte offset `at` of `text` (its end when there
/// are fewer, or when `chars` is `None`).
fn ahead(text: &str, at: usize, chars: Option<usize>, ascii: bool) -> usize {
    match chars {
        None => text.len(),
        Some(n) if ascii => at.saturating_add(n).min(text.len()),
        Some(n) => text[at..]
            .char_indices()
            .nth(n)
            .map_or(text.len(), |(i, _)| at + i),
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
    use super::*;

    #[test]
    fn every_template_regex_is_gated() {
        let cb = crate::Codebook::parse(crate::template("ambidexterity").unwrap()).unwrap();
        let ungated: Vec<&String> = cb
            .codes()
            .iter()
            .flat_map(|c| c.rules.iter().flat_map(|r| r.regex.iter()))
            .filter(|re| {
                let hir = regex_syntax::parse(re).unwrap();
                regex_gate(&for_is_match(&hir)).is_none()
            })
            .collect();
        assert!(ungated.is_empty(), "{ungated:#?}");
    }
}
