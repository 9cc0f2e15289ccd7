//! The documents as search sees them: what varies by document (kind, phase, date,
//! attributes) comes from the store for each search, never from the index.

use std::collections::HashMap;

use ambit_core::{DocFilter, DocId, Document, PassageId, TimelineKey};

/// What search needs to know about a document: the document filter, `--by` groups and
/// the timeline order come from here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocInfo {
    /// The document as the store holds it.
    pub doc: Document,
    /// Its phase id on the current timeline (or `unphased`).
    pub phase: String,
    /// Where it sits along the timeline; `--sort time` sorts hits by it.
    pub timeline: TimelineKey,
}

/// The documents of the project as search sees them, read from the store for each search.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    docs: HashMap<DocId, DocInfo>,
}

impl Catalogue {
    /// Adds (or replaces) a document.
    pub fn insert(&mut self, info: DocInfo) {
        self.docs.insert(info.doc.id, info);
    }

    /// A document's information.
    pub fn get(&self, id: DocId) -> Option<&DocInfo> {
        self.docs.get(&id)
    }

    /// Every document, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &DocInfo> {
        self.docs.values()
    }

    /// Where a passage sits on the timeline: its document's key, then its ordinal.
    /// Passages of documents the catalogue lacks (none, in a current index) come last.
    pub(crate) fn timeline_key(&self, p: PassageId) -> (bool, Option<TimelineKey>, PassageId) {
        let key = self.docs.get(&p.doc).map(|d| d.timeline);
        (key.is_none(), key, p)
    }

    /// The numbers of the documents that pass the document-level conditions of a filter,
    /// in order; `None` when it has none.
    pub(crate) fn docs_passing(&self, f: &DocFilter) -> Option<Vec<u64>> {
        if !f.narrows_documents() {
            return None;
        }
        let mut ids: Vec<u64> = self
            .docs
            .values()
            .filter(|d| f.passes(&d.doc, &d.phase))
            .map(|d| u64::from(d.doc.id.0))
            .collect();
        ids.sort_unstable();
        Some(ids)
    }
}
