//! `ambit search`: full-text search of passages, filtered and placed on the timeline.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use ambit_core::{DocId, DocKind};
use ambit_index::{Filter, GroupBy, Query, Sort};
use ambit_pipeline::search::{self, Hit, Search};
use anyhow::Result;

use crate::output::{write_json, Table};

/// Search the words of every passage: where, and when in the study, did people talk about X?
///
/// The query language: words (all must occur), "exact phrases", "words near"~5 (within 5
/// positions), AND, OR, NOT, +word, -word, parentheses, and prefix* (coordinat* finds
/// what each word of the study starting with coordinat finds: coordination, coordinating).
/// Words are matched after stemming in the project's language (ambit.toml `language`), so
/// "order" finds "ordered". A changed project is re-indexed before the search runs.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The query, e.g. `"purchase order" OR procur*`.
    query: String,
    #[command(flatten)]
    filters: Filters,
    /// Show at most this many passages (0: all).
    #[arg(long, default_value_t = 20, value_name = "N")]
    limit: usize,
    /// Characters of context either side of the match in text output.
    #[arg(long, default_value_t = 60, value_name = "CHARS")]
    context: usize,
    /// Order of hits: best match first, or along the timeline (phase, date, passage).
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    sort: SortArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Print only the number of matching passages.
    #[arg(long)]
    count: bool,
    /// Count matching passages and documents per group: phase, kind, speaker, doc or attr:NAME.
    #[arg(long, value_name = "GROUP", value_parser = parse_by)]
    by: Option<GroupBy>,
}

/// Filters shared by `search` and `kwic`.
#[derive(Debug, clap::Args)]
pub struct Filters {
    /// Only documents in this phase (repeatable; `unphased` too).
    #[arg(long = "phase", value_name = "ID")]
    phases: Vec<String>,
    /// Only documents of this kind (repeatable).
    #[arg(long = "kind", value_parser = crate::cmd::add::parse_kind)]
    kinds: Vec<DocKind>,
    /// Only passages by this speaker, as written in the transcript (repeatable).
    #[arg(long = "speaker", value_name = "NAME")]
    speakers: Vec<String>,
    /// Only this document (repeatable).
    #[arg(long = "doc", value_name = "ID")]
    docs: Vec<String>,
    /// Only documents with this attribute value (repeatable; same key: either value).
    #[arg(long = "attr", value_name = "KEY=VALUE", value_parser = parse_attr)]
    attrs: Vec<(String, String)>,
    /// Only passages coded with this code or one of its children (repeatable).
    #[arg(long = "code", value_name = "ID")]
    codes: Vec<String>,
}

impl Filters {
    pub fn build(&self, project: &ambit_store::Project) -> Result<Filter> {
        for p in self.phases.iter().filter(|p| *p != ambit_core::UNPHASED) {
            project.config.timeline.require(p)?;
        }
        Ok(Filter {
            phases: self.phases.clone(),
            kinds: self.kinds.clone(),
            speakers: self.speakers.clone(),
            docs: self
                .docs
                .iter()
                .map(|d| DocId::parse(d))
                .collect::<Result<_, _>>()?,
            attrs: self.attrs.clone(),
            codes: self.codes.clone(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SortArg {
    Relevance,
    Time,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
}

fn parse_attr(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(format!("expected KEY=VALUE, got {s:?}")),
    }
}

fn parse_by(s: &str) -> Result<GroupBy, String> {
    Ok(match s {
        "phase" => GroupBy::Phase,
        "kind" => GroupBy::Kind,
        "speaker" => GroupBy::Speaker,
        "doc" => GroupBy::Doc,
        _ => match s.strip_prefix("attr:") {
            Some(name) if !name.is_empty() => GroupBy::Attr(name.to_string()),
            _ => {
                return Err(format!(
                    "expected phase, kind, speaker, doc or attr:NAME, got {s:?}"
                ))
            }
        },
    })
}

/// Tells the researcher on standard error that the index was rebuilt, and why.
pub fn note_rebuild(rebuilt: Option<&search::Rebuilt>) {
    if let Some(r) = rebuilt {
        eprintln!("indexed {} passages first: {}", r.passages, r.reason);
    }
}

/// Whether to colour matches: standard output is a terminal and NO_COLOR is unset.
pub fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    // Parse first: a typo is reported before anything is indexed.
    let query = Query::parse(&args.query)?;
    let project = ctx.open_project()?;
    let filter = args.filters.build(&project)?;
    let mut progress = crate::cmd::index::progress();
    let mut session = Search::open(&project, &mut progress)?;
    let out = &mut std::io::stdout().lock();

    if let Some(by) = &args.by {
        let rows = session.groups(&query, &filter, by)?;
        note_rebuild(session.rebuilt());
        let name = match by {
            GroupBy::Attr(n) => n.clone(),
            GroupBy::Phase => "phase".into(),
            GroupBy::Kind => "kind".into(),
            GroupBy::Speaker => "speaker".into(),
            GroupBy::Doc => "doc".into(),
        };
        match args.format {
            Format::Json => {
                let v: Vec<_> = rows
                    .iter()
                    .map(|r| {
                        let mut m = serde_json::Map::new();
                        m.insert(name.clone(), r.group.clone().into());
                        m.insert("passages".into(), r.passages.into());
                        m.insert("docs".into(), r.docs.into());
                        serde_json::Value::Object(m)
                    })
                    .collect();
                write_json(out, &v)?;
            }
            _ => {
                let mut t = Table::new(&[&name, "passages", "docs"]);
                for r in rows {
                    t.push(vec![r.group, r.passages.to_string(), r.docs.to_string()]);
                }
                if args.format == Format::Csv {
                    t.write_csv(out)?;
                } else {
                    t.write_text(out)?;
                }
            }
        }
        return Ok(ExitCode::SUCCESS);
    }

    if args.count {
        let n = session.count(&query, &filter)?;
        note_rebuild(session.rebuilt());
        writeln!(out, "{n}")?;
        return Ok(ExitCode::SUCCESS);
    }

    let sort = match args.sort {
        SortArg::Relevance => Sort::Relevance,
        SortArg::Time => Sort::Time,
    };
    let limit = (args.limit > 0).then_some(args.limit);
    let hits = session.hits(&query, &filter, sort, limit)?;
    let total = if limit.is_some_and(|l| hits.len() >= l) {
        session.count(&query, &filter)?
    } else {
        hits.len() as u64
    };
    note_rebuild(session.rebuilt());
    match args.format {
        Format::Json => write_json(out, &hits)?,
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "passage",
                "doc",
                "title",
                "phase",
                "date",
                "kind",
                "speaker",
                "start",
                "end",
                "text",
                "score",
                "highlights",
            ])?;
            for h in &hits {
                let hl: Vec<String> = h
                    .highlights
                    .iter()
                    .map(|[a, b]| format!("{a}-{b}"))
                    .collect();
                w.write_record([
                    h.passage.clone(),
                    h.doc.clone(),
                    h.title.clone(),
                    h.phase.clone(),
                    h.date.clone().unwrap_or_default(),
                    h.kind.clone(),
                    h.speaker.clone().unwrap_or_default(),
                    h.start.to_string(),
                    h.end.to_string(),
                    h.text.clone(),
                    format!("{:.3}", h.score),
                    hl.join(";"),
                ])?;
            }
            w.flush()?;
        }
        Format::Text => {
            let colour = colour();
            for h in &hits {
                write_hit(out, h, args.context, colour)?;
            }
            if hits.len() as u64 == total {
                eprintln!("{total} passage(s)");
            } else {
                eprintln!(
                    "{} of {total} passage(s) shown; --limit 0 shows all",
                    hits.len()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Whitespace runs become one space, so a keyword-in-context line stays one line.
pub fn flat(chars: &[char]) -> String {
    let mut s = String::with_capacity(chars.len());
    let mut space = false;
    for &c in chars {
        if c.is_whitespace() {
            if !space {
                s.push(' ');
            }
            space = true;
        } else {
            s.push(c);
            space = false;
        }
    }
    s
}

pub const HL_ON: &str = "\x1b[1;31m";
pub const HL_OFF: &str = "\x1b[0m";

/// A header line (passage, title, phase, date, speaker) and the first match in context.
fn write_hit(out: &mut impl Write, h: &Hit, context: usize, colour: bool) -> Result<()> {
    let who = h
        .speaker
        .as_deref()
        .map(|s| format!(" · {s}"))
        .unwrap_or_default();
    writeln!(
        out,
        "{} · {} · {} {}{who}",
        h.passage,
        h.title,
        h.phase,
        h.date.as_deref().unwrap_or("no date")
    )?;
    let chars: Vec<char> = h.text.chars().collect();
    let (from, to) = match h.highlights.first() {
        Some(&[s, e]) => (s.saturating_sub(context), (e + context).min(chars.len())),
        None => (0, (2 * context).min(chars.len())),
    };
    let mut line = String::new();
    if from > 0 {
        line.push('…');
    }
    let mut at = from;
    for &[s, e] in &h.highlights {
        if e <= from || s >= to {
            continue;
        }
        let (s, e) = (s.max(from), e.min(to));
        line.push_str(&flat(&chars[at..s]));
        if colour {
            line.push_str(HL_ON);
        }
        line.push_str(&flat(&chars[s..e]));
        if colour {
            line.push_str(HL_OFF);
        }
        at = e;
    }
    line.push_str(&flat(&chars[at..to]));
    if to < chars.len() {
        line.push('…');
    }
    writeln!(out, "    {}", line.trim())?;
    Ok(())
}
