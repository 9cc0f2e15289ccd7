//! `ambit phases`: the study timeline with what falls in each phase.

use std::process::ExitCode;

use anyhow::Result;

use crate::args::{OutputFormat, TEXT_JSON_CSV};
use crate::output::{write_listing, Table};

/// List phases in timeline order with document, passage and word counts.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, default_value = "text", value_parser = TEXT_JSON_CSV)]
    format: OutputFormat,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.open_project()?;
    let rows = ambit_pipeline::phase_summary(&project)?;
    let out = &mut crate::output::stdout();
    let mut t = Table::new(&[
        "phase",
        "start",
        "end",
        "documents",
        "passages",
        "words",
        "label",
    ]);
    for r in &rows {
        t.push(vec![
            r.id.clone(),
            r.start.clone().unwrap_or_default(),
            r.end.clone().unwrap_or_default(),
            r.documents.to_string(),
            r.passages.to_string(),
            r.words.to_string(),
            r.label.clone(),
        ]);
    }
    write_listing(out, args.format, &t, &rows)?;
    if rows.is_empty() && args.format == OutputFormat::Text {
        eprintln!("no phases yet: add [[phase]] tables to ambit.toml");
    }
    Ok(ExitCode::SUCCESS)
}
