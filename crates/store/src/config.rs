//! `ambit.toml`: the project's name, language, default coder and study timeline.

use std::path::Path;

use ambit_core::{Date, DocId, DocKind, Phase, SpeakerAliases, Timeline};

use crate::error::{Error, Result};

/// The file name of a project's configuration; its directory is the project root.
pub const CONFIG_FILE: &str = "ambit.toml";

/// A project's settings, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Project name.
    pub name: String,
    /// Language of the texts (ISO 639-1, e.g. `en`); search uses it for stemming.
    pub language: String,
    /// The coder recorded when a command is not given `--coder`.
    pub coder: String,
    /// A project-specific speaker-label regex with a named group `speaker` (and optionally
    /// `time`), replacing the built-in transcript label detection.
    pub speaker_pattern: Option<String>,
    /// Largest file `ambit add` accepts, in MiB.
    pub max_file_mb: u64,
    /// The study timeline.
    pub timeline: Timeline,
    /// Who is who among transcript labels (`[speakers]`), applied when passages are read.
    pub speakers: SpeakerAliases,
    /// The team store on a PostgreSQL server (`store = "postgres://…"`); `None`: the
    /// project's own SQLite file.
    pub store: Option<String>,
    /// A shell command printing the team store's password on its first line.
    pub password_command: Option<String>,
}

/// Default size limit for one imported file.
pub const DEFAULT_MAX_FILE_MB: u64 = 200;

const KNOWN_KEYS: &[&str] = &[
    "name",
    "language",
    "coder",
    "speaker_pattern",
    "max_file_mb",
    "phase",
    "speakers",
    "store",
    "password_command",
];
const PHASE_KEYS: &[&str] = &["id", "label", "start", "end"];

impl Config {
    /// Parses the text of an `ambit.toml`; `path` only names the file in errors.
    pub fn parse(path: &Path, src: &str) -> Result<Config> {
        let err = |message: String| Error::Config {
            path: path.to_path_buf(),
            message,
        };
        let table: toml::Table = toml::from_str(src).map_err(|e| err(toml_error(src, &e)))?;
        for key in table.keys() {
            if !KNOWN_KEYS.contains(&key.as_str()) {
                return Err(err(format!(
                    "unknown key `{key}`; known keys: {}",
                    KNOWN_KEYS.join(", ")
                )));
            }
        }
        let string = |key: &str, default: &str| -> Result<String> {
            match table.get(key) {
                None => Ok(default.to_string()),
                Some(toml::Value::String(s)) => Ok(s.clone()),
                Some(v) => Err(err(format!(
                    "`{key}` must be a string, found {}",
                    v.type_str()
                ))),
            }
        };
        let name = string("name", "Ambit project")?;
        let language = string("language", "en")?;
        let coder = string("coder", "researcher")?;
        if coder.trim().is_empty() {
            return Err(err("`coder` must not be empty".into()));
        }
        let speaker_pattern = match table.get("speaker_pattern") {
            None => None,
            Some(_) => Some(string("speaker_pattern", "")?),
        };
        let max_file_mb = match table.get("max_file_mb") {
            None => DEFAULT_MAX_FILE_MB,
            Some(toml::Value::Integer(n)) if *n > 0 => *n as u64,
            Some(v) => {
                return Err(err(format!(
                    "`max_file_mb` must be a positive integer, found {v}"
                )))
            }
        };

        let mut phases = Vec::new();
        match table.get("phase") {
            None => {}
            Some(toml::Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let n = i + 1;
                    let t = item
                        .as_table()
                        .ok_or_else(|| err(format!("[[phase]] entry {n} must be a table")))?;
                    phases.push(parse_phase(n, t).map_err(err)?);
                }
            }
            Some(_) => return Err(err("`phase` must be written as [[phase]] tables".into())),
        }
        let timeline = Timeline::new(phases).map_err(|e| err(format!("timeline: {e}")))?;
        let speakers = match table.get("speakers") {
            None => SpeakerAliases::default(),
            Some(toml::Value::Table(t)) => parse_speakers(t).map_err(err)?,
            Some(_) => {
                return Err(err(
                    "`speakers` must be a table: [speakers] \"I\" = \"Interviewer\"".into(),
                ))
            }
        };
        let optional = |key: &str| -> Result<Option<String>> {
            match table.get(key) {
                None => Ok(None),
                Some(_) => string(key, "").map(Some),
            }
        };
        let store = optional("store")?;
        if let Some(url) = &store {
            if !crate::pg::StoreUrl::is_server(url) {
                return Err(err(format!(
                    "`store` must be a postgres:// URL (postgres://user@host/database?project=NAME), found {:?}; remove the line for the project's own SQLite store",
                    crate::pg::redact(url)
                )));
            }
        }
        let password_command = optional("password_command")?;
        Ok(Config {
            name,
            language,
            coder,
            speaker_pattern,
            max_file_mb,
            timeline,
            speakers,
            store,
            password_command,
        })
    }

    /// Reads and parses `ambit.toml` from a project root.
    pub fn load(root: &Path) -> Result<Config> {
        let path = root.join(CONFIG_FILE);
        let src = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        Config::parse(&path, &src)
    }

    /// `ambit.toml` text with its `store` line set to `url` (added after the settings at
    /// the top, or replacing one that is there).
    pub fn with_store(text: &str, url: &str) -> String {
        let line = format!("store = {}", toml::Value::String(url.to_string()));
        let mut out = String::new();
        let mut done = false;
        for l in text.lines() {
            if l.trim_start().starts_with("store ") || l.trim_start().starts_with("store=") {
                if !done {
                    out.push_str(&line);
                    out.push('\n');
                    done = true;
                }
                continue;
            }
            out.push_str(l);
            out.push('\n');
        }
        if done {
            return out;
        }
        // Top-level keys must come before the first table.
        let at = out
            .lines()
            .scan(0, |pos, l| {
                let start = *pos;
                *pos += l.len() + 1;
                Some((start, l))
            })
            .find(|(_, l)| l.trim_start().starts_with('['))
            .map_or(out.len(), |(start, _)| start);
        let comment = "# The team store: this project lives on a PostgreSQL server (the password comes\n# from PGPASSWORD, ~/.pgpass or `password_command`, never from this file).\n";
        out.insert_str(at, &format!("{comment}{line}\n\n"));
        out
    }

    /// The text of a new project's `ambit.toml`, with the timeline explained in comments.
    pub fn template(name: &str) -> String {
        let name = toml::Value::String(name.to_string());
        format!(
            r#"# Ambit project settings.
name = {name}
# Language of the texts (used for search stemming).
language = "en"
# Coder recorded for codings when --coder is not given.
coder = "researcher"
# Largest file `ambit add` accepts, in MiB.
max_file_mb = {DEFAULT_MAX_FILE_MB}
# A project-specific speaker-label regex, with a named group `speaker` (optionally `time`):
# speaker_pattern = '^(?P<speaker>[A-Z]{{2,}}):\s'

# Who is who among transcript labels, for the study, a document kind or one document:
# [speakers]
# "I" = "Interviewer"
# [speakers.interview]
# "R" = "Respondent"
# [speakers.D3]
# "R" = "Päivi Mäkelä"

# The study timeline: phases in order. A document belongs to the phase whose dates
# contain its date, unless it was given a phase explicitly (`ambit add --phase ID`).
# Editing this list re-places documents without re-importing them.
#
# [[phase]]
# id = "I1"
# label = "Intervention 1: process modelling workshop"
# start = 2013-03-01
# end = 2013-04-30
"#
        )
    }
}

/// `[speakers]`: `"LABEL" = "Name"` for the study, and tables `[speakers.KIND]` and
/// `[speakers.D7]` for documents of a kind or one document.
fn parse_speakers(t: &toml::Table) -> std::result::Result<SpeakerAliases, String> {
    let mut aliases = SpeakerAliases::default();
    let name = |scope: &str, label: &str, v: &toml::Value| {
        match v {
        toml::Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        _ => Err(format!(
            "{scope}: the name for {label:?} must be a non-empty string, e.g. \"{label}\" = \"Interviewer\""
        )),
    }
    };
    for (key, value) in t {
        match value {
            toml::Value::Table(inner) => {
                let scope = format!("[speakers.{key}]");
                let target = if let Ok(doc) = DocId::parse(key) {
                    Ok(doc)
                } else if let Ok(kind) = DocKind::parse(key) {
                    Err(kind)
                } else {
                    return Err(format!(
                        "{scope}: `{key}` is neither a document id (D7) nor a document kind (interview, workshop, observation, archival, survey, other)"
                    ));
                };
                for (label, v) in inner {
                    let n = name(&scope, label, v)?;
                    match target {
                        Ok(doc) => aliases.insert_for_doc(doc, label, &n),
                        Err(kind) => aliases.insert_for_kind(kind, label, &n),
                    }
                }
            }
            v => {
                let n = name("[speakers]", key, v)?;
                aliases.insert_global(key, &n);
            }
        }
    }
    Ok(aliases)
}

fn parse_phase(n: usize, t: &toml::Table) -> std::result::Result<Phase, String> {
    let id = match t.get("id") {
        Some(toml::Value::String(s)) => s.clone(),
        _ => return Err(format!("[[phase]] entry {n}: `id` (a string) is required")),
    };
    let ctx = format!("phase {id:?}");
    for key in t.keys() {
        if !PHASE_KEYS.contains(&key.as_str()) {
            return Err(format!(
                "{ctx}: unknown key `{key}`; known keys: {}",
                PHASE_KEYS.join(", ")
            ));
        }
    }
    let label = match t.get("label") {
        Some(toml::Value::String(s)) => s.clone(),
        None => id.clone(),
        Some(_) => return Err(format!("{ctx}: `label` must be a string")),
    };
    let date = |key: &str| -> std::result::Result<Date, String> {
        let text = match t.get(key) {
            Some(toml::Value::Datetime(d)) => d.to_string(),
            Some(toml::Value::String(s)) => s.clone(),
            None => {
                return Err(format!(
                    "{ctx}: `{key}` is required (a date like 2013-03-01)"
                ))
            }
            Some(v) => {
                return Err(format!(
                    "{ctx}: `{key}` must be a date, found {}",
                    v.type_str()
                ))
            }
        };
        Date::parse(&text).map_err(|e| format!("{ctx}: `{key}`: {e}"))
    };
    Ok(Phase::new(&id, &label, date("start")?, date("end")?))
}

/// Formats a TOML syntax error with its line number.
fn toml_error(src: &str, e: &toml::de::Error) -> String {
    let msg = e.message().trim().to_string();
    match e.span() {
        Some(span) => {
            let line = src[..span.start.min(src.len())].matches('\n').count() + 1;
            format!("line {line}: {msg}")
        }
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<Config> {
        Config::parse(Path::new("ambit.toml"), src)
    }

    #[test]
    fn template_parses() {
        let c = parse(&Config::template("My \"study\"")).unwrap();
        assert_eq!(c.name, "My \"study\"");
        assert_eq!(c.language, "en");
        assert!(c.timeline.phases().is_empty());
    }

    #[test]
    fn reads_timeline_in_order() {
        let c = parse(
            r#"
name = "x"
[[phase]]
id = "I2"
label = "Second"
start = 2013-05-01
end = 2013-05-31
[[phase]]
id = "I1"
start = "2013-03-01"
end = 2013-04-30
"#,
        )
        .unwrap();
        let ids: Vec<_> = c.timeline.phases().iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["I2", "I1"]);
        assert_eq!(c.timeline.phases()[1].label, "I1");
    }

    fn check_err(src: &str, needle: &str) {
        let msg = parse(src).unwrap_err().to_string();
        assert!(msg.contains(needle), "expected {needle:?} in {msg:?}");
    }

    #[test]
    fn errors_name_the_problem() {
        check_err("name = ", "line 1");
        check_err("nmae = \"x\"", "unknown key `nmae`");
        check_err(
            "[[phase]]\nid = \"I1\"\nstart = 2013-03-01\nend = 2013-02-01\n",
            "\"I1\"",
        );
        check_err(
            "[[phase]]\nid = \"I1\"\nstart = 2013-02-30\nend = 2013-03-01\n",
            "line 3",
        );
        check_err(
            "[[phase]]\nid = \"I1\"\nstart = \"2013-02-30\"\nend = 2013-03-01\n",
            "phase \"I1\": `start`",
        );
        check_err(
            "[[phase]]\nid = \"I1\"\nend = 2013-03-01\n",
            "`start` is required",
        );
        check_err(
            "[[phase]]\nid = \"A\"\nstart = 2013-01-01\nend = 2013-02-01\n[[phase]]\nid = \"B\"\nstart = 2013-02-01\nend = 2013-03-01\n",
            "overlap",
        );
        check_err("max_file_mb = -3", "max_file_mb");
        check_err("[speakers]\nI = 3\n", "non-empty string");
        check_err("[speakers.podcast]\nR = \"x\"\n", "neither a document id");
        check_err("speakers = 1\n", "must be a table");
    }

    #[test]
    fn reads_speaker_aliases() {
        let c = parse(
            "[speakers]\n\"I\" = \"Interviewer\"\n[speakers.interview]\nR = \"Respondent\"\n[speakers.D3]\nR = \" Päivi Mäkelä \"\n",
        )
        .unwrap();
        let s = &c.speakers;
        assert_eq!(s.resolve(DocId(1), DocKind::Workshop, "I"), "Interviewer");
        assert_eq!(s.resolve(DocId(1), DocKind::Interview, "R"), "Respondent");
        assert_eq!(s.resolve(DocId(3), DocKind::Interview, "R"), "Päivi Mäkelä");
    }
}
