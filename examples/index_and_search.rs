//! Tutorial: read a folder of transcripts and field notes, index their passages in memory and
//! search them — the ingest and index crates on their own, without a project or a store.
//!
//! ```sh
//! cargo run --example index_and_search -- data-samples/interviews '"shared map" OR simulat*'
//! ```
//!
//! What the `ambit` binary adds on top: a store holding the documents (their ids, phases and
//! attributes), an index on disk that knows which store revision it reflects, and codes.

use std::path::{Path, PathBuf};

use ambit_core::{DocFilter, DocId, DocKind, Document, PassageId, Placement, TimelineKey};
use ambit_index::{Catalogue, DocInfo, Filter, Index, Query, Record, Sort, Stemming};
use ambit_ingest::{char_slice, extract, format_for_path, Options};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let folder = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "data-samples/interviews".into()),
    );
    let query = args
        .next()
        .unwrap_or_else(|| "\"shared map\" OR simulat*".into());
    // Parse the query first: a typo is reported with its position before any work is done.
    let query = Query::parse(&query)?;

    let index = Index::create_in_ram(Stemming::for_language("en").ok_or("no English stemmer")?)?;
    let mut writer = index.writer()?;
    let mut catalogue = Catalogue::default();
    // The texts, to print the hits: the index gives passage ids, not text.
    let mut texts: Vec<(String, Vec<(usize, usize)>)> = Vec::new();
    for (n, path) in files(&folder)?.into_iter().enumerate() {
        let Some(format) = format_for_path(&path) else {
            continue;
        };
        let name = path.display().to_string();
        // One bad file does not stop the folder: `extract` says what is wrong with it.
        let got = match extract(&name, &std::fs::read(&path)?, format, &Options::default()) {
            Ok(got) => got,
            Err(e) => {
                eprintln!("skipped {name}: {e}");
                continue;
            }
        };
        let id = DocId(n as u32 + 1);
        for (ordinal, p) in got.passages.iter().enumerate() {
            let text = char_slice(&got.text, p.start, p.end).unwrap_or("");
            writer.add(&Record {
                passage: PassageId {
                    doc: id,
                    ordinal: ordinal as u32 + 1,
                },
                text,
                speaker: p.speaker.as_deref(),
                codes: &[],
            })?;
        }
        let doc = Document {
            id,
            title: got.meta.title.clone().unwrap_or_else(|| name.clone()),
            kind: DocKind::Interview,
            date: None,
            phase: None,
            source: name,
            attributes: Default::default(),
        };
        catalogue.insert(DocInfo {
            timeline: TimelineKey::new(Placement::Unphased, doc.date, doc.id),
            phase: ambit_core::UNPHASED.into(),
            doc,
        });
        let spans = got.passages.iter().map(|p| (p.start, p.end)).collect();
        texts.push((got.text, spans));
    }
    // The revision says which state of the source data the index reflects; here, none.
    writer.commit(0)?;

    let filter = Filter {
        doc: DocFilter::default(),
        codes: Vec::new(),
    };
    let hits = index.search(&query, &filter, &catalogue, Sort::Relevance, Some(10))?;
    let mut highlighter = index.highlighter(&query)?;
    for hit in &hits {
        let (text, spans) = &texts[hit.passage.doc.0 as usize - 1];
        let (start, end) = spans[hit.passage.ordinal as usize - 1];
        let passage = char_slice(text, start, end).unwrap_or("");
        // Match ranges are character offsets into the passage, like every offset in Ambit.
        let marked = highlighter.ranges(passage);
        println!("{} {:?}\n  {}", hit.passage, marked, passage);
    }
    println!(
        "{} hit(s) shown of {} passage(s) indexed",
        hits.len(),
        index.len()
    );
    Ok(())
}

/// The files of a folder, in name order (so the ids are the same on every run).
fn files(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(folder)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    Ok(out)
}
