//! `ambit init`: create a project folder.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

/// Create a project: DIR/ambit.toml (settings and study timeline) and the store.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder for the project (created when missing).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Project name (default: the folder's name).
    #[arg(long)]
    name: Option<String>,
}

pub fn run(_ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let name = args.name.unwrap_or_else(|| {
        std::path::absolute(&args.dir)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "Ambit project".into())
    });
    let project = ambit_store::Project::init(&args.dir, &name)
        .with_context(|| format!("creating a project in {}", args.dir.display()))?;
    let config = project.root.join(ambit_store::CONFIG_FILE);
    println!(
        "Created Ambit project {:?} in {}",
        name,
        project.root.display()
    );
    println!(
        "Next: add your study timeline ([[phase]] tables) to {},",
        config.display()
    );
    println!(
        "then import material with `ambit add FILES...` or `ambit add --manifest manifest.csv`."
    );
    Ok(ExitCode::SUCCESS)
}
