//! Validating a codebook: ids, parents, cycles, colours, rules and rule kinds, and rule phases against a study timeline; every problem with code, rule and line.

use std::collections::{HashMap, HashSet};

use ambit_core::{DocKind, Timeline, UNPHASED};
use toml::Spanned;

use super::read::{line_of, Located, RawHeader};
use super::{Code, Codebook, Rule};
use crate::error::Diagnostic;
use crate::text::{suggest, Term};

pub(super) fn diag(
    line: Option<usize>,
    code: Option<&str>,
    rule: Option<&str>,
    message: String,
) -> Diagnostic {
    Diagnostic {
        line,
        code: code.map(str::to_owned),
        rule: rule.map(str::to_owned),
        message,
    }
}

/// Whether `id` can be a code id: it has to survive the query language and dotted nesting.
pub(super) fn id_problem(id: &str) -> Option<String> {
    if id.trim().is_empty() {
        return Some("code id is empty".to_owned());
    }
    if let Some(c) = id
        .chars()
        .find(|&c| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Some(format!(
            "code id `{id}` contains `{c}`; use letters, digits, `_`, `-` and `.` only"
        ));
    }
    if id.starts_with('.') || id.ends_with('.') || id.contains("..") {
        return Some(format!("code id `{id}` has an empty part between dots"));
    }
    let lower = id.to_lowercase();
    if matches!(lower.as_str(), "and" | "or" | "not" | "near") {
        return Some(format!(
            "code id `{id}` is a query operator; choose another id"
        ));
    }
    None
}

pub(super) fn colour_ok(c: &str) -> bool {
    c.strip_prefix('#')
        .is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The parent implied by a dotted id: `kb.semantic` → `kb`.
pub(super) fn dotted_parent(id: &str) -> Option<&str> {
    id.rsplit_once('.').map(|(p, _)| p)
}

fn check_terms(
    terms: &[String],
    field: &str,
    code: &str,
    rule: &str,
    line: Option<usize>,
    diags: &mut Vec<Diagnostic>,
) {
    for t in terms {
        if let Err(msg) = Term::parse(t) {
            diags.push(diag(
                line,
                Some(code),
                Some(rule),
                format!("in `{field}`: {msg}"),
            ));
        }
    }
}

/// How far [`build`] checks rule regexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RegexCheck {
    /// Parse them: syntax errors and unknown classes, with their lines. This is what every
    /// command reading the codebook pays, so it must stay cheap: compiling the template's
    /// regexes took 30 ms, nine tenths of `ambit table freq` on the demo.
    Syntax,
    /// Also compile them, as auto-coding will: patterns over the size limit too
    /// (`codebook check`).
    Compile,
}

pub(super) fn build(
    src: &str,
    header: RawHeader,
    located: Vec<Located>,
    regexes: RegexCheck,
    diags: &mut Vec<Diagnostic>,
) -> Codebook {
    let mut codes: Vec<Code> = Vec::with_capacity(located.len());
    let mut lines: Vec<usize> = Vec::with_capacity(located.len());
    let mut all_rule_lines: Vec<Vec<usize>> = Vec::with_capacity(located.len());
    let mut seen_codes: HashMap<String, usize> = HashMap::new();
    let mut seen_rules: HashMap<String, usize> = HashMap::new();
    let mut phase_lines: HashMap<String, Vec<usize>> = HashMap::new();

    for Located {
        code: raw,
        line,
        rule_lines,
    } in located
    {
        let id = raw.id;
        let bad_id = id_problem(&id);
        if let Some(problem) = bad_id.clone() {
            diags.push(diag(
                Some(line),
                Some(&id).filter(|i| !i.is_empty()).map(|s| s.as_str()),
                None,
                problem,
            ));
        }
        if let Some(first) = seen_codes.get(&id) {
            diags.push(diag(
                Some(line),
                Some(&id),
                None,
                format!("duplicate code id (first defined on line {first})"),
            ));
        } else {
            seen_codes.insert(id.clone(), line);
        }
        if let Some(c) = &raw.color {
            if !colour_ok(c) {
                diags.push(diag(
                    Some(line),
                    Some(&id),
                    None,
                    format!("bad colour `{c}`: write `#RRGGBB` or `#RGB` in hexadecimal, e.g. `#4477AA`"),
                ));
            }
        }
        let parent = match raw.parent {
            Some(p) if p.trim().is_empty() => {
                diags.push(diag(
                    Some(line),
                    Some(&id),
                    None,
                    "`parent` is empty".to_owned(),
                ));
                None
            }
            Some(p) => Some(p),
            // A malformed id has no meaningful dotted parent; its own error says enough.
            None if bad_id.is_some() => None,
            None => dotted_parent(&id).map(str::to_owned),
        };
        let mut rules = Vec::with_capacity(raw.rules.len());
        for (n, r) in raw.rules.into_iter().enumerate() {
            let rline = rule_lines.get(n).copied().or(Some(line));
            let rid = r.id.unwrap_or_else(|| format!("{id}.{}", n + 1));
            if rid.trim().is_empty() {
                diags.push(diag(
                    rline,
                    Some(&id),
                    None,
                    format!("rule #{} has an empty id", n + 1),
                ));
            } else if let Some(first) = seen_rules.get(&rid) {
                diags.push(diag(
                    rline,
                    Some(&id),
                    Some(&rid),
                    format!("duplicate rule id (first defined on line {first})"),
                ));
            } else {
                seen_rules.insert(rid.clone(), rline.unwrap_or(line));
            }
            let kind = r
                .kind
                .iter()
                .filter_map(|k| match DocKind::parse(k.get_ref()) {
                    Ok(kind) => Some(kind),
                    Err(_) => {
                        // The value's own line: a `kind` array may span several.
                        let at = Some(line_of(src, k.span().start));
                        diags.push(diag(at, Some(&id), Some(&rid), unknown_kind(k.get_ref())));
                        None
                    }
                })
                .collect();
            if !r.phase.is_empty() {
                let at = r.phase.iter().map(|p| line_of(src, p.span().start));
                phase_lines.insert(rid.clone(), at.collect());
            }
            let rule = Rule {
                id: rid,
                keywords: r.keywords,
                phrases: r.phrases,
                regex: r.regex,
                near: r.near,
                all: r.all,
                speaker: r.speaker,
                kind,
                phase: r.phase.into_iter().map(Spanned::into_inner).collect(),
                within: r.within,
                exclude_keywords: r.exclude_keywords,
            };
            check_rule(&id, &rule, rline, regexes, diags);
            rules.push(rule);
        }
        codes.push(Code {
            id,
            name: raw.name,
            parent,
            depth: 0,
            children: Vec::new(),
            description: raw.description,
            include: raw.include,
            exclude: raw.exclude,
            examples: raw.examples,
            color: raw.color,
            rules,
        });
        lines.push(line);
        all_rule_lines.push(rule_lines);
    }

    let ids: HashSet<&str> = codes.iter().map(|c| c.id.as_str()).collect();
    for ((code, &line), rule_lines) in codes.iter().zip(&lines).zip(&all_rule_lines) {
        if let Some(p) = &code.parent {
            if !ids.contains(p.as_str()) {
                let hint = suggest(p, ids.iter().copied().filter(|i| *i != code.id))
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                diags.push(diag(
                    Some(line),
                    Some(&code.id),
                    None,
                    format!(
                        "unknown parent `{p}`{hint}; define a code with id `{p}` or set `parent`"
                    ),
                ));
            } else if p == &code.id {
                diags.push(diag(
                    Some(line),
                    Some(&code.id),
                    None,
                    "code is its own parent".to_owned(),
                ));
            }
        }
        for (n, rule) in code.rules.iter().enumerate() {
            if let Some(w) = &rule.within {
                if !ids.contains(w.as_str()) {
                    let hint = suggest(w, ids.iter().copied())
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default();
                    diags.push(diag(
                        Some(rule_lines.get(n).copied().unwrap_or(line)),
                        Some(&code.id),
                        Some(&rule.id),
                        format!("`within` names unknown code `{w}`{hint}"),
                    ));
                }
            }
        }
    }
    report_cycles(&codes, &lines, diags);

    let mut cb = Codebook {
        name: header.name,
        description: header.description,
        codes,
        index: HashMap::new(),
        phase_lines,
    };
    if diags.is_empty() {
        cb.rebuild();
    }
    cb
}

/// The message for a `kind` value that names no [`DocKind`].
fn unknown_kind(kind: &str) -> String {
    let names = DocKind::ALL.map(DocKind::as_str);
    let hint = suggest(kind, names)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    format!(
        "unknown document kind `{kind}` in `kind`{hint}; the kinds are {}",
        names.join(", ")
    )
}

fn check_rule(
    code: &str,
    rule: &Rule,
    line: Option<usize>,
    regexes: RegexCheck,
    diags: &mut Vec<Diagnostic>,
) {
    let rid = rule.id.as_str();
    if !rule.has_match_part() {
        diags.push(diag(
            line,
            Some(code),
            Some(rid),
            "rule has no match part: give it `keywords`, `phrases`, `regex` or `near`".to_owned(),
        ));
    }
    check_terms(&rule.keywords, "keywords", code, rid, line, diags);
    check_terms(&rule.phrases, "phrases", code, rid, line, diags);
    check_terms(&rule.all, "all", code, rid, line, diags);
    check_terms(
        &rule.exclude_keywords,
        "exclude_keywords",
        code,
        rid,
        line,
        diags,
    );
    for near in &rule.near {
        if near.terms.is_empty() {
            diags.push(diag(
                line,
                Some(code),
                Some(rid),
                "a `near` entry has no terms".to_owned(),
            ));
        }
        check_terms(&near.terms, "near", code, rid, line, diags);
    }
    for re in &rule.regex {
        // The same parser and messages as `regex::Regex::new`, which adds only the size limit.
        let problem = match regexes {
            RegexCheck::Syntax => regex_syntax::parse(re).err().map(|e| e.to_string()),
            RegexCheck::Compile => regex::Regex::new(re).err().map(|e| e.to_string()),
        };
        if let Some(err) = problem {
            diags.push(diag(
                line,
                Some(code),
                Some(rid),
                format!("invalid regex `{re}`: {err}"),
            ));
        }
    }
    if rule.within.as_deref().is_some_and(|w| w.trim().is_empty()) {
        diags.push(diag(
            line,
            Some(code),
            Some(rid),
            "`within` is empty".to_owned(),
        ));
    }
}

/// Reports each parent cycle once, naming its members.
fn report_cycles(codes: &[Code], lines: &[usize], diags: &mut Vec<Diagnostic>) {
    let pos: HashMap<&str, usize> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut reported: HashSet<usize> = HashSet::new();
    for start in 0..codes.len() {
        let mut path: Vec<usize> = Vec::new();
        let mut cur = Some(start);
        while let Some(i) = cur {
            if let Some(at) = path.iter().position(|&p| p == i) {
                let cycle = &path[at..];
                if cycle.len() > 1 && cycle.iter().all(|c| !reported.contains(c)) {
                    let first = cycle.iter().copied().min().unwrap_or(i);
                    let names: Vec<&str> = cycle.iter().map(|&c| codes[c].id.as_str()).collect();
                    diags.push(diag(
                        Some(lines[first]),
                        Some(&codes[first].id),
                        None,
                        format!("parent cycle: {} → {}", names.join(" → "), names[0]),
                    ));
                    reported.extend(cycle.iter().copied());
                }
                break;
            }
            path.push(i);
            cur = codes[i]
                .parent
                .as_deref()
                .and_then(|p| pos.get(p).copied())
                .filter(|&p| p != i);
        }
    }
}

impl Codebook {
    /// Every rule `phase` that the study timeline lacks, with code, rule, line and the valid
    /// phase ids. Such a rule never matches: passages are only ever in the timeline's phases
    /// or `unphased`. Phases are compared as the matcher compares them, ignoring case.
    ///
    /// Lines are those of the source the codebook was parsed from; after an edit they may
    /// be stale until the codebook is written and read again.
    pub fn check_phases(&self, timeline: &Timeline) -> Vec<Diagnostic> {
        let ids: Vec<&str> = timeline.phases().iter().map(|p| p.id.as_str()).collect();
        let known: Vec<&str> = ids.iter().copied().chain([UNPHASED]).collect();
        let lowered: Vec<String> = known.iter().map(|k| k.to_lowercase()).collect();
        let valid = if ids.is_empty() {
            format!(
                ", which has no phases: add [[phase]] tables to ambit.toml \
                 (until then every document is `{UNPHASED}`)"
            )
        } else {
            format!(
                "; the phases are {} (and `{UNPHASED}` for documents in none of them)",
                ids.join(", ")
            )
        };
        let mut diags = Vec::new();
        for code in &self.codes {
            for rule in &code.rules {
                let lines = self.phase_lines.get(&rule.id);
                for (n, phase) in rule.phase.iter().enumerate() {
                    if lowered.contains(&phase.trim().to_lowercase()) {
                        continue;
                    }
                    let hint = suggest(phase, known.iter().copied())
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default();
                    diags.push(diag(
                        lines.and_then(|l| l.get(n)).copied(),
                        Some(&code.id),
                        Some(&rule.id),
                        format!("phase `{phase}` is not in the study timeline{hint}{valid}"),
                    ));
                }
            }
        }
        diags.sort_by_key(|d| d.line);
        diags
    }
}

#[cfg(test)]
mod tests {
    use crate::{Codebook, Matcher};

    /// Commands that only read the codebook (`table freq`) must not pay for compiling its
    /// regexes: `parse` checks their syntax, and only `check` and the matcher compile them, so
    /// a pattern over the compiled-size limit parses and is reported by the other two.
    #[test]
    fn parse_checks_regex_syntax_only() {
        let src = |re: &str| {
            format!("[codebook]\nname = \"t\"\n[[code]]\nid = \"c\"\nname = \"c\"\n[[code.rule]]\nregex = ['{re}']\n")
        };
        let huge = src(r"\w{10000}");
        let cb = Codebook::parse(&huge).unwrap();
        let problems = Codebook::check(&huge);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("size limit"), "{problems:?}");
        assert!(Matcher::compile(&cb, None).is_err());
        // A syntax error is still caught by `parse`, at the line of its rule.
        let Err(crate::Error::Codebook(diags)) = Codebook::parse(&src(r"(unclosed")) else {
            panic!("an unclosed group parsed");
        };
        assert_eq!(diags[0].line, Some(6), "{diags:?}");
    }
}
