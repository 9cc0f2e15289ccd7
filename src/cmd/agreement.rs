//! `ambit agreement`: inter-coder reliability on the project's codings.

use std::io::Write;
use std::process::ExitCode;

use ambit_pipeline::agreement::{agreement, AgreementRequest, Unit};
use anyhow::Result;

use crate::args::{DocFilterArgs, OutputFormat, TEXT_JSON_CSV_MD};
use crate::output::{write_json, Table};

/// Agreement between coders per code and pooled: percent agreement, Cohen's κ (2 coders),
/// Fleiss' κ (3+), Krippendorff's α (nominal).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Coders to compare, comma-separated (at least two).
    #[arg(long, value_delimiter = ',', required = true)]
    coders: Vec<String>,
    /// Only this code and its children (repeatable; default: every code).
    #[arg(long = "code", value_name = "ID")]
    codes: Vec<String>,
    #[command(flatten)]
    filter: DocFilterArgs,
    /// Unit of analysis.
    #[arg(long, value_enum, default_value_t = UnitArg::Passage)]
    unit: UnitArg,
    /// List the passages where the coders differ instead (the consensus-meeting agenda).
    #[arg(long)]
    disagreements: bool,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = TEXT_JSON_CSV_MD)]
    format: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum UnitArg {
    Passage,
    Char,
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "undefined".to_string(), |x| format!("{x:.3}"))
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.open_project()?;
    if args.disagreements && args.unit == UnitArg::Char {
        anyhow::bail!("--disagreements lists passages; use it with --unit passage");
    }
    let req = AgreementRequest {
        coders: args.coders.clone(),
        codes: args.codes.clone(),
        filter: args.filter.to_filter(&project)?,
        unit: if args.unit == UnitArg::Char {
            Unit::Char
        } else {
            Unit::Passage
        },
    };
    let report = agreement(&project, &req)?;
    let out = &mut crate::output::stdout();
    if args.disagreements {
        match args.format {
            OutputFormat::Json => write_json(out, &report.disagreements)?,
            OutputFormat::Csv => {
                let mut w = csv::Writer::from_writer(out);
                let mut head = vec![
                    "code".to_string(),
                    "passage".into(),
                    "phase".into(),
                    "speaker".into(),
                ];
                head.extend(report.coders.iter().cloned());
                head.extend(["memos".to_string(), "text".to_string()]);
                w.write_record(&head)?;
                for d in &report.disagreements {
                    let mut rec = vec![
                        d.code.clone(),
                        d.passage.clone(),
                        d.phase.clone(),
                        d.speaker.clone().unwrap_or_default(),
                    ];
                    rec.extend(
                        report
                            .coders
                            .iter()
                            .map(|c| decision(d.decisions.get(c).copied().flatten())),
                    );
                    rec.push(
                        d.memos
                            .iter()
                            .map(|(k, v)| format!("{k}: {v}"))
                            .collect::<Vec<_>>()
                            .join(" | "),
                    );
                    rec.push(d.text.clone());
                    w.write_record(&rec)?;
                }
                w.flush()?;
            }
            OutputFormat::Text | OutputFormat::Md => {
                for d in &report.disagreements {
                    let who: Vec<String> = report
                        .coders
                        .iter()
                        .map(|c| {
                            format!("{c}: {}", decision(d.decisions.get(c).copied().flatten()))
                        })
                        .collect();
                    writeln!(
                        out,
                        "{} · {} · {} · {}",
                        d.code,
                        d.passage,
                        d.phase,
                        who.join(", ")
                    )?;
                    let speaker = d
                        .speaker
                        .as_deref()
                        .map(|s| format!("{s}: "))
                        .unwrap_or_default();
                    writeln!(
                        out,
                        "    {speaker}{}",
                        d.text.split_whitespace().collect::<Vec<_>>().join(" ")
                    )?;
                    for (c, m) in &d.memos {
                        writeln!(out, "    memo ({c}): {m}")?;
                    }
                }
                eprintln!("{} disagreement(s)", report.disagreements.len());
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.format == OutputFormat::Json {
        write_json(out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut headers: Vec<String> = vec!["code".into(), "units".into()];
    headers.extend(report.coders.iter().map(|c| format!("coded:{c}")));
    headers.extend([
        "agreement".into(),
        "cohen_kappa".into(),
        "fleiss_kappa".into(),
        "alpha".into(),
        "note".into(),
    ]);
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut t = Table::new(&refs);
    for r in &report.rows {
        let mut cells = vec![r.code.clone(), r.units.to_string()];
        cells.extend(r.coded_by.iter().map(usize::to_string));
        let two = report.coders.len() == 2;
        cells.extend([
            num(r.percent_agreement),
            if two {
                num(r.cohen_kappa)
            } else {
                String::new()
            },
            if two {
                String::new()
            } else {
                num(r.fleiss_kappa)
            },
            num(r.alpha),
            r.note.clone().unwrap_or_default(),
        ]);
        t.push(cells);
    }
    match args.format {
        OutputFormat::Csv => t.write_csv(out)?,
        OutputFormat::Md => t.write_markdown(out)?,
        _ => {
            writeln!(
                out,
                "{} documents coded by at least two of: {}",
                report.documents.len(),
                report.coders.join(", ")
            )?;
            t.write_text(out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn decision(d: Option<bool>) -> String {
    match d {
        Some(true) => "coded".into(),
        Some(false) => "not coded".into(),
        None => "missing".into(),
    }
}
