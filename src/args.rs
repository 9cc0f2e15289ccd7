//! Flags and helpers several commands share: the output format, the document filter,
//! value parsers, progress bars and colour.
//!
//! Each shared flag group is converted once into a library value (`DocFilterArgs` into
//! [`ambit_core::DocFilter`]), so every command reads the same flags the same way.

use std::io::IsTerminal;

use ambit_core::{Date, DocFilter, DocId, DocKind};
use anyhow::Result;
use clap::builder::{PossibleValue, TypedValueParser};

/// How a command prints its result. Not every command offers every format: each names
/// its set with one of the parsers below, and `--help` lists exactly those.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Aligned text for reading (also accepted as `table`).
    Text,
    /// JSON for scripts: the documented contract of each command.
    Json,
    /// CSV for spreadsheets and scripts.
    Csv,
    /// A Markdown table, to paste into a draft (also accepted as `markdown`).
    Md,
}

impl OutputFormat {
    /// The name and its synonyms, the first one shown in help.
    fn names(self) -> &'static [&'static str] {
        match self {
            OutputFormat::Text => &["text", "table"],
            OutputFormat::Json => &["json"],
            OutputFormat::Csv => &["csv"],
            OutputFormat::Md => &["md", "markdown"],
        }
    }

    fn help(self) -> &'static str {
        match self {
            OutputFormat::Text => "aligned text for reading (also: table)",
            OutputFormat::Json => "JSON for scripts",
            OutputFormat::Csv => "CSV for spreadsheets and scripts",
            OutputFormat::Md => "a Markdown table (also: markdown)",
        }
    }
}

/// Accepts the names of some output formats (and their synonyms).
#[derive(Debug, Clone, Copy)]
pub struct FormatParser(&'static [OutputFormat]);

/// `text` or `json`: reports.
pub const TEXT_JSON: FormatParser = FormatParser(&[OutputFormat::Text, OutputFormat::Json]);
/// `text`, `json` or `csv`: listings.
pub const TEXT_JSON_CSV: FormatParser =
    FormatParser(&[OutputFormat::Text, OutputFormat::Json, OutputFormat::Csv]);
/// `text`, `json`, `csv` or `md`: tables of statistics.
pub const TEXT_JSON_CSV_MD: FormatParser = FormatParser(&[
    OutputFormat::Text,
    OutputFormat::Json,
    OutputFormat::Csv,
    OutputFormat::Md,
]);

impl TypedValueParser for FormatParser {
    type Value = OutputFormat;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<OutputFormat, clap::Error> {
        let given = value.to_string_lossy();
        let lower = given.to_ascii_lowercase();
        if let Some(f) = self.0.iter().find(|f| f.names().contains(&lower.as_str())) {
            return Ok(*f);
        }
        let mut err = clap::Error::new(clap::error::ErrorKind::InvalidValue).with_cmd(cmd);
        use clap::error::{ContextKind, ContextValue};
        if let Some(arg) = arg {
            err.insert(
                ContextKind::InvalidArg,
                ContextValue::String(arg.to_string()),
            );
        }
        err.insert(
            ContextKind::InvalidValue,
            ContextValue::String(given.into_owned()),
        );
        err.insert(
            ContextKind::ValidValue,
            ContextValue::Strings(self.0.iter().map(|f| f.names()[0].to_string()).collect()),
        );
        Err(err)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.0.iter().map(|f| {
            let names = f.names();
            PossibleValue::new(names[0])
                .aliases(names[1..].iter().copied())
                .help(f.help())
        })))
    }
}

/// Which documents (and speakers' passages) a command looks at: the same flags, with the
/// same meaning, on every command that narrows the study.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DocFilterArgs {
    /// Only documents in this phase (repeatable: either; `unphased` for documents in none).
    #[arg(long = "phase", value_name = "ID")]
    pub phases: Vec<String>,
    /// Only documents of this kind (repeatable: either).
    #[arg(long = "kind", value_name = "KIND", value_parser = parse_kind)]
    pub kinds: Vec<DocKind>,
    /// Only this document (repeatable: either).
    #[arg(long = "doc", value_name = "ID", value_parser = parse_doc)]
    pub docs: Vec<DocId>,
    /// Only documents with this attribute value (repeatable: the same KEY twice means
    /// either value, different KEYs must all hold; VALUE `(none)` selects documents
    /// without the attribute).
    #[arg(long = "attr", value_name = "KEY=VALUE", value_parser = parse_attr)]
    pub attrs: Vec<(String, String)>,
    /// Only documents dated in this month, YYYY-MM (repeatable: either; `undated` too).
    #[arg(long = "month", value_name = "YYYY-MM", value_parser = parse_month)]
    pub months: Vec<Option<ambit_core::Month>>,
    /// Only passages of this speaker, as written in the transcript (repeatable: either;
    /// `(no speaker)` for passages without one).
    #[arg(long = "speaker", value_name = "NAME")]
    pub speakers: Vec<String>,
}

impl DocFilterArgs {
    /// The filter, with phase ids checked against the project's timeline.
    pub fn to_filter(&self, project: &ambit_store::Project) -> Result<DocFilter> {
        for p in self.phases.iter().filter(|p| *p != ambit_core::UNPHASED) {
            project.config.timeline.require(p)?;
        }
        Ok(DocFilter {
            phases: self.phases.clone(),
            kinds: self.kinds.clone(),
            docs: self.docs.clone(),
            attrs: self.attrs.clone(),
            months: self.months.clone(),
            speakers: self
                .speakers
                .iter()
                .map(|s| ambit_core::parse_speaker(s))
                .collect(),
        })
    }
}

/// `--pseudonymise KEY.csv`: the same flags on every command that exports.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PseudonymArgs {
    /// Replace the names of this key file (CSV with the header `name,pseudonym`) in
    /// everything written: texts, titles, speakers, attribute values, memos; positions
    /// follow the new text. The project itself is not changed. Start a key with `ambit
    /// pseudonyms suggest --format csv`.
    #[arg(
        long = "pseudonymise",
        visible_alias = "pseudonymize",
        value_name = "KEY.csv"
    )]
    pub key: Option<std::path::PathBuf>,
    /// With --pseudonymise: also replace the first name of every multi-word name of the
    /// key on its own (`Päivi` of `Päivi Mäkelä`).
    #[arg(long, requires = "key")]
    pub first_names: bool,
}

impl PseudonymArgs {
    /// The compiled key, if one was given; a refused key line is an error naming the file
    /// and the line. Call it before anything is computed or written.
    pub fn load(&self) -> Result<Option<ambit_pipeline::pseudonymise::Pseudonymiser>> {
        use ambit_pipeline::pseudonymise::{load_key, Options};
        let Some(path) = &self.key else {
            return Ok(None);
        };
        let options = Options {
            first_names: self.first_names,
        };
        Ok(Some(load_key(path, options)?))
    }
}

/// `--kind`: a document kind.
pub fn parse_kind(s: &str) -> Result<DocKind, String> {
    DocKind::parse(s).map_err(|e| e.to_string())
}

/// `--date`: a calendar date.
pub fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).map_err(|e| e.to_string())
}

/// `--doc`: a document id.
pub fn parse_doc(s: &str) -> Result<DocId, String> {
    DocId::parse(s).map_err(|e| e.to_string())
}

/// `--attr KEY=VALUE`.
pub fn parse_attr(s: &str) -> Result<(String, String), String> {
    ambit_core::parse_attr(s).map_err(|e| e.to_string())
}

/// `--month YYYY-MM|undated`.
pub fn parse_month(s: &str) -> Result<Option<ambit_core::Month>, String> {
    ambit_core::parse_month(s).map_err(|e| e.to_string())
}

/// Whether progress bars make sense: standard error is a terminal.
pub fn interactive() -> bool {
    std::io::stderr().is_terminal()
}

/// Whether to colour output: standard output is a terminal and NO_COLOR is unset.
pub fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// A progress bar on standard error when it is a terminal, none otherwise.
pub fn progress_bar(len: u64, what: &str) -> Option<indicatif::ProgressBar> {
    if !interactive() || len < 2 {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} {elapsed}")
    {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    Some(bar)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[arg(long, default_value = "text", value_parser = TEXT_JSON_CSV)]
        format: OutputFormat,
        #[command(flatten)]
        filter: DocFilterArgs,
    }

    #[test]
    fn formats_and_synonyms() {
        let parse = |args: &[&str]| Cli::try_parse_from(args).map(|c| c.format);
        assert_eq!(parse(&["x"]).unwrap(), OutputFormat::Text);
        assert_eq!(
            parse(&["x", "--format", "table"]).unwrap(),
            OutputFormat::Text
        );
        assert_eq!(
            parse(&["x", "--format", "JSON"]).unwrap(),
            OutputFormat::Json
        );
        let e = parse(&["x", "--format", "md"]).unwrap_err().to_string();
        assert!(e.contains("text") && e.contains("csv"), "{e}");
    }

    #[test]
    fn filter_flags_parse_once() {
        let c = Cli::try_parse_from([
            "x",
            "--attr",
            " org = A ",
            "--month",
            "undated",
            "--doc",
            "d3",
        ])
        .unwrap();
        assert_eq!(c.filter.attrs, [("org".to_string(), "A".to_string())]);
        assert_eq!(c.filter.months, [None]);
        assert_eq!(c.filter.docs, [DocId(3)]);
        assert!(Cli::try_parse_from(["x", "--attr", "=A"]).is_err());
        assert!(Cli::try_parse_from(["x", "--month", "2013"]).is_err());
    }
}
