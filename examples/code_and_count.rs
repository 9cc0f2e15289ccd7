//! Tutorial: the research workflow through the library — build the sample study, code a
//! passage by hand, and count coded passages per theme across the study's phases.
//!
//! ```sh
//! cargo run --example code_and_count            # in a temporary folder, removed after
//! cargo run --example code_and_count -- DIR     # or in DIR, to look at with `ambit` after
//! ```
//!
//! Each step is what one `ambit` command does (`ambit demo`, `ambit code`, `ambit table
//! freq --by phase`); the binary only parses flags and prints.

use std::path::PathBuf;

use ambit_core::DocId;
use ambit_pipeline::coding::{code_manually, ManualCoding, Selection, Target};
use ambit_store::Project;
use ambit_tables::{FreqSpec, Grouping, Measure};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let temporary = tempfile::tempdir()?;
    let dir = match std::env::args().nth(1) {
        Some(d) => PathBuf::from(d),
        None => temporary.path().join("study"),
    };
    // 1. A project with the bundled study: its timeline, 27 documents, auto-coded with the
    //    theory codebook (`ambit demo`). A demo somebody has worked in is never replaced:
    //    the second run in the same DIR stops here, with the way out.
    let samples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data-samples");
    let report = ambit_pipeline::demo(&samples, &dir, false, &mut |_| {})?;
    println!(
        "{} documents, {} passages, {} words",
        report.documents, report.passages, report.words
    );

    // 2. A researcher codes the words "whole map" in the first workshop transcript (`ambit code`).
    //    Positions are characters into the document's text; `Selection::Quote` finds them.
    let mut project = Project::open(&dir)?;
    let coded = code_manually(
        &mut project,
        &ManualCoding {
            target: Target::Doc(DocId(8)),
            selection: Selection::Quote("whole map".into()),
            code: "coord.objects".into(),
            coder: "tutorial".into(),
            memo: Some("the map as a boundary object".into()),
        },
    )?;
    println!(
        "coding {} covers characters {}..{} of {}",
        coded.id, coded.start, coded.end, coded.doc
    );

    // 3. Coded passages per top-level theme and phase, phases in timeline order
    //    (`ambit table freq --by phase --depth 1`).
    let input = ambit_pipeline::tables::table_input(&project)?;
    let mut spec = FreqSpec {
        by: Grouping::Phase,
        measure: Measure::Passages,
        ..FreqSpec::default()
    };
    spec.select.depth = Some(1);
    let table = ambit_tables::freq(&input, &spec)?;
    let heads: Vec<&str> = table.columns.iter().map(|c| c.id.as_str()).collect();
    println!("{:<8} {}", "code", heads.join("\t"));
    for row in &table.rows {
        let cells: Vec<String> = row.values.iter().map(|v| v.to_string()).collect();
        println!("{:<8} {}", row.code, cells.join("\t"));
    }
    Ok(())
}
