//! Reading a codebook: TOML into raw shapes, unknown keys and wrong types reported with lines.

use ambit_core::Timeline;
use serde::{Deserialize, Serialize};
use toml::de::{DeValue, ValueDeserializer};
use toml::Spanned;

use super::validate::{build, diag, RegexCheck};
use super::{Codebook, Near};
use crate::error::{Diagnostic, Error, Result};
use crate::text::suggest;

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
pub(super) struct RawHeader {
    #[serde(default)]
    pub(super) name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(super) description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCode {
    pub(super) id: String,
    pub(super) name: String,
    #[serde(default)]
    pub(super) parent: Option<String>,
    #[serde(default)]
    pub(super) description: String,
    #[serde(default)]
    pub(super) include: String,
    #[serde(default)]
    pub(super) exclude: String,
    #[serde(default)]
    pub(super) examples: Vec<String>,
    #[serde(default)]
    pub(super) color: Option<String>,
    #[serde(default, rename = "rule")]
    pub(super) rules: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    #[serde(default)]
    pub(super) id: Option<String>,
    #[serde(default)]
    pub(super) keywords: Vec<String>,
    #[serde(default)]
    pub(super) phrases: Vec<String>,
    #[serde(default)]
    pub(super) regex: Vec<String>,
    #[serde(default)]
    pub(super) near: Vec<Near>,
    #[serde(default)]
    pub(super) all: Vec<String>,
    #[serde(default)]
    pub(super) speaker: Vec<String>,
    #[serde(default)]
    pub(super) kind: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) phase: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) within: Option<String>,
    #[serde(default)]
    pub(super) exclude_keywords: Vec<String>,
}

/// Where each code and rule was written, for diagnostics about cross-references.
pub(super) struct Located {
    pub(super) code: RawCode,
    pub(super) line: usize,
    pub(super) rule_lines: Vec<usize>,
}

pub(super) fn line_of(src: &str, byte: usize) -> usize {
    let end = byte.min(src.len());
    src.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
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

impl Codebook {
    /// Parses and validates a codebook from TOML; on failure the error lists every problem found.
    ///
    /// Regexes are parsed, not compiled: only auto-coding needs them compiled
    /// ([`Matcher::compile`](crate::Matcher::compile)), and [`Codebook::check`] also reports
    /// the rare pattern that parses but is too large to compile.
    pub fn parse(src: &str) -> Result<Codebook> {
        let mut diags = Vec::new();
        let cb = Self::load(src, RegexCheck::Syntax, &mut diags);
        match cb {
            Some(cb) if diags.is_empty() => Ok(cb),
            _ => Err(Error::Codebook(diags)),
        }
    }

    /// Every problem in a codebook source; empty when [`Codebook::parse`] would succeed and
    /// every regex compiles (as [`Matcher::compile`](crate::Matcher::compile) will).
    pub fn check(src: &str) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        let _ = Self::load(src, RegexCheck::Compile, &mut diags);
        diags
    }

    /// Every problem in a codebook source for a project with this timeline: those of
    /// [`Codebook::check`] and the rule phases the timeline lacks
    /// ([`Codebook::check_phases`]), ordered by line.
    pub fn check_with_timeline(src: &str, timeline: &Timeline) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        if let Some(cb) = Self::load(src, RegexCheck::Compile, &mut diags) {
            diags.extend(cb.check_phases(timeline));
            diags.sort_by_key(|d| d.line);
        }
        diags
    }

    fn load(src: &str, regexes: RegexCheck, diags: &mut Vec<Diagnostic>) -> Option<Codebook> {
        let (header, located) = read_raw(src, diags)?;
        let cb = build(src, header, located, regexes, diags);
        // Stable, so problems on one line keep the order in which they were found.
        diags.sort_by_key(|d| d.line);
        Some(cb)
    }
}
