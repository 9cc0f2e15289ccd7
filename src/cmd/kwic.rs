//! `ambit kwic`: a concordance of every occurrence of a term, aligned on it.

use std::io::Write;
use std::process::ExitCode;

use ambit_index::{Filter, Query};
use ambit_pipeline::kwic::{KwicOrder, Marks};
use ambit_pipeline::search::Search;
use anyhow::Result;

use crate::args::{colour, DocFilterArgs, OutputFormat, PseudonymArgs, TEXT_JSON_CSV};
use crate::cmd::index::{note_rebuild, progress};
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
    filter: DocFilterArgs,
    /// Only passages coded with this code or one of its children (repeatable: either).
    #[arg(long = "code", value_name = "ID")]
    codes: Vec<String>,
    /// Characters of context on each side.
    #[arg(long, default_value_t = 40, value_name = "N")]
    width: usize,
    /// Sort lines by the words left of the term (nearest first) or right of it;
    /// default: timeline order.
    #[arg(long, value_enum)]
    sort: Option<Side>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = TEXT_JSON_CSV)]
    format: OutputFormat,
    #[command(flatten)]
    pseudonyms: PseudonymArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Side {
    Left,
    Right,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let query = Query::parse(&args.term)?;
    let names = args.pseudonyms.load()?;
    let project = ctx.open_project()?;
    let filter = Filter {
        doc: args.filter.to_filter(&project)?,
        codes: args.codes.clone(),
    };
    let order = match args.sort {
        Some(Side::Left) => KwicOrder::Left,
        Some(Side::Right) => KwicOrder::Right,
        None => KwicOrder::Timeline,
    };
    let mut progress = progress();
    let mut session = Search::open(&project, &mut progress)?;
    let concordance = match names {
        Some(n) => ambit_pipeline::pseudonymise::Exporter::new(&project, n).concordance(
            &mut session,
            &query,
            &filter,
            args.width,
            order,
        )?,
        None => session.concordance(&query, &filter, args.width, order)?,
    };
    note_rebuild(session.rebuilt());
    let lines = &concordance.lines;
    let out = &mut crate::output::stdout();
    match args.format {
        OutputFormat::Json => write_json(out, lines)?,
        OutputFormat::Csv => {
            let mut wr = csv::Writer::from_writer(out);
            for l in lines {
                wr.serialize(l)?;
            }
            wr.flush()?;
        }
        OutputFormat::Text | OutputFormat::Md => {
            let Marks { on, off } = if colour() {
                Marks::TERMINAL
            } else {
                Marks::NONE
            };
            let ids: Vec<String> = lines.iter().map(|l| l.passage.to_string()).collect();
            let id_width = ids.iter().map(String::len).max().unwrap_or(0);
            for (l, id) in lines.iter().zip(&ids) {
                let pad = args.width.saturating_sub(l.left.chars().count());
                writeln!(
                    out,
                    "{id:<id_width$}  {}{} {on}{}{off} {}",
                    " ".repeat(pad),
                    l.left,
                    l.matched,
                    l.right
                )?;
            }
            eprintln!(
                "{} occurrence(s) in {} passage(s)",
                lines.len(),
                concordance.passages
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
