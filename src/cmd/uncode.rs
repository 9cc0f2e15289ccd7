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
    writeln!(
        crate::output::stdout(),
        "removed coding {}: {} on {} {}..{} by {} ({})",
        c.id,
        c.code,
        c.doc,
        c.start,
        c.end,
        c.coder,
        c.origin
    )?;
    Ok(ExitCode::SUCCESS)
}
