//! The in-memory model tables are computed from: phases, codes, documents, passages, codings.
//!
//! Everything is referred to by index so a table over millions of codings is a few linear
//! passes over flat arrays; the caller (the pipeline) resolves ids once when it loads the
//! project.

use std::collections::BTreeMap;

use ambit_core::{Date, DocId, DocKind};

use crate::error::{Error, Result};

/// Everything a table needs to know about a project. Build it once, compute many tables.
#[derive(Debug, Clone, Default)]
pub struct TableInput {
    /// The study's phases, in timeline order.
    pub phases: Vec<PhaseInfo>,
    /// Codes in codebook order; a parent comes before its children.
    pub codes: Vec<CodeInfo>,
    /// Documents, in timeline order (phase, date, id).
    pub documents: Vec<DocInfo>,
    /// Passages, grouped by document and in document order.
    pub passages: Vec<PassageInfo>,
    /// Speaker names that [`PassageInfo::speaker`] points into.
    pub speakers: Vec<String>,
    /// Coder names that [`CodingInfo::coder`] points into.
    pub coders: Vec<String>,
    /// Codings (one per stored coding).
    pub codings: Vec<CodingInfo>,
    /// Which passages each coding overlaps, grouped by coding (all overlaps of a coding
    /// next to each other).
    pub overlaps: Vec<Overlap>,
}

/// A phase of the study timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseInfo {
    /// Short id used as a column heading (`I1`).
    pub id: String,
    /// Human label (`Intervention 1: process modelling workshop`).
    pub label: String,
}

/// A code of the codebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeInfo {
    /// Dotted id (`kb.semantic`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Index of the parent code in [`TableInput::codes`].
    pub parent: Option<usize>,
    /// Colour from the codebook (`#1f77b4`), if any.
    pub color: Option<String>,
}

/// A document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocInfo {
    /// Document id (`D7`).
    pub id: DocId,
    /// Title.
    pub title: String,
    /// Kind (`interview`, `workshop`, …).
    pub kind: DocKind,
    /// Date, if the document has one.
    pub date: Option<Date>,
    /// Index into [`TableInput::phases`]; `None` for unphased documents.
    pub phase: Option<usize>,
    /// Researcher-given attributes (organisation, role, …).
    pub attributes: BTreeMap<String, String>,
}

/// A passage (paragraph or speaker turn).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassageInfo {
    /// Index into [`TableInput::documents`].
    pub doc: u32,
    /// Index into [`TableInput::speakers`].
    pub speaker: Option<u32>,
    /// Words in the passage.
    pub words: u32,
}

/// A coding: a code applied by a coder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodingInfo {
    /// Index into [`TableInput::codes`].
    pub code: u32,
    /// Index into [`TableInput::coders`].
    pub coder: u32,
}

/// The part of one passage that one coding covers, as a range of the passage's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overlap {
    /// Index into [`TableInput::codings`].
    pub coding: u32,
    /// Index into [`TableInput::passages`].
    pub passage: u32,
    /// First coded word (0-based within the passage).
    pub first_word: u32,
    /// One past the last coded word; equal to `first_word` when no whole word is coded.
    pub end_word: u32,
}

impl TableInput {
    /// Checks every index, so table building can index without bounds failures on bad input.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: String| Err(Error::Input(what));
        for (i, c) in self.codes.iter().enumerate() {
            if c.parent.is_some_and(|p| p >= i) {
                return bad(format!("code {} comes before its parent", c.id));
            }
        }
        for d in &self.documents {
            if d.phase.is_some_and(|p| p >= self.phases.len()) {
                return bad(format!("document {} has an unknown phase", d.id));
            }
        }
        for (i, p) in self.passages.iter().enumerate() {
            if p.doc as usize >= self.documents.len() {
                return bad(format!("passage {i} has an unknown document"));
            }
            if p.speaker.is_some_and(|s| s as usize >= self.speakers.len()) {
                return bad(format!("passage {i} has an unknown speaker"));
            }
        }
        for (i, c) in self.codings.iter().enumerate() {
            if c.code as usize >= self.codes.len() || c.coder as usize >= self.coders.len() {
                return bad(format!("coding {i} has an unknown code or coder"));
            }
        }
        let mut last = 0;
        for o in &self.overlaps {
            if o.coding as usize >= self.codings.len() || o.passage as usize >= self.passages.len()
            {
                return bad(format!(
                    "overlap of coding {} with passage {} is out of range",
                    o.coding, o.passage
                ));
            }
            if o.coding < last {
                return bad("overlaps are not grouped by coding".into());
            }
            // Only the order is checked here; coded words beyond the passage's words are
            // clamped where words are counted, which keeps this pass free of random reads.
            if o.first_word > o.end_word {
                return bad(format!(
                    "coding {} covers words {}..{}",
                    o.coding, o.first_word, o.end_word
                ));
            }
            last = o.coding;
        }
        Ok(())
    }

    /// Depth of each code: 0 for top-level codes.
    pub fn depths(&self) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::with_capacity(self.codes.len());
        for c in &self.codes {
            let d = c
                .parent
                .and_then(|p| out.get(p).copied())
                .map_or(0, |d| d + 1);
            out.push(d);
        }
        out
    }
}
