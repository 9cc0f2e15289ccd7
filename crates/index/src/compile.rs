//! Turning a parsed query and a filter into one tantivy query, prefixes expanded to the
//! words of the live vocabulary.

use std::collections::BTreeSet;

use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, EmptyQuery, ExistsQuery, Occur, PhraseQuery,
    Query as TQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocSet, Term};

use crate::catalogue::Catalogue;
use crate::error::{Error, Result};
use crate::highlight::tokens;
use crate::in_docs::InDocs;
use crate::index::Index;
use crate::language::{analyzer, raw_analyzer};
use crate::phrase::ExactPhrase;
use crate::query::{Node, Query};
use crate::request::Filter;
use crate::schema::field;

/// A prefix standing for more words than this is searched without relevance scores (one
/// set of terms instead of a scored query per word).
const MAX_SCORED_EXPANSION: usize = 512;

impl Index {
    /// The words of the indexed documents that start with `prefix` (lower-cased, as the
    /// analyzer makes words), in order.
    pub(crate) fn words_starting(&self, prefix: &str) -> Result<BTreeSet<String>> {
        let searcher = self.reader.searcher();
        let mut upper = prefix.as_bytes().to_vec();
        // 0xFF never occurs in UTF-8, so [p, p+0xFF) holds exactly the words that start
        // with p.
        upper.push(0xFF);
        let mut words = BTreeSet::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(self.fields.vocab)?;
            let alive = segment.alive_bitset();
            let mut stream = inverted
                .terms()
                .range()
                .ge(prefix.as_bytes())
                .lt(&upper)
                .into_stream()
                .map_err(io)?;
            while stream.advance() {
                let Ok(word) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if words.contains(word) {
                    continue;
                }
                // A word of a deleted document stays in the dictionary until segments
                // merge; it only counts while a live passage has it.
                let live = match alive {
                    None => true,
                    Some(alive) => {
                        let mut postings = inverted
                            .read_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)
                            .map_err(io)?;
                        let mut live = false;
                        while postings.doc() != tantivy::TERMINATED {
                            if alive.is_alive(postings.doc()) {
                                live = true;
                                break;
                            }
                            postings.advance();
                        }
                        live
                    }
                };
                if live {
                    words.insert(word.to_string());
                }
            }
        }
        Ok(words)
    }

    /// The stemmed terms a prefix stands for: the stems of every indexed word that starts
    /// with it.
    pub(crate) fn expand(&self, prefix: &str, stem: &mut TextAnalyzer) -> Result<BTreeSet<String>> {
        let mut stems = BTreeSet::new();
        for word in self.words_starting(prefix)? {
            stems.extend(tokens(stem, &word).into_iter().map(|t| t.0));
        }
        Ok(stems)
    }

    /// Turns a parsed query and a filter into one tantivy query.
    pub(crate) fn compile(
        &self,
        query: &Query,
        filter: &Filter,
        catalogue: &Catalogue,
    ) -> Result<Box<dyn TQuery>> {
        let mut stem = analyzer(self.stemming);
        let mut raw = raw_analyzer();
        let f = &self.fields;
        let within = match catalogue.docs_passing(&filter.doc) {
            Some(docs) if docs.is_empty() => return Ok(Box::new(EmptyQuery)),
            Some(docs) => Some(InDocs::new(f.doc, &docs)),
            None => None,
        };
        let text = self.compile_node(
            &query.root,
            &query.text,
            &mut stem,
            &mut raw,
            within.as_ref(),
        )?;
        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = vec![(Occur::Must, text)];
        // Filters must not change relevance: only the query words score.
        let mut require = |q: Box<dyn TQuery>| {
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0))));
        };
        if let Some(within) = within {
            require(Box::new(within));
        }
        if !filter.doc.speakers.is_empty() {
            require(speakers(f.speaker, &filter.doc.speakers));
        }
        if !filter.codes.is_empty() {
            let terms = filter
                .codes
                .iter()
                .map(|c| Term::from_field_text(f.code, c));
            require(Box::new(TermSetQuery::new(terms)));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    fn compile_node(
        &self,
        node: &Node,
        query: &str,
        stem: &mut TextAnalyzer,
        raw: &mut TextAnalyzer,
        within: Option<&InDocs>,
    ) -> Result<Box<dyn TQuery>> {
        let f = self.fields.text;
        let no_words = |pos: usize, text: &str| Error::Syntax {
            query: query.to_string(),
            position: pos,
            message: format!("`{text}` has no letters or digits to search for"),
            hint: "remove it; search matches words, not punctuation".into(),
        };
        Ok(match node {
            Node::Word { text, pos } | Node::Phrase { text, pos, .. } => {
                let slop = match node {
                    Node::Phrase { slop, .. } => *slop,
                    _ => 0,
                };
                let mut stream = stem.token_stream(text);
                let mut terms: Vec<(usize, Term)> = Vec::new();
                while let Some(t) = stream.next() {
                    terms.push((t.position, Term::from_field_text(f, &t.text)));
                }
                match terms.len() {
                    0 => return Err(no_words(*pos, text)),
                    1 => Box::new(TermQuery::new(
                        terms.remove(0).1,
                        IndexRecordOption::WithFreqs,
                    )),
                    _ if slop == 0 => Box::new(ExactPhrase::new(terms, within.cloned())),
                    _ => Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop)),
                }
            }
            Node::Prefix { text, pos } => {
                let words = tokens(raw, text);
                if words.len() != 1 {
                    return Err(if words.is_empty() {
                        no_words(*pos, text)
                    } else {
                        Error::Syntax {
                            query: query.to_string(),
                            position: *pos,
                            message: format!("`{text}*` is more than one word"),
                            hint: "a prefix is one word, as in coordinat*".into(),
                        }
                    });
                }
                let stems = self.expand(&words[0].0, stem)?;
                let terms = stems.iter().map(|s| Term::from_field_text(f, s));
                match stems.len() {
                    0 => Box::new(EmptyQuery),
                    n if n > MAX_SCORED_EXPANSION => Box::new(TermSetQuery::new(terms)),
                    _ => Box::new(BooleanQuery::new(
                        terms
                            .map(|t| {
                                let q: Box<dyn TQuery> =
                                    Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs));
                                (Occur::Should, q)
                            })
                            .collect(),
                    )),
                }
            }
            Node::And(items) => {
                let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
                for i in items {
                    match i {
                        Node::Not(inner) => clauses.push((
                            Occur::MustNot,
                            self.compile_node(inner, query, stem, raw, within)?,
                        )),
                        _ => clauses
                            .push((Occur::Must, self.compile_node(i, query, stem, raw, within)?)),
                    }
                }
                if !clauses.iter().any(|c| c.0 == Occur::Must) {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Node::Or(items) => {
                let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
                for i in items {
                    clauses.push((
                        Occur::Should,
                        self.compile_node(i, query, stem, raw, within)?,
                    ));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Node::Not(inner) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery)),
                (
                    Occur::MustNot,
                    self.compile_node(inner, query, stem, raw, within)?,
                ),
            ])),
        })
    }
}

/// Passages of any of `speakers`; `None` stands for passages without a speaker, which
/// have no value in the speaker field.
fn speakers(speaker: Field, speakers: &[Option<String>]) -> Box<dyn TQuery> {
    let named: Vec<Term> = speakers
        .iter()
        .flatten()
        .map(|s| Term::from_field_text(speaker, s))
        .collect();
    let named: Box<dyn TQuery> = Box::new(TermSetQuery::new(named));
    if speakers.iter().all(Option::is_some) {
        return named;
    }
    let unnamed: Box<dyn TQuery> = Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(AllQuery)),
        (
            Occur::MustNot,
            Box::new(ExistsQuery::new(field::SPEAKER.to_string(), false)),
        ),
    ]));
    Box::new(BooleanQuery::new(vec![
        (Occur::Should, named),
        (Occur::Should, unnamed),
    ]))
}

fn io(e: std::io::Error) -> Error {
    Error::Tantivy(e.to_string())
}
