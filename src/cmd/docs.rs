//! `ambit docs`: list the project's documents.

use std::process::ExitCode;

use ambit_core::DocKind;
use anyhow::Result;
use serde_json::json;

use crate::output::{write_json, ListFormat, Table};

/// List documents with kind, date, phase, passage and word counts, and attributes.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only documents in this phase (`unphased` for those in none).
    #[arg(long, value_name = "ID")]
    phase: Option<String>,
    /// Only documents of this kind.
    #[arg(long, value_parser = crate::cmd::add::parse_kind)]
    kind: Option<DocKind>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.open_project()?;
    if let Some(p) = args.phase.as_deref().filter(|p| *p != ambit_core::UNPHASED) {
        project.config.timeline.require(p)?;
    }
    let rows: Vec<_> = project
        .store
        .documents()?
        .into_iter()
        .map(|r| {
            let phase = ambit_pipeline::phase_of(&project, &r);
            (r, phase)
        })
        .filter(|(r, phase)| {
            args.phase.as_ref().is_none_or(|p| p == phase)
                && args.kind.is_none_or(|k| k == r.doc.kind)
        })
        .collect();
    let out = &mut std::io::stdout().lock();
    match args.format {
        ListFormat::Json => {
            let docs: Vec<_> = rows
                .iter()
                .map(|(r, phase)| {
                    json!({
                        "id": r.doc.id.to_string(),
                        "title": r.doc.title,
                        "kind": r.doc.kind.as_str(),
                        "date": r.doc.date.map(|d| d.to_string()),
                        "phase": phase,
                        "passages": r.passages,
                        "words": r.words,
                        "attributes": r.doc.attributes,
                    })
                })
                .collect();
            write_json(out, &docs)?;
        }
        ListFormat::Table | ListFormat::Csv => {
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
            for (r, phase) in &rows {
                let attrs: Vec<String> = r
                    .doc
                    .attributes
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                t.push(vec![
                    r.doc.id.to_string(),
                    r.doc.title.clone(),
                    r.doc.kind.to_string(),
                    r.doc.date.map(|d| d.to_string()).unwrap_or_default(),
                    phase.clone(),
                    r.passages.to_string(),
                    r.words.to_string(),
                    attrs.join("; "),
                ]);
            }
            if args.format == ListFormat::Csv {
                t.write_csv(out)?;
            } else {
                t.write_text(out)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
