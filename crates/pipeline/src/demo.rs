//! The demo: a fresh project built from the bundled sample study, in one call.
//!
//! The CLI's `ambit demo` is a thin wrapper around [`demo`]; later stages of the analysis
//! (coding, tables) extend this pipeline so the demo always shows the whole job: it ends by
//! writing the code × phase table and the timeline chart a paper would use.

use std::path::{Path, PathBuf};

use ambit_core::DocKind;
use ambit_store::{Project, CONFIG_FILE, DATA_DIR};
use serde::Serialize;

use crate::coding::{
    autocode, load_codebook, theme_by_phase, write_codebook_source, AutocodeReport,
};
use crate::error::{Error, Result};
use crate::import::{import, BatchReport, FileReport, ImportOptions};
use crate::manifest::read_manifest;
use crate::overview::{phase_of, phase_summary, PhaseRow};

/// Marker file that tells a demo project from a researcher's folder.
const MARKER: &str = "demo-project";

/// What the demo built.
#[derive(Debug, Serialize)]
pub struct DemoReport {
    /// The project folder.
    pub dir: PathBuf,
    /// Per-file import outcomes.
    #[serde(skip)]
    pub import: BatchReport,
    /// Documents, passages and words per phase, in timeline order.
    pub phases: Vec<PhaseRow>,
    /// Documents per phase (rows, timeline order) and kind (columns, [`DocKind::ALL`] order).
    pub kinds: Vec<(String, Vec<u64>)>,
    /// Total documents.
    pub documents: u64,
    /// Total passages.
    pub passages: u64,
    /// Total words.
    pub words: u64,
    /// Speakers with their turn counts, most frequent first.
    pub speakers: Vec<(String, u64)>,
    /// Auto-coding with the bundled theory codebook, per code.
    pub autocode: AutocodeReport,
    /// Phase ids heading the columns of `themes`.
    pub theme_columns: Vec<String>,
    /// Coded passages per top-level theme (id, name, count per column).
    pub themes: Vec<(String, String, Vec<u64>)>,
    /// Files the demo wrote for the paper (tables and charts), relative to `dir`.
    pub outputs: Vec<PathBuf>,
    /// The code × phase table (coded passages), every code with its hierarchy.
    #[serde(skip)]
    pub table: ambit_tables::Table,
}

/// Writes the code × phase table (CSV, XLSX, Markdown) and the timeline chart of the
/// top-level themes (SVG, PNG) into the project; returns the table and the files written.
fn write_paper_outputs(project: &Project) -> Result<(ambit_tables::Table, Vec<PathBuf>)> {
    use ambit_tables::chart::{timeline, ChartFormat};
    use ambit_tables::write::{write_tables, Format};
    use ambit_tables::{freq, FreqSpec, Selection};

    let input = crate::tables::table_input(project)?;
    let table = freq(&input, &FreqSpec::default())?;
    let themes = freq(
        &input,
        &FreqSpec {
            select: Selection {
                depth: Some(1),
                ..Selection::default()
            },
            ..FreqSpec::default()
        },
    )?;
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    for (name, format) in [
        ("tables/code-by-phase.csv", Format::Csv),
        ("tables/code-by-phase.xlsx", Format::Xlsx),
        ("tables/code-by-phase.md", Format::Md),
    ] {
        let mut buf = Vec::new();
        write_tables(&mut buf, std::slice::from_ref(&table), format, false)?;
        files.push((name, buf));
    }
    files.push(("charts/timeline.svg", timeline(&themes, ChartFormat::Svg)?));
    files.push(("charts/timeline.png", timeline(&themes, ChartFormat::Png)?));
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = project.root.join(name);
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&path, bytes).map_err(io)?;
        written.push(PathBuf::from(name));
    }
    Ok((table, written))
}

/// The codebook template the demo codes with.
pub const DEMO_TEMPLATE: &str = "ambidexterity";

/// Builds a fresh demo project in `dir` from the sample study in `samples` (its
/// `ambit.toml` timeline and `manifest.csv`). An earlier demo in `dir` is replaced; any
/// other non-empty folder is refused.
///
/// An earlier demo that was worked in since it was built (codings by hand, memos, new
/// documents: anything that changed its store) is refused too, unless `force`: a
/// researcher's work is never deleted by re-running the demo.
pub fn demo(
    samples: &Path,
    dir: &Path,
    force: bool,
    progress: &mut dyn FnMut(&FileReport),
) -> Result<DemoReport> {
    let manifest = samples.join("manifest.csv");
    let sample_config = samples.join(CONFIG_FILE);
    if !manifest.is_file() || !sample_config.is_file() {
        return Err(Error::NoSamples(samples.to_path_buf()));
    }
    prepare_dir(dir, force)?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    std::fs::copy(&sample_config, dir.join(CONFIG_FILE)).map_err(io(&sample_config))?;
    let mut project = Project::create(dir)?;
    let marker = dir.join(DATA_DIR).join(MARKER);
    std::fs::write(&marker, marker_text(None)).map_err(io(&marker))?;

    let (items, failures) = read_manifest(&manifest, &project.config.timeline)?;
    let mut report = import(&mut project, &items, ImportOptions::default(), progress)?;
    report.files.extend(failures);

    let template = ambit_coding::template(DEMO_TEMPLATE)
        .ok_or_else(|| Error::Request(format!("template {DEMO_TEMPLATE:?} is missing")))?;
    write_codebook_source(&project, template)?;
    let codebook = load_codebook(&project)?;
    let coder = project.config.coder.clone();
    let autocode = autocode(&mut project, &codebook, None, &coder, false)?;
    let (theme_columns, themes) = theme_by_phase(&project)?;
    let (table, outputs) = write_paper_outputs(&project)?;
    // The store revision the demo left: any later write means someone worked here.
    std::fs::write(&marker, marker_text(Some(project.store.revision()?))).map_err(io(&marker))?;

    let rows = project.store.documents()?;
    let phases = phase_summary(&project)?;
    let mut kinds: Vec<(String, Vec<u64>)> = phases
        .iter()
        .map(|p| (p.id.clone(), vec![0; DocKind::ALL.len()]))
        .collect();
    for row in &rows {
        let phase = phase_of(&project, row);
        if let Some((_, counts)) = kinds.iter_mut().find(|(id, _)| *id == phase) {
            if let Some(k) = DocKind::ALL.iter().position(|k| *k == row.doc.kind) {
                counts[k] += 1;
            }
        }
    }
    Ok(DemoReport {
        dir: dir.to_path_buf(),
        import: report,
        documents: rows.len() as u64,
        passages: rows.iter().map(|r| r.passages).sum(),
        words: rows.iter().map(|r| r.words).sum(),
        phases,
        kinds,
        speakers: project.store.speakers()?,
        autocode,
        theme_columns,
        themes,
        outputs,
        table,
    })
}

const MARKER_HEAD: &str = "This folder was made by `ambit demo` and is replaced by the next run";

/// The marker's text; the demo's last store revision once it is finished.
fn marker_text(revision: Option<u64>) -> String {
    match revision {
        Some(r) => format!("{MARKER_HEAD}\nrevision {r}\n"),
        None => format!("{MARKER_HEAD}\n"),
    }
}

/// Empties `dir` if it is an earlier demo nobody worked in (or `force`); refuses if it
/// holds anything else.
fn prepare_dir(dir: &Path, force: bool) -> Result<()> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    if dir.exists() {
        let is_empty = dir.read_dir().map_err(io)?.next().is_none();
        if !is_empty {
            let marker = dir.join(DATA_DIR).join(MARKER);
            if !marker.is_file() {
                return Err(Error::NotADemoFolder(dir.to_path_buf()));
            }
            if !force {
                if let Some(work) = work_since_demo(dir, &marker)? {
                    return Err(Error::DemoWasWorkedIn {
                        dir: dir.to_path_buf(),
                        work,
                    });
                }
            }
            std::fs::remove_dir_all(dir).map_err(io)?;
        }
    }
    std::fs::create_dir_all(dir).map_err(io)
}

/// What was done in a demo project after `ambit demo` built it, if anything.
fn work_since_demo(dir: &Path, marker: &Path) -> Result<Option<String>> {
    let text = std::fs::read_to_string(marker).unwrap_or_default();
    let built: Option<u64> = text
        .lines()
        .find_map(|l| l.strip_prefix("revision "))
        .and_then(|r| r.trim().parse().ok());
    let Ok(project) = Project::open(dir) else {
        // No readable store: nothing of a researcher's can be in it.
        return Ok(None);
    };
    let now = project.store.revision()?;
    if built == Some(now) {
        return Ok(None);
    }
    let manual = project
        .store
        .codings(&ambit_store::CodingFilter::default())?
        .iter()
        .filter(|c| !matches!(c.origin, ambit_core::Origin::Rule(_)))
        .count();
    let memos = project.store.memos()?.len();
    let mut parts = Vec::new();
    if manual > 0 {
        parts.push(format!("{manual} coding(s) not made by rules"));
    }
    if memos > 0 {
        parts.push(format!("{memos} memo(s)"));
    }
    if parts.is_empty() {
        parts.push("changes to its store after the demo was built".to_string());
    }
    Ok(Some(parts.join(", ")))
}
