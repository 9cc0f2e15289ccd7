//! Table workflows: loading a project into the tables crate's in-memory model.
//!
//! The tables crate never opens the store; this module reads the codebook, documents,
//! passages and codings once, resolves ids to indices and phases to timeline positions,
//! and maps every coding to the passages it overlaps with the words it covers there.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use ambit_coding::Codebook;
use ambit_core::text::{word_range, CharIndex};
use ambit_core::{DocId, PassageId, Placement};
use ambit_store::Project;
use ambit_tables::{CodeInfo, CodingInfo, DocInfo, Overlap, PassageInfo, PhaseInfo, TableInput};

use crate::coding::load_codebook;
use crate::corpus::Corpus;
use crate::error::Result;

/// Loads a project into a [`TableInput`]: phases in timeline order, codes in tree order,
/// documents in timeline order, passages with their words, and every coding of a codebook
/// code mapped to the passages it overlaps.
pub fn table_input(project: &Project) -> Result<TableInput> {
    let cb = load_codebook(project)?;
    // Texts are read only for codings that cover part of a passage; word counts come from
    // the store. On a large project this halves the time of every table.
    let corpus = Corpus::load_without_texts(project)?;
    build_input(project, &cb, &corpus)
}

fn build_input(project: &Project, cb: &Codebook, corpus: &Corpus) -> Result<TableInput> {
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

    let mut doc_order: Vec<usize> = (0..corpus.docs.len()).collect();
    doc_order.sort_by_key(|&i| corpus.timeline_key(corpus.docs[i].doc.id));
    let mut documents = Vec::with_capacity(doc_order.len());
    let mut passages = Vec::new();
    let mut speakers: Vec<String> = Vec::new();
    let mut speaker_ix: HashMap<String, u32> = HashMap::new();
    let mut passage_ix: HashMap<PassageId, usize> = HashMap::new();
    let mut extents: Vec<(usize, usize)> = Vec::new();
    for (k, &i) in doc_order.iter().enumerate() {
        let row = &corpus.docs[i];
        let d = &row.doc;
        documents.push(DocInfo {
            id: d.id,
            title: d.title.clone(),
            kind: d.kind,
            date: d.date,
            phase: match corpus.placements[i] {
                Placement::Phase(p) => Some(p),
                Placement::Unphased => None,
            },
            attributes: d.attributes.clone(),
        });
        for gi in corpus.passage_range(d.id) {
            let p = &corpus.passages[gi];
            let words = p.words;
            let speaker = p.span.speaker.as_ref().map(|s| {
                *speaker_ix.entry(s.clone()).or_insert_with(|| {
                    speakers.push(s.clone());
                    (speakers.len() - 1) as u32
                })
            });
            passage_ix.insert(p.id, passages.len());
            passages.push(PassageInfo {
                doc: k as u32,
                speaker,
                words,
            });
            extents.push((p.span.start, p.span.end));
        }
    }

    // Texts of the documents with codings that cover part of a passage, read when needed.
    let mut texts: HashMap<DocId, (String, CharIndex)> = HashMap::new();
    let mut coders: Vec<String> = Vec::new();
    let mut codings = Vec::new();
    let mut overlaps = Vec::new();
    project
        .store
        .for_each_coding_span(|doc, start, end, code, coder| -> Result<()> {
            let Some(code) = cb.position(code).map(|p| index_of[p]) else {
                return Ok(());
            };
            let coder = match coders.iter().position(|x| x == coder) {
                Some(k) => k,
                None => {
                    coders.push(coder.to_string());
                    coders.len() - 1
                }
            };
            let coding = codings.len() as u32;
            codings.push(CodingInfo {
                code: code as u32,
                coder: coder as u32,
            });
            for p in corpus.passages_overlapping(doc, start, end) {
                let Some(&pi) = passage_ix.get(&p.id) else {
                    continue;
                };
                let (ps, pe) = extents[pi];
                let (first_word, end_word) = if start <= ps && end >= pe {
                    // The whole passage (what auto-coding rules code): no need to find words.
                    (0, passages[pi].words)
                } else {
                    let s = start.clamp(ps, pe) - ps;
                    let e = end.clamp(ps, pe) - ps;
                    let (text, index) = match texts.entry(doc) {
                        Entry::Occupied(o) => o.into_mut(),
                        Entry::Vacant(v) => {
                            let text = project.store.text(doc)?;
                            let index = CharIndex::new(&text);
                            v.insert((text, index))
                        }
                    };
                    let slice = index.slice(text, ps, pe).unwrap_or("");
                    word_range(&ambit_core::text::word_spans(slice), s, e)
                };
                overlaps.push(Overlap {
                    coding,
                    passage: pi as u32,
                    first_word,
                    end_word,
                });
            }
            Ok(())
        })?;
    Ok(TableInput {
        phases,
        codes,
        documents,
        passages,
        speakers,
        coders,
        codings,
        overlaps,
    })
}
