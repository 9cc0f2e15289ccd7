//! `ambit show`: one document with its passages.

use std::io::Write;
use std::process::ExitCode;

use ambit_core::text::CharIndex;
use ambit_core::DocId;
use anyhow::Result;
use serde_json::json;

use crate::output::{clock, write_json};

/// Show a document: its metadata and every passage with id, speaker and timestamp.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Document id, e.g. D7.
    doc: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
    format: ShowFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ShowFormat {
    Text,
    Json,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.open_project()?;
    let id = DocId::parse(&args.doc)?;
    let row = project.store.document(id)?;
    let text = project.store.text(id)?;
    let passages = project.store.passages(id)?;
    let phase = ambit_pipeline::phase_of(&project, &row);
    let index = CharIndex::new(&text);
    let slice = |s: usize, e: usize| index.slice(&text, s, e).unwrap_or("");
    let out = &mut std::io::stdout().lock();
    match args.format {
        ShowFormat::Json => {
            let ps: Vec<_> = passages
                .iter()
                .map(|p| {
                    json!({
                        "id": p.id.to_string(),
                        "ordinal": p.id.ordinal,
                        "speaker": p.speaker,
                        "start": p.start,
                        "end": p.end,
                        "start_ms": p.start_ms,
                        "end_ms": p.end_ms,
                        "text": slice(p.start, p.end),
                    })
                })
                .collect();
            let doc = json!({
                "id": row.doc.id.to_string(),
                "title": row.doc.title,
                "kind": row.doc.kind.as_str(),
                "date": row.doc.date.map(|d| d.to_string()),
                "phase": phase,
                "passages": ps,
                "words": row.words,
                "attributes": row.doc.attributes,
                "text": text,
            });
            write_json(out, &doc)?;
        }
        ShowFormat::Text => {
            let d = &row.doc;
            writeln!(out, "{}  {}", d.id, d.title)?;
            let date = d
                .date
                .map_or_else(|| "no date".to_string(), |d| d.to_string());
            writeln!(
                out,
                "{} · {} · phase {} · {} passages · {} words",
                d.kind, date, phase, row.passages, row.words
            )?;
            writeln!(out, "source: {}", d.source)?;
            for (k, v) in &d.attributes {
                writeln!(out, "{k}: {v}")?;
            }
            for p in &passages {
                writeln!(out)?;
                let mut head = p.id.to_string();
                if let Some(ms) = p.start_ms {
                    head.push_str(&format!(" [{}]", clock(ms)));
                }
                if let Some(page) = p.page {
                    head.push_str(&format!(" p.{page}"));
                }
                match &p.speaker {
                    Some(s) => writeln!(out, "{head} {s}: {}", slice(p.start, p.end))?,
                    None => writeln!(out, "{head} {}", slice(p.start, p.end))?,
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
