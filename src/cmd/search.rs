//! `ambit search`: full-text search of passages, filtered and placed on the timeline.

use std::io::Write;
use std::process::ExitCode;

use ambit_index::{Filter, GroupBy, Query, Sort};
use ambit_pipeline::kwic::{excerpt, Marks};
use ambit_pipeline::search::{Hit, Search};
use anyhow::Result;

use crate::args::{colour, DocFilterArgs, OutputFormat, PseudonymArgs, TEXT_JSON_CSV};
use crate::cmd::index::{note_rebuild, progress};
use crate::output::{write_json, write_listing, Table};

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
    filter: DocFilterArgs,
    /// Only passages coded with this code or one of its children (repeatable: either).
    #[arg(long = "code", value_name = "ID")]
    codes: Vec<String>,
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
    #[arg(long, default_value = "text", value_parser = TEXT_JSON_CSV)]
    format: OutputFormat,
    /// Print only the number of matching passages.
    #[arg(long)]
    count: bool,
    /// Count matching passages and documents per group: phase, kind, speaker, doc or attr:NAME.
    #[arg(long, value_name = "GROUP", value_parser = parse_by)]
    by: Option<GroupBy>,
    #[command(flatten)]
    pseudonyms: PseudonymArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SortArg {
    Relevance,
    Time,
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

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    // Parse first: a typo is reported before anything is indexed.
    let query = Query::parse(&args.query)?;
    let names = args.pseudonyms.load()?;
    let project = ctx.open_project()?;
    let mut export = names.map(|n| ambit_pipeline::pseudonymise::Exporter::new(&project, n));
    let filter = Filter {
        doc: args.filter.to_filter(&project)?,
        codes: args.codes.clone(),
    };
    let mut progress = progress();
    let mut session = Search::open(&project, &mut progress)?;
    let out = &mut crate::output::stdout();

    if let Some(by) = &args.by {
        let rows = session.groups(&query, &filter, by)?;
        let rows: Vec<(String, u64, u64)> = match &mut export {
            Some(e) => e
                .group_rows(&mut session, &query, &filter, by, rows)?
                .into_iter()
                .map(|r| (r.label, r.passages, r.docs))
                .collect(),
            None => rows
                .into_iter()
                .map(|r| (r.label(), r.passages, r.docs))
                .collect(),
        };
        note_rebuild(session.rebuilt());
        let name = by.column();
        let mut table = Table::new(&[name, "passages", "docs"]);
        let mut json = Vec::with_capacity(rows.len());
        for (label, passages, docs) in rows {
            let mut m = serde_json::Map::new();
            m.insert(name.to_string(), label.clone().into());
            m.insert("passages".into(), passages.into());
            m.insert("docs".into(), docs.into());
            json.push(serde_json::Value::Object(m));
            table.push(vec![label, passages.to_string(), docs.to_string()]);
        }
        write_listing(out, args.format, &table, &json)?;
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
    let (mut hits, total) = session.hits_counted(&query, &filter, sort, limit)?;
    if let Some(e) = &mut export {
        hits = e.hits(hits)?;
    }
    note_rebuild(session.rebuilt());
    match args.format {
        OutputFormat::Json => write_json(out, &hits)?,
        OutputFormat::Csv => write_csv(out, &hits)?,
        OutputFormat::Text | OutputFormat::Md => {
            let marks = if colour() {
                Marks::TERMINAL
            } else {
                Marks::NONE
            };
            for h in &hits {
                write_hit(out, h, args.context, marks)?;
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

fn write_csv(out: &mut impl Write, hits: &[Hit]) -> Result<()> {
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
    for h in hits {
        let hl: Vec<String> = h
            .highlights
            .iter()
            .map(|[a, b]| format!("{a}-{b}"))
            .collect();
        w.write_record([
            h.passage.to_string(),
            h.doc.to_string(),
            h.title.clone(),
            h.phase.clone(),
            h.date.map(|d| d.to_string()).unwrap_or_default(),
            h.kind.to_string(),
            h.speaker.clone().unwrap_or_default(),
            h.start.to_string(),
            h.end.to_string(),
            h.text.clone(),
            format!("{:.3}", h.score),
            hl.join(";"),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// A header line (passage, title, phase, date, speaker) and the first match in context.
fn write_hit(out: &mut impl Write, h: &Hit, context: usize, marks: Marks<'_>) -> Result<()> {
    let who = h
        .speaker
        .as_deref()
        .map(|s| format!(" · {s}"))
        .unwrap_or_default();
    let date = h
        .date
        .map_or_else(|| "no date".to_string(), |d| d.to_string());
    writeln!(out, "{} · {} · {} {date}{who}", h.passage, h.title, h.phase)?;
    writeln!(
        out,
        "    {}",
        excerpt(&h.text, &h.highlights, context, marks)
    )?;
    Ok(())
}
