//! `ambit uncode`: remove a coding.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

/// Remove one coding by its id (see `ambit codings`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The coding id.
    coding: i64,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let mut project = ctx.open_project()?;
    let c = project.store.remove_coding(args.coding)?;
    // A detached coding points at no text: say what it coded instead of 0..0.
    let place = match (c.status, &c.quote) {
        (ambit_core::CodingStatus::Detached, Some(q)) => format!("{} (detached, was {q:?})", c.doc),
        (ambit_core::CodingStatus::Detached, None) => format!("{} (detached)", c.doc),
        _ => format!("{} {}..{}", c.doc, c.start, c.end),
    };
    writeln!(
        crate::output::stdout(),
        "removed coding {}: {} on {place} by {} ({})",
        c.id,
        c.code,
        c.coder,
        c.origin
    )?;
    Ok(ExitCode::SUCCESS)
}
