//! `ambit memo`: notes on codes, documents and passages.

use std::io::Write;
use std::process::ExitCode;

use ambit_core::{DocId, PassageId};
use anyhow::Result;

use crate::args::{OutputFormat, TEXT_JSON_CSV};
use crate::output::{write_listing, Table};

/// Write and list memos on codes, documents and passages.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Add a memo.
    #[command(group(clap::ArgGroup::new("target").required(true).args(["code", "doc", "passage"])))]
    Add {
        /// About a code.
        #[arg(long)]
        code: Option<String>,
        /// About a document (D7).
        #[arg(long)]
        doc: Option<String>,
        /// About a passage (D7:12).
        #[arg(long)]
        passage: Option<String>,
        /// Author (default: `coder` in ambit.toml).
        #[arg(long)]
        author: Option<String>,
        /// The memo text.
        text: String,
    },
    /// List memos.
    List {
        #[arg(long, default_value = "text", value_parser = TEXT_JSON_CSV)]
        format: OutputFormat,
    },
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let mut project = ctx.open_project()?;
    match args.cmd {
        Cmd::Add {
            code,
            doc,
            passage,
            author,
            text,
        } => {
            let target = if let Some(c) = code {
                let cb = ambit_pipeline::coding::load_codebook(&project)?;
                cb.require_codes(&[&c])?;
                format!("code:{c}")
            } else if let Some(d) = doc {
                let id = DocId::parse(&d)?;
                project.store.document(id)?;
                format!("doc:{id}")
            } else if let Some(p) = passage {
                let id = PassageId::parse(&p)?;
                if !project.store.passages(id.doc)?.iter().any(|x| x.id == id) {
                    anyhow::bail!("no passage {id} in this project");
                }
                format!("passage:{id}")
            } else {
                anyhow::bail!("give --code, --doc or --passage");
            };
            let author = author.unwrap_or_else(|| project.config.coder.clone());
            let id = project.store.add_memo(&target, &author, &text)?;
            writeln!(crate::output::stdout(), "memo {id} on {target}")?;
        }
        Cmd::List { format } => {
            let memos = project.store.memos()?;
            let out = &mut crate::output::stdout();
            let mut t = Table::new(&["id", "target", "author", "created", "text"]);
            for m in &memos {
                t.push(vec![
                    m.id.to_string(),
                    m.target.clone(),
                    m.author.clone(),
                    m.created.clone(),
                    m.text.clone(),
                ]);
            }
            write_listing(out, format, &t, &memos)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
