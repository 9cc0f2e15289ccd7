//! The tantivy index of a project's passages: schema, writing, searching, grouping.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use ambit_core::{Date, DocId, DocKind, PassageId};
use serde::Serialize;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::{Column, StrColumn};
use tantivy::indexer::UserOperation;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query as TQuery,
    TermQuery, TermSetQuery,
};
use tantivy::schema::{
    Field, FieldType, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED,
    STRING,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocSet, IndexReader, ReloadPolicy, Score, SegmentReader, TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::highlight::{tokens, Needles};
use crate::language::{analyzer, index_value, raw_analyzer, register, Stemming, VOCAB_TOKENIZER};
use crate::query::{Node, Query};

/// Bumped when the schema changes; an index of another version is rebuilt, not read.
pub const SCHEMA_VERSION: u32 = 3;

/// Memory each indexing thread may fill before it writes a segment. tantivy needs at
/// least 15 MB per thread; larger budgets mean fewer segments to search and merge.
const HEAP_PER_THREAD: usize = 128 << 20;

/// A prefix standing for more words than this is searched without relevance scores (one
/// set of terms instead of a scored query per word).
const MAX_SCORED_EXPANSION: usize = 512;

/// One passage as the index sees it: its words, speaker and codes. Everything about its
/// document (title, kind, phase, date, attributes) lives in the [`Catalogue`] instead, so
/// it is indexed once per document rather than once per passage, and a timeline edit
/// needs no re-indexing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// `D7:12`.
    pub passage: PassageId,
    /// The passage text.
    pub text: &'a str,
    /// Speaker of a transcript turn.
    pub speaker: Option<&'a str>,
    /// Codes on the passage, with their ancestors.
    pub codes: &'a [String],
}

/// What search needs to know about a document: filters, `--by` groups and the timeline
/// order come from here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocInfo {
    /// Kind of the document.
    pub kind: DocKind,
    /// Phase id (or `unphased`).
    pub phase: String,
    /// Position of the phase on the timeline (unphased: after every phase); sorts hits.
    pub phase_order: u32,
    /// Document date.
    pub date: Option<Date>,
    /// Document attributes.
    pub attributes: BTreeMap<String, String>,
}

/// The documents of the project as search sees them, read from the store for each search.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    docs: HashMap<DocId, DocInfo>,
}

impl Catalogue {
    /// Adds (or replaces) a document.
    pub fn insert(&mut self, id: DocId, info: DocInfo) {
        self.docs.insert(id, info);
    }

    /// A document's information.
    pub fn get(&self, id: DocId) -> Option<&DocInfo> {
        self.docs.get(&id)
    }

    /// Where a passage of `doc` sits on the timeline: phase order, then date (undated
    /// documents first within their phase, as in the tables), then document and passage.
    fn timeline_key(&self, p: PassageId) -> (u32, u64, u32, u32) {
        let (order, date) = self
            .docs
            .get(&p.doc)
            .map_or((u32::MAX, 0), |d| (d.phase_order, date_key(d.date)));
        (order, date, p.doc.0, p.ordinal)
    }

    /// The documents that pass the document-level parts of a filter (phase, kind,
    /// attributes, document ids); `None` when the filter has none.
    fn docs_passing(&self, f: &Filter) -> Option<Vec<u64>> {
        if f.phases.is_empty() && f.kinds.is_empty() && f.attrs.is_empty() && f.docs.is_empty() {
            return None;
        }
        let mut by_key: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (k, v) in &f.attrs {
            by_key.entry(k).or_default().push(v);
        }
        let mut ids: Vec<u64> = self
            .docs
            .iter()
            .filter(|(id, d)| {
                (f.docs.is_empty() || f.docs.contains(id))
                    && (f.phases.is_empty() || f.phases.contains(&d.phase))
                    && (f.kinds.is_empty() || f.kinds.contains(&d.kind))
                    && by_key.iter().all(|(k, values)| {
                        d.attributes
                            .get(*k)
                            .is_some_and(|v| values.contains(&v.as_str()))
                    })
            })
            .map(|(id, _)| u64::from(id.0))
            .collect();
        ids.sort_unstable();
        Some(ids)
    }
}

/// What hits must satisfy besides the query. Empty lists mean "any"; values within one
/// list are alternatives (OR); different lists all apply (AND). Attributes with the same
/// key are alternatives, different keys all apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Phase ids (or `unphased`).
    pub phases: Vec<String>,
    /// Document kinds.
    pub kinds: Vec<DocKind>,
    /// Speakers, exactly as in the transcript.
    pub speakers: Vec<String>,
    /// Documents.
    pub docs: Vec<DocId>,
    /// `(key, value)` document attributes.
    pub attrs: Vec<(String, String)>,
    /// Codes (a code matches its descendants' passages too, since ancestors are indexed).
    pub codes: Vec<String>,
}

/// The order of hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first (BM25).
    #[default]
    Relevance,
    /// Along the timeline: phase order, date, document, passage.
    Time,
}

/// What `--by` groups matching passages by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupBy {
    /// Phase id.
    Phase,
    /// Document kind.
    Kind,
    /// Speaker.
    Speaker,
    /// Document.
    Doc,
    /// The value of one document attribute.
    Attr(String),
}

/// Matching passages and documents in one group; `key` is `None` for passages without a
/// value (no speaker, attribute not set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// The group's value.
    pub key: Option<String>,
    /// Matching passages.
    pub passages: u64,
    /// Documents with at least one matching passage.
    pub docs: u64,
}

/// One matching passage and its relevance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Found {
    /// The passage.
    pub passage: PassageId,
    /// BM25 relevance.
    pub score: f32,
}

/// Finds the words a query matched in a passage text.
pub struct Highlighter {
    analyzer: TextAnalyzer,
    needles: Needles,
}

impl Highlighter {
    /// The matched ranges as `[start, end]` character offsets within `text`, sorted and
    /// not overlapping.
    pub fn ranges(&mut self, text: &str) -> Vec<[usize; 2]> {
        self.needles
            .ranges(&mut self.analyzer, text)
            .into_iter()
            .map(|(a, b)| [a, b])
            .collect()
    }
}

#[derive(Clone, Copy)]
struct Fields {
    doc: Field,
    ordinal: Field,
    text: Field,
    vocab: Field,
    speaker: Field,
    code: Field,
}

fn schema(stemming: Stemming) -> Schema {
    let mut b = Schema::builder();
    // Nothing is stored: hits are passage ids, and their texts come from the project
    // store. The doc store took a fifth of the indexing time.
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(&stemming.tokenizer_name())
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    // Every word of each document once, unstemmed: prefix queries find their words here.
    // It must come after `text` (see `language::VocabTokenizer`).
    let vocab = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(VOCAB_TOKENIZER)
            .set_index_option(IndexRecordOption::Basic),
    );
    b.add_u64_field("doc", INDEXED | FAST);
    b.add_u64_field("ordinal", FAST);
    b.add_text_field("text", text);
    b.add_text_field("vocab", vocab);
    b.add_text_field("speaker", STRING | FAST);
    b.add_text_field("code", STRING);
    b.build()
}

fn fields(schema: &Schema) -> tantivy::Result<Fields> {
    let f = |n: &str| schema.get_field(n);
    let fields = Fields {
        doc: f("doc")?,
        ordinal: f("ordinal")?,
        text: f("text")?,
        vocab: f("vocab")?,
        speaker: f("speaker")?,
        code: f("code")?,
    };
    if fields.vocab.field_id() < fields.text.field_id() {
        return Err(tantivy::TantivyError::SchemaError(
            "the vocabulary field precedes the text field".into(),
        ));
    }
    Ok(fields)
}

fn date_key(d: Option<Date>) -> u64 {
    // Documents without a date sort first within their phase, as in `Corpus::timeline_key`.
    d.map_or(0, |d| {
        u64::from(d.year()) * 10_000 + u64::from(d.month()) * 100 + u64::from(d.day())
    })
}

/// What a commit records, as its payload: the schema and the store revision.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Payload {
    schema: u32,
    revision: u64,
}

/// A full-text index of passages, on disk or in memory.
pub struct Index {
    index: tantivy::Index,
    reader: IndexReader,
    fields: Fields,
    stemming: Stemming,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("path", &self.path)
            .field("stemming", &self.stemming)
            .finish()
    }
}

impl Index {
    /// Creates an empty index in `dir` (made when missing; it must not hold an index).
    pub fn create(dir: &Path, stemming: Stemming) -> Result<Index> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let index = tantivy::Index::create_in_dir(dir, schema(stemming))?;
        Index::wrap(index, Some(dir.to_path_buf()))
    }

    /// Creates an empty index in memory (tests, one-off analyses).
    pub fn create_in_ram(stemming: Stemming) -> Result<Index> {
        Index::wrap(tantivy::Index::create_in_ram(schema(stemming)), None)
    }

    /// Opens the index in `dir`. Anything unreadable is [`Error::Corrupt`]: the caller
    /// rebuilds it from the store.
    pub fn open(dir: &Path) -> Result<Index> {
        let corrupt = |message: String| Error::Corrupt {
            path: dir.to_path_buf(),
            message,
        };
        let index = tantivy::Index::open_in_dir(dir).map_err(|e| corrupt(e.to_string()))?;
        Index::wrap(index, Some(dir.to_path_buf())).map_err(|e| match e {
            Error::Tantivy(m) => corrupt(m),
            other => other,
        })
    }

    fn wrap(index: tantivy::Index, path: Option<PathBuf>) -> Result<Index> {
        register(index.tokenizers());
        let schema = index.schema();
        let fields = fields(&schema).map_err(|_| {
            Error::Tantivy("its fields are those of another version of Ambit".into())
        })?;
        let stemming = match schema.get_field_entry(fields.text).field_type() {
            FieldType::Str(opts) => opts
                .get_indexing_options()
                .and_then(|i| Stemming::from_tokenizer_name(i.tokenizer())),
            _ => None,
        }
        .ok_or_else(|| Error::Tantivy("the text field has no Ambit tokenizer".into()))?;
        // Opening the reader opens every segment, so missing or truncated files show up
        // here rather than halfway through a search.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Index {
            index,
            reader,
            fields,
            stemming,
            path,
        })
    }

    /// The stemming the index was built with.
    pub fn stemming(&self) -> Stemming {
        self.stemming
    }

    /// The store revision recorded by the last commit; `None` for an index that was never
    /// committed or was written with another schema version (both mean: rebuild).
    pub fn revision(&self) -> Result<Option<u64>> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .and_then(|p| serde_json::from_str::<Payload>(&p).ok())
            .filter(|p| p.schema == SCHEMA_VERSION)
            .map(|p| p.revision))
    }

    /// Number of passages in the index.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index holds no passage.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A writer using every core; nothing is visible until [`Writer::commit`].
    pub fn writer(&self) -> Result<Writer<'_>> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let writer = self
            .index
            .writer_with_num_threads(threads, threads * HEAP_PER_THREAD)?;
        Ok(Writer {
            index: self,
            writer,
            pending: Vec::with_capacity(BATCH),
            value: String::new(),
        })
    }

    /// The words of the indexed documents that start with `prefix` (lower-cased, as the
    /// analyzer makes words), in order.
    fn words_starting(&self, prefix: &str) -> Result<BTreeSet<String>> {
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
    fn expand(&self, prefix: &str, stem: &mut TextAnalyzer) -> Result<BTreeSet<String>> {
        let mut stems = BTreeSet::new();
        for word in self.words_starting(prefix)? {
            stems.extend(tokens(stem, &word).into_iter().map(|t| t.0));
        }
        Ok(stems)
    }

    /// Turns a parsed query and a filter into one tantivy query.
    fn compile(
        &self,
        query: &Query,
        filter: &Filter,
        catalogue: &Catalogue,
    ) -> Result<Box<dyn TQuery>> {
        let mut stem = analyzer(self.stemming);
        let mut raw = raw_analyzer();
        let text = self.compile_node(&query.root, &query.text, &mut stem, &mut raw)?;
        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = vec![(Occur::Must, text)];
        let f = &self.fields;
        // Filters must not change relevance: only the query words score.
        let mut any_of = |terms: Vec<Term>| {
            if !terms.is_empty() {
                let q = ConstScoreQuery::new(Box::new(TermSetQuery::new(terms)), 0.0);
                clauses.push((Occur::Must, Box::new(q)));
            }
        };
        if let Some(docs) = catalogue.docs_passing(filter) {
            if docs.is_empty() {
                return Ok(Box::new(EmptyQuery));
            }
            any_of(
                docs.into_iter()
                    .map(|d| Term::from_field_u64(f.doc, d))
                    .collect(),
            );
        }
        let str_terms = |field: Field, values: &[String]| -> Vec<Term> {
            values
                .iter()
                .map(|v| Term::from_field_text(field, v))
                .collect()
        };
        any_of(str_terms(f.speaker, &filter.speakers));
        any_of(str_terms(f.code, &filter.codes));
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    fn compile_node(
        &self,
        node: &Node,
        query: &str,
        stem: &mut TextAnalyzer,
        raw: &mut TextAnalyzer,
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
                        Node::Not(inner) => clauses
                            .push((Occur::MustNot, self.compile_node(inner, query, stem, raw)?)),
                        _ => clauses.push((Occur::Must, self.compile_node(i, query, stem, raw)?)),
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
                    clauses.push((Occur::Should, self.compile_node(i, query, stem, raw)?));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Node::Not(inner) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery)),
                (Occur::MustNot, self.compile_node(inner, query, stem, raw)?),
            ])),
        })
    }

    /// Checks that a query's words are searchable (a syntax error otherwise) without
    /// running it.
    pub fn check(&self, query: &Query) -> Result<()> {
        self.compile(query, &Filter::default(), &Catalogue::default())
            .map(|_| ())
    }

    /// Number of passages matching.
    pub fn count(&self, query: &Query, filter: &Filter, catalogue: &Catalogue) -> Result<u64> {
        let q = self.compile(query, filter, catalogue)?;
        Ok(self.reader.searcher().search(&q, &Count)? as u64)
    }

    /// Matching passages, in the given order, at most `limit` of them (`None`: all).
    pub fn search(
        &self,
        query: &Query,
        filter: &Filter,
        catalogue: &Catalogue,
        sort: Sort,
        limit: Option<usize>,
    ) -> Result<Vec<Found>> {
        let q = self.compile(query, filter, catalogue)?;
        let searcher = self.reader.searcher();
        Ok(match sort {
            Sort::Relevance => {
                let n = match limit {
                    Some(n) => n,
                    None => searcher.search(&q, &Count)?,
                };
                if n == 0 {
                    return Ok(Vec::new());
                }
                let top = searcher.search(&q, &TopDocs::with_limit(n))?;
                let mut columns: HashMap<u32, [Column<u64>; 2]> = HashMap::new();
                let mut out = Vec::with_capacity(top.len());
                for (score, addr) in top {
                    let cols = match columns.entry(addr.segment_ord) {
                        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                        std::collections::hash_map::Entry::Vacant(e) => {
                            let ff = searcher.segment_reader(addr.segment_ord).fast_fields();
                            e.insert([ff.u64("doc")?, ff.u64("ordinal")?])
                        }
                    };
                    out.push(Found {
                        passage: passage_at(cols, addr.doc_id),
                        score,
                    });
                }
                out
            }
            Sort::Time => {
                let mut all = searcher.search(&q, &PassageCollector)?;
                all.sort_by_cached_key(|f| catalogue.timeline_key(f.passage));
                all.truncate(limit.unwrap_or(usize::MAX));
                all
            }
        })
    }

    /// Finds the words `query` matched in passage texts, for highlighting.
    pub fn highlighter(&self, query: &Query) -> Result<Highlighter> {
        let mut stem = analyzer(self.stemming);
        let mut raw = raw_analyzer();
        let mut failed = None;
        let needles = Needles::of(
            &query.root,
            &mut stem,
            &mut raw,
            &mut |prefix, stem| match self.expand(prefix, stem) {
                Ok(s) => s.into_iter().collect(),
                Err(e) => {
                    failed = Some(e);
                    Vec::new()
                }
            },
        );
        if let Some(e) = failed {
            return Err(e);
        }
        Ok(Highlighter {
            analyzer: stem,
            needles,
        })
    }

    /// Matching passages and documents per group, in the groups' natural order (`None`
    /// first, then by value; documents by number). Groups without a match are absent:
    /// the caller knows which groups exist and keeps them as zero rows.
    pub fn group(
        &self,
        query: &Query,
        filter: &Filter,
        catalogue: &Catalogue,
        by: &GroupBy,
    ) -> Result<Vec<Group>> {
        let q = self.compile(query, filter, catalogue)?;
        let searcher = self.reader.searcher();
        let mut groups: BTreeMap<Option<String>, (u64, BTreeSet<u64>)> = BTreeMap::new();
        if *by == GroupBy::Speaker {
            groups = searcher.search(&q, &SpeakerCollector)?;
        } else {
            let per_doc = searcher.search(&q, &DocCollector)?;
            for (doc, passages) in per_doc {
                let info = catalogue.get(DocId(doc as u32));
                let key = match by {
                    GroupBy::Phase => info.map(|d| d.phase.clone()),
                    GroupBy::Kind => info.map(|d| d.kind.as_str().to_string()),
                    GroupBy::Attr(name) => info.and_then(|d| d.attributes.get(name).cloned()),
                    GroupBy::Doc | GroupBy::Speaker => Some(format!("D{doc}")),
                };
                let e = groups.entry(key).or_default();
                e.0 += passages;
                e.1.insert(doc);
            }
        }
        let mut out: Vec<(Option<String>, Group)> = groups
            .into_iter()
            .map(|(key, (passages, docs))| {
                let group = Group {
                    key: key.clone(),
                    passages,
                    docs: docs.len() as u64,
                };
                (key, group)
            })
            .collect();
        if *by == GroupBy::Doc {
            let num = |k: &Option<String>| {
                k.as_deref()
                    .and_then(|s| s.strip_prefix('D'))
                    .and_then(|s| s.parse::<u64>().ok())
            };
            out.sort_by_key(|(k, _)| num(k));
        }
        Ok(out.into_iter().map(|(_, g)| g).collect())
    }
}

fn io(e: std::io::Error) -> Error {
    Error::Tantivy(e.to_string())
}

fn passage_at(cols: &[Column<u64>; 2], doc: u32) -> PassageId {
    let v = |i: usize| cols[i].first(doc).unwrap_or(0) as u32;
    PassageId {
        doc: DocId(v(0)),
        ordinal: v(1),
    }
}

/// Operations handed to tantivy's indexing threads at once: one channel message and one
/// segment per batch instead of per passage (the sending thread's share of the CPU, which
/// on two cores the indexing threads miss, fell by a third).
const BATCH: usize = 8;

/// Adds and deletes passages; one commit makes a batch visible at once.
pub struct Writer<'a> {
    index: &'a Index,
    writer: tantivy::IndexWriter<TantivyDocument>,
    /// Queued adds and deletes, in order.
    pending: Vec<UserOperation>,
    /// Reused for each passage's text value.
    value: String,
}

impl Writer<'_> {
    /// Queues a passage. Tokenizing happens on the writer's threads.
    pub fn add(&mut self, r: &Record<'_>) -> Result<()> {
        let f = &self.index.fields;
        let doc = r.passage.doc.0;
        // Room for the text and the small fields, so the document is not grown.
        let mut d = TantivyDocument::with_capacity(r.text.len() + 128);
        d.add_u64(f.doc, u64::from(doc));
        d.add_u64(f.ordinal, u64::from(r.passage.ordinal));
        index_value(doc, r.text, &mut self.value);
        d.add_text(f.text, &self.value);
        // Its words come from the text field's analyzer; the value is not read.
        d.add_text(f.vocab, "");
        if let Some(s) = r.speaker {
            d.add_text(f.speaker, s);
        }
        for c in r.codes {
            d.add_text(f.code, c);
        }
        self.pending.push(UserOperation::Add(d));
        if self.pending.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if !self.pending.is_empty() {
            self.writer.run(self.pending.drain(..))?;
        }
        Ok(())
    }

    /// Removes every passage of a document (before re-adding its new version).
    pub fn delete_doc(&mut self, doc: DocId) {
        self.pending
            .push(UserOperation::Delete(Term::from_field_u64(
                self.index.fields.doc,
                u64::from(doc.0),
            )));
    }

    /// Removes every passage.
    pub fn delete_all(&mut self) -> Result<()> {
        self.flush()?;
        self.writer.delete_all_documents()?;
        Ok(())
    }

    /// Commits everything queued, recording the store revision it reflects, and waits
    /// for segment merges so the next process finds a compact index.
    pub fn commit(mut self, revision: u64) -> Result<()> {
        let payload = serde_json::to_string(&Payload {
            schema: SCHEMA_VERSION,
            revision,
        })
        .map_err(|e| Error::Tantivy(e.to_string()))?;
        self.flush()?;
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.writer.wait_merging_threads()?;
        self.index.reader.reload()?;
        Ok(())
    }
}

/// Collects every match: passage id and score.
struct PassageCollector;

struct PassageSegment {
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
            cols: [ff.u64("doc")?, ff.u64("ordinal")?],
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

/// Counts matching passages per document.
struct DocCollector;

struct DocSegment {
    doc: Column<u64>,
    counts: HashMap<u64, u64>,
}

impl Collector for DocCollector {
    type Fruit = HashMap<u64, u64>;
    type Child = DocSegment;

    fn for_segment(&self, _segment: u32, reader: &SegmentReader) -> tantivy::Result<DocSegment> {
        Ok(DocSegment {
            doc: reader.fast_fields().u64("doc")?,
            counts: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<u64, u64>>) -> tantivy::Result<HashMap<u64, u64>> {
        let mut all = HashMap::new();
        for fruit in fruits {
            for (doc, n) in fruit {
                *all.entry(doc).or_default() += n;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for DocSegment {
    type Fruit = HashMap<u64, u64>;

    fn collect(&mut self, doc: u32, _score: Score) {
        *self
            .counts
            .entry(self.doc.first(doc).unwrap_or(0))
            .or_default() += 1;
    }

    fn harvest(self) -> HashMap<u64, u64> {
        self.counts
    }
}

/// Counts matches per speaker: passages, and the set of documents.
struct SpeakerCollector;

type GroupFruit = BTreeMap<Option<String>, (u64, BTreeSet<u64>)>;

struct SpeakerSegment {
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
            .str("speaker")?
            .ok_or_else(|| tantivy::TantivyError::SchemaError("no fast column speaker".into()))?;
        Ok(SpeakerSegment {
            speaker,
            doc: ff.u64("doc")?,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// (doc, ordinal, phase, phase order, speaker, text, codes)
    type Row = (
        u32,
        u32,
        &'static str,
        u32,
        &'static str,
        &'static str,
        &'static [&'static str],
    );
    const ROWS: &[Row] = &[
        (
            1,
            1,
            "I1",
            1,
            "Kari",
            "We order spare parts by phone.",
            &["kb", "kb.semantic"],
        ),
        (
            1,
            2,
            "I1",
            1,
            "Åsa",
            "The map of the process helps coordination.",
            &[],
        ),
        (
            2,
            1,
            "baseline",
            0,
            "Kari",
            "Orders get lost in e-mail.",
            &["kb"],
        ),
        (
            3,
            1,
            "unphased",
            u32::MAX,
            "",
            "Työ jatkuu: coordinating the orders.",
            &[],
        ),
    ];

    fn index() -> (Index, Catalogue) {
        let ix = Index::create_in_ram(Stemming::for_language("en").unwrap()).unwrap();
        let mut w = ix.writer().unwrap();
        let mut cat = Catalogue::default();
        for &(doc, ordinal, phase, order, speaker, text, codes) in ROWS {
            let codes: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
            w.add(&Record {
                passage: PassageId {
                    doc: DocId(doc),
                    ordinal,
                },
                text,
                speaker: (!speaker.is_empty()).then_some(speaker),
                codes: &codes,
            })
            .unwrap();
            cat.insert(
                DocId(doc),
                DocInfo {
                    kind: if doc == 2 {
                        DocKind::Interview
                    } else {
                        DocKind::Workshop
                    },
                    phase: phase.into(),
                    phase_order: order,
                    date: None,
                    attributes: [("org".to_string(), format!("o{}", doc % 2))].into(),
                },
            );
        }
        w.commit(3).unwrap();
        (ix, cat)
    }

    fn check(query: &str, filter: Filter, sort: Sort, expected: &[&str]) {
        let (ix, cat) = index();
        let q = Query::parse(query).unwrap();
        let got: Vec<String> = ix
            .search(&q, &filter, &cat, sort, None)
            .unwrap()
            .into_iter()
            .map(|h| h.passage.to_string())
            .collect();
        let mut got_sorted = got.clone();
        if sort == Sort::Relevance {
            got_sorted.sort();
        }
        assert_eq!(got_sorted, expected, "{query:?}");
        assert_eq!(ix.count(&q, &filter, &cat).unwrap(), got.len() as u64);
    }

    #[test]
    fn searches_and_filters() {
        let all = Filter::default;
        check("order", all(), Sort::Relevance, &["D1:1", "D2:1", "D3:1"]);
        check("order", all(), Sort::Time, &["D2:1", "D1:1", "D3:1"]);
        check("coordinat*", all(), Sort::Time, &["D1:2", "D3:1"]);
        check("työ", all(), Sort::Time, &["D3:1"]);
        check("NOT order", all(), Sort::Time, &["D1:2"]);
        let f = |phases: &[&str], speakers: &[&str], codes: &[&str]| Filter {
            phases: phases.iter().map(|s| s.to_string()).collect(),
            speakers: speakers.iter().map(|s| s.to_string()).collect(),
            codes: codes.iter().map(|s| s.to_string()).collect(),
            ..Filter::default()
        };
        check(
            "order",
            f(&["I1", "baseline"], &[], &[]),
            Sort::Time,
            &["D2:1", "D1:1"],
        );
        check(
            "order",
            f(&[], &["Kari"], &[]),
            Sort::Time,
            &["D2:1", "D1:1"],
        );
        check("order", f(&[], &[], &["kb"]), Sort::Time, &["D2:1", "D1:1"]);
        check(
            "order",
            f(&["I1"], &[], &["kb.semantic"]),
            Sort::Time,
            &["D1:1"],
        );
        let attrs = Filter {
            attrs: vec![("org".into(), "o1".into())],
            kinds: vec![DocKind::Workshop],
            ..Filter::default()
        };
        check("order OR map", attrs, Sort::Time, &["D1:1", "D1:2", "D3:1"]);
    }

    #[test]
    fn groups() {
        let (ix, cat) = index();
        let q = Query::parse("order OR map").unwrap();
        let show = |by: GroupBy| -> Vec<(Option<String>, u64, u64)> {
            ix.group(&q, &Filter::default(), &cat, &by)
                .unwrap()
                .into_iter()
                .map(|g| (g.key, g.passages, g.docs))
                .collect()
        };
        let s = |x: &str| Some(x.to_string());
        assert_eq!(
            show(GroupBy::Phase),
            [
                (s("I1"), 2, 1),
                (s("baseline"), 1, 1),
                (s("unphased"), 1, 1)
            ]
        );
        assert_eq!(
            show(GroupBy::Speaker),
            [(None, 1, 1), (s("Kari"), 2, 2), (s("Åsa"), 1, 1)]
        );
        assert_eq!(
            show(GroupBy::Doc),
            [(s("D1"), 2, 1), (s("D2"), 1, 1), (s("D3"), 1, 1)]
        );
        assert_eq!(
            show(GroupBy::Attr("org".into())),
            [(s("o0"), 1, 1), (s("o1"), 3, 2)]
        );
    }

    #[test]
    fn replaces_a_document() {
        let (ix, cat) = index();
        let mut w = ix.writer().unwrap();
        w.delete_doc(DocId(1));
        w.commit(4).unwrap();
        assert_eq!(ix.len(), 2);
        assert_eq!(ix.revision().unwrap(), Some(4));
        // Its words are gone from prefix searches too, though still in the dictionary.
        let q = Query::parse("coordinat*").unwrap();
        let hits = ix
            .search(&q, &Filter::default(), &cat, Sort::Time, None)
            .unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].passage.to_string(), "D3:1");
        assert!(ix.words_starting("map").unwrap().is_empty());
    }

    #[test]
    fn an_index_of_another_schema_is_corrupt_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Schema::builder();
        b.add_text_field("text", STRING);
        drop(tantivy::Index::create_in_dir(dir.path(), b.build()).unwrap());
        match Index::open(dir.path()) {
            Err(Error::Corrupt { message, .. }) => {
                assert!(message.contains("another version of Ambit"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn vocabulary_holds_each_documents_words() {
        let (ix, _) = index();
        let words: Vec<String> = ix.words_starting("").unwrap().into_iter().collect();
        for w in [
            "coordination",
            "coordinating",
            "orders",
            "order",
            "työ",
            "e",
            "mail",
        ] {
            assert!(words.contains(&w.to_string()), "{w} in {words:?}");
        }
        assert!(
            !words.contains(&"coordin".to_string()),
            "stems are not words"
        );
        assert_eq!(
            ix.words_starting("or")
                .unwrap()
                .into_iter()
                .collect::<Vec<_>>(),
            ["order", "orders"]
        );
    }

    #[test]
    fn prefixes_stand_for_their_words() {
        let all = Filter::default;
        // "universit*" must find "university", whose stem "univers" does not start with it,
        // and "ski*" "skies" (stem "sky").
        let ix = Index::create_in_ram(Stemming::for_language("en").unwrap()).unwrap();
        let mut w = ix.writer().unwrap();
        for (i, text) in ["The university network", "a universe", "skies and skiing"]
            .iter()
            .enumerate()
        {
            w.add(&Record {
                passage: PassageId {
                    doc: DocId(i as u32 + 1),
                    ordinal: 1,
                },
                text,
                speaker: None,
                codes: &[],
            })
            .unwrap();
        }
        w.commit(1).unwrap();
        let cat = Catalogue::default();
        let found = |q: &str| -> Vec<String> {
            let q = Query::parse(q).unwrap();
            ix.search(&q, &all(), &cat, Sort::Time, None)
                .unwrap()
                .into_iter()
                .map(|f| f.passage.to_string())
                .collect()
        };
        // Stemming makes "university" and "universe" one word ("univers"); a prefix finds
        // what its words find, no more, no less.
        assert_eq!(found("universit*"), ["D1:1", "D2:1"]);
        assert_eq!(found("universit*"), found("university"));
        assert_eq!(found("universe*"), found("universe"));
        assert_eq!(found("ski*"), ["D3:1"]);
        assert_eq!(found("zzz*"), Vec::<String>::new());
        assert_eq!(found("NOT zzz*").len(), 3);
        let mut h = ix
            .highlighter(&Query::parse("universit*").unwrap())
            .unwrap();
        assert_eq!(h.ranges("The university network"), [[4, 14]]);
    }

    const WORDS: &[&str] = &[
        "order",
        "orders",
        "ordered",
        "ordinal",
        "organ",
        "organization",
        "organisations",
        "työ",
        "työtä",
        "tyyppi",
        "coordination",
        "coordinate",
        "cooperation",
        "university",
        "universe",
        "sky",
        "skies",
        "skiing",
        "Åsa",
        "åsa's",
        "e-mail",
        "x1",
        "x10",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        /// A prefix finds exactly what searching each live word that starts with it finds,
        /// after documents were deleted and re-added over several commits.
        #[test]
        fn prefix_is_the_union_of_its_words(
            docs in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::collection::vec(0..WORDS.len(), 1..8), 1..6),
                1..8),
            deleted in proptest::collection::vec(0usize..8, 0..4),
            prefix in "(o|or|ord|org|organi|t|ty|työ|co|coo|u|univers|universit|s|sk|ski|å|x|x1|e)",
        ) {
            let ix = Index::create_in_ram(Stemming::for_language("en").unwrap()).unwrap();
            let text = |p: &Vec<usize>| -> String {
                p.iter().map(|&w| WORDS[w]).collect::<Vec<_>>().join(" ")
            };
            let mut live: BTreeMap<u32, Vec<String>> = BTreeMap::new();
            let mut w = ix.writer().unwrap();
            for (d, passages) in docs.iter().enumerate() {
                let d = d as u32 + 1;
                for (o, p) in passages.iter().enumerate() {
                    let t = text(p);
                    w.add(&Record {
                        passage: PassageId { doc: DocId(d), ordinal: o as u32 + 1 },
                        text: &t,
                        speaker: None,
                        codes: &[],
                    }).unwrap();
                }
                live.insert(d, passages.iter().map(text).collect());
            }
            w.commit(1).unwrap();
            // Delete some documents and put one back shorter, in a second commit.
            let mut w = ix.writer().unwrap();
            for &d in &deleted {
                let d = d as u32 + 1;
                w.delete_doc(DocId(d));
                live.remove(&d);
            }
            if let Some(&d) = deleted.first() {
                let d = d as u32 + 1;
                if let Some(first) = docs.get(d as usize - 1).and_then(|p| p.first()) {
                    let t = text(first);
                    w.add(&Record {
                        passage: PassageId { doc: DocId(d), ordinal: 1 },
                        text: &t,
                        speaker: None,
                        codes: &[],
                    }).unwrap();
                    live.insert(d, vec![t]);
                }
            }
            w.commit(2).unwrap();
            let cat = Catalogue::default();
            let found = |q: &str| -> BTreeSet<String> {
                ix.search(&Query::parse(q).unwrap(), &Filter::default(), &cat, Sort::Time, None)
                    .unwrap()
                    .into_iter()
                    .map(|f| f.passage.to_string())
                    .collect()
            };
            // The live words starting with the prefix, as the analyzer splits and lowers them.
            let mut raw = raw_analyzer();
            let mut words = BTreeSet::new();
            for texts in live.values() {
                for t in texts {
                    for (word, _, _) in tokens(&mut raw, t) {
                        if word.starts_with(prefix.as_str()) {
                            words.insert(word);
                        }
                    }
                }
            }
            proptest::prop_assert_eq!(ix.words_starting(&prefix).unwrap(), words.clone());
            let mut union = BTreeSet::new();
            for word in &words {
                union.extend(found(word));
            }
            proptest::prop_assert_eq!(found(&format!("{prefix}*")), union);
        }
    }
}
