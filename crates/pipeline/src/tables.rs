//! Table workflows: loading a project into the tables crate's in-memory model.
//!
//! The tables crate never opens the store. The store's part of the input (passages with
//! their words and speaker labels, codings with the passages they overlap as word ranges)
//! is a [`snapshot`] of integer columns, cached per store revision in `.ambit/`; this
//! module adds what `ambit.toml` and the codebook say (phases, timeline order, speaker
//! aliases, which codes exist) each time, which is a few linear passes over the columns.

mod snapshot;

use ambit_coding::Codebook;
use ambit_core::{Document, Placement, TimelineKey};
use ambit_store::{Project, DATA_DIR};
use ambit_tables::{CodeInfo, DocInfo, PhaseInfo, TableInput};

use crate::coding::load_codebook;
use crate::error::Result;
use crate::overview::placement;
use snapshot::{Frame, Parts};

/// Loads a project into a [`TableInput`]: phases in timeline order, codes in tree order,
/// documents in timeline order, passages with their words, and every coding of a codebook
/// code mapped to the passages it overlaps.
pub fn table_input(project: &Project) -> Result<TableInput> {
    Ok(table_input_loaded(project)?.0)
}

/// [`table_input`], and how the store's part of it was loaded.
pub(crate) fn table_input_loaded(project: &Project) -> Result<(TableInput, snapshot::Loaded)> {
    let cb = load_codebook(project)?;
    let data_dir = project.root.join(DATA_DIR);
    // The documents and the snapshot from the same moment of the store.
    project.store.read_consistently(|store| {
        let stamp = store.stamp()?;
        let docs = store.documents_brief()?;
        let (mut input, row_of_code) = frame(project, &cb, docs);
        let keys: Vec<_> = input.documents.iter().map(|d| (d.id, d.kind)).collect();
        let row_of = |id: &str| cb.position(id).map(|p| row_of_code[p]);
        let frame = Frame {
            docs: &keys,
            row_of: &row_of,
            aliases: &project.config.speakers,
        };
        let (
            Parts {
                passages,
                speakers,
                coders,
                codings,
                overlaps,
            },
            loaded,
        ) = snapshot::load(store, &data_dir, stamp, &frame)?;
        input.passages = passages;
        input.speakers = speakers;
        input.coders = coders;
        input.codings = codings;
        input.overlaps = overlaps;
        Ok((input, loaded))
    })
}

/// What the project's files say: phases, codes in tree order, documents in timeline order;
/// and the row of each codebook code.
fn frame(project: &Project, cb: &Codebook, docs: Vec<Document>) -> (TableInput, Vec<u32>) {
    let phases = project
        .config
        .timeline
        .phases()
        .iter()
        .map(|p| PhaseInfo {
            id: p.id.clone(),
            label: p.label.clone(),
        })
        .collect();

    let order = cb.tree_order();
    let mut index_of = vec![0usize; cb.codes().len()];
    for (row, &i) in order.iter().enumerate() {
        index_of[i] = row;
    }
    let codes = order
        .iter()
        .map(|&i| {
            let c = &cb.codes()[i];
            CodeInfo {
                id: c.id.clone(),
                name: c.name.clone(),
                parent: c
                    .parent
                    .as_deref()
                    .and_then(|p| cb.position(p))
                    .map(|p| index_of[p]),
                color: c.color.clone(),
            }
        })
        .collect();

    let mut placed: Vec<(TimelineKey, Placement, Document)> = docs
        .into_iter()
        .map(|d| {
            let at = placement(project, &d);
            (TimelineKey::new(at, d.date, d.id), at, d)
        })
        .collect();
    placed.sort_by_key(|p| p.0);
    let documents = placed
        .into_iter()
        .map(|(_, at, d)| DocInfo {
            id: d.id,
            title: d.title,
            kind: d.kind,
            date: d.date,
            phase: match at {
                Placement::Phase(p) => Some(p),
                Placement::Unphased => None,
            },
            attributes: d.attributes,
        })
        .collect();
    let input = TableInput {
        phases,
        codes,
        documents,
        ..TableInput::default()
    };
    (input, index_of.into_iter().map(|r| r as u32).collect())
}
