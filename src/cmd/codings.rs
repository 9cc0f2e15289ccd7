//! `ambit codings` and `ambit query`: bring coded segments back, in timeline order.

use std::io::Write;
use std::process::ExitCode;

use ambit_pipeline::coding::{self, CountUnit, SegmentFilter};
use anyhow::Result;

use crate::args::{DocFilterArgs, OutputFormat, PseudonymArgs, TEXT_JSON_CSV};
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
///
/// Codings whose document was corrected (`ambit add --replace`) carry a status: `ok`,
/// `needs-review` (their text changed) or `detached` (their text was deleted: they are
/// listed after their document's other codings, with the text they coded; re-attach one
/// with `ambit code TARGET --reattach ID` or remove it with `ambit uncode ID`).
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
    /// Only codings a person should look at after a document was corrected: those that
    /// need review and the detached ones.
    #[arg(long, conflicts_with = "measure")]
    needs_review: bool,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = TEXT_JSON_CSV)]
    format: OutputFormat,
    #[command(flatten)]
    pseudonyms: PseudonymArgs,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let names = args.pseudonyms.load()?;
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
    let mut segs = coding::listing(&project, &filter)?;
    if args.needs_review {
        segs.retain(|s| s.status != ambit_core::CodingStatus::Ok);
    }
    if let Some(names) = names {
        let mut exporter = ambit_pipeline::pseudonymise::Exporter::new(&project, names);
        segs = exporter.segments(segs)?;
        // The text a coding had before its document was corrected is text too.
        for s in &mut segs {
            s.quote = s.quote.take().map(|q| exporter.text(&q));
        }
    }
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
                match (s.status, &s.quote) {
                    (ambit_core::CodingStatus::Detached, quote) => writeln!(
                        out,
                        "    detached: its text was deleted; it coded {:?}",
                        one_line(quote.as_deref().unwrap_or_default(), 300)
                    )?,
                    (ambit_core::CodingStatus::NeedsReview, Some(quote)) => {
                        writeln!(out, "   {who} {}", one_line(&s.text, 300))?;
                        writeln!(
                            out,
                            "    needs review: before the correction it coded {:?}",
                            one_line(quote, 300)
                        )?;
                    }
                    (ambit_core::CodingStatus::NeedsReview, None) => {
                        writeln!(out, "   {who} {}", one_line(&s.text, 300))?;
                        writeln!(out, "    needs review: found again by its words alone")?;
                    }
                    _ => writeln!(out, "   {who} {}", one_line(&s.text, 300))?,
                }
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
