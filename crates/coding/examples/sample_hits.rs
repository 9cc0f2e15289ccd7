//! Runs the bundled ambidexterity codebook over the sample study and prints, per code, the hit
//! count by phase and a few matched passages, to judge rule precision by reading.
//!
//! ```text
//! cargo run -p ambit-coding --example sample_hits -- [DATA_DIR] [--code ID] [--show N] [--codebook FILE] [--grep WORD]
//! ```
//!
//! The splitting here is deliberately rough (blank-line blocks, `Name:` labels, merged VTT cues);
//! the real readers live in `ambit-ingest`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ambit_coding::{template, Codebook, Matcher, PassageInput};
use ambit_core::DocKind;

struct Passage {
    file: String,
    doc: u32,
    kind: DocKind,
    phase: &'static str,
    speaker: Option<String>,
    text: String,
}

const PHASES: &[(&str, &str)] = &[
    ("2013-03-17", "baseline"),
    ("2013-04-14", "I1"),
    ("2013-06-09", "between"),
    ("2013-09-01", "I2"),
    ("2013-10-31", "I3"),
    ("9999-99-99", "followup"),
];

fn phase_of(file_name: &str) -> &'static str {
    let date = file_name.get(..10).unwrap_or("");
    PHASES
        .iter()
        .find(|(end, _)| date <= *end)
        .map_or("followup", |(_, p)| p)
}

fn kind_of(path: &Path) -> DocKind {
    let dir = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|d| d.to_str())
        .unwrap_or("");
    match dir {
        "workshops" => DocKind::Workshop,
        "interviews" => DocKind::Interview,
        "fieldnotes" => DocKind::Observation,
        _ => DocKind::Other,
    }
}

/// Splits `Name: text` or `[00:01:02] Name: text`; the label must look like a name.
fn split_label(block: &str) -> (Option<String>, String) {
    let rest = block.trim_start();
    let rest = match rest.strip_prefix('[') {
        Some(r)
            if r.find(']')
                .is_some_and(|i| r[..i].chars().all(|c| c.is_ascii_digit() || c == ':')) =>
        {
            r.split_once(']').map_or(rest, |(_, t)| t.trim_start())
        }
        _ => rest,
    };
    if let Some((label, text)) = rest.split_once(": ") {
        let first_line = !label.contains('\n');
        let short = label.chars().count() <= 40 && label.split_whitespace().count() <= 5;
        let capital = label.chars().next().is_some_and(char::is_uppercase);
        if first_line && short && capital {
            return (Some(label.trim().to_owned()), text.trim().to_owned());
        }
    }
    (None, rest.trim().to_owned())
}

fn blocks(text: &str) -> impl Iterator<Item = &str> {
    text.split("\n\n").map(str::trim).filter(|b| !b.is_empty())
}

fn read_vtt(text: &str) -> Vec<(Option<String>, String)> {
    let mut turns: Vec<(Option<String>, String)> = Vec::new();
    for block in blocks(text) {
        if block.starts_with("WEBVTT") || block.starts_with("NOTE") {
            continue;
        }
        let lines: Vec<&str> = block
            .lines()
            .skip_while(|l| !l.contains("-->"))
            .skip(1)
            .collect();
        let joined = lines.join(" ");
        let (speaker, body) = match joined.strip_prefix("<v ") {
            Some(r) => match r.split_once('>') {
                Some((name, body)) => (Some(name.trim().to_owned()), body.to_owned()),
                None => (None, joined.clone()),
            },
            None => (None, joined.clone()),
        };
        let body = body.replace("</v>", "");
        match turns.last_mut() {
            Some((s, t)) if *s == speaker || speaker.is_none() => {
                t.push(' ');
                t.push_str(&body);
            }
            _ => turns.push((speaker, body)),
        }
    }
    turns
}

fn read_passages(dir: &Path) -> std::io::Result<Vec<Passage>> {
    let mut files: Vec<PathBuf> = Vec::new();
    for sub in fs::read_dir(dir)? {
        let sub = sub?.path();
        if sub.is_dir() {
            for f in fs::read_dir(&sub)? {
                files.push(f?.path());
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for (doc, path) in files.iter().enumerate() {
        let raw = fs::read_to_string(path)?.replace("\r\n", "\n");
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_owned();
        let turns: Vec<(Option<String>, String)> = if name.ends_with(".vtt") {
            read_vtt(&raw)
        } else {
            let body = match raw.strip_prefix("---\n") {
                Some(r) => r.split_once("\n---\n").map_or(r, |(_, b)| b),
                None => &raw,
            };
            blocks(body)
                .filter(|b| !b.starts_with('#'))
                .map(split_label)
                .collect()
        };
        for (speaker, text) in turns {
            out.push(Passage {
                file: name.clone(),
                doc: u32::try_from(doc).unwrap_or(u32::MAX),
                kind: kind_of(path),
                phase: phase_of(&name),
                speaker,
                text,
            });
        }
    }
    Ok(out)
}

fn short(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max).collect();
        format!("{cut}…")
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut dir = PathBuf::from("data-samples");
    let mut only: Option<String> = None;
    let mut show = 3usize;
    let mut codebook_file: Option<PathBuf> = None;
    let mut grep: Option<String> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--code" => only = args.next(),
            "--show" => show = args.next().and_then(|n| n.parse().ok()).unwrap_or(show),
            "--codebook" => codebook_file = args.next().map(PathBuf::from),
            "--grep" => grep = args.next().map(|g| g.to_lowercase()),
            _ => dir = PathBuf::from(a),
        }
    }
    let src = match &codebook_file {
        Some(f) => match fs::read_to_string(f) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("cannot read {}: {e}", f.display());
                return ExitCode::FAILURE;
            }
        },
        None => template("ambidexterity").unwrap_or_default().to_owned(),
    };
    let codebook = match Codebook::parse(&src) {
        Ok(cb) => cb,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let passages = match read_passages(&dir) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("cannot read {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    };
    let matcher = match Matcher::compile(&codebook, None) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let inputs: Vec<PassageInput<'_>> = passages
        .iter()
        .map(|p| PassageInput {
            doc: p.doc,
            text: &p.text,
            speaker: p.speaker.as_deref(),
            kind: p.kind,
            phase: Some(p.phase),
            codes: &[],
        })
        .collect();
    let hits = matcher.run(&inputs);
    println!(
        "{} passages in {} files, {} rule hits\n",
        passages.len(),
        passages.last().map_or(0, |p| p.doc + 1),
        hits.len()
    );
    if let Some(word) = &grep {
        // Recall check: every passage containing the word, with the codes it received.
        for (i, p) in passages.iter().enumerate() {
            if !p.text.to_lowercase().contains(word.as_str()) {
                continue;
            }
            let mut codes: Vec<&str> = hits
                .iter()
                .filter(|h| h.passage == i)
                .map(|h| h.code.as_str())
                .collect();
            codes.dedup();
            println!(
                "· {} | {} | [{}] {}",
                &p.file[..p.file.len().min(22)],
                p.speaker.as_deref().unwrap_or("-"),
                codes.join(" "),
                short(&p.text, 300)
            );
        }
        return ExitCode::SUCCESS;
    }
    for code in codebook.codes() {
        if only.as_deref().is_some_and(|o| o != code.id) {
            continue;
        }
        let mut seen: Vec<usize> = hits
            .iter()
            .filter(|h| h.code == code.id)
            .map(|h| h.passage)
            .collect();
        seen.dedup();
        let mut by_phase: BTreeMap<usize, (&str, usize)> = BTreeMap::new();
        for &i in &seen {
            let ph = passages[i].phase;
            let key = PHASES.iter().position(|(_, p)| *p == ph).unwrap_or(0);
            by_phase.entry(key).or_insert((ph, 0)).1 += 1;
        }
        let phases: Vec<String> = by_phase.values().map(|(p, n)| format!("{p} {n}")).collect();
        println!(
            "{}{} — {} passages [{}]",
            "  ".repeat(code.depth),
            code.id,
            seen.len(),
            phases.join(", ")
        );
        let limit = if only.is_some() { usize::MAX } else { show };
        for &i in seen.iter().take(limit) {
            let p = &passages[i];
            let rules: Vec<&str> = hits
                .iter()
                .filter(|h| h.passage == i && h.code == code.id)
                .map(|h| h.rule.as_str())
                .collect();
            println!(
                "{}    · {} | {} | {} | {}",
                "  ".repeat(code.depth),
                &p.file[..p.file.len().min(22)],
                p.speaker.as_deref().unwrap_or("-"),
                rules.join(","),
                short(&p.text, if only.is_some() { 400 } else { 160 })
            );
        }
    }
    ExitCode::SUCCESS
}
