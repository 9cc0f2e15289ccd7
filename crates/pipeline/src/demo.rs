//! The demo: a fresh project built from the bundled sample study, in one call.
//!
//! The CLI's `ambit demo` is a thin wrapper around [`demo`]; later stages of the analysis
//! (coding, tables) extend this pipeline so the demo always shows the whole job.

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
#[derive(Debug, Clone, Serialize)]
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
}

/// The codebook template the demo codes with.
pub const DEMO_TEMPLATE: &str = "ambidexterity";

/// Builds a fresh demo project in `dir` from the sample study in `samples` (its
/// `ambit.toml` timeline and `manifest.csv`). An earlier demo in `dir` is replaced; any
/// other non-empty folder is refused.
pub fn demo(
    samples: &Path,
    dir: &Path,
    progress: &mut dyn FnMut(&FileReport),
) -> Result<DemoReport> {
    let manifest = samples.join("manifest.csv");
    let sample_config = samples.join(CONFIG_FILE);
    if !manifest.is_file() || !sample_config.is_file() {
        return Err(Error::NoSamples(samples.to_path_buf()));
    }
    prepare_dir(dir)?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    std::fs::copy(&sample_config, dir.join(CONFIG_FILE)).map_err(io(&sample_config))?;
    let mut project = Project::open(dir)?;
    let marker = dir.join(DATA_DIR).join(MARKER);
    std::fs::write(
        &marker,
        "This folder was made by `ambit demo` and is replaced by the next run.\n",
    )
    .map_err(io(&marker))?;

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
    })
}

/// Empties `dir` if it is an earlier demo, refuses if it holds anything else.
fn prepare_dir(dir: &Path) -> Result<()> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    if dir.exists() {
        let is_empty = dir.read_dir().map_err(io)?.next().is_none();
        if !is_empty {
            if !dir.join(DATA_DIR).join(MARKER).is_file() {
                return Err(Error::NotADemoFolder(dir.to_path_buf()));
            }
            std::fs::remove_dir_all(dir).map_err(io)?;
        }
    }
    std::fs::create_dir_all(dir).map_err(io)
}
