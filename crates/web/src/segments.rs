//! One document's coded segments, for the reader and the coding API: the pipeline's rows
//! (`ambit codings --format json`), read from that document alone.

use ambit_core::DocId;
use ambit_pipeline::coding::{document_segments, Segment};
use ambit_store::Project;

use crate::fail::Fail;

/// Every segment of one document.
pub fn of_document(project: &Project, doc: DocId) -> Result<Vec<Segment>, Fail> {
    Ok(document_segments(project, doc, None)?)
}

/// The segment of one coding, by id.
pub fn one(project: &Project, doc: DocId, id: i64) -> Result<Segment, Fail> {
    document_segments(project, doc, Some(&[id]))?
        .pop()
        .ok_or_else(|| Fail::not_found(format!("no coding {id} in {doc}")))
}
