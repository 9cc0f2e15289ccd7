//! `ambit codebook`: create, import, show, check and edit the project's codebook.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use ambit_coding::Codebook;
use ambit_core::Timeline;
use ambit_pipeline::coding;
use anyhow::{bail, Context, Result};

use crate::args::{OutputFormat, TEXT_JSON};
use crate::output::write_json;

/// Manage the codebook (codebook.toml): themes with definitions, criteria and auto-coding rules.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Start the project's codebook from a bundled template.
    Init {
        /// Template name.
        #[arg(long, default_value = "ambidexterity")]
        template: String,
        /// Overwrite an existing codebook.toml.
        #[arg(long)]
        force: bool,
    },
    /// Validate FILE and make it the project's codebook. Refused when codings use codes
    /// FILE lacks (they would be orphaned), unless --force. A REFI-QDA codebook (.qdc,
    /// recognised by its content) is merged instead: codes are matched by name path, new
    /// ones added, and where a matched code differs the project's value is kept and
    /// reported; no code is removed, so no coding is orphaned.
    Import {
        /// A codebook TOML file, or a REFI-QDA .qdc.
        file: PathBuf,
        /// Import even though codings use codes FILE lacks; they are kept and listed.
        #[arg(long)]
        force: bool,
        /// Output format of the report.
        #[arg(long, default_value = "text", value_parser = TEXT_JSON)]
        format: OutputFormat,
    },
    /// Write the codebook to FILE: a REFI-QDA codebook for other QDA tools when FILE ends
    /// in .qdc (with the GUIDs the project's .qdpx export gives the codes), else TOML.
    Export {
        /// The file to write (replaced if it exists).
        file: PathBuf,
    },
    /// Print the codebook: codes in order with definitions and rules.
    Show {
        /// Output format.
        #[arg(long, default_value = "text", value_parser = TEXT_JSON)]
        format: OutputFormat,
    },
    /// Check a codebook file and list every problem (code, rule, line), including rule
    /// phases that the project's timeline lacks.
    Check {
        /// A codebook TOML file (default: the project's).
        file: Option<PathBuf>,
    },
    /// Rename a code (its dotted children follow); codings follow too.
    Rename { old: String, new: String },
    /// Merge code FROM into INTO: FROM's codings become INTO's and FROM goes.
    Merge { from: String, into: String },
    /// Delete a code; when it has codings, --force deletes them too.
    Delete {
        id: String,
        #[arg(long)]
        force: bool,
    },
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    match args.cmd {
        Cmd::Check { file: Some(file) } => {
            // A file may be checked outside any project; phases then have nothing to match.
            let timeline = match ctx.open_project() {
                Ok(project) => Some(project.config.timeline),
                Err(e) => {
                    eprintln!("note: rule phases not checked against a study timeline: {e:#}");
                    None
                }
            };
            return check(&file, timeline.as_ref());
        }
        Cmd::Check { file: None } => {
            let project = ctx.open_project()?;
            let path = coding::codebook_path(&project);
            let code = check(&path, Some(&project.config.timeline))?;
            if code != ExitCode::SUCCESS {
                return Ok(code);
            }
            let cb = coding::load_codebook(&project)?;
            let orphaned = coding::orphaned_codings(&project, &cb)?;
            for (c, n) in &orphaned {
                eprintln!(
                    "{}: {n} coding(s) use code `{c}`, which the codebook lacks (tables do not count them); add it back, or remove them with `ambit codebook delete {c} --force`",
                    path.display()
                );
            }
            return Ok(if orphaned.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        _ => {}
    }
    let mut project = ctx.open_project()?;
    let out = &mut crate::output::stdout();
    match args.cmd {
        // Handled above, before a project is needed.
        Cmd::Check { .. } => {}
        Cmd::Init { template, force } => {
            let src = ambit_coding::template(&template).with_context(|| {
                format!(
                    "no template {template:?}; available: {}",
                    ambit_coding::TEMPLATE_NAMES.join(", ")
                )
            })?;
            let path = coding::codebook_path(&project);
            if path.exists() && !force {
                bail!("{} exists; pass --force to overwrite it", path.display());
            }
            coding::write_codebook_source(&project, src)?;
            let cb = Codebook::parse(src)?;
            writeln!(
                out,
                "Wrote {} ({} codes) from template {template:?}",
                path.display(),
                cb.codes().len()
            )?;
        }
        Cmd::Import { file, format, .. } if ambit_pipeline::qdpx::is_xml(&file)? => {
            let done = ambit_pipeline::qdpx::import_qdc(&mut project, &file)?;
            if format == OutputFormat::Json {
                write_json(out, &done)?;
            } else {
                print_qdc_import(out, &done)?;
            }
        }
        Cmd::Export { file } => {
            let qdc = file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("qdc"));
            if qdc {
                let done = ambit_pipeline::qdpx::export_qdc(&mut project, &file)
                    .with_context(|| format!("exporting {}", file.display()))?;
                writeln!(out, "Wrote {} ({} codes)", file.display(), done.codes)?;
                for w in &done.warnings {
                    writeln!(out, "warning: {w}")?;
                }
            } else {
                let cb = coding::load_codebook(&project)?;
                std::fs::write(&file, cb.to_toml()?)
                    .with_context(|| format!("writing {}", file.display()))?;
                writeln!(out, "Wrote {} ({} codes)", file.display(), cb.codes().len())?;
            }
        }
        Cmd::Import {
            file,
            force,
            format,
        } => {
            let done = coding::import_codebook(&project, &file, force)?;
            if format == OutputFormat::Json {
                #[derive(serde::Serialize)]
                struct Row<'a> {
                    file: &'a std::path::Path,
                    codes: usize,
                    orphaned: &'a [(String, u64)],
                }
                write_json(
                    out,
                    &Row {
                        file: &file,
                        codes: done.codes,
                        orphaned: &done.orphaned,
                    },
                )?;
                return Ok(ExitCode::SUCCESS);
            }
            writeln!(out, "Imported {} codes from {}", done.codes, file.display())?;
            for (code, n) in &done.orphaned {
                eprintln!(
                    "warning: {n} coding(s) of `{code}` now point at no code; add it back to the codebook, or remove them with `ambit codebook delete {code} --force`"
                );
            }
        }
        Cmd::Show { format } => {
            let cb = coding::load_codebook(&project)?;
            if format == OutputFormat::Json {
                write_json(out, &cb)?;
            } else {
                writeln!(out, "{}", cb.name())?;
                for c in cb.codes() {
                    let indent = "  ".repeat(c.depth);
                    writeln!(out, "{indent}{}  {}", c.id, c.name)?;
                    if !c.description.is_empty() {
                        writeln!(out, "{indent}    {}", c.description.trim())?;
                    }
                    for r in &c.rules {
                        writeln!(out, "{indent}    rule {}", r.id)?;
                    }
                }
            }
        }
        Cmd::Rename { old, new } => {
            let n = coding::rename_code(&mut project, &old, &new)?;
            writeln!(out, "Renamed {old} to {new}; {n} coding(s) updated")?;
        }
        Cmd::Merge { from, into } => {
            let n = coding::merge_code(&mut project, &from, &into)?;
            writeln!(out, "Merged {from} into {into}; {n} coding(s) moved")?;
        }
        Cmd::Delete { id, force } => {
            let n = coding::delete_code(&mut project, &id, force)?;
            writeln!(out, "Deleted code {id} and {n} coding(s)")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_qdc_import(out: &mut impl Write, done: &ambit_pipeline::qdpx::QdcImported) -> Result<()> {
    let from = done
        .origin
        .as_deref()
        .map_or_else(String::new, |o| format!(", written by {o}"));
    let c = &done.codes;
    writeln!(
        out,
        "Merged {} ({} codes{from}) into the codebook: {} added, {} matched by name, {} filled in, {} conflict(s)",
        done.file.display(),
        done.file_codes,
        c.added.len(),
        c.matched.len(),
        c.filled.len(),
        c.conflicts.len()
    )?;
    for a in &c.added {
        writeln!(out, "  added {}  {}", a.id, a.path)?;
    }
    for f in &c.filled {
        writeln!(out, "  filled in {} of {} ({})", f.field, f.id, f.path)?;
    }
    for f in &c.conflicts {
        writeln!(
            out,
            "  conflict {} ({}): {} differs; kept the project's {:?}, not the file's {:?}",
            f.id, f.path, f.field, f.project, f.file
        )?;
    }
    for s in &done.skipped {
        writeln!(out, "  skipped {} {}: {}", s.element, s.name, s.reason)?;
    }
    for t in &done.tolerated {
        writeln!(out, "  tolerated: {}", t.message)?;
    }
    Ok(())
}

fn check(file: &std::path::Path, timeline: Option<&Timeline>) -> Result<ExitCode> {
    let src =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let problems = match timeline {
        Some(t) => Codebook::check_with_timeline(&src, t),
        None => Codebook::check(&src),
    };
    if problems.is_empty() {
        let cb = Codebook::parse(&src)?;
        let rules: usize = cb.codes().iter().map(|c| c.rules.len()).sum();
        writeln!(
            crate::output::stdout(),
            "{}: ok ({} codes, {} rules)",
            file.display(),
            cb.codes().len(),
            rules
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    for p in &problems {
        eprintln!("{}: {p}", file.display());
    }
    eprintln!("{} problem(s)", problems.len());
    Ok(ExitCode::FAILURE)
}
