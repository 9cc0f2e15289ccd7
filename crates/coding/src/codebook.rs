//! The codebook: codes with definitions and auto-coding rules, parsed from TOML, validated, edited in memory and written back.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use toml::de::{DeValue, ValueDeserializer};
use toml::Spanned;

use crate::error::{Diagnostic, Error, Result};
use crate::text::{suggest, Term};

/// A validated codebook. Codes keep the order of the TOML file everywhere.
///
/// Build one with [`Codebook::parse`]; edits ([`rename`](Codebook::rename),
/// [`merge`](Codebook::merge), [`remove`](Codebook::remove)) keep it valid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Codebook {
    name: String,
    description: String,
    codes: Vec<Code>,
    #[serde(skip)]
    index: HashMap<String, usize>,
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
    /// Only passages of documents of one of these kinds (case-insensitive).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kind: Vec<String>,
    /// Only passages in one of these phases (case-insensitive).
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

// ---------------------------------------------------------------------------------------------
// Raw TOML shapes. The public types carry resolved values (rule ids, parents); these carry what
// was written, so defaults and validation live in one place.

const TOP_KEYS: &[&str] = &["codebook", "code"];
const HEADER_KEYS: &[&str] = &["name", "description"];
const CODE_KEYS: &[&str] = &[
    "id",
    "name",
    "parent",
    "description",
    "include",
    "exclude",
    "examples",
    "color",
    "rule",
];
const RULE_KEYS: &[&str] = &[
    "id",
    "keywords",
    "phrases",
    "regex",
    "near",
    "all",
    "speaker",
    "kind",
    "phase",
    "within",
    "exclude_keywords",
];
const NEAR_KEYS: &[&str] = &["terms", "within"];

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    #[serde(default)]
    name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCode {
    id: String,
    name: String,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    include: String,
    #[serde(default)]
    exclude: String,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    color: Option<String>,
    #[serde(default, rename = "rule")]
    rules: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    regex: Vec<String>,
    #[serde(default)]
    near: Vec<Near>,
    #[serde(default)]
    all: Vec<String>,
    #[serde(default)]
    speaker: Vec<String>,
    #[serde(default)]
    kind: Vec<String>,
    #[serde(default)]
    phase: Vec<String>,
    #[serde(default)]
    within: Option<String>,
    #[serde(default)]
    exclude_keywords: Vec<String>,
}

#[derive(Serialize)]
struct OutDoc<'a> {
    codebook: RawHeader,
    code: Vec<OutCode<'a>>,
}

#[derive(Serialize)]
struct OutCode<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<&'a str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    include: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    exclude: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    examples: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<&'a str>,
    #[serde(skip_serializing_if = "<[Rule]>::is_empty")]
    rule: &'a [Rule],
}

/// Where each code and rule was written, for diagnostics about cross-references.
struct Located {
    code: RawCode,
    line: usize,
    rule_lines: Vec<usize>,
}

fn line_of(src: &str, byte: usize) -> usize {
    let end = byte.min(src.len());
    src.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn diag(
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

fn toml_diag(src: &str, err: &toml::de::Error, code: Option<&str>) -> Diagnostic {
    diag(
        err.span().map(|s| line_of(src, s.start)),
        code,
        None,
        err.message().trim_end().to_owned(),
    )
}

/// Drops keys of `value` (a table) that are not in `allowed`, reporting each one.
fn strip_unknown_keys(
    src: &str,
    value: &mut Spanned<DeValue<'_>>,
    allowed: &[&str],
    what: &str,
    code: Option<&str>,
    rule: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) {
    let DeValue::Table(table) = value.get_mut() else {
        return;
    };
    let unknown: Vec<(String, usize)> = table
        .iter()
        .filter(|(k, _)| !allowed.contains(&k.get_ref().as_ref()))
        .map(|(k, _)| (k.get_ref().to_string(), k.span().start))
        .collect();
    for (key, at) in unknown {
        table.remove(key.as_str());
        diags.push(unknown_key(src, &key, at, allowed, what, code, rule));
    }
}

fn unknown_key(
    src: &str,
    key: &str,
    at: usize,
    allowed: &[&str],
    what: &str,
    code: Option<&str>,
    rule: Option<&str>,
) -> Diagnostic {
    let hint = match suggest(key, allowed.iter().copied()) {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => format!(" (expected one of: {})", allowed.join(", ")),
    };
    diag(
        Some(line_of(src, at)),
        code,
        rule,
        format!("unknown key `{key}` in {what}{hint}"),
    )
}

fn str_field<'a>(value: &'a Spanned<DeValue<'_>>, key: &str) -> Option<&'a str> {
    match value.get_ref() {
        DeValue::Table(t) => t.get(key).and_then(|v| v.get_ref().as_str()),
        _ => None,
    }
}

fn array_items<'a, 'i>(value: &'a mut Spanned<DeValue<'i>>) -> &'a mut [Spanned<DeValue<'i>>] {
    match value.get_mut() {
        DeValue::Array(items) => items,
        _ => &mut [],
    }
}

fn read_code(
    src: &str,
    mut item: Spanned<DeValue<'_>>,
    position: usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<Located> {
    let line = line_of(src, item.span().start);
    let label = str_field(&item, "id")
        .map(str::to_owned)
        .unwrap_or_else(|| format!("#{position}"));
    strip_unknown_keys(
        src,
        &mut item,
        CODE_KEYS,
        "[[code]]",
        Some(&label),
        None,
        diags,
    );
    let mut rule_lines = Vec::new();
    if let DeValue::Table(table) = item.get_mut() {
        if let Some(rules) = table.get_mut("rule") {
            for (n, rule) in array_items(rules).iter_mut().enumerate() {
                rule_lines.push(line_of(src, rule.span().start));
                let rule_label = str_field(rule, "id")
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("{label}.{}", n + 1));
                strip_unknown_keys(
                    src,
                    rule,
                    RULE_KEYS,
                    "[[code.rule]]",
                    Some(&label),
                    Some(&rule_label),
                    diags,
                );
                if let DeValue::Table(rt) = rule.get_mut() {
                    if let Some(near) = rt.get_mut("near") {
                        for entry in array_items(near) {
                            strip_unknown_keys(
                                src,
                                entry,
                                NEAR_KEYS,
                                "a `near` entry",
                                Some(&label),
                                Some(&rule_label),
                                diags,
                            );
                        }
                    }
                }
            }
        }
    }
    match RawCode::deserialize(ValueDeserializer::from(item)) {
        Ok(code) => Some(Located {
            code,
            line,
            rule_lines,
        }),
        Err(err) => {
            let mut d = toml_diag(src, &err, Some(&label));
            d.line = d.line.or(Some(line));
            diags.push(d);
            None
        }
    }
}

/// Reads the TOML into raw codes, reporting syntax errors, unknown keys and wrong types.
fn read_raw(src: &str, diags: &mut Vec<Diagnostic>) -> Option<(RawHeader, Vec<Located>)> {
    let doc = match toml::de::DeTable::parse(src) {
        Ok(doc) => doc,
        Err(err) => {
            diags.push(toml_diag(src, &err, None));
            return None;
        }
    };
    let mut doc = doc.into_inner();
    let unknown: Vec<(String, usize)> = doc
        .iter()
        .filter(|(k, _)| !TOP_KEYS.contains(&k.get_ref().as_ref()))
        .map(|(k, _)| (k.get_ref().to_string(), k.span().start))
        .collect();
    for (key, at) in unknown {
        doc.remove(key.as_str());
        diags.push(unknown_key(
            src,
            &key,
            at,
            TOP_KEYS,
            "the top level",
            None,
            None,
        ));
    }
    let header = match doc.remove("codebook") {
        None => RawHeader::default(),
        Some(mut value) => {
            strip_unknown_keys(
                src,
                &mut value,
                HEADER_KEYS,
                "[codebook]",
                None,
                None,
                diags,
            );
            match RawHeader::deserialize(ValueDeserializer::from(value)) {
                Ok(h) => h,
                Err(err) => {
                    diags.push(toml_diag(src, &err, None));
                    RawHeader::default()
                }
            }
        }
    };
    let mut codes = Vec::new();
    if let Some(mut value) = doc.remove("code") {
        if !matches!(value.get_ref(), DeValue::Array(_)) {
            diags.push(diag(
                Some(line_of(src, value.span().start)),
                None,
                None,
                "`code` must be an array of tables: write each code as `[[code]]`".to_owned(),
            ));
        }
        for (n, item) in array_items(&mut value).iter_mut().enumerate() {
            let item = std::mem::replace(item, Spanned::new(0..0, DeValue::Boolean(false)));
            if let Some(code) = read_code(src, item, n + 1, diags) {
                codes.push(code);
            }
        }
    }
    Some((header, codes))
}

/// Whether `id` can be a code id: it has to survive the query language and dotted nesting.
fn id_problem(id: &str) -> Option<String> {
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

fn colour_ok(c: &str) -> bool {
    c.strip_prefix('#')
        .is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The parent implied by a dotted id: `kb.semantic` → `kb`.
fn dotted_parent(id: &str) -> Option<&str> {
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

fn build(header: RawHeader, located: Vec<Located>, diags: &mut Vec<Diagnostic>) -> Codebook {
    let mut codes: Vec<Code> = Vec::with_capacity(located.len());
    let mut lines: Vec<usize> = Vec::with_capacity(located.len());
    let mut all_rule_lines: Vec<Vec<usize>> = Vec::with_capacity(located.len());
    let mut seen_codes: HashMap<String, usize> = HashMap::new();
    let mut seen_rules: HashMap<String, usize> = HashMap::new();

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
            let rule = Rule {
                id: rid,
                keywords: r.keywords,
                phrases: r.phrases,
                regex: r.regex,
                near: r.near,
                all: r.all,
                speaker: r.speaker,
                kind: r.kind,
                phase: r.phase,
                within: r.within,
                exclude_keywords: r.exclude_keywords,
            };
            check_rule(&id, &rule, rline, diags);
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
    };
    if diags.is_empty() {
        cb.rebuild();
    }
    cb
}

fn check_rule(code: &str, rule: &Rule, line: Option<usize>, diags: &mut Vec<Diagnostic>) {
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
        if let Err(err) = regex::Regex::new(re) {
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
    /// Parses and validates a codebook from TOML; on failure the error lists every problem found.
    pub fn parse(src: &str) -> Result<Codebook> {
        let mut diags = Vec::new();
        let cb = Self::load(src, &mut diags);
        match cb {
            Some(cb) if diags.is_empty() => Ok(cb),
            _ => Err(Error::Codebook(diags)),
        }
    }

    /// Every problem in a codebook source; empty when [`Codebook::parse`] would succeed.
    pub fn check(src: &str) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        let _ = Self::load(src, &mut diags);
        diags
    }

    fn load(src: &str, diags: &mut Vec<Diagnostic>) -> Option<Codebook> {
        let (header, located) = read_raw(src, diags)?;
        let cb = build(header, located, diags);
        // Stable, so problems on one line keep the order in which they were found.
        diags.sort_by_key(|d| d.line);
        Some(cb)
    }

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

    /// Writes the codebook as TOML; [`Codebook::parse`] of the result gives an equal codebook.
    pub fn to_toml(&self) -> Result<String> {
        let doc = OutDoc {
            codebook: RawHeader {
                name: self.name.clone(),
                description: self.description.clone(),
            },
            code: self
                .codes
                .iter()
                .map(|c| OutCode {
                    id: &c.id,
                    name: &c.name,
                    // A parent implied by the dotted id stays implicit, as people write it.
                    parent: c
                        .parent
                        .as_deref()
                        .filter(|p| Some(*p) != dotted_parent(&c.id)),
                    description: &c.description,
                    include: &c.include,
                    exclude: &c.exclude,
                    examples: &c.examples,
                    color: c.color.as_deref(),
                    rule: &c.rules,
                })
                .collect(),
        };
        toml::to_string(&doc).map_err(|e| Error::Serialize(e.to_string()))
    }

    /// Renames code `old` to `new`. Descendants whose ids start with `old.` and rule ids that
    /// start with `old.` are renamed along (`kb.semantic` → `boundary.semantic`), and `parent` and
    /// `within` references follow. Returns every code id change, `(old, new)`, so that stored
    /// codings can be updated.
    pub fn rename(&mut self, old: &str, new: &str) -> Result<Vec<(String, String)>> {
        let refuse = |reason: String| Error::Edit {
            action: "rename",
            code: old.to_owned(),
            reason,
        };
        if !self.contains(old) {
            return Err(Error::UnknownCodes(vec![old.to_owned()]));
        }
        if let Some(problem) = id_problem(new) {
            return Err(refuse(problem));
        }
        if old == new {
            return Ok(Vec::new());
        }
        let prefix = format!("{old}.");
        let descendant_ids: HashSet<String> = self
            .descendants(old)
            .into_iter()
            .map(|c| c.id.clone())
            .collect();
        let mut map: HashMap<String, String> = HashMap::new();
        map.insert(old.to_owned(), new.to_owned());
        for id in &descendant_ids {
            if let Some(rest) = id.strip_prefix(&prefix) {
                map.insert(id.clone(), format!("{new}.{rest}"));
            }
        }
        for (from, to) in &map {
            if self.contains(to) && !map.contains_key(to) {
                return Err(refuse(format!(
                    "renaming `{from}` to `{to}` would clash with an existing code"
                )));
            }
        }
        let renamed_code = |id: &str| map.contains_key(id);
        let rule_map: HashMap<String, String> = self
            .codes
            .iter()
            .filter(|c| renamed_code(&c.id))
            .flat_map(|c| c.rules.iter())
            .filter_map(|r| {
                r.id.strip_prefix(&prefix)
                    .map(|rest| (r.id.clone(), format!("{new}.{rest}")))
            })
            .collect();
        let all_rules: HashSet<&str> = self
            .codes
            .iter()
            .flat_map(|c| c.rules.iter().map(|r| r.id.as_str()))
            .collect();
        if let Some((_, to)) = rule_map
            .iter()
            .find(|(_, to)| all_rules.contains(to.as_str()) && !rule_map.contains_key(to.as_str()))
        {
            return Err(refuse(format!("the renamed rule id `{to}` already exists")));
        }
        let rename = |s: &mut String, m: &HashMap<String, String>| {
            if let Some(n) = m.get(s.as_str()) {
                *s = n.clone();
            }
        };
        for code in &mut self.codes {
            rename(&mut code.id, &map);
            if let Some(p) = &mut code.parent {
                rename(p, &map);
            }
            for rule in &mut code.rules {
                rename(&mut rule.id, &rule_map);
                if let Some(w) = &mut rule.within {
                    rename(w, &map);
                }
            }
        }
        self.rebuild();
        let mut changes: Vec<(String, String)> = map.into_iter().collect();
        changes.sort_by_key(|(_, to)| self.position(to));
        Ok(changes)
    }

    /// Merges code `from` into `into`: `from`'s rules and examples move to `into`, its children
    /// become `into`'s children, `within = from` becomes `within = into`, and `from` is removed.
    /// Codings on passages are the store's business.
    pub fn merge(&mut self, from: &str, into: &str) -> Result<()> {
        let refuse = |reason: String| Error::Edit {
            action: "merge",
            code: from.to_owned(),
            reason,
        };
        let unknown: Vec<String> = [from, into]
            .iter()
            .filter(|id| !self.contains(id))
            .map(|s| (*s).to_owned())
            .collect();
        if !unknown.is_empty() {
            return Err(Error::UnknownCodes(unknown));
        }
        if from == into {
            return Err(refuse("a code cannot be merged into itself".to_owned()));
        }
        if self.ancestors(into).any(|a| a == from) {
            return Err(refuse(format!(
                "`{into}` is a descendant of `{from}`; merge the other way round or move it first"
            )));
        }
        let Some(i) = self.position(from) else {
            return Err(Error::UnknownCodes(vec![from.to_owned()]));
        };
        let removed = self.codes.remove(i);
        self.rebuild_index();
        let Some(j) = self.position(into) else {
            return Err(Error::UnknownCodes(vec![into.to_owned()]));
        };
        self.codes[j].rules.extend(removed.rules);
        self.codes[j].examples.extend(removed.examples);
        for code in &mut self.codes {
            if code.parent.as_deref() == Some(from) {
                code.parent = Some(into.to_owned());
            }
            for rule in &mut code.rules {
                if rule.within.as_deref() == Some(from) {
                    rule.within = Some(into.to_owned());
                }
            }
        }
        self.rebuild();
        Ok(())
    }

    /// Removes a code and returns it. Refused while the code has children or another rule
    /// refers to it with `within`, so the codebook stays valid.
    pub fn remove(&mut self, id: &str) -> Result<Code> {
        let refuse = |reason: String| Error::Edit {
            action: "remove",
            code: id.to_owned(),
            reason,
        };
        let Some(i) = self.position(id) else {
            return Err(Error::UnknownCodes(vec![id.to_owned()]));
        };
        if !self.codes[i].children.is_empty() {
            return Err(refuse(format!(
                "it has children ({}); remove or merge them first",
                self.codes[i].children.join(", ")
            )));
        }
        let users: Vec<&str> = self
            .codes
            .iter()
            .filter(|c| c.id != id)
            .flat_map(|c| c.rules.iter())
            .filter(|r| r.within.as_deref() == Some(id))
            .map(|r| r.id.as_str())
            .collect();
        if !users.is_empty() {
            return Err(refuse(format!(
                "rules {} use `within = \"{id}\"`",
                users.join(", ")
            )));
        }
        let mut code = self.codes.remove(i);
        // A code's own `within` pointing at itself would dangle once it is gone.
        for rule in &mut code.rules {
            if rule.within.as_deref() == Some(id) {
                rule.within = None;
            }
        }
        self.rebuild();
        Ok(code)
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
