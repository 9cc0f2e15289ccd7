//! Manual coding: a document or passage, the whole of it, a quote found in it, or a span.

use ambit_core::{DocId, Origin, PassageId};
use ambit_store::{NewCoding, Project};

use super::load_codebook;
use crate::corpus::Corpus;
use crate::error::{Error, Result};

/// A target of manual coding: a document or a passage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A whole document (`D7`).
    Doc(DocId),
    /// A passage (`D7:12`).
    Passage(PassageId),
}

impl Target {
    /// Parses `D7` or `D7:12`.
    pub fn parse(s: &str) -> Result<Target> {
        if s.contains(':') {
            Ok(Target::Passage(PassageId::parse(s)?))
        } else {
            Ok(Target::Doc(DocId::parse(s)?))
        }
    }
}

/// Which part of the target to code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// The whole passage or document.
    All,
    /// The exact words, found in the target.
    Quote(String),
    /// A character range relative to the target's start.
    Span(usize, usize),
}

/// A manual coding request.
#[derive(Debug, Clone)]
pub struct ManualCoding {
    /// What to code.
    pub target: Target,
    /// Which part.
    pub selection: Selection,
    /// The code id.
    pub code: String,
    /// Who codes.
    pub coder: String,
    /// Optional memo.
    pub memo: Option<String>,
}

/// Stores a manual coding; returns its id and the coded document range.
pub fn code_manually(
    project: &mut Project,
    req: &ManualCoding,
) -> Result<(i64, DocId, usize, usize)> {
    let cb = load_codebook(project)?;
    cb.require_codes(&[&req.code])?;
    let corpus = Corpus::load(project)?;
    let (doc, base, len) = match req.target {
        Target::Doc(d) => {
            corpus
                .doc(d)
                .ok_or_else(|| ambit_store::Error::NoSuchDocument(d.to_string()))?;
            (d, 0, corpus.len_chars(d))
        }
        Target::Passage(p) => {
            let found = corpus.passages_of(p.doc).iter().find(|x| x.id == p);
            let found = found.ok_or_else(|| ambit_store::Error::NoSuchPassage(p.to_string()))?;
            (p.doc, found.start, found.end - found.start)
        }
    };
    let target_text = corpus.slice(doc, base, base + len);
    let (start, end) = match &req.selection {
        Selection::All => (0, len),
        Selection::Span(s, e) => {
            if s > e || *e > len {
                return Err(Error::Request(format!(
                    "span {s}..{e} does not fit the target, which has {len} characters (0..{len})"
                )));
            }
            (*s, *e)
        }
        Selection::Quote(q) => find_quote(&corpus, doc, base, target_text, q)?,
    };
    let id = project.store.add_coding(&NewCoding {
        doc,
        start: base + start,
        end: base + end,
        code: req.code.clone(),
        coder: req.coder.clone(),
        origin: Origin::Manual,
        memo: req.memo.clone(),
    })?;
    Ok((id, doc, base + start, base + end))
}

/// Finds `quote` in `text` exactly once; otherwise an error listing what was found.
fn find_quote(
    corpus: &Corpus,
    doc: DocId,
    base: usize,
    text: &str,
    quote: &str,
) -> Result<(usize, usize)> {
    if quote.is_empty() {
        return Err(Error::Request("--quote is empty".into()));
    }
    let hits: Vec<usize> = text
        .match_indices(quote)
        .map(|(b, _)| text[..b].chars().count())
        .collect();
    let qlen = quote.chars().count();
    let locate = |pos: usize| {
        corpus
            .passages_overlapping(doc, base + pos, base + pos + qlen)
            .first()
            .map_or_else(|| doc.to_string(), |p| p.id.to_string())
    };
    match hits.as_slice() {
        [one] => Ok((*one, one + qlen)),
        [] => {
            // Near misses: the same words ignoring case, to show what the researcher may mean.
            let lower = text.to_lowercase();
            let candidates: Vec<String> = if lower.len() == text.len() {
                lower
                    .match_indices(&quote.to_lowercase())
                    .take(5)
                    .map(|(b, m)| {
                        format!(
                            "{} {:?}",
                            locate(text[..b].chars().count()),
                            &text[b..b + m.len()]
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let hint = if candidates.is_empty() {
                "check the exact words with `ambit show`".to_string()
            } else {
                format!("candidates differing in case: {}", candidates.join(", "))
            };
            Err(Error::Request(format!(
                "quote {quote:?} not found in the target; {hint}"
            )))
        }
        many => {
            let list: Vec<String> = many
                .iter()
                .take(10)
                .map(|&p| format!("{} at {}..{}", locate(p), p, p + qlen))
                .collect();
            Err(Error::Request(format!(
                "quote {quote:?} occurs {} times in the target: {}; code a passage (D7:12) or use --span",
                many.len(),
                list.join(", ")
            )))
        }
    }
}

