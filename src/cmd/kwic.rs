//! `ambit kwic`: a concordance of every occurrence of a term, aligned on it.

use std::io::Write;
use std::process::ExitCode;

use ambit_index::{Query, Sort};
use ambit_pipeline::search;
use anyhow::Result;
use serde::Serialize;

use crate::cmd::search::{colour, flat, note_rebuild, Filters, Format, HL_OFF, HL_ON};
use crate::output::write_json;

/// A concordance (keyword in context): every occurrence of TERM, one per line, aligned
/// on it, in timeline order or sorted by the words to its left or right.
///
/// TERM uses the search query language: a word (stemmed: "order" also finds "orders"),
/// a "phrase", or prefix*.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The word, "phrase" or prefix* to look up.
    term: String,
    #[command(flatten)]
    filters: Filters,
    /// Characters of context on each side.
    #[arg(long, default_value_t = 40, value_name = "N")]
    width: usize,
    /// Sort lines by the words left of the term (nearest first) or right of it;
    /// default: timeline order.
    #[arg(long, value_enum)]
    sort: Option<Side>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Side {
    Left,
    Right,
}

/// One concordance line.
#[derive(Debug, Serialize)]
struct Line {
    passage: String,
    doc: String,
    phase: String,
    date: Option<String>,
    speaker: Option<String>,
    left: String,
    #[serde(rename = "match")]
    matched: String,
    right: String,
    /// Character offsets of the match within the passage text.
    start: usize,
    end: usize,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let query = Query::parse(&args.term)?;
    let project = ctx.open_project()?;
    let filter = args.filters.build(&project)?;
    let mut progress = crate::cmd::index::progress();
    let mut session = search::Search::open(&project, &mut progress)?;
    let hits = session.hits(&query, &filter, Sort::Time, None)?;
    note_rebuild(session.rebuilt());
    let w = args.width;
    let mut lines = Vec::new();
    for h in &hits {
        let chars: Vec<char> = h.text.chars().collect();
        for &[s, e] in &h.highlights {
            let left = flat(&chars[s.saturating_sub(w)..s]);
            let right = flat(&chars[e..(e + w).min(chars.len())]);
            lines.push(Line {
                passage: h.passage.clone(),
                doc: h.doc.clone(),
                phase: h.phase.clone(),
                date: h.date.clone(),
                speaker: h.speaker.clone(),
                left,
                matched: flat(&chars[s..e]),
                right,
                start: s,
                end: e,
            });
        }
    }
    match args.sort {
        Some(Side::Left) => lines.sort_by_cached_key(|l| {
            l.left
                .split_whitespace()
                .rev()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        }),
        Some(Side::Right) => lines.sort_by_cached_key(|l| l.right.to_lowercase()),
        None => {}
    }
    let out = &mut std::io::stdout().lock();
    match args.format {
        Format::Json => write_json(out, &lines)?,
        Format::Csv => {
            let mut wr = csv::Writer::from_writer(out);
            for l in &lines {
                wr.serialize(l)?;
            }
            wr.flush()?;
        }
        Format::Text => {
            let colour = colour();
            let id_width = lines.iter().map(|l| l.passage.len()).max().unwrap_or(0);
            for l in &lines {
                let pad = w.saturating_sub(l.left.chars().count());
                let (on, off) = if colour { (HL_ON, HL_OFF) } else { ("", "") };
                writeln!(
                    out,
                    "{:<id_width$}  {}{} {on}{}{off} {}",
                    l.passage,
                    " ".repeat(pad),
                    l.left,
                    l.matched,
                    l.right
                )?;
            }
            eprintln!("{} occurrence(s) in {} passage(s)", lines.len(), hits.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}
