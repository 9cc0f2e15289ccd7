//! Re-anchoring: a corrected document's codings moved to where their text now is
//! (`ambit add --replace`), and re-attaching a coding by hand (`ambit code --reattach`).
//!
//! The old and new stored texts are aligned by [`ambit_team::reanchor()`]; every coding
//! not made by rules moves with its text. What happened to each is reported:
//! - **kept** or **moved**: its text is unchanged; a move found on the evidence of a
//!   short quote alone is marked `needs-review`;
//! - **shrunk**, **grown** or **edited**: its text changed; it is marked `needs-review`
//!   and keeps its old text as its quote;
//! - **lost**: its text was deleted; it becomes `detached` (range `0..0`) with its old text
//!   as its quote, listed by `ambit codings` until it is re-attached or removed.
//!
//! Rule-made codings are dropped; the next `ambit autocode` makes them again. Everything
//! (the new text, its passages, every coding's new place) is written in one transaction,
//! which reads the old text and codings itself, so a coding added meanwhile by another
//! command is moved too. A dry run computes the same report and writes nothing.
//!
//! How detached codings are read everywhere: they point at no text, so nothing that counts
//! or cuts out text sees them: tables, charts, the search index's codes, agreement,
//! queries, auto-coding's `within`, the web app's reader. `ambit codings` lists them (with
//! `"status": "detached"`, an empty text and their old text as `quote`), `ambit codings
//! --needs-review` lists them with the codings that need review, and `ambit uncode`
//! removes them.

use ambit_core::{Coding, DocId, Origin};
use ambit_store::{CodingFilter, NewDocument, Project, Reanchor, Reattached};
pub use ambit_team::reanchor::Status;
use ambit_team::reanchor::{reanchor, Span};
use serde::Serialize;

use crate::coding::manual::{locate, Selection, Target};
use crate::error::{Error, Result};

/// What happened to one coding when its document was replaced.
///
/// **API boundary**: an element of `codings.moved` in `ambit add --replace --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodingFate {
    /// The coding's id.
    pub coding: i64,
    /// Its code.
    pub code: String,
    /// Its coder.
    pub coder: String,
    /// How it was made.
    pub origin: Origin,
    /// `kept`, `moved`, `shrunk`, `grown`, `edited` or `lost`.
    pub status: Status,
    /// Whether it is marked for review (every changed or lost coding, and guessed moves).
    pub needs_review: bool,
    /// Its start in the old text.
    pub old_start: usize,
    /// Its end in the old text.
    pub old_end: usize,
    /// Its start in the new text; `None` when lost (detached).
    pub start: Option<usize>,
    /// Its end in the new text; `None` when lost.
    pub end: Option<usize>,
    /// Its text in the old version.
    pub old_text: String,
    /// Its text in the new version; `None` when lost.
    pub text: Option<String>,
}

/// What replacing a document did (or, in a dry run, would do) to its codings.
///
/// **API boundary**: the `codings` object of a replaced file in `ambit add --format json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reanchoring {
    /// Whether nothing was written (`--dry-run`).
    pub dry_run: bool,
    /// Every coding not made by rules, in position order.
    pub moved: Vec<CodingFate>,
    /// Rule-made codings dropped (the next `ambit autocode` makes them again).
    pub rule_codings: u64,
}

impl Reanchoring {
    /// How many codings ended with this status.
    pub fn count(&self, status: Status) -> usize {
        self.moved.iter().filter(|c| c.status == status).count()
    }

    /// How many codings are marked for review (lost ones included).
    pub fn needing_review(&self) -> usize {
        self.moved.iter().filter(|c| c.needs_review).count()
    }

    /// `5 kept, 2 moved, 1 shrunk, 1 lost`: the statuses that occur, in a fixed order.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = [
            Status::Kept,
            Status::Moved,
            Status::Shrunk,
            Status::Grown,
            Status::Edited,
            Status::Lost,
        ]
        .into_iter()
        .filter_map(|s| match self.count(s) {
            0 => None,
            n => Some(format!("{n} {}", s.as_str())),
        })
        .collect();
        if parts.is_empty() {
            "no codings to move".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// Replaces document `id` by `new`, moving its codings (see the module documentation);
/// with `dry_run`, only says what would happen.
pub(crate) fn replace(
    project: &mut Project,
    id: DocId,
    new: &NewDocument,
    dry_run: bool,
) -> std::result::Result<Reanchoring, ambit_store::Error> {
    if dry_run {
        let old = project.store.text(id)?;
        let codings = project.store.anchored_codings(id)?;
        let (_, moved) = plan(&old, &new.text, &codings)?;
        let rule_codings = project
            .store
            .codings(&CodingFilter {
                docs: vec![id],
                ..Default::default()
            })?
            .iter()
            .filter(|c| matches!(c.origin, Origin::Rule(_)))
            .count() as u64;
        return Ok(Reanchoring {
            dry_run,
            moved,
            rule_codings,
        });
    }
    let mut moved = Vec::new();
    let done = project
        .store
        .replace_document_reanchored(id, new, |old, codings| {
            let (moves, fates) = plan(old, &new.text, codings)?;
            moved = fates;
            Ok(moves)
        })?;
    Ok(Reanchoring {
        dry_run,
        moved,
        rule_codings: done.rule_codings,
    })
}

/// Where each coding goes, for the store and for the report.
fn plan(
    old: &str,
    new: &str,
    codings: &[Coding],
) -> std::result::Result<(Vec<Reanchor>, Vec<CodingFate>), ambit_store::Error> {
    let spans: Vec<Span> = codings.iter().map(Span::from).collect();
    // The only refusal is a coding outside the stored text it belongs to: a damaged store.
    let anchored = reanchor(old, new, &spans)
        .map_err(|e| ambit_store::Error::Corrupt(format!("re-anchoring: {e}")))?;
    let mut moves = Vec::with_capacity(codings.len());
    let mut fates = Vec::with_capacity(codings.len());
    for (c, a) in codings.iter().zip(anchored) {
        let range = a.new_start.zip(a.new_end);
        moves.push(Reanchor {
            id: c.id,
            range,
            needs_review: a.needs_review,
            old_quote: a.old_quote.clone(),
        });
        fates.push(CodingFate {
            coding: c.id,
            code: c.code.clone(),
            coder: c.coder.clone(),
            origin: c.origin.clone(),
            status: a.status,
            needs_review: a.needs_review,
            old_start: a.old_start,
            old_end: a.old_end,
            start: a.new_start,
            end: a.new_end,
            old_text: a.old_quote,
            text: a.new_quote,
        });
    }
    Ok((moves, fates))
}

/// Gives coding `id` a place again: `target` and `selection` as `ambit code` reads them
/// (a passage or the document, the whole of it, a quote or a span). The target must be in
/// the coding's document. A detached coding is attached again, one that needed review is
/// confirmed: either way its status and quote are cleared. Returns the coding as it is now.
pub fn reattach(
    project: &mut Project,
    id: i64,
    target: Target,
    selection: &Selection,
) -> Result<Coding> {
    let coding = project.store.coding(id)?;
    let (doc, start, end) = locate(project, target, selection)?;
    if doc != coding.doc {
        return Err(Error::Request(format!(
            "coding {id} belongs to {}; re-attach it to a passage or span of {} (or remove it with `ambit uncode {id}` and code {doc} anew)",
            coding.doc, coding.doc
        )));
    }
    match project.store.reattach_coding(id, start, end)? {
        Reattached::Done(c) => Ok(c),
        Reattached::Duplicate(other) => Err(Error::Request(format!(
            "coding {other} already codes {doc} {start}..{end} with {} by {}; remove coding {id} with `ambit uncode {id}` instead",
            coding.code, coding.coder
        ))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ambit_core::CodingStatus;
    use ambit_store::{NewCoding, NewPassage};

    fn doc(text: &str) -> NewDocument {
        NewDocument {
            title: "t".into(),
            kind: ambit_core::DocKind::Interview,
            date: None,
            phase: None,
            source: "t.txt".into(),
            content_hash: text.len().to_string(),
            format: "txt".into(),
            encoding: "UTF-8".into(),
            text: text.into(),
            words: 0,
            attributes: Default::default(),
            passages: vec![NewPassage {
                span: ambit_core::PassageSpan::new(0, text.chars().count()),
                words: 0,
            }],
            original: None,
        }
    }

    fn coding(start: usize, end: usize, origin: Origin) -> NewCoding {
        NewCoding {
            doc: DocId(1),
            start,
            end,
            code: "kb".into(),
            coder: "anna".into(),
            origin,
            memo: None,
        }
    }

    /// The report per coding, and what the store holds after: moved ranges, statuses,
    /// quotes; a detached coding hidden from the readers; rule codings dropped; a dry run
    /// writes nothing.
    #[test]
    fn replacing_moves_marks_and_detaches() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = Project::init(dir.path(), "t").unwrap();
        let old = "P1: We recieved the money late.\nP2: The map was wrong.\nP3: Fine.\n";
        let id = p.store.insert_document(&doc(old)).unwrap();
        for (s, e, o) in [
            (7, 15, Origin::Manual),                 // "recieved": edited
            (16, 25, Origin::Manual),                // "the money": moved
            (36, 53, Origin::Import),                // "The map was wrong": lost
            (0, 31, Origin::Rule("r1".to_string())), // dropped
        ] {
            p.store.add_coding(&coding(s, e, o)).unwrap();
        }
        let new = "P0: Hello.\nP1: We received the money late.\nP3: Fine.\n";
        let before = p.store.revision().unwrap();
        let dry = replace(&mut p, id, &doc(new), true).unwrap();
        assert_eq!(
            p.store.revision().unwrap(),
            before,
            "a dry run writes nothing"
        );
        assert_eq!(p.store.text(id).unwrap(), old);

        let done = replace(&mut p, id, &doc(new), false).unwrap();
        assert_eq!(
            Reanchoring {
                dry_run: true,
                ..done.clone()
            },
            dry
        );
        assert_eq!(done.rule_codings, 1);
        let got: Vec<(Status, Option<usize>, bool)> = done
            .moved
            .iter()
            .map(|f| (f.status, f.start, f.needs_review))
            .collect();
        assert_eq!(
            got,
            [
                (Status::Edited, Some(18), true),
                (Status::Moved, Some(27), false),
                (Status::Lost, None, true),
            ]
        );
        assert_eq!(done.summary(), "1 moved, 1 edited, 1 lost");

        let shown = p.store.codings(&CodingFilter::default()).unwrap();
        assert_eq!(
            shown.len(),
            2,
            "the detached coding is not read as pointing at text"
        );
        assert_eq!(shown[0].status, CodingStatus::NeedsReview);
        assert_eq!(shown[0].quote.as_deref(), Some("recieved"));
        assert_eq!((shown[1].start, shown[1].status), (27, CodingStatus::Ok));
        let all = p
            .store
            .codings(&CodingFilter {
                detached: true,
                ..Default::default()
            })
            .unwrap();
        let lost = all
            .iter()
            .find(|c| c.status == CodingStatus::Detached)
            .unwrap();
        assert_eq!((lost.start, lost.end), (0, 0));
        assert_eq!(lost.quote.as_deref(), Some("The map was wrong"));
        let mut spans = 0;
        p.store
            .for_each_coding_span(|_, _, _, _, _| -> ambit_store::Result<()> {
                spans += 1;
                Ok(())
            })
            .unwrap();
        assert_eq!(spans, 2);

        // Re-attached: a range again, status and quote cleared; the place of a coding
        // with the same code, coder and origin is refused as a duplicate.
        let Reattached::Done(back) = p.store.reattach_coding(lost.id, 4, 10).unwrap() else {
            panic!("not re-attached")
        };
        assert_eq!(
            (back.start, back.end, back.status, back.quote),
            (4, 10, CodingStatus::Ok, None)
        );
        assert_eq!(
            p.store.reattach_coding(shown[0].id, 27, 36).unwrap(),
            Reattached::Duplicate(shown[1].id)
        );
        assert_eq!(p.store.coding(shown[0].id).unwrap().start, 18);
    }
}
