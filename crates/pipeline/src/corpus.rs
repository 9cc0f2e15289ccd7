//! The whole project in memory for analysis: documents, their phases, texts and passages.
//!
//! Coding, retrieval and queries all need passages with their text, document kind and
//! phase. Loading them once, in document and passage order, keeps every analysis a linear
//! pass instead of a query per passage.

use std::collections::{BTreeMap, HashMap};

use ambit_core::text::CharIndex;
use ambit_core::{DocFilter, DocId, Passage, Placement, TimelineKey};
use ambit_store::{DocRow, Project};

use crate::error::Result;

/// Documents, texts and passages of a project, with phases resolved.
pub struct Corpus {
    /// Documents in id order.
    pub docs: Vec<DocRow>,
    /// Each document's placement on the timeline, parallel to `docs`.
    pub placements: Vec<Placement>,
    /// Every passage, in document and ordinal order.
    pub passages: Vec<Passage>,
    texts: BTreeMap<DocId, String>,
    indexes: HashMap<DocId, CharIndex>,
    doc_pos: HashMap<DocId, usize>,
    /// For each document, the range of its passages in `passages`.
    doc_passages: HashMap<DocId, std::ops::Range<usize>>,
    phase_ids: Vec<String>,
}

impl Corpus {
    /// Loads everything from the store.
    pub fn load(project: &Project) -> Result<Corpus> {
        Corpus::load_with(project, true)
    }

    /// Loads documents, placements and passages but no texts: [`Corpus::slice`] and
    /// [`Corpus::passage_text`] then return `""`. For callers that need the structure of a
    /// large project and read the few texts they need themselves.
    pub fn load_without_texts(project: &Project) -> Result<Corpus> {
        Corpus::load_with(project, false)
    }

    fn load_with(project: &Project, with_texts: bool) -> Result<Corpus> {
        let docs = project.store.documents()?;
        let placements = crate::overview::placements(project, &docs);
        let texts = if with_texts {
            project.store.texts()?
        } else {
            BTreeMap::new()
        };
        let passages = project.store.all_passages()?;
        let indexes = texts
            .iter()
            .map(|(id, t)| (*id, CharIndex::new(t)))
            .collect();
        let doc_pos = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.doc.id, i))
            .collect();
        let mut doc_passages: HashMap<DocId, std::ops::Range<usize>> = HashMap::new();
        for (i, p) in passages.iter().enumerate() {
            doc_passages
                .entry(p.id.doc)
                .and_modify(|r| r.end = i + 1)
                .or_insert(i..i + 1);
        }
        let t = &project.config.timeline;
        let phase_ids = placements
            .iter()
            .map(|p| t.label_of(*p).to_string())
            .collect();
        Ok(Corpus {
            docs,
            placements,
            passages,
            texts,
            indexes,
            doc_pos,
            doc_passages,
            phase_ids,
        })
    }

    /// The document row of an id.
    pub fn doc(&self, id: DocId) -> Option<&DocRow> {
        self.doc_pos.get(&id).map(|&i| &self.docs[i])
    }

    /// The phase id (or `unphased`) of a document.
    pub fn phase_of(&self, id: DocId) -> &str {
        self.doc_pos
            .get(&id)
            .map_or(ambit_core::UNPHASED, |&i| self.phase_ids[i].as_str())
    }

    /// The full text of a document.
    pub fn text(&self, id: DocId) -> &str {
        self.texts.get(&id).map_or("", String::as_str)
    }

    /// The text between two character offsets of a document.
    pub fn slice(&self, id: DocId, start: usize, end: usize) -> &str {
        match (self.texts.get(&id), self.indexes.get(&id)) {
            (Some(t), Some(ix)) => ix.slice(t, start, end).unwrap_or(""),
            _ => "",
        }
    }

    /// The length of a document in characters.
    pub fn len_chars(&self, id: DocId) -> usize {
        self.indexes.get(&id).map_or(0, CharIndex::len_chars)
    }

    /// The text of a passage.
    pub fn passage_text(&self, p: &Passage) -> &str {
        self.slice(p.id.doc, p.span.start, p.span.end)
    }

    /// Where a document's passages are in [`Corpus::passages`].
    pub fn passage_range(&self, id: DocId) -> std::ops::Range<usize> {
        self.doc_passages.get(&id).cloned().unwrap_or(0..0)
    }

    /// The passages of a document.
    pub fn passages_of(&self, id: DocId) -> &[Passage] {
        self.doc_passages
            .get(&id)
            .map_or(&[], |r| &self.passages[r.clone()])
    }

    /// The passages of a document that overlap a character range (a zero-length range
    /// counts as touching the passage it sits in).
    pub fn passages_overlapping(&self, id: DocId, start: usize, end: usize) -> &[Passage] {
        let ps = self.passages_of(id);
        &ps[overlapping(ps, start, end)]
    }

    /// The key that orders documents along the timeline.
    pub fn timeline_key(&self, id: DocId) -> TimelineKey {
        match self.doc_pos.get(&id) {
            Some(&i) => TimelineKey::new(self.placements[i], self.docs[i].doc.date, id),
            None => TimelineKey::new(Placement::Unphased, None, id),
        }
    }

    /// Whether a document passes the document-level conditions of a filter.
    pub fn passes(&self, id: DocId, filter: &DocFilter) -> bool {
        self.doc_pos
            .get(&id)
            .is_some_and(|&i| filter.passes(&self.docs[i].doc, &self.phase_ids[i]))
    }
}

/// The range of `passages` (one document's, in order) that the span `start..end` touches:
/// those it overlaps, and for an empty span the passage it sits in.
pub(crate) fn overlapping(
    passages: &[Passage],
    start: usize,
    end: usize,
) -> std::ops::Range<usize> {
    let first = passages.partition_point(|p| {
        p.span.end <= start && !(p.span.start == start && p.span.end == start)
    });
    let mut last = first;
    while last < passages.len()
        && (passages[last].span.start < end || (start == end && passages[last].span.start <= start))
    {
        last += 1;
    }
    first..last
}
