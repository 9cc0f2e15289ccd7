//! What REFI has no element for: Ambit's own data in a marked part of a `Description`, and conversion to and from Ambit codebooks.
//!
//! A description Ambit writes is the human text, a blank line, the marker line
//! [`MARKER`], and TOML after it:
//!
//! ```text
//! Talk about what a word means to the other side.
//!
//! --- Ambit data (kept for a round trip; edit above this line) ---
//! id = "kb.semantic"
//! include = "Asking what a term means"
//! examples = ["what do you mean by an order?"]
//!
//! [[rule]]
//! id = "kb.semantic.1"
//! phrases = ["what do you mean by"]
//! ```
//!
//! Other tools show it as part of the description and keep it; on import the part above
//! the marker is the description again, exactly, and the TOML restores the rest. A
//! description without the marker is all human text; a human text with a line of its own
//! starting `--- Ambit data` would be taken for the marker (no Ambit text has one). When a
//! user of another tool edits the text above the marker, the edit is kept; when the TOML
//! no longer parses, the whole description is read as text, with a note. Which objects carry what:
//!
//! - `Code`: `id` (the dotted Ambit id), `include`, `exclude`, `examples`, `color` (only when
//!   Ambit's spelling is not the exported `#RRGGBB`), `order` (the position in Ambit's
//!   codebook, only when nesting the codes changes their order), and the auto-coding rules
//!   as `[[rule]]` tables in Ambit's codebook syntax.
//! - `PlainTextSelection`: `[codings]`, the origin of each coding that is not manual, by the
//!   coding's GUID (`"…GUID…" = "rule:kb.semantic.1"`), after a human line per rule coding.
//! - `TextSource`: `key` (Ambit's document id), `phase` (a phase given explicitly), `path`
//!   (where the document was imported from) and `original` (the original file's name).
//! - `Note`, `Set`, `Case`: `key`.
//! - a phase `Set`: `[phase]` with `id`, `label`, `start`, `end`.
//! - `Project`: `codebook` and `codebook_description` (REFI's `CodeBook` has no name).

use ambit_coding::Codebook;

use crate::model::{Code, CodeTree};
use crate::{Error, Result};

/// The line that separates the human description from Ambit's data.
pub const MARKER: &str = "--- Ambit data (kept for a round trip; edit above this line) ---";

/// What every marker line starts with; the rest of the line may have been reworded.
const MARKER_START: &str = "--- Ambit data";

/// `human` followed by `data` under the marker; `human` alone when there is no data.
pub(crate) fn with_data(human: &str, data: &toml::Table) -> String {
    if data.is_empty() {
        return human.to_owned();
    }
    // A table of plain keys and sub-tables always serialises.
    let toml = toml::to_string(data).unwrap_or_default();
    if human.is_empty() {
        format!("{MARKER}\n{toml}")
    } else {
        format!("{human}\n\n{MARKER}\n{toml}")
    }
}

/// The human part of a description and its Ambit data: `None` without a marker, an error
/// message when the data is not valid TOML.
pub(crate) fn split_data(desc: &str) -> (String, Option<std::result::Result<toml::Table, String>>) {
    let at = desc
        .match_indices(MARKER_START)
        .map(|(i, _)| i)
        .filter(|&i| i == 0 || desc[..i].ends_with('\n'))
        .last();
    let Some(at) = at else {
        return (desc.to_owned(), None);
    };
    let mut human = &desc[..at];
    // Exactly the separator `with_data` wrote, so the human text keeps its own whitespace.
    for sep in ["\r\n\r\n", "\n\n", "\n"] {
        if let Some(h) = human.strip_suffix(sep) {
            human = h;
            break;
        }
    }
    let rest = &desc[at..];
    let data = match rest.find('\n') {
        Some(nl) => &rest[nl + 1..],
        None => "",
    };
    let parsed = data.parse::<toml::Table>().map_err(|e| e.to_string());
    (human.to_owned(), Some(parsed))
}

/// Whether `id` can be an Ambit code id (the rule of `ambit-coding`'s validation).
pub(crate) fn valid_code_id(id: &str) -> bool {
    !id.trim().is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !id.starts_with('.')
        && !id.ends_with('.')
        && !id.contains("..")
        && !matches!(id.to_lowercase().as_str(), "and" | "or" | "not" | "near")
}

/// An id part made from a code name: lower case, letters and digits kept, runs of anything
/// else one `_` (a dot too: dots mean nesting in Ambit).
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '-' {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("code");
    }
    if matches!(out.as_str(), "and" | "or" | "not" | "near") {
        out.push_str("_code");
    }
    out
}

/// Expands `#RGB` to `#RRGGBB`; `None` for anything else that is not `#RRGGBB`.
pub(crate) fn export_colour(c: &str) -> Option<String> {
    let hex = c.trim().strip_prefix('#')?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    match hex.len() {
        6 => Some(format!("#{hex}")),
        3 => Some(hex.chars().fold(String::from("#"), |mut s, c| {
            s.push(c);
            s.push(c);
            s
        })),
        _ => None,
    }
}

/// A colour as other tools write it, as `#RRGGBB`: `#RGB`, `#RRGGBB`, `#RRGGBBAA` (alpha
/// dropped), `rgb(r, g, b)` or `rgba(…)`. The flag says whether it was not schema-valid.
pub(crate) fn read_colour(c: &str) -> Option<(String, bool)> {
    let t = c.trim();
    if let Some(hex) = t.strip_prefix('#') {
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        return match hex.len() {
            3 | 6 => Some((t.to_owned(), false)),
            8 => Some((format!("#{}", &hex[..6]), true)),
            _ => None,
        };
    }
    let lower = t.to_ascii_lowercase();
    let inner = lower
        .strip_prefix("rgba(")
        .or_else(|| lower.strip_prefix("rgb("))?
        .strip_suffix(')')?;
    let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
    if !(3..=4).contains(&parts.len()) {
        return None;
    }
    let mut out = String::from("#");
    for p in &parts[..3] {
        let v: u8 = p.parse().ok()?;
        out.push_str(&format!("{v:02X}"));
    }
    Some((out, true))
}

impl CodeTree {
    /// The codes of an Ambit codebook, with its name and description.
    pub fn from_codebook(cb: &Codebook) -> CodeTree {
        CodeTree {
            name: cb.name().to_owned(),
            description: cb.description().to_owned(),
            codes: cb
                .codes()
                .iter()
                .map(|c| Code {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    parent: c.parent.clone(),
                    description: c.description.clone(),
                    include: c.include.clone(),
                    exclude: c.exclude.clone(),
                    examples: c.examples.clone(),
                    color: c.color.clone(),
                    codable: true,
                    rules: c.rules.clone(),
                    guid: None,
                })
                .collect(),
            sets: Vec::new(),
        }
    }

    /// The Ambit codebook of these codes (`isCodable` and GUIDs have no place in it).
    ///
    /// ```
    /// use ambit_qdpx::CodeTree;
    /// let cb = ambit_coding::Codebook::parse(r##"
    /// [[code]]
    /// id = "kb"
    /// name = "Knowledge boundaries"
    /// [[code]]
    /// id = "kb.semantic"
    /// name = "Semantic"
    /// color = "#47A"
    ///   [[code.rule]]
    ///   phrases = ["what do you mean by"]
    /// "##)?;
    /// assert_eq!(CodeTree::from_codebook(&cb).to_codebook()?, cb);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_codebook(&self) -> Result<Codebook> {
        Ok(Codebook::parse(&self.to_toml(true)?)?)
    }

    /// The codebook as TOML, with or without the rules.
    pub(crate) fn to_toml(&self, rules: bool) -> Result<String> {
        let mut doc = toml::Table::new();
        let mut header = toml::Table::new();
        header.insert("name".into(), self.name.clone().into());
        if !self.description.is_empty() {
            header.insert("description".into(), self.description.clone().into());
        }
        doc.insert("codebook".into(), header.into());
        let mut codes = Vec::with_capacity(self.codes.len());
        for c in &self.codes {
            let mut t = toml::Table::new();
            t.insert("id".into(), c.id.clone().into());
            t.insert("name".into(), c.name.clone().into());
            if let Some(p) = &c.parent {
                t.insert("parent".into(), p.clone().into());
            }
            for (key, value) in [
                ("description", &c.description),
                ("include", &c.include),
                ("exclude", &c.exclude),
            ] {
                if !value.is_empty() {
                    t.insert(key.into(), value.clone().into());
                }
            }
            if !c.examples.is_empty() {
                t.insert("examples".into(), c.examples.clone().into());
            }
            if let Some(col) = &c.color {
                t.insert("color".into(), col.clone().into());
            }
            if rules && !c.rules.is_empty() {
                let rules = c
                    .rules
                    .iter()
                    .map(toml::Value::try_from)
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|e| Error::Model(format!("rules of code `{}`: {e}", c.id)))?;
                t.insert("rule".into(), rules.into());
            }
            codes.push(toml::Value::Table(t));
        }
        doc.insert("code".into(), codes.into());
        toml::to_string(&doc).map_err(|e| Error::Model(format!("codebook as TOML: {e}")))
    }
}

/// The passages of a `TextSource` as its Ambit data keeps them: `[[passages]]` tables with
/// `start` and `end` (characters into the text with LF line endings) and what else the
/// passage says (`speaker`, `question`, `page`, `start_ms`, `end_ms`, `heading`).
pub(crate) fn passages_data(passages: &[ambit_core::PassageSpan]) -> toml::Value {
    let rows = passages.iter().map(|p| {
        let mut t = toml::Table::new();
        t.insert("start".into(), (p.start as i64).into());
        t.insert("end".into(), (p.end as i64).into());
        if let Some(s) = &p.speaker {
            t.insert("speaker".into(), s.clone().into());
        }
        if let Some(q) = &p.question {
            t.insert("question".into(), q.clone().into());
        }
        if let Some(n) = p.page {
            t.insert("page".into(), i64::from(n).into());
        }
        if let Some(ms) = p.start_ms {
            t.insert("start_ms".into(), (ms as i64).into());
        }
        if let Some(ms) = p.end_ms {
            t.insert("end_ms".into(), (ms as i64).into());
        }
        if p.heading {
            t.insert("heading".into(), true.into());
        }
        toml::Value::Table(t)
    });
    toml::Value::Array(rows.collect())
}

/// The passages [`passages_data`] kept, if they fit a text of `chars` characters: in
/// order, not overlapping, none empty. `Err` says what is wrong, for a note.
pub(crate) fn passages_from_data(
    value: &toml::Value,
    chars: usize,
) -> std::result::Result<Vec<ambit_core::PassageSpan>, String> {
    let rows = value
        .as_array()
        .ok_or("`passages` is not a list of tables")?;
    let mut out: Vec<ambit_core::PassageSpan> = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let n = i + 1;
        let t = row
            .as_table()
            .ok_or_else(|| format!("passage {n} is not a table"))?;
        let count = |k: &str| -> std::result::Result<Option<u64>, String> {
            match t.get(k) {
                None => Ok(None),
                Some(v) => v
                    .as_integer()
                    .and_then(|x| u64::try_from(x).ok())
                    .map(Some)
                    .ok_or_else(|| format!("passage {n}: `{k}` is not a whole number")),
            }
        };
        let text = |k: &str| -> std::result::Result<Option<String>, String> {
            match t.get(k) {
                None => Ok(None),
                Some(v) => v
                    .as_str()
                    .map(|s| Some(s.to_owned()))
                    .ok_or_else(|| format!("passage {n}: `{k}` is not text")),
            }
        };
        let (Some(start), Some(end)) = (count("start")?, count("end")?) else {
            return Err(format!("passage {n} has no `start` and `end`"));
        };
        let (start, end) = (start as usize, end as usize);
        let after = out.last().map_or(0, |p| p.end);
        if start >= end || end > chars || start < after {
            return Err(format!(
                "passage {n} ({start}..{end}) is empty, overlaps the one before or ends \
                 after the text's {chars} characters"
            ));
        }
        let mut p = ambit_core::PassageSpan::new(start, end);
        p.speaker = text("speaker")?;
        p.question = text("question")?;
        p.page = count("page")?
            .map(|x| u32::try_from(x).map_err(|_| format!("passage {n}: `page` is too large")))
            .transpose()?;
        p.start_ms = count("start_ms")?;
        p.end_ms = count("end_ms")?;
        p.heading = t.get("heading").and_then(|v| v.as_bool()).unwrap_or(false);
        out.push(p);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_passages_round_trip_and_bad_ones_are_refused() {
        let mut a = ambit_core::PassageSpan::new(0, 5);
        a.question = Some("What changed?".into());
        a.page = Some(2);
        let mut b = ambit_core::PassageSpan::new(6, 9);
        b.speaker = Some("Päivi".into());
        b.start_ms = Some(1500);
        b.heading = true;
        let kept = vec![a, b];
        assert_eq!(passages_from_data(&passages_data(&kept), 9), Ok(kept));

        // What another tool (or a hand) may leave: each refused with why.
        let check = |toml_text: &str, chars: usize, why: &str| {
            let t: toml::Table = toml::from_str(toml_text).unwrap();
            let got = passages_from_data(&t["passages"], chars).unwrap_err();
            assert!(got.contains(why), "{toml_text}: {got}");
        };
        check("passages = 3", 9, "not a list");
        check("passages = [1]", 9, "passage 1 is not a table");
        check("[[passages]]\nstart = 0", 9, "no `start` and `end`");
        check(
            "[[passages]]\nstart = 0\nend = 10",
            9,
            "after the text's 9 characters",
        );
        check("[[passages]]\nstart = 4\nend = 4", 9, "is empty");
        check(
            "[[passages]]\nstart = 0\nend = 5\n[[passages]]\nstart = 3\nend = 7",
            9,
            "passage 2 (3..7)",
        );
        check(
            "[[passages]]\nstart = -1\nend = 5",
            9,
            "`start` is not a whole number",
        );
        check(
            "[[passages]]\nstart = 0\nend = 5\nspeaker = 1",
            9,
            "`speaker` is not text",
        );
    }

    #[test]
    fn data_round_trips_with_exact_human_text() {
        let mut data = toml::Table::new();
        data.insert("id".into(), "kb.semantic".into());
        for human in ["", "Definition.", "Two\n\nparagraphs\n", "  spaced  \n\n"] {
            let desc = with_data(human, &data);
            let (h, d) = split_data(&desc);
            assert_eq!(h, human);
            assert_eq!(d, Some(Ok(data.clone())));
        }
        assert_eq!(with_data("only text", &toml::Table::new()), "only text");
        assert_eq!(split_data("only text"), ("only text".to_owned(), None));
        // A reworded marker or CRLF line ends (a tool that normalised them) still split.
        let (h, d) = split_data("Def.\r\n\r\n--- Ambit data ---\r\nid = \"x\"\r\n");
        assert_eq!(h, "Def.");
        assert_eq!(
            d.and_then(|d| d.ok()).map(|t| t["id"].clone()),
            Some("x".into())
        );
        // Mentioning the marker inside a line is not a marker.
        assert_eq!(split_data("see --- Ambit data").1, None);
        assert!(matches!(
            split_data("--- Ambit data\nid = ").1,
            Some(Err(_))
        ));
    }

    #[test]
    fn slugs() {
        for (name, slug_) in [
            ("Knowledge boundaries", "knowledge_boundaries"),
            ("course.positive", "course_positive"),
            (
                "2022-05-10T02:05:59Z 19e4dce",
                "2022-05-10t02_05_59z_19e4dce",
            ),
            ("Ääni / ääni!", "ääni_ääni"),
            ("???", "code"),
            ("NOT", "not_code"),
        ] {
            assert_eq!(slug(name), slug_, "{name}");
            assert!(valid_code_id(&slug(name)), "{name}");
        }
    }

    #[test]
    fn colours() {
        assert_eq!(export_colour("#47a").as_deref(), Some("#4477aa"));
        assert_eq!(export_colour("#4477AA").as_deref(), Some("#4477AA"));
        assert_eq!(export_colour("red"), None);
        assert_eq!(read_colour("#4477AA"), Some(("#4477AA".into(), false)));
        assert_eq!(read_colour("#4477AAFF"), Some(("#4477AA".into(), true)));
        assert_eq!(
            read_colour("rgb(68, 119, 170)"),
            Some(("#4477AA".into(), true))
        );
        assert_eq!(
            read_colour("rgba(68,119,170,0.5)"),
            Some(("#4477AA".into(), true))
        );
        assert_eq!(read_colour("rgb(300,0,0)"), None);
        assert_eq!(read_colour("blue"), None);
    }
}
