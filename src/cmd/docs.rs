//! `ambit docs`: list the project's documents.

use std::process::ExitCode;

use anyhow::Result;

use crate::args::{DocFilterArgs, OutputFormat, TEXT_JSON_CSV};
use crate::output::{write_listing, Table};

/// List documents with kind, date, phase, passage and word counts, and attributes.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    filter: DocFilterArgs,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = TEXT_JSON_CSV)]
    format: OutputFormat,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.open_project()?;
    let rows = ambit_pipeline::documents(&project, &args.filter.to_filter(&project)?)?;
    let mut t = Table::new(&[
        "id",
        "title",
        "kind",
        "date",
        "phase",
        "passages",
        "words",
        "attributes",
    ]);
    for r in &rows {
        let attrs: Vec<String> = r
            .attributes
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        t.push(vec![
            r.id.to_string(),
            r.title.clone(),
            r.kind.to_string(),
            r.date.map(|d| d.to_string()).unwrap_or_default(),
            r.phase.clone(),
            r.passages.to_string(),
            r.words.to_string(),
            attrs.join("; "),
        ]);
    }
    write_listing(&mut crate::output::stdout(), args.format, &t, &rows)?;
    Ok(ExitCode::SUCCESS)
}
