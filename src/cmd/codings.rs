//! `ambit codings` and `ambit query`: bring coded segments back, in timeline order.

use std::io::Write;
use std::process::ExitCode;

use ambit_core::{DocId, DocKind};
use ambit_pipeline::coding::{self, CountUnit, SegmentFilter};
use anyhow::Result;

use crate::output::{write_json, Table};

/// Filters shared by `codings` and `query`.
#[derive(Debug, clap::Args)]
pub struct Filters {
    /// Only documents in this phase (repeatable; `unphased` too).
    #[arg(long = "phase", value_name = "ID")]
    phases: Vec<String>,
    /// Only documents of this kind (repeatable).
    #[arg(long = "kind", value_parser = crate::cmd::add::parse_kind)]
    kinds: Vec<DocKind>,
    /// Only codings by this coder (repeatable).
    #[arg(long = "coder", value_name = "NAME")]
    coders: Vec<String>,
    /// Only this document (repeatable).
    #[arg(long = "doc", value_name = "ID")]
    docs: Vec<String>,
    /// Only passages of this speaker (repeatable; `(no speaker)` for none).
    #[arg(long = "speaker", value_name = "NAME")]
    speakers: Vec<String>,
    /// Only documents dated in this month, YYYY-MM (repeatable; `undated` too).
    #[arg(long = "month", value_name = "YYYY-MM")]
    months: Vec<String>,
    /// Only documents with this attribute value, NAME=VALUE (repeatable; `(none)` when
    /// the attribute is missing).
    #[arg(long = "attr", value_name = "NAME=VALUE", value_parser = parse_attr)]
    attrs: Vec<(String, String)>,
}

fn parse_attr(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("{s:?}: use NAME=VALUE"))
}

impl Filters {
    fn build(&self, project: &ambit_store::Project, codes: Vec<String>) -> Result<SegmentFilter> {
        for p in self.phases.iter().filter(|p| *p != ambit_core::UNPHASED) {
            project.config.timeline.require(p)?;
        }
        Ok(SegmentFilter {
            codes,
            phases: self.phases.clone(),
            kinds: self.kinds.iter().map(|k| k.as_str().to_string()).collect(),
            coders: self.coders.clone(),
            docs: self
                .docs
                .iter()
                .map(|d| DocId::parse(d))
                .collect::<Result<_, _>>()?,
            speakers: self.speakers.clone(),
            months: self.months.clone(),
            attrs: self.attrs.clone(),
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
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
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.open_project()?;
    let filter = args.filters.build(&project, args.codes.clone())?;
    let out = &mut std::io::stdout().lock();
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
        Format::Json => write_json(out, &segs)?,
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            for s in &segs {
                w.serialize(s)?;
            }
            w.flush()?;
        }
        Format::Text => {
            for s in &segs {
                let date = s.date.as_deref().unwrap_or("no date");
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
                    s.passage.as_deref().unwrap_or(&s.doc),
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

/// Select passages by a code expression: `kb.pragmatic AND coord.objects`, OR, NOT, ( ), NEAR/N.
#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    /// The expression, e.g. "kb.semantic AND NOT su" or "kb NEAR/2 coord.objects".
    expr: String,
    #[command(flatten)]
    filters: Filters,
    /// Count matching passages per phase instead of listing them.
    #[arg(long, value_enum)]
    by: Option<By>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Phase,
}

pub fn run_query(ctx: &crate::Ctx, args: QueryArgs) -> Result<ExitCode> {
    let project = ctx.open_project()?;
    let filter = args.filters.build(&project, Vec::new())?;
    let hits = coding::query(&project, &args.expr, &filter)?;
    let out = &mut std::io::stdout().lock();
    if args.by.is_some() {
        let rows = coding::count_by_phase(&project, hits.iter().map(|h| h.phase.as_str()));
        match args.format {
            Format::Json => {
                let v: Vec<_> = rows
                    .iter()
                    .map(|(p, n)| serde_json::json!({"phase": p, "passages": n}))
                    .collect();
                write_json(out, &v)?;
            }
            _ => {
                let mut t = Table::new(&["phase", "passages"]);
                for (p, n) in rows {
                    t.push(vec![p, n.to_string()]);
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
    match args.format {
        Format::Json => write_json(out, &hits)?,
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "passage", "doc", "phase", "date", "speaker", "codes", "start", "end", "text",
            ])?;
            for h in &hits {
                w.write_record([
                    h.passage.clone(),
                    h.doc.clone(),
                    h.phase.clone(),
                    h.date.clone().unwrap_or_default(),
                    h.speaker.clone().unwrap_or_default(),
                    h.codes.join(";"),
                    h.start.to_string(),
                    h.end.to_string(),
                    h.text.clone(),
                ])?;
            }
            w.flush()?;
        }
        Format::Text => {
            for h in &hits {
                let who = h
                    .speaker
                    .as_deref()
                    .map(|x| format!(" {x}:"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{} · {} {} · {}",
                    h.passage,
                    h.phase,
                    h.date.as_deref().unwrap_or("no date"),
                    h.codes.join(", ")
                )?;
                writeln!(out, "   {who} {}", one_line(&h.text, 300))?;
            }
            eprintln!("{} passage(s)", hits.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The text on one line, shortened to `max` characters.
fn one_line(s: &str, max: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max).collect();
        format!("{cut}…")
    }
}
