//! `ambit kwic` (being built).

use std::process::ExitCode;

/// Not available yet.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_ctx: &crate::Ctx, _args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`ambit kwic` is not available yet")
}
