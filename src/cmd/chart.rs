//! `ambit chart`: a code timeline or a heatmap as SVG or PNG, for papers and slides.

use std::path::PathBuf;
use std::process::ExitCode;

use ambit_tables::chart::{self, ChartFormat};
use ambit_tables::{CooccurScope, FreqSpec, Grouping, Measure, Selection};
use anyhow::Result;

use crate::cmd::table::{parse_grouping, parse_measure, write_file};

/// Charts: each code's measure across the study phases (timeline) or a table as a heatmap.
/// Colours come from the codebook; the format follows the file extension (.svg or .png).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    chart: Kind,
}

#[derive(Debug, clap::Subcommand)]
enum Kind {
    /// One line per code across the phases, in timeline order.
    Timeline(TimelineArgs),
    /// A table as coloured cells with their values.
    Heatmap(HeatmapArgs),
}

#[derive(Debug, clap::Args)]
struct Shared {
    /// Only codes whose id matches (repeatable; default: the top-level codes).
    #[arg(long = "codes", value_name = "PATTERN")]
    codes: Vec<String>,
    /// Only codings by this coder.
    #[arg(long, value_name = "NAME")]
    coder: Option<String>,
    /// Only codes down to this level (default 1 without --codes).
    #[arg(long, value_name = "N")]
    depth: Option<usize>,
    /// The chart file: FILE.svg or FILE.png.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    #[command(flatten)]
    pseudonyms: crate::args::PseudonymArgs,
}

impl Shared {
    fn selection(&self) -> Selection {
        Selection {
            codes: self.codes.clone(),
            coders: self.coder.iter().cloned().collect(),
            depth: self
                .depth
                .or(if self.codes.is_empty() { Some(1) } else { None }),
        }
    }

    fn format(&self) -> Result<ChartFormat> {
        ChartFormat::from_extension(&self.output).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: name the chart FILE.svg or FILE.png",
                self.output.display()
            )
        })
    }
}

#[derive(Debug, clap::Args)]
struct TimelineArgs {
    /// Values: codings, passages, documents, words, per1k or share.
    #[arg(long, default_value = "passages", value_parser = parse_measure)]
    measure: Measure,
    #[command(flatten)]
    shared: Shared,
}

#[derive(Debug, clap::Args)]
struct HeatmapArgs {
    /// Which table: freq (code × group) or cooccur (code × code).
    #[arg(long, default_value = "freq", value_parser = ["freq", "cooccur"])]
    table: String,
    /// Columns of a freq heatmap: phase, kind, doc, speaker, month or attr:NAME.
    #[arg(long, default_value = "phase", value_parser = parse_grouping)]
    by: Grouping,
    /// Values of a freq heatmap.
    #[arg(long, default_value = "passages", value_parser = parse_measure)]
    measure: Measure,
    /// A cooccur heatmap of one phase only (a phase id, or `unphased`).
    #[arg(long, value_name = "ID")]
    phase: Option<String>,
    #[command(flatten)]
    shared: Shared,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let shared = match &args.chart {
        Kind::Timeline(a) => &a.shared,
        Kind::Heatmap(a) => &a.shared,
    };
    let names = shared.pseudonyms.load()?;
    let project = ctx.open_project()?;
    let mut input = ambit_pipeline::tables::table_input(&project)?;
    if let Some(names) = names {
        ambit_pipeline::pseudonymise::Exporter::new(&project, names).table_input(&mut input);
    }
    let (bytes, path) = match &args.chart {
        Kind::Timeline(a) => {
            let spec = FreqSpec {
                by: Grouping::Phase,
                measure: a.measure,
                select: a.shared.selection(),
                totals: false,
            };
            let table = ambit_tables::freq(&input, &spec)?;
            (
                chart::timeline(&table, a.shared.format()?)?,
                &a.shared.output,
            )
        }
        Kind::Heatmap(a) => {
            if a.phase.is_some() && a.table != "cooccur" {
                anyhow::bail!(
                    "--phase slices a co-occurrence heatmap; add --table cooccur, or use \
                     `ambit table freq` columns for phases"
                );
            }
            let table = if a.table == "cooccur" {
                let scope = a
                    .phase
                    .clone()
                    .map_or(CooccurScope::All, CooccurScope::Phase);
                ambit_tables::cooccur(&input, &a.shared.selection(), &scope)?
                    .into_iter()
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("no co-occurrence table"))?
            } else {
                let spec = FreqSpec {
                    by: a.by.clone(),
                    measure: a.measure,
                    select: a.shared.selection(),
                    totals: false,
                };
                ambit_tables::freq(&input, &spec)?
            };
            (
                chart::heatmap(&table, a.shared.format()?)?,
                &a.shared.output,
            )
        }
    };
    write_file(path, &bytes)?;
    Ok(ExitCode::SUCCESS)
}
