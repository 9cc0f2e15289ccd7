//! Collectors over matching passages, one a file (as tantivy lays out its own).

mod passages;
mod per_doc;
mod per_speaker;

pub(crate) use passages::PassageCollector;
pub(crate) use per_doc::DocCollector;
pub(crate) use per_speaker::SpeakerCollector;

use ambit_core::{DocId, PassageId};
use tantivy::columnar::Column;

pub(crate) fn passage_at(cols: &[Column<u64>; 2], doc: u32) -> PassageId {
    let v = |i: usize| cols[i].first(doc).unwrap_or(0) as u32;
    PassageId {
        doc: DocId(v(0)),
        ordinal: v(1),
    }
}
