//! `ambit show`: one document with its passages.

use std::io::Write;
use std::process::ExitCode;

use ambit_core::DocId;
use anyhow::Result;

use crate::args::{parse_doc, OutputFormat, PseudonymArgs, TEXT_JSON};
use crate::output::{clock, write_json};

/// Show a document: its metadata and every passage with id, speaker and timestamp.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Document id, e.g. D7.
    #[arg(value_parser = parse_doc)]
    doc: DocId,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = TEXT_JSON)]
    format: OutputFormat,
    #[command(flatten)]
    pseudonyms: PseudonymArgs,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let names = args.pseudonyms.load()?;
    let project = ctx.open_project()?;
    let mut d = ambit_pipeline::document_view(&project, args.doc)?;
    if let Some(names) = names {
        let mut export = ambit_pipeline::pseudonymise::Exporter::new(&project, names);
        d = export.document_view(d);
        // A file name may spell a name in ways the key does not (`paivi-makela.txt`);
        // where the document came from is not for sharing.
        d.source = "(not shown with --pseudonymise)".to_string();
    }
    let out = &mut crate::output::stdout();
    if args.format == OutputFormat::Json {
        write_json(out, &d)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{}  {}", d.id, d.title)?;
    let date = d
        .date
        .map_or_else(|| "no date".to_string(), |d| d.to_string());
    writeln!(
        out,
        "{} · {} · phase {} · {} passages · {} words",
        d.kind,
        date,
        d.phase,
        d.passages.len(),
        d.words
    )?;
    writeln!(out, "source: {}", d.source)?;
    for (k, v) in &d.attributes {
        writeln!(out, "{k}: {v}")?;
    }
    for p in &d.passages {
        writeln!(out)?;
        let mut head = p.id.to_string();
        if let Some(ms) = p.start_ms {
            head.push_str(&format!(" [{}]", clock(ms)));
        }
        if let Some(page) = p.page {
            head.push_str(&format!(" p.{page}"));
        }
        match (&p.speaker, &p.question) {
            (Some(s), _) => writeln!(out, "{head} {s}: {}", p.text)?,
            (None, Some(q)) => writeln!(out, "{head} [{q}] {}", p.text)?,
            (None, None) => writeln!(out, "{head} {}", p.text)?,
        }
    }
    Ok(ExitCode::SUCCESS)
}
