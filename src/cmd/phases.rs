//! `ambit phases`: the study timeline with what falls in each phase.

use std::process::ExitCode;

use anyhow::Result;

use crate::output::{write_json, ListFormat, Table};

/// List phases in timeline order with document, passage and word counts.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.open_project()?;
    let rows = ambit_pipeline::phase_summary(&project)?;
    let out = &mut std::io::stdout().lock();
    if args.format == ListFormat::Json {
        write_json(out, &rows)?;
        return Ok(ExitCode::SUCCESS);
    }
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
    if args.format == ListFormat::Csv {
        t.write_csv(out)?;
    } else {
        t.write_text(out)?;
        if rows.is_empty() {
            eprintln!("no phases yet: add [[phase]] tables to ambit.toml");
        }
    }
    Ok(ExitCode::SUCCESS)
}
