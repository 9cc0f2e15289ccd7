//! `ambit edit`: change a document's title, date, kind or phase.

use std::io::Write;
use std::process::ExitCode;

use ambit_core::{Date, DocId, DocKind};
use ambit_pipeline::documents::DocEdit;
use anyhow::Result;

use crate::args::{parse_date, parse_doc, parse_kind};

/// Change a document's own fields; its text, passages and codings stay. Tables, searches
/// and listings see the change at once.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The document.
    #[arg(value_parser = parse_doc)]
    doc: DocId,
    /// A new title (no other document may have it).
    #[arg(long)]
    title: Option<String>,
    /// A new date (YYYY-MM-DD); places it on the timeline.
    #[arg(long, value_parser = parse_date)]
    date: Option<Date>,
    /// A new kind of material.
    #[arg(long, value_parser = parse_kind)]
    kind: Option<DocKind>,
    /// Put it in this phase whatever its date.
    #[arg(long, value_name = "ID")]
    phase: Option<String>,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let mut project = ctx.open_project()?;
    let edit = DocEdit {
        title: args.title,
        date: args.date,
        kind: args.kind,
        phase: args.phase,
    };
    let d = ambit_pipeline::documents::edit(&mut project, args.doc, &edit)?;
    writeln!(
        crate::output::stdout(),
        "{} {:?}: {}, {}, phase {}",
        d.id,
        d.title,
        d.kind,
        d.date
            .map_or_else(|| "no date".to_string(), |x| x.to_string()),
        ambit_pipeline::phase_of(
            &project,
            &ambit_store::DocRow {
                doc: d.clone(),
                passages: 0,
                words: 0
            }
        )
    )?;
    Ok(ExitCode::SUCCESS)
}
