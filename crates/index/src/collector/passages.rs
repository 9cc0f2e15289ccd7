//! Every match with its passage id and score (`--sort time` sorts them afterwards).

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{Score, SegmentReader};

use super::passage_at;
use crate::request::Found;
use crate::schema::field;

/// Collects every match: passage id and score.
pub(crate) struct PassageCollector;

pub(crate) struct PassageSegment {
    cols: [Column<u64>; 2],
    out: Vec<Found>,
}

impl Collector for PassageCollector {
    type Fruit = Vec<Found>;
    type Child = PassageSegment;

    fn for_segment(
        &self,
        _segment: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<PassageSegment> {
        let ff = reader.fast_fields();
        Ok(PassageSegment {
            cols: [ff.u64(field::DOC)?, ff.u64(field::ORDINAL)?],
            out: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Found>>) -> tantivy::Result<Vec<Found>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for PassageSegment {
    type Fruit = Vec<Found>;

    fn collect(&mut self, doc: u32, score: Score) {
        self.out.push(Found {
            passage: passage_at(&self.cols, doc),
            score,
        });
    }

    fn harvest(self) -> Vec<Found> {
        self.out
    }
}
