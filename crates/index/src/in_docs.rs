//! The passages of some documents, as one bitset per segment: a search's document filter
//! (`--phase`, `--kind`, `--attr`, …) as a query, which phrases share to check only the
//! passages that can be hits.
//!
//! The bitset is read from the `doc` field's postings (one pass over its term dictionary
//! and the postings of the documents wanted), once per segment and query however many
//! clauses use it: tantivy's `TermSetQuery` cost more than the phrase it filtered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::postings::BlockSegmentPostings;
use tantivy::query::{EnableScoring, Explanation, Query as TQuery, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

/// A bit per document of a segment.
pub(crate) type Bits = Vec<u64>;

/// An all-clear bitset for a segment of `max_doc` documents.
pub(crate) fn bits_for(max_doc: u32) -> Bits {
    vec![0; (max_doc as usize).div_ceil(64)]
}

/// Sets the bit of every document of a posting list.
pub(crate) fn set_bits(bits: &mut Bits, mut postings: BlockSegmentPostings) {
    loop {
        let docs = postings.docs();
        if docs.is_empty() {
            return;
        }
        for &d in docs {
            if let Some(w) = bits.get_mut((d >> 6) as usize) {
                *w |= 1 << (d & 63);
            }
        }
        postings.advance();
    }
}

/// The first set bit at or after `from`, or `TERMINATED`.
pub(crate) fn next_bit(bits: &[u64], from: DocId) -> DocId {
    let mut w = (from >> 6) as usize;
    let Some(&first) = bits.get(w) else {
        return TERMINATED;
    };
    let mut word = first & (u64::MAX << (from & 63));
    loop {
        if word != 0 {
            return ((w as u32) << 6) | word.trailing_zeros();
        }
        w += 1;
        match bits.get(w) {
            Some(&b) => word = b,
            None => return TERMINATED,
        }
    }
}

/// The passages of a set of documents (by number, in the `doc` field).
#[derive(Clone)]
pub(crate) struct InDocs {
    field: Field,
    /// The documents' terms in the `doc` field, in term order.
    keys: Arc<[Vec<u8>]>,
    /// The bitset of each segment searched so far.
    bits: Arc<Mutex<HashMap<SegmentId, Arc<Bits>>>>,
}

impl std::fmt::Debug for InDocs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InDocs")
            .field("documents", &self.keys.len())
            .finish()
    }
}

impl InDocs {
    /// The passages of documents `docs` (numbers in the u64 field `field`).
    pub(crate) fn new(field: Field, docs: &[u64]) -> InDocs {
        let mut keys: Vec<Vec<u8>> = docs
            .iter()
            .map(|&d| {
                Term::from_field_u64(field, d)
                    .serialized_value_bytes()
                    .to_vec()
            })
            .collect();
        keys.sort();
        keys.dedup();
        InDocs {
            field,
            keys: keys.into(),
            bits: Arc::default(),
        }
    }

    /// A bit per document of the segment, set for the passages of these documents
    /// (deleted ones too: collectors leave those out).
    pub(crate) fn bits(&self, reader: &SegmentReader) -> tantivy::Result<Arc<Bits>> {
        let id = reader.segment_id();
        // A poisoned lock only means another segment's thread panicked; the map is fine.
        if let Some(b) = self.cached().get(&id) {
            return Ok(Arc::clone(b));
        }
        let mut bits = bits_for(reader.max_doc());
        if let (Some(first), Some(last)) = (self.keys.first(), self.keys.last()) {
            let inverted = reader.inverted_index(self.field)?;
            let io = |e: std::io::Error| TantivyError::from(e);
            let mut stream = inverted
                .terms()
                .range()
                .ge(first)
                .le(last)
                .into_stream()
                .map_err(io)?;
            let mut wanted = self.keys.iter().peekable();
            while stream.advance() {
                let key = stream.key();
                while wanted.next_if(|w| w.as_slice() < key).is_some() {}
                match wanted.peek() {
                    None => break,
                    Some(w) if w.as_slice() == key => {
                        let postings = inverted.read_block_postings_from_terminfo(
                            stream.value(),
                            IndexRecordOption::Basic,
                        )?;
                        set_bits(&mut bits, postings);
                    }
                    Some(_) => {}
                }
            }
        }
        let bits = Arc::new(bits);
        self.cached().insert(id, Arc::clone(&bits));
        Ok(bits)
    }

    fn cached(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<Bits>>> {
        self.bits.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl TQuery for InDocs {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for InDocs {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(BitsScorer::new(self.bits(reader)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let bits = self.bits(reader)?;
        if next_bit(&bits, doc) == doc {
            Ok(Explanation::new("in the documents filtered for", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "document #{doc} is not in the documents filtered for"
            )))
        }
    }
}

/// The documents of a bitset, in order.
pub(crate) struct BitsScorer {
    bits: Arc<Bits>,
    doc: DocId,
    size: u32,
}

impl BitsScorer {
    pub(crate) fn new(bits: Arc<Bits>) -> BitsScorer {
        let size = bits.iter().map(|w| w.count_ones()).sum();
        let doc = next_bit(&bits, 0);
        BitsScorer { bits, doc, size }
    }
}

impl DocSet for BitsScorer {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = next_bit(&self.bits, self.doc + 1);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target > self.doc {
            self.doc = next_bit(&self.bits, target);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.size
    }
}

impl Scorer for BitsScorer {
    fn score(&mut self) -> Score {
        1.0
    }
}
