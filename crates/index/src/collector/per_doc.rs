//! Matching passages counted per document (`--by phase|kind|doc|attr` map documents).

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{Score, SegmentReader};

use crate::schema::field;

/// Counts matching passages per document.
pub(crate) struct DocCollector;

pub(crate) struct DocSegment {
    doc: Column<u64>,
    counts: HashMap<u64, u64>,
}

impl Collector for DocCollector {
    type Fruit = HashMap<u64, u64>;
    type Child = DocSegment;

    fn for_segment(&self, _segment: u32, reader: &SegmentReader) -> tantivy::Result<DocSegment> {
        Ok(DocSegment {
            doc: reader.fast_fields().u64(field::DOC)?,
            counts: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<u64, u64>>) -> tantivy::Result<HashMap<u64, u64>> {
        let mut all = HashMap::new();
        for fruit in fruits {
            for (doc, n) in fruit {
                *all.entry(doc).or_default() += n;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for DocSegment {
    type Fruit = HashMap<u64, u64>;

    fn collect(&mut self, doc: u32, _score: Score) {
        *self
            .counts
            .entry(self.doc.first(doc).unwrap_or(0))
            .or_default() += 1;
    }

    fn harvest(self) -> HashMap<u64, u64> {
        self.counts
    }
}
