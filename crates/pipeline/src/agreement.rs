//! Inter-coder agreement on a project's codings: units, decisions, statistics, disagreements.
//!
//! A unit is a passage (or, with [`Unit::Char`], a character) of a document that at least two
//! of the named coders coded. A coder "coded unit u with C" when any of their codings of C or
//! a descendant overlaps u. A coder who coded nothing in a document is missing there, which
//! Krippendorff's α handles; Cohen's and Fleiss' κ use the units every coder rated.

use std::collections::{BTreeMap, BTreeSet};

use ambit_core::{Coding, DocFilter, DocId};
use ambit_reliability::{binary_agreement, AgreementSummary, Estimate};
use ambit_store::{CodingFilter, Project};
use serde::Serialize;

use crate::coding::load_codebook;
use crate::corpus::Corpus;
use crate::error::{Error, Result};

/// The unit of analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Passages (speaker turns, paragraphs).
    Passage,
    /// Characters: boundary disagreements count.
    Char,
}

/// What to compare.
#[derive(Debug, Clone)]
pub struct AgreementRequest {
    /// Two or more coders.
    pub coders: Vec<String>,
    /// Codes to report (default: every code in the codebook).
    pub codes: Vec<String>,
    /// Which documents, and which speakers' passages, are compared.
    pub filter: DocFilter,
    /// Unit of analysis.
    pub unit: Unit,
}

/// One line of the agreement table.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementRow {
    /// Code id, or `(pooled)`.
    pub code: String,
    /// Units compared.
    pub units: usize,
    /// Units each coder coded with the code, in the order of the request's coders.
    pub coded_by: Vec<usize>,
    /// Percent agreement (0–1), `None` when undefined.
    pub percent_agreement: Option<f64>,
    /// Cohen's κ (two coders).
    pub cohen_kappa: Option<f64>,
    /// Fleiss' κ (three or more coders).
    pub fleiss_kappa: Option<f64>,
    /// Krippendorff's α (nominal).
    pub alpha: Option<f64>,
    /// Why a statistic is undefined, when one is.
    pub note: Option<String>,
}

/// A unit where coders differ on a code.
#[derive(Debug, Clone, Serialize)]
pub struct Disagreement {
    /// The code.
    pub code: String,
    /// The passage.
    pub passage: String,
    /// Phase of its document.
    pub phase: String,
    /// Speaker.
    pub speaker: Option<String>,
    /// Passage text.
    pub text: String,
    /// Each coder's decision: `true` coded, `false` not coded, `None` did not code the document.
    pub decisions: BTreeMap<String, Option<bool>>,
    /// Memos of the coders' codings on it.
    pub memos: BTreeMap<String, String>,
}

/// The result of [`agreement`].
#[derive(Debug, Clone, Serialize)]
pub struct AgreementReport {
    /// The coders compared.
    pub coders: Vec<String>,
    /// Documents in the comparison.
    pub documents: Vec<String>,
    /// Per code (codebook order), then pooled.
    pub rows: Vec<AgreementRow>,
    /// Passages where coders differ (passage units only).
    pub disagreements: Vec<Disagreement>,
}

fn value(e: &Estimate) -> Option<f64> {
    match e {
        Estimate::Value(v) => Some(*v),
        Estimate::Undefined { .. } => None,
    }
}

fn row(code: &str, s: &AgreementSummary) -> AgreementRow {
    let alpha = value(&s.alpha.estimate);
    let note = match (&s.alpha.estimate, s.units) {
        (_, 0) => Some("no units: the coders have no document in common".to_string()),
        (Estimate::Undefined { .. }, _) => Some(s.alpha.estimate.to_string()),
        _ => None,
    };
    AgreementRow {
        code: code.to_string(),
        units: s.units,
        coded_by: s.coded_by_coder.clone(),
        percent_agreement: value(&s.percent_agreement.estimate),
        cohen_kappa: s.cohen.as_ref().and_then(|k| value(&k.estimate)),
        fleiss_kappa: s.fleiss.as_ref().and_then(|k| value(&k.estimate)),
        alpha,
        note,
    }
}

/// Computes agreement between coders on a project's codings.
pub fn agreement(project: &Project, req: &AgreementRequest) -> Result<AgreementReport> {
    if req.coders.len() < 2 {
        return Err(Error::Request(
            "--coders needs at least two coders, e.g. --coders anna,erik".into(),
        ));
    }
    let cb = load_codebook(project)?;
    cb.require_codes(&req.codes)?;
    let codes: Vec<String> = if req.codes.is_empty() {
        cb.codes().iter().map(|c| c.id.clone()).collect()
    } else {
        req.codes.clone()
    };
    let corpus = Corpus::load(project)?;
    let codings = project.store.codings(&CodingFilter {
        coders: req.coders.clone(),
        ..Default::default()
    })?;
    let known: BTreeSet<&str> = codings.iter().map(|c| c.coder.as_str()).collect();
    for c in &req.coders {
        if !known.contains(c.as_str()) {
            return Err(Error::Request(format!(
                "coder {c:?} has no codings in this project; coders with codings: {}",
                known.iter().copied().collect::<Vec<_>>().join(", ")
            )));
        }
    }
    // Which coders coded which documents.
    let mut coded_docs: BTreeMap<DocId, BTreeSet<usize>> = BTreeMap::new();
    for c in &codings {
        if let Some(k) = req.coders.iter().position(|x| *x == c.coder) {
            coded_docs.entry(c.doc).or_default().insert(k);
        }
    }
    let docs: Vec<DocId> = coded_docs
        .iter()
        .filter(|(d, who)| who.len() >= 2 && corpus.passes(**d, &req.filter))
        .map(|(d, _)| *d)
        .collect();

    // For every code, the codings (by coder) of it or a descendant.
    let family = |code: &str| -> BTreeSet<String> {
        let mut s: BTreeSet<String> = cb.descendants(code).iter().map(|c| c.id.clone()).collect();
        s.insert(code.to_string());
        s
    };
    let mut rows = Vec::new();
    let mut pooled: Vec<Vec<Option<bool>>> = Vec::new();
    let mut disagreements = Vec::new();
    for code in &codes {
        let fam = family(code);
        let relevant: Vec<&Coding> = codings.iter().filter(|c| fam.contains(&c.code)).collect();
        let mut units: Vec<Vec<Option<bool>>> = Vec::new();
        for &doc in &docs {
            let who = &coded_docs[&doc];
            let mine: Vec<(usize, &Coding)> = relevant
                .iter()
                .filter(|c| c.doc == doc)
                .filter_map(|c| {
                    req.coders
                        .iter()
                        .position(|x| *x == c.coder)
                        .map(|k| (k, *c))
                })
                .collect();
            match req.unit {
                Unit::Passage => {
                    for p in corpus
                        .passages_of(doc)
                        .iter()
                        .filter(|p| req.filter.passes_speaker(p.span.speaker.as_deref()))
                    {
                        let mut d: Vec<Option<bool>> = (0..req.coders.len())
                            .map(|k| who.contains(&k).then_some(false))
                            .collect();
                        let mut memos = BTreeMap::new();
                        for (k, c) in &mine {
                            if c.start < p.span.end && p.span.start < c.end {
                                d[*k] = Some(true);
                                if let Some(m) = &c.memo {
                                    memos.insert(req.coders[*k].clone(), m.clone());
                                }
                            }
                        }
                        let given: BTreeSet<bool> = d.iter().flatten().copied().collect();
                        if given.len() > 1 {
                            disagreements.push(Disagreement {
                                code: code.clone(),
                                passage: p.id.to_string(),
                                phase: corpus.phase_of(doc).to_string(),
                                speaker: p.span.speaker.clone(),
                                text: corpus.passage_text(p).to_string(),
                                decisions: req
                                    .coders
                                    .iter()
                                    .cloned()
                                    .zip(d.iter().copied())
                                    .collect(),
                                memos,
                            });
                        }
                        units.push(d);
                    }
                }
                Unit::Char => {
                    let len = corpus.len_chars(doc);
                    let mut marks = vec![vec![false; len]; req.coders.len()];
                    for (k, c) in &mine {
                        for m in &mut marks[*k][c.start.min(len)..c.end.min(len)] {
                            *m = true;
                        }
                    }
                    // With a speaker condition, only the characters of that speaker's
                    // passages are units.
                    let all = req.filter.speakers.is_empty();
                    let mut inside = vec![all; len];
                    if !all {
                        for p in corpus
                            .passages_of(doc)
                            .iter()
                            .filter(|p| req.filter.passes_speaker(p.span.speaker.as_deref()))
                        {
                            for m in &mut inside[p.span.start.min(len)..p.span.end.min(len)] {
                                *m = true;
                            }
                        }
                    }
                    units.extend((0..len).filter(|&i| inside[i]).map(|i| {
                        (0..req.coders.len())
                            .map(|k| who.contains(&k).then_some(marks[k][i]))
                            .collect::<Vec<_>>()
                    }));
                }
            }
        }
        rows.push(row(code, &binary_agreement(&units)));
        pooled.extend(units);
    }
    if codes.len() > 1 {
        rows.push(row("(pooled)", &binary_agreement(&pooled)));
    }
    // Disagreements in timeline order, then codebook order.
    disagreements.sort_by_key(|d| {
        let doc = ambit_core::PassageId::parse(&d.passage)
            .map(|p| (corpus.timeline_key(p.doc), p.ordinal))
            .ok();
        (doc, cb.position(&d.code))
    });
    Ok(AgreementReport {
        coders: req.coders.clone(),
        documents: docs.iter().map(ToString::to_string).collect(),
        rows,
        disagreements,
    })
}
