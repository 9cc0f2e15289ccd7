//! Matching passages and their documents counted per speaker, from the speaker column.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{Score, SegmentReader};

use crate::schema::field;

/// Counts matches per speaker: passages, and the set of documents.
pub(crate) struct SpeakerCollector;

pub(crate) type GroupFruit = BTreeMap<Option<String>, (u64, BTreeSet<u64>)>;

pub(crate) struct SpeakerSegment {
    speaker: StrColumn,
    doc: Column<u64>,
    /// Per term ordinal: passages and documents.
    counts: HashMap<Option<u64>, (u64, BTreeSet<u64>)>,
}

impl Collector for SpeakerCollector {
    type Fruit = GroupFruit;
    type Child = SpeakerSegment;

    fn for_segment(
        &self,
        _segment: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<SpeakerSegment> {
        let ff = reader.fast_fields();
        let speaker = ff
            .str(field::SPEAKER)?
            .ok_or_else(|| tantivy::TantivyError::SchemaError("no fast column speaker".into()))?;
        Ok(SpeakerSegment {
            speaker,
            doc: ff.u64(field::DOC)?,
            counts: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<GroupFruit>) -> tantivy::Result<GroupFruit> {
        let mut all = GroupFruit::new();
        for fruit in fruits {
            for (k, (n, docs)) in fruit {
                let e = all.entry(k).or_default();
                e.0 += n;
                e.1.extend(docs);
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SpeakerSegment {
    type Fruit = GroupFruit;

    fn collect(&mut self, doc: u32, _score: Score) {
        let doc_no = self.doc.first(doc).unwrap_or(0);
        let e = self
            .counts
            .entry(self.speaker.term_ords(doc).next())
            .or_default();
        e.0 += 1;
        e.1.insert(doc_no);
    }

    fn harvest(self) -> GroupFruit {
        let mut out = GroupFruit::new();
        let mut buf = String::new();
        for (ord, v) in self.counts {
            let key = ord.and_then(|o| {
                buf.clear();
                self.speaker
                    .ord_to_str(o, &mut buf)
                    .unwrap_or(false)
                    .then(|| buf.clone())
            });
            let e = out.entry(key).or_default();
            e.0 += v.0;
            e.1.extend(v.1);
        }
        out
    }
}
