//! `ambit query`: passages selected by an expression over their codes.

use std::io::Write;
use std::process::ExitCode;

use ambit_pipeline::coding;
use anyhow::Result;

use crate::args::{OutputFormat, PseudonymArgs, TEXT_JSON_CSV};
use crate::cmd::codings::{one_line, Filters};
use crate::output::{write_json, write_listing, Table};

/// Select passages by a code expression: `kb.pragmatic AND coord.objects`, OR, NOT, ( ), NEAR/N.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The expression, e.g. "kb.semantic AND NOT su" or "kb NEAR/2 coord.objects".
    expr: String,
    #[command(flatten)]
    filters: Filters,
    /// Count matching passages per phase instead of listing them.
    #[arg(long, value_enum)]
    by: Option<By>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = TEXT_JSON_CSV)]
    format: OutputFormat,
    #[command(flatten)]
    pseudonyms: PseudonymArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Phase,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let names = args.pseudonyms.load()?;
    let project = ctx.open_project()?;
    let filter = args.filters.build(&project, Vec::new())?;
    let mut hits = coding::query(&project, &args.expr, &filter)?;
    if let Some(names) = names {
        hits = ambit_pipeline::pseudonymise::Exporter::new(&project, names).query_hits(hits)?;
    }
    let out = &mut crate::output::stdout();
    if args.by.is_some() {
        let rows = coding::count_by_phase(&project, hits.iter().map(|h| h.phase.as_str()));
        match args.format {
            OutputFormat::Json => {
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
                write_listing(out, args.format, &t, &())?;
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    match args.format {
        OutputFormat::Json => write_json(out, &hits)?,
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "passage", "doc", "phase", "date", "speaker", "codes", "start", "end", "text",
            ])?;
            for h in &hits {
                w.write_record([
                    h.passage.to_string(),
                    h.doc.to_string(),
                    h.phase.clone(),
                    h.date.map(|d| d.to_string()).unwrap_or_default(),
                    h.speaker.clone().unwrap_or_default(),
                    h.codes.join(";"),
                    h.start.to_string(),
                    h.end.to_string(),
                    h.text.clone(),
                ])?;
            }
            w.flush()?;
        }
        OutputFormat::Text | OutputFormat::Md => {
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
                    h.date.map_or("no date".to_string(), |d| d.to_string()),
                    h.codes.join(", ")
                )?;
                writeln!(out, "   {who} {}", one_line(&h.text, 300))?;
            }
            eprintln!("{} passage(s)", hits.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}
