//! `ambit store`: copy a whole project between backends, and its content digest.

use std::path::PathBuf;
use std::process::ExitCode;

use std::io::Write;

use anyhow::{Context, Result};

/// The project's store: copy it to another backend, or print its content digest.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: StoreCmd,
}

#[derive(Debug, clap::Subcommand)]
enum StoreCmd {
    /// Copy the whole project into a new store, in one transaction there, then check the
    /// copy: row counts and content digest of both are printed and must agree.
    Copy {
        /// The target: postgres://user@host/database?project=NAME, or a new SQLite file
        /// (FILE.db). It must be empty.
        #[arg(long, value_name = "URL|FILE.db")]
        to: String,
    },
    /// Print the store's row counts and content digest (SHA-256 over every table's rows
    /// in key order, in a text form both backends give alike).
    Digest,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.open_project()?;
    match args.cmd {
        StoreCmd::Digest => {
            let digest = project.store.digest()?;
            writeln!(crate::output::stdout(), "{digest}")?;
        }
        StoreCmd::Copy { to } => {
            let mut target = if ambit_store::StoreUrl::is_server(&to) {
                let url = ambit_store::StoreUrl::parse(&to)?;
                ambit_store::Store::create_server(&url, project.config.password_command.as_deref())
                    .with_context(|| {
                        format!(
                            "creating the project {:?} on {}",
                            url.project(),
                            url.shown()
                        )
                    })?
            } else {
                let path = PathBuf::from(&to);
                if path.exists()
                    && std::fs::metadata(&path)
                        .map(|m| m.len() > 0)
                        .unwrap_or(true)
                {
                    anyhow::bail!(
                        "{} exists already: copy into a new file (the copy never replaces a store)",
                        path.display()
                    );
                }
                ambit_store::Store::open_or_create(&path)?
            };
            let copied = project
                .store
                .copy_to(&mut target)
                .with_context(|| format!("copying the project to {}", target.path().display()))?;
            if target.is_server() {
                project.share_files_to(&mut target)?;
            }
            writeln!(
                crate::output::stdout(),
                "source {}\n{}\n\ntarget {}\n{}\n\nThe copy is identical.",
                project.store.path().display(),
                copied.source,
                target.path().display(),
                copied.target
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
