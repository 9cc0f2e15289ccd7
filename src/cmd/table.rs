//! `ambit table`: code frequencies across the timeline, crosstabs and co-occurrence.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ambit_tables::write::{write_tables, Format};
use ambit_tables::{CooccurScope, FreqSpec, Grouping, Measure, Selection, Table};
use anyhow::{Context, Result};

/// Tables for papers: how often each code occurs per phase (or kind, document, speaker,
/// month, attribute), code × document, code × attribute and code × code co-occurrence.
///
/// Every cell is reproducible as a listing: `ambit codings --code C --phase P --count
/// --measure passages` equals the cell of code C and phase P.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    table: Kind,
}

#[derive(Debug, clap::Subcommand)]
enum Kind {
    /// Code × group frequencies (default: coded passages per code and phase).
    Freq(FreqArgs),
    /// Code × document frequencies.
    Matrix(MatrixArgs),
    /// Code × attribute value (e.g. `--by attr:organisation`).
    Crosstab(CrosstabArgs),
    /// Code × code: passages coded with both.
    Cooccur(CooccurArgs),
}

/// Which codes, coders and output (shared by every table).
#[derive(Debug, clap::Args)]
pub struct Common {
    /// Only codes whose id matches (`kb`, `kb.*`, `*.objects`; repeatable). A parent still
    /// counts its children's codings.
    #[arg(long = "codes", value_name = "PATTERN")]
    pub codes: Vec<String>,
    /// Only codings by this coder.
    #[arg(long, value_name = "NAME")]
    pub coder: Option<String>,
    /// Only rows down to this level (1: top-level codes).
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,
    /// Output format: text, md, csv, json, parquet or xlsx (default: from the -o
    /// extension, else text).
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Tidy output: one row per cell (csv, json, parquet).
    #[arg(long)]
    pub long: bool,
    #[command(flatten)]
    pub pseudonyms: crate::args::PseudonymArgs,
}

impl Common {
    pub fn selection(&self) -> Selection {
        Selection {
            codes: self.codes.clone(),
            coders: self.coder.iter().cloned().collect(),
            depth: self.depth,
        }
    }
}

#[derive(Debug, clap::Args)]
struct FreqArgs {
    /// Columns: phase, kind, doc, speaker, month or attr:NAME.
    #[arg(long, default_value = "phase", value_parser = parse_grouping)]
    by: Grouping,
    /// Cells: codings, passages, documents, words, per1k or share.
    #[arg(long, default_value = "passages", value_parser = parse_measure)]
    measure: Measure,
    /// Add a total column and a total row (distinct counts, not sums).
    #[arg(long)]
    totals: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, clap::Args)]
struct MatrixArgs {
    /// Cells: codings, passages, documents, words, per1k or share.
    #[arg(long, default_value = "passages", value_parser = parse_measure)]
    measure: Measure,
    /// Add a total column and a total row.
    #[arg(long)]
    totals: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, clap::Args)]
struct CrosstabArgs {
    /// The attribute: attr:NAME.
    #[arg(long, value_parser = parse_grouping)]
    by: Grouping,
    /// Cells: codings, passages, documents, words, per1k or share.
    #[arg(long, default_value = "passages", value_parser = parse_measure)]
    measure: Measure,
    /// Add a total column and a total row.
    #[arg(long)]
    totals: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, clap::Args)]
struct CooccurArgs {
    /// Only passages of this phase (or `unphased`).
    #[arg(long, value_name = "ID", conflicts_with = "by")]
    phase: Option<String>,
    /// One table per phase (`--by phase`).
    #[arg(long, value_parser = ["phase"])]
    by: Option<String>,
    #[command(flatten)]
    common: Common,
}

pub fn parse_grouping(s: &str) -> Result<Grouping, String> {
    s.parse().map_err(|e: ambit_tables::Error| e.to_string())
}

pub fn parse_measure(s: &str) -> Result<Measure, String> {
    s.parse().map_err(|e: ambit_tables::Error| e.to_string())
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse().map_err(|e: ambit_tables::Error| e.to_string())
}

impl Kind {
    fn common(&self) -> &Common {
        match self {
            Kind::Freq(a) => &a.common,
            Kind::Matrix(a) => &a.common,
            Kind::Crosstab(a) => &a.common,
            Kind::Cooccur(a) => &a.common,
        }
    }
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let names = args.table.common().pseudonyms.load()?;
    let project = ctx.open_project()?;
    let mut input = ambit_pipeline::tables::table_input(&project)?;
    if let Some(names) = names {
        ambit_pipeline::pseudonymise::Exporter::new(&project, names).table_input(&mut input);
    }
    let freq = |by: Grouping, measure, totals, common: &Common| {
        let spec = FreqSpec {
            by,
            measure,
            select: common.selection(),
            totals,
        };
        ambit_tables::freq(&input, &spec).map(|t| vec![t])
    };
    let (tables, common, hint) = match &args.table {
        Kind::Freq(a) => (
            freq(a.by.clone(), a.measure, a.totals, &a.common)?,
            &a.common,
            Some(provenance(&a.by, a.measure)),
        ),
        Kind::Matrix(a) => (
            freq(Grouping::Doc, a.measure, a.totals, &a.common)?,
            &a.common,
            Some(provenance(&Grouping::Doc, a.measure)),
        ),
        Kind::Crosstab(a) => {
            if !matches!(a.by, Grouping::Attr(_)) {
                anyhow::bail!("crosstab groups by a document attribute: use --by attr:NAME");
            }
            (
                freq(a.by.clone(), a.measure, a.totals, &a.common)?,
                &a.common,
                Some(provenance(&a.by, a.measure)),
            )
        }
        Kind::Cooccur(a) => {
            let scope = match (&a.phase, &a.by) {
                (Some(p), _) => CooccurScope::Phase(p.clone()),
                (None, Some(_)) => CooccurScope::ByPhase,
                (None, None) => CooccurScope::All,
            };
            let tables = ambit_tables::cooccur(&input, &a.common.selection(), &scope)?;
            (tables, &a.common, None)
        }
    };
    emit(&tables, common, hint.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the tables to `-o FILE` or standard output in the chosen format.
pub fn emit(tables: &[Table], common: &Common, hint: Option<&str>) -> Result<()> {
    let format = common
        .format
        .or_else(|| common.output.as_deref().and_then(Format::from_extension))
        .unwrap_or_default();
    let mut buf = Vec::new();
    write_tables(&mut buf, tables, format, common.long)?;
    match &common.output {
        Some(path) => write_file(path, &buf)?,
        None => {
            let out = &mut crate::output::stdout();
            if format.is_binary() && std::io::stdout().is_terminal() {
                anyhow::bail!("{format:?} is binary; write it to a file with -o FILE");
            }
            out.write_all(&buf)?;
            if let (Some(h), Format::Text) = (hint, format) {
                writeln!(out, "\n{h}")?;
            }
        }
    }
    Ok(())
}

pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// How to list what one cell counts.
fn provenance(by: &Grouping, measure: Measure) -> String {
    let filter = match by {
        Grouping::Phase => "--phase ID".to_string(),
        Grouping::Kind => "--kind KIND".to_string(),
        Grouping::Doc => "--doc ID".to_string(),
        Grouping::Speaker => "--speaker NAME".to_string(),
        Grouping::Month => "--month YYYY-MM".to_string(),
        Grouping::Attr(name) => format!("--attr {name}=VALUE"),
    };
    let (unit, note) = match measure {
        Measure::Per1k => ("words", " (numerator)"),
        Measure::Share => ("passages", " (numerator)"),
        m => (m.as_str(), ""),
    };
    format!("Each cell{note}: ambit codings --code CODE {filter} --count --measure {unit}")
}
