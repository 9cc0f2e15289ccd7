//! `ambit codings` and `ambit query`: bring coded segments back, in timeline order.

use std::io::Write;
use std::process::ExitCode;

use ambit_pipeline::coding::{self, CountUnit, SegmentFilter};
use anyhow::Result;

use crate::args::{DocFilterArgs, OutputFormat, TEXT_JSON_CSV};
use crate::output::write_json;

/// Filters shared by `codings` and `query`: coders and the document filter.
#[derive(Debug, clap::Args)]
pub(crate) struct Filters {
    /// Only codings by this coder (repeatable: either).
    #[arg(long = "coder", value_name = "NAME")]
    coders: Vec<String>,
    #[command(flatten)]
    doc: DocFilterArgs,
}

impl Filters {
    pub(crate) fn build(
        &self,
        project: &ambit_store::Project,
        codes: Vec<String>,
    ) -> Result<SegmentFilter> {
        Ok(SegmentFilter {
            codes,
            coders: self.coders.clone(),
            doc: self.doc.to_filter(project)?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CountMeasure {
    Codings,
    Passages,
    Documents,
    Words,
}

/// List coded segments with their text, document, phase, speaker, coder and origin.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this code and its children (repeatable).
    #[arg(long = "code", value_name = "ID")]
    codes: Vec<String>,
    #[command(flatten)]
    filters: Filters,
    /// Print only the number of segments (or, with --measure, what a table cell counts).
    #[arg(long)]
    count: bool,
    /// With --count: codings, passages (distinct), documents or words (coded words,
    /// each once); equals the `ambit table` cell with the same filters.
    #[arg(long, value_enum, requires = "count")]
    measure: Option<CountMeasure>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = TEXT_JSON_CSV)]
    format: OutputFormat,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.open_project()?;
    let filter = args.filters.build(&project, args.codes.clone())?;
    let out = &mut crate::output::stdout();
    if let Some(m) = args.measure {
        let unit = match m {
            CountMeasure::Codings => CountUnit::Codings,
            CountMeasure::Passages => CountUnit::Passages,
            CountMeasure::Documents => CountUnit::Documents,
            CountMeasure::Words => CountUnit::Words,
        };
        writeln!(out, "{}", coding::count_segments(&project, &filter, unit)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let segs = coding::segments(&project, &filter)?;
    if args.count {
        writeln!(out, "{}", segs.len())?;
        return Ok(ExitCode::SUCCESS);
    }
    match args.format {
        OutputFormat::Json => write_json(out, &segs)?,
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            for s in &segs {
                w.serialize(s)?;
            }
            w.flush()?;
        }
        OutputFormat::Text | OutputFormat::Md => {
            for s in &segs {
                let date = s.date.map_or("no date".to_string(), |d| d.to_string());
                let who = s
                    .speaker
                    .as_deref()
                    .map(|x| format!(" {x}:"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "#{} {} · {} · {} {} · {} ({})",
                    s.coding,
                    s.code,
                    s.passage
                        .map_or_else(|| s.doc.to_string(), |p| p.to_string()),
                    s.phase,
                    date,
                    s.coder,
                    s.origin
                )?;
                writeln!(out, "   {who} {}", one_line(&s.text, 300))?;
                if let Some(m) = &s.memo {
                    writeln!(out, "    memo: {m}")?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The text on one line, shortened to `max` characters.
pub(crate) fn one_line(s: &str, max: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max).collect();
        format!("{cut}…")
    }
}
