//! `ambit restore`: bring back what `ambit rm` removed.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::args::{OutputFormat, TEXT_JSON};
use crate::output::write_json;

/// Bring back documents removed by `ambit rm`, with their codings and memos, from a trash
/// file (`.ambit/trash/…json`).
///
/// A document whose text the project holds again (re-added meanwhile) gets its codings and
/// memos back; any other is stored again under its old id. Restoring twice adds nothing.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The trash file.
    file: PathBuf,
    /// Output format of the report.
    #[arg(long, default_value = "text", value_parser = TEXT_JSON)]
    format: OutputFormat,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let mut project = ctx.open_project()?;
    let report = ambit_pipeline::documents::restore(&mut project, &args.file)?;
    for w in report.warnings.iter().chain(&report.index_warning) {
        eprintln!("warning: {w}");
    }
    let out = &mut crate::output::stdout();
    if args.format == OutputFormat::Json {
        write_json(out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    for d in &report.documents {
        let how = if d.stored_again {
            "stored again"
        } else {
            "its text is in the project; codings and memos go to it"
        };
        writeln!(
            out,
            "restored   {:<5} {:?}  (was {}; {how})",
            d.doc.to_string(),
            d.title,
            d.was
        )?;
    }
    writeln!(
        out,
        "{} coding(s) and {} memo(s) restored; {} coding(s) and {} memo(s) were there already",
        report.codings, report.memos, report.codings_present, report.memos_present
    )?;
    Ok(ExitCode::SUCCESS)
}
