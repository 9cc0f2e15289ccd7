//! Writing passages: adds and deletes in batches, one commit recording the store revision.

use ambit_core::{DocId, PassageId};
use tantivy::indexer::UserOperation;
use tantivy::{TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::index::Index;
use crate::language::index_value;
use crate::schema::{Payload, SCHEMA_VERSION};

/// Memory each indexing thread may fill before it writes a segment. tantivy needs at
/// least 15 MB per thread; larger budgets mean fewer segments to search and merge.
const HEAP_PER_THREAD: usize = 128 << 20;

/// One passage as the index sees it: its words, speaker and codes. Everything about its
/// document (title, kind, phase, date, attributes) lives in the
/// [`Catalogue`](crate::Catalogue) instead, so it is indexed once per document rather
/// than once per passage, and a timeline edit needs no re-indexing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// `D7:12`.
    pub passage: PassageId,
    /// The passage text.
    pub text: &'a str,
    /// Speaker of a transcript turn.
    pub speaker: Option<&'a str>,
    /// Codes on the passage, with their ancestors.
    pub codes: &'a [String],
}

/// Operations handed to tantivy's indexing threads at once: one channel message and one
/// segment per batch instead of per passage (the sending thread's share of the CPU, which
/// on two cores the indexing threads miss, fell by a third).
const BATCH: usize = 8;

/// Adds and deletes passages; one commit makes a batch visible at once.
pub struct Writer<'a> {
    index: &'a Index,
    writer: tantivy::IndexWriter<TantivyDocument>,
    /// Queued adds and deletes, in order.
    pending: Vec<UserOperation>,
    /// Reused for each passage's text value.
    value: String,
    /// What the index is built with besides the store revision, recorded at commit.
    settings: String,
}

impl Writer<'_> {
    /// Queues a passage. Tokenizing happens on the writer's threads.
    pub fn add(&mut self, r: &Record<'_>) -> Result<()> {
        let f = &self.index.fields;
        let doc = r.passage.doc.0;
        // Room for the text and the small fields, so the document is not grown.
        let mut d = TantivyDocument::with_capacity(r.text.len() + 128);
        d.add_u64(f.doc, u64::from(doc));
        d.add_u64(f.ordinal, u64::from(r.passage.ordinal));
        index_value(doc, r.text, &mut self.value);
        d.add_text(f.text, &self.value);
        // Its words come from the text field's analyzer; the value is not read.
        d.add_text(f.vocab, "");
        if let Some(s) = r.speaker {
            d.add_text(f.speaker, s);
        }
        for c in r.codes {
            d.add_text(f.code, c);
        }
        self.pending.push(UserOperation::Add(d));
        if self.pending.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if !self.pending.is_empty() {
            self.writer.run(self.pending.drain(..))?;
        }
        Ok(())
    }

    /// Removes every passage of a document (before re-adding its new version).
    pub fn delete_doc(&mut self, doc: DocId) {
        self.pending
            .push(UserOperation::Delete(Term::from_field_u64(
                self.index.fields.doc,
                u64::from(doc.0),
            )));
    }

    /// Removes every passage.
    pub fn delete_all(&mut self) -> Result<()> {
        self.flush()?;
        self.writer.delete_all_documents()?;
        Ok(())
    }

    /// Records, with the next commit, what else besides the store revision the indexed
    /// passages depend on (the speaker aliases of `ambit.toml`): [`Index::settings`]
    /// gives it back, so a caller can tell an index built with other settings.
    pub fn set_settings(&mut self, settings: &str) {
        self.settings = settings.to_string();
    }

    /// Commits everything queued, recording the store revision it reflects (and the
    /// settings), and waits for segment merges so the next process finds a compact index.
    pub fn commit(mut self, revision: u64) -> Result<()> {
        let payload = serde_json::to_string(&Payload {
            schema: SCHEMA_VERSION,
            revision,
            settings: std::mem::take(&mut self.settings),
        })
        .map_err(|e| Error::Tantivy(e.to_string()))?;
        self.flush()?;
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.writer.wait_merging_threads()?;
        self.index.reader.reload()?;
        Ok(())
    }
}

impl Index {
    /// A writer using every core; nothing is visible until [`Writer::commit`].
    pub fn writer(&self) -> Result<Writer<'_>> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let writer = self
            .index
            .writer_with_num_threads(threads, threads * HEAP_PER_THREAD)?;
        Ok(Writer {
            index: self,
            writer,
            pending: Vec::with_capacity(BATCH),
            value: String::new(),
            settings: String::new(),
        })
    }
}
