//! `ambit attr`: set, unset and import document attributes.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use ambit_core::{DocId, Document};
use anyhow::Result;

use crate::args::{parse_attr, parse_doc, OutputFormat, TEXT_JSON};
use crate::output::write_json;

/// Edit document attributes (organisation, role, site, …); `ambit docs`, filters
/// (`--attr KEY=VALUE`) and tables (`--by attr:KEY`) see them at once.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Set attributes of a document: `ambit attr set D3 organisation="Kaleva Systems Oy" role=planner`.
    Set {
        /// The document.
        #[arg(value_parser = parse_doc)]
        doc: DocId,
        /// KEY=VALUE pairs.
        #[arg(required = true, value_name = "KEY=VALUE", value_parser = parse_attr)]
        pairs: Vec<(String, String)>,
    },
    /// Remove attributes of a document.
    Unset {
        /// The document.
        #[arg(value_parser = parse_doc)]
        doc: DocId,
        /// Attribute names.
        #[arg(required = true, value_name = "KEY")]
        keys: Vec<String>,
    },
    /// Set attributes from a CSV file: the first column `doc` (D7) or `path` (the file a
    /// document was imported from, relative to the CSV), then one column per attribute. An
    /// empty cell leaves that attribute as it is. A bad row is refused with its line, and
    /// nothing is changed.
    Import {
        /// The CSV file.
        file: PathBuf,
        /// Output format of the report.
        #[arg(long, default_value = "text", value_parser = TEXT_JSON)]
        format: OutputFormat,
    },
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let mut project = ctx.open_project()?;
    let out = &mut crate::output::stdout();
    match args.cmd {
        Cmd::Set { doc, pairs } => {
            let d = ambit_pipeline::documents::set_attributes(&mut project, doc, &pairs)?;
            print_attributes(out, &d)?;
        }
        Cmd::Unset { doc, keys } => {
            let d = ambit_pipeline::documents::unset_attributes(&mut project, doc, &keys)?;
            print_attributes(out, &d)?;
        }
        Cmd::Import { file, format } => {
            let r = ambit_pipeline::documents::import_attributes(&mut project, &file)?;
            if format == OutputFormat::Json {
                write_json(out, &r)?;
            } else {
                writeln!(
                    out,
                    "{} row(s) read: {} value(s) set on {} document(s){}",
                    r.rows,
                    r.values,
                    r.documents.len(),
                    if r.documents.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " ({})",
                            r.documents
                                .iter()
                                .map(DocId::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_attributes(out: &mut impl Write, d: &Document) -> Result<()> {
    let attrs: Vec<String> = d
        .attributes
        .iter()
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect();
    writeln!(
        out,
        "{} {:?}: {}",
        d.id,
        d.title,
        if attrs.is_empty() {
            "no attributes".to_string()
        } else {
            attrs.join(", ")
        }
    )?;
    Ok(())
}
