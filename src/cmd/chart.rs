//! `ambit chart`: a code timeline or a heatmap as SVG or PNG, for papers and slides.

use std::path::PathBuf;
use std::process::ExitCode;

use ambit_tables::chart::{self, ChartFormat, ChartOptions};
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
    /// Width in pixels (default: 1280 for a timeline, a heatmap's from its cells). A
    /// journal column (8.5 cm, about 1000 pixels at 300 dpi) takes --width 500 --scale 2;
    /// a timeline under 900 pixels wide has smaller type and its legend under the plot.
    #[arg(long, value_name = "PX", value_parser = clap::value_parser!(u32).range(1..=i64::from(chart::MAX_SIDE)))]
    width: Option<u32>,
    /// Height in pixels (default: 720 for a timeline, a heatmap's from its cells).
    #[arg(long, value_name = "PX", value_parser = clap::value_parser!(u32).range(1..=i64::from(chart::MAX_SIDE)))]
    height: Option<u32>,
    /// Output pixels per chart pixel: a PNG drawn N times larger each way with the same
    /// layout (2 or 3 for print); an SVG is declared N times larger.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=i64::from(chart::MAX_SCALE)))]
    scale: u32,
    /// The chart's heading (default: what it shows, e.g. "Coded passages per phase"); an
    /// empty one (--title "") leaves it out for a figure captioned in the paper.
    #[arg(long, value_name = "T")]
    title: Option<String>,
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

    fn options(&self) -> ChartOptions {
        ChartOptions {
            width: self.width,
            height: self.height,
            scale: self.scale,
            title: self.title.clone(),
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
                chart::timeline_with(&table, a.shared.format()?, &a.shared.options())?,
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
                chart::heatmap_with(&table, a.shared.format()?, &a.shared.options())?,
                &a.shared.output,
            )
        }
    };
    write_file(path, &bytes)?;
    Ok(ExitCode::SUCCESS)
}
