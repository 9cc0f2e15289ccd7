//! Manual coding: a document or passage, the whole of it, a quote found in it, or a span.

use ambit_core::{DocId, Origin, PassageId};
use ambit_store::{NewCoding, Project};

use ambit_core::text::CharIndex;

use super::load_codebook;
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

/// A manual coding as stored, or as found already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coded {
    /// The coding's id.
    pub id: i64,
    /// The document.
    pub doc: DocId,
    /// Start, in characters into the document text.
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// `false` when the same coder had already coded this range with this code: then
    /// nothing was written, and `id` is the earlier coding.
    pub added: bool,
}

/// Stores a manual coding. The same coder coding the same range with the same code again
/// changes nothing (and says so in [`Coded::added`]); an empty range is refused. Reads only
/// the target document, so coding stays fast in a large project.
pub fn code_manually(project: &mut Project, req: &ManualCoding) -> Result<Coded> {
    let cb = load_codebook(project)?;
    cb.require_codes(&[&req.code])?;
    let (doc, start, end) = locate(project, req.target, &req.selection)?;
    let (id, added) = project.store.add_coding(&NewCoding {
        doc,
        start,
        end,
        code: req.code.clone(),
        coder: req.coder.clone(),
        origin: Origin::Manual,
        memo: req.memo.clone(),
    })?;
    Ok(Coded {
        id,
        doc,
        start,
        end,
        added,
    })
}

/// The document and character range (into the document's text) that `selection` of
/// `target` names, as [`code_manually`] reads them; an empty range is refused.
pub fn locate(
    project: &Project,
    target: Target,
    selection: &Selection,
) -> Result<(DocId, usize, usize)> {
    let doc = match target {
        Target::Doc(d) => d,
        Target::Passage(p) => p.doc,
    };
    let text = project.store.text(doc)?;
    let passages = project.store.passages(doc)?;
    let chars = CharIndex::new(&text);
    let (base, len) = match target {
        Target::Doc(_) => (0, chars.len_chars()),
        Target::Passage(p) => {
            let found = passages.iter().find(|x| x.id == p);
            let found = found.ok_or_else(|| ambit_store::Error::NoSuchPassage(p.to_string()))?;
            (found.span.start, found.span.end - found.span.start)
        }
    };
    let target_text = chars.slice(&text, base, base + len).unwrap_or("");
    let (start, end) = match selection {
        Selection::All => (0, len),
        Selection::Span(s, e) => check_span(*s, *e, len)?,
        Selection::Quote(q) => find_quote(&passages, doc, base, target_text, q)?,
    };
    if start == end {
        return Err(Error::Request(format!(
            "{} has no text to code",
            match target {
                Target::Doc(d) => d.to_string(),
                Target::Passage(p) => p.to_string(),
            }
        )));
    }
    Ok((doc, base + start, base + end))
}

/// A `--span START..END` relative to a target of `len` characters.
fn check_span(s: usize, e: usize, len: usize) -> Result<(usize, usize)> {
    let problem = if s > e {
        "its start is after its end; write START..END with START before END"
    } else if s == e {
        "it is empty; a coding needs at least one character"
    } else if e > len {
        return Err(Error::Request(format!(
            "span {s}..{e} does not fit the target, which has {len} characters (0..{len})"
        )));
    } else {
        return Ok((s, e));
    };
    Err(Error::Request(format!("span {s}..{e}: {problem}")))
}

/// Finds `quote` in `text` exactly once; otherwise an error listing what was found.
fn find_quote(
    passages: &[ambit_core::Passage],
    doc: DocId,
    base: usize,
    text: &str,
    quote: &str,
) -> Result<(usize, usize)> {
    if quote.is_empty() {
        return Err(Error::Request("--quote is empty".into()));
    }
    let chars = CharIndex::new(text);
    let at = |b: usize| chars.char_of(text, b).unwrap_or(0);
    let hits: Vec<usize> = text.match_indices(quote).map(|(b, _)| at(b)).collect();
    let qlen = quote.chars().count();
    let locate = |pos: usize| {
        let range = crate::corpus::overlapping(passages, base + pos, base + pos + qlen);
        passages[range]
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
                    .map(|(b, m)| format!("{} {:?}", locate(at(b)), &text[b..b + m.len()]))
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
