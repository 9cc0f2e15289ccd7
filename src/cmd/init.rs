//! `ambit init`: create a project folder.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

/// Create a project: DIR/ambit.toml (settings and study timeline) and the store.
///
/// With --store postgres://user@host/database?project=NAME the project lives on a
/// PostgreSQL server (a team store, in the schema ambit_NAME): several coders work on it
/// at once from their own folders. The password is never written into ambit.toml: give it
/// in PGPASSWORD, ~/.pgpass, or `password_command = "…"` in ambit.toml.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder for the project (created when missing).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Project name (default: the folder's name).
    #[arg(long)]
    name: Option<String>,
    /// Keep the project on a PostgreSQL server: postgres://user@host[:port]/database[?project=NAME].
    #[arg(long, value_name = "URL")]
    store: Option<String>,
    /// Get a working folder on a project that exists on the server (its settings and
    /// codebook come from there) instead of creating it.
    #[arg(long, requires = "store")]
    join: bool,
}

pub fn run(_ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let name = args.name.unwrap_or_else(|| {
        std::path::absolute(&args.dir)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "Ambit project".into())
    });
    if let Some(url) = &args.store {
        let url = ambit_store::StoreUrl::parse(url)?;
        let verb = if args.join { "joining" } else { "creating" };
        let project = ambit_store::Project::init_server(&args.dir, &name, &url, args.join)
            .with_context(|| {
                format!(
                    "{verb} the project {:?} on {} in {}",
                    url.project(),
                    url.shown(),
                    args.dir.display()
                )
            })?;
        if args.join {
            println!(
                "Joined the project {:?} on {} in {}",
                url.project(),
                url.shown(),
                project.root.display()
            );
            println!("Its settings and codebook come from the server; code with `ambit code …`.");
        } else {
            println!(
                "Created Ambit project {:?} on {} (schema {}) in {}",
                name,
                url.shown(),
                url.schema(),
                project.root.display()
            );
            println!(
                "Other coders join it with `ambit init DIR --store {} --join`.",
                url.to_config()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
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
