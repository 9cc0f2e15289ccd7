//! `ambit rm`: remove documents, keeping what they carried in a trash file.

use std::io::Write;
use std::process::ExitCode;

use ambit_core::DocId;
use anyhow::Result;

use crate::args::{parse_doc, OutputFormat, TEXT_JSON};
use crate::output::write_json;

/// Remove documents with their passages, attributes, codings and memos.
///
/// Refused when a document carries a person's work (codings not made by rules, memos)
/// unless --force is given. Everything removed is first written to a JSON file under
/// `.ambit/trash/`; `ambit restore FILE` brings it back. Search and tables follow at once.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The documents (D3 D7 …).
    #[arg(required = true, value_parser = parse_doc)]
    docs: Vec<DocId>,
    /// Remove documents even when they carry manual or imported codings or memos.
    #[arg(long)]
    force: bool,
    /// Output format of the report.
    #[arg(long, default_value = "text", value_parser = TEXT_JSON)]
    format: OutputFormat,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let mut project = ctx.open_project()?;
    let report = ambit_pipeline::documents::remove(&mut project, &args.docs, args.force)?;
    if let Some(w) = &report.index_warning {
        eprintln!("warning: {w}");
    }
    let out = &mut crate::output::stdout();
    if args.format == OutputFormat::Json {
        write_json(out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    for r in &report.removed {
        writeln!(
            out,
            "removed    {:<5} {:?}  ({} coding(s), {} not made by rules; {} memo(s))",
            r.doc.to_string(),
            r.title,
            r.codings,
            r.human_codings,
            r.memos
        )?;
    }
    writeln!(
        out,
        "saved to {}; `ambit restore {}` brings it back",
        report.trash.display(),
        report.trash.display()
    )?;
    Ok(ExitCode::SUCCESS)
}
