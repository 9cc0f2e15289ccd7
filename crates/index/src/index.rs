//! The tantivy index of a project's passages: schema, writing, searching, grouping.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::path::{Path, PathBuf};

use ambit_core::{Date, DocId, DocKind, PassageId};
use serde::Serialize;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, InvertedIndexRangeQuery, Occur, PhraseQuery,
    Query as TQuery, TermQuery,
};
use tantivy::schema::{
    Field, FieldType, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST,
    INDEXED, STORED, STRING,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, IndexReader, ReloadPolicy, Score, SegmentReader, TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::highlight::{tokens, Needles};
use crate::language::{analyzer, raw_analyzer, register, Stemming, RAW_TOKENIZER};
use crate::query::{Node, Query};

/// Bumped when the schema changes; an index of another version is rebuilt, not read.
pub const SCHEMA_VERSION: u32 = 2;

/// Memory each indexing thread may fill before it writes a segment. tantivy needs at
/// least 15 MB per thread; larger budgets mean fewer segments to search and merge.
const HEAP_PER_THREAD: usize = 128 << 20;

/// One passage as the index sees it: everything search filters, sorts, groups or shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// `D7:12`.
    pub passage: PassageId,
    /// Document title.
    pub title: String,
    /// The passage text.
    pub text: String,
    /// Start of the passage in the document, in characters.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// Speaker of a transcript turn.
    pub speaker: Option<String>,
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
    /// Codes on the passage, with their ancestors.
    pub codes: Vec<String>,
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

/// One matching passage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// `D7:12`.
    pub passage: String,
    /// `D7`.
    pub doc: String,
    /// Document title.
    pub title: String,
    /// Phase id.
    pub phase: String,
    /// Document date.
    pub date: Option<String>,
    /// Document kind.
    pub kind: String,
    /// Speaker.
    pub speaker: Option<String>,
    /// Start of the passage in the document (characters).
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// The passage text.
    pub text: String,
    /// BM25 relevance.
    pub score: f32,
    /// Matched ranges as `[start, end]` character offsets within `text`.
    pub highlights: Vec<[usize; 2]>,
}

#[derive(Clone, Copy)]
struct Fields {
    passage: Field,
    doc: Field,
    ordinal: Field,
    title: Field,
    text: Field,
    raw: Field,
    speaker: Field,
    kind: Field,
    phase: Field,
    phase_ord: Field,
    date: Field,
    date_key: Field,
    attr: Field,
    code: Field,
    start: Field,
    end: Field,
}

fn schema(stemming: Stemming) -> Schema {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(&stemming.tokenizer_name())
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    // Prefix queries need unstemmed words ("coordinat*" must find "coordination", whose
    // stem is "coordin"); document ids are enough for them, no positions.
    let raw = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(RAW_TOKENIZER)
            .set_index_option(IndexRecordOption::Basic),
    );
    // Shown, never searched: an indexed unique id per passage cost a term per document.
    b.add_text_field("passage", STORED);
    b.add_u64_field("doc", INDEXED | FAST | STORED);
    b.add_u64_field("ordinal", FAST | STORED);
    b.add_text_field("title", STORED);
    b.add_text_field("text", text);
    b.add_text_field("raw", raw);
    b.add_text_field("speaker", STRING | FAST | STORED);
    b.add_text_field("kind", STRING | FAST | STORED);
    b.add_text_field("phase", STRING | FAST | STORED);
    b.add_u64_field("phase_ord", FAST);
    b.add_text_field("date", STRING | STORED);
    b.add_u64_field("date_key", FAST);
    b.add_text_field("attr", STRING | FAST);
    b.add_text_field("code", STRING);
    b.add_u64_field("start", STORED);
    b.add_u64_field("end", STORED);
    b.build()
}

fn fields(schema: &Schema) -> tantivy::Result<Fields> {
    let f = |n: &str| schema.get_field(n);
    Ok(Fields {
        passage: f("passage")?,
        doc: f("doc")?,
        ordinal: f("ordinal")?,
        title: f("title")?,
        text: f("text")?,
        raw: f("raw")?,
        speaker: f("speaker")?,
        kind: f("kind")?,
        phase: f("phase")?,
        phase_ord: f("phase_ord")?,
        date: f("date")?,
        date_key: f("date_key")?,
        attr: f("attr")?,
        code: f("code")?,
        start: f("start")?,
        end: f("end")?,
    })
}

fn date_key(d: Option<Date>) -> u64 {
    // Documents without a date sort first within their phase, as in `Corpus::timeline_key`.
    d.map_or(0, |d| {
        u64::from(d.year()) * 10_000 + u64::from(d.month()) * 100 + u64::from(d.day())
    })
}

/// What a commit records, as its payload: the schema, the store revision, and the
/// caller's key for anything else the index was derived from (the pipeline's timeline).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Payload {
    schema: u32,
    revision: u64,
    #[serde(default)]
    key: String,
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
        let fields = fields(&schema)?;
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
        Ok(self.built_from()?.map(|(revision, _)| revision))
    }

    /// The store revision and the key recorded by the last commit (see
    /// [`Writer::commit`]); `None` as for [`Index::revision`].
    pub fn built_from(&self) -> Result<Option<(u64, String)>> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .and_then(|p| serde_json::from_str::<Payload>(&p).ok())
            .filter(|p| p.schema == SCHEMA_VERSION)
            .map(|p| (p.revision, p.key)))
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
        })
    }

    fn analyzers(&self) -> Result<(TextAnalyzer, TextAnalyzer)> {
        Ok((analyzer(self.stemming), raw_analyzer()))
    }

    /// Turns a parsed query and a filter into one tantivy query.
    fn compile(&self, query: &Query, filter: &Filter) -> Result<Box<dyn TQuery>> {
        let (mut stem, mut raw) = self.analyzers()?;
        let text = self.compile_node(&query.root, &query.text, &mut stem, &mut raw)?;
        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = vec![(Occur::Must, text)];
        let f = &self.fields;
        let str_terms = |field: Field, values: &mut dyn Iterator<Item = String>| {
            values
                .map(|v| Term::from_field_text(field, &v))
                .collect::<Vec<_>>()
        };
        let mut any_of = |terms: Vec<Term>| {
            if terms.is_empty() {
                return;
            }
            let alts: Vec<(Occur, Box<dyn TQuery>)> = terms
                .into_iter()
                .map(|t| {
                    let q: Box<dyn TQuery> = Box::new(TermQuery::new(t, IndexRecordOption::Basic));
                    (Occur::Should, q)
                })
                .collect();
            // Filters must not change relevance: only the query words score.
            let q = ConstScoreQuery::new(Box::new(BooleanQuery::new(alts)), 0.0);
            clauses.push((Occur::Must, Box::new(q)));
        };
        any_of(str_terms(f.phase, &mut filter.phases.iter().cloned()));
        any_of(str_terms(
            f.kind,
            &mut filter.kinds.iter().map(|k| k.as_str().to_string()),
        ));
        any_of(str_terms(f.speaker, &mut filter.speakers.iter().cloned()));
        any_of(
            filter
                .docs
                .iter()
                .map(|d| Term::from_field_u64(f.doc, u64::from(d.0)))
                .collect(),
        );
        any_of(str_terms(f.code, &mut filter.codes.iter().cloned()));
        let mut by_key: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (k, v) in &filter.attrs {
            by_key.entry(k).or_default().push(format!("{k}={v}"));
        }
        for values in by_key.into_values() {
            any_of(str_terms(f.attr, &mut values.into_iter()));
        }
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
                let lower = Term::from_field_text(self.fields.raw, &words[0].0);
                let mut upper = lower.clone();
                // 0xFF never occurs in UTF-8, so [p, p+0xFF) holds exactly the words
                // that start with p.
                upper.append_bytes(&[0xFF]);
                Box::new(InvertedIndexRangeQuery::new(
                    Bound::Included(lower),
                    Bound::Excluded(upper),
                ))
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
        self.compile(query, &Filter::default()).map(|_| ())
    }

    /// Number of passages matching.
    pub fn count(&self, query: &Query, filter: &Filter) -> Result<u64> {
        let q = self.compile(query, filter)?;
        Ok(self.reader.searcher().search(&q, &Count)? as u64)
    }

    /// Matching passages, in the given order, at most `limit` of them (`None`: all).
    pub fn search(
        &self,
        query: &Query,
        filter: &Filter,
        sort: Sort,
        limit: Option<usize>,
    ) -> Result<Vec<Hit>> {
        let q = self.compile(query, filter)?;
        let searcher = self.reader.searcher();
        let addrs: Vec<(Score, DocAddress)> = match sort {
            Sort::Relevance => {
                let n = match limit {
                    Some(n) => n,
                    None => searcher.search(&q, &Count)?,
                };
                if n == 0 {
                    return Ok(Vec::new());
                }
                searcher.search(&q, &TopDocs::with_limit(n))?
            }
            Sort::Time => {
                let mut all = searcher.search(&q, &TimelineCollector)?;
                all.sort_by_key(|h| h.0);
                all.truncate(limit.unwrap_or(usize::MAX));
                all.into_iter().map(|(_, s, a)| (s, a)).collect()
            }
        };
        let (mut stem, mut raw) = self.analyzers()?;
        let needles = Needles::of(&query.root, &mut stem, &mut raw);
        let f = &self.fields;
        let mut hits = Vec::with_capacity(addrs.len());
        for (score, addr) in addrs {
            let d: TantivyDocument = searcher.doc(addr)?;
            let s = |field: Field| {
                d.get_first(field)
                    .and_then(|v| v.as_str().map(str::to_string))
            };
            let n = |field: Field| d.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
            let text = s(f.text).unwrap_or_default();
            hits.push(Hit {
                passage: s(f.passage).unwrap_or_default(),
                doc: format!("D{}", n(f.doc)),
                title: s(f.title).unwrap_or_default(),
                phase: s(f.phase).unwrap_or_default(),
                date: s(f.date),
                kind: s(f.kind).unwrap_or_default(),
                speaker: s(f.speaker),
                start: n(f.start) as usize,
                end: n(f.end) as usize,
                highlights: needles
                    .ranges(&mut stem, &text)
                    .into_iter()
                    .map(|(a, b)| [a, b])
                    .collect(),
                text,
                score,
            });
        }
        Ok(hits)
    }

    /// Matching passages and documents per group, in the groups' natural order (`None`
    /// first, then by value; documents by number). Groups without a match are absent:
    /// the caller knows which groups exist and keeps them as zero rows.
    pub fn group(&self, query: &Query, filter: &Filter, by: &GroupBy) -> Result<Vec<Group>> {
        let q = self.compile(query, filter)?;
        let collector = GroupCollector { by: by.clone() };
        let found = self.reader.searcher().search(&q, &collector)?;
        let mut out: Vec<(Option<String>, Group)> = found
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

/// Adds, replaces and deletes passages; one commit makes a batch visible at once.
pub struct Writer<'a> {
    index: &'a Index,
    writer: tantivy::IndexWriter<TantivyDocument>,
}

impl Writer<'_> {
    /// Queues a passage. Tokenizing happens on the writer's threads.
    pub fn add(&mut self, r: &Record) -> Result<()> {
        let f = &self.index.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.passage, r.passage.to_string());
        d.add_u64(f.doc, u64::from(r.passage.doc.0));
        d.add_u64(f.ordinal, u64::from(r.passage.ordinal));
        d.add_text(f.title, &r.title);
        d.add_text(f.text, &r.text);
        d.add_text(f.raw, &r.text);
        if let Some(s) = &r.speaker {
            d.add_text(f.speaker, s);
        }
        d.add_text(f.kind, r.kind.as_str());
        d.add_text(f.phase, &r.phase);
        d.add_u64(f.phase_ord, u64::from(r.phase_order));
        if let Some(date) = r.date {
            d.add_text(f.date, date.to_string());
        }
        d.add_u64(f.date_key, date_key(r.date));
        for (k, v) in &r.attributes {
            d.add_text(f.attr, format!("{k}={v}"));
        }
        for c in &r.codes {
            d.add_text(f.code, c);
        }
        d.add_u64(f.start, r.start as u64);
        d.add_u64(f.end, r.end as u64);
        self.writer.add_document(d)?;
        Ok(())
    }

    /// Removes every passage of a document (before re-adding its new version).
    pub fn delete_doc(&mut self, doc: DocId) {
        self.writer.delete_term(Term::from_field_u64(
            self.index.fields.doc,
            u64::from(doc.0),
        ));
    }

    /// Removes every passage.
    pub fn delete_all(&mut self) -> Result<()> {
        self.writer.delete_all_documents()?;
        Ok(())
    }

    /// Commits everything queued, recording the store revision it reflects and the
    /// caller's `key` for whatever else it was derived from (an index whose key no longer
    /// matches must be rebuilt), and waits for segment merges so the next process finds a
    /// compact index.
    pub fn commit(mut self, revision: u64, key: &str) -> Result<()> {
        let payload = serde_json::to_string(&Payload {
            schema: SCHEMA_VERSION,
            revision,
            key: key.to_string(),
        })
        .map_err(|e| Error::Tantivy(e.to_string()))?;
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.writer.wait_merging_threads()?;
        self.index.reader.reload()?;
        Ok(())
    }
}

/// Collects every match with its timeline key: (phase order, date, document, ordinal).
struct TimelineCollector;

type TimelineKey = (u64, u64, u64, u64);

struct TimelineSegment {
    segment: u32,
    cols: [tantivy::columnar::Column<u64>; 4],
    out: Vec<(TimelineKey, Score, DocAddress)>,
}

impl Collector for TimelineCollector {
    type Fruit = Vec<(TimelineKey, Score, DocAddress)>;
    type Child = TimelineSegment;

    fn for_segment(
        &self,
        segment: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<TimelineSegment> {
        let ff = reader.fast_fields();
        Ok(TimelineSegment {
            segment,
            cols: [
                ff.u64("phase_ord")?,
                ff.u64("date_key")?,
                ff.u64("doc")?,
                ff.u64("ordinal")?,
            ],
            out: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for TimelineSegment {
    type Fruit = Vec<(TimelineKey, Score, DocAddress)>;

    fn collect(&mut self, doc: u32, score: Score) {
        let v = |i: usize| self.cols[i].first(doc).unwrap_or(0);
        let key = (v(0), v(1), v(2), v(3));
        self.out
            .push((key, score, DocAddress::new(self.segment, doc)));
    }

    fn harvest(self) -> Self::Fruit {
        self.out
    }
}

/// Counts matches per group value: passages, and the set of documents.
struct GroupCollector {
    by: GroupBy,
}

type GroupFruit = BTreeMap<Option<String>, (u64, BTreeSet<u64>)>;

enum GroupColumn {
    Str(tantivy::columnar::StrColumn, Option<String>),
    Doc,
}

struct GroupSegment {
    column: GroupColumn,
    doc_col: tantivy::columnar::Column<u64>,
    /// Per term ordinal (or document number): passages and documents.
    counts: HashMap<Option<u64>, (u64, BTreeSet<u64>)>,
}

impl Collector for GroupCollector {
    type Fruit = GroupFruit;
    type Child = GroupSegment;

    fn for_segment(&self, _segment: u32, reader: &SegmentReader) -> tantivy::Result<GroupSegment> {
        let ff = reader.fast_fields();
        let str_col = |name: &str, prefix: Option<String>| -> tantivy::Result<GroupColumn> {
            let col = ff.str(name)?.ok_or_else(|| {
                tantivy::TantivyError::SchemaError(format!("no fast column {name}"))
            })?;
            Ok(GroupColumn::Str(col, prefix))
        };
        let column = match &self.by {
            GroupBy::Phase => str_col("phase", None)?,
            GroupBy::Kind => str_col("kind", None)?,
            GroupBy::Speaker => str_col("speaker", None)?,
            GroupBy::Attr(name) => str_col("attr", Some(format!("{name}=")))?,
            GroupBy::Doc => GroupColumn::Doc,
        };
        Ok(GroupSegment {
            column,
            doc_col: ff.u64("doc")?,
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

impl SegmentCollector for GroupSegment {
    type Fruit = GroupFruit;

    fn collect(&mut self, doc: u32, _score: Score) {
        let doc_no = self.doc_col.first(doc).unwrap_or(0);
        let mut bump = |key: Option<u64>| {
            let e = self.counts.entry(key).or_default();
            e.0 += 1;
            e.1.insert(doc_no);
        };
        match &self.column {
            GroupColumn::Doc => bump(Some(doc_no)),
            GroupColumn::Str(col, None) => {
                let ord = col.term_ords(doc).next();
                bump(ord);
            }
            GroupColumn::Str(col, Some(prefix)) => {
                // Attributes share one column as `key=value`; keep the ones of this key.
                let mut buf = String::new();
                let mut found = None;
                for ord in col.term_ords(doc) {
                    buf.clear();
                    if col.ord_to_str(ord, &mut buf).unwrap_or(false)
                        && buf.starts_with(prefix.as_str())
                    {
                        found = Some(ord);
                        break;
                    }
                }
                bump(found);
            }
        }
    }

    fn harvest(self) -> GroupFruit {
        let mut out = GroupFruit::new();
        let mut buf = String::new();
        for (ord, v) in self.counts {
            let key = match (&self.column, ord) {
                (_, None) => None,
                (GroupColumn::Doc, Some(n)) => Some(format!("D{n}")),
                (GroupColumn::Str(col, prefix), Some(o)) => {
                    buf.clear();
                    if col.ord_to_str(o, &mut buf).unwrap_or(false) {
                        let value = match prefix {
                            Some(p) => buf.strip_prefix(p.as_str()).unwrap_or(&buf),
                            None => &buf,
                        };
                        Some(value.to_string())
                    } else {
                        None
                    }
                }
            };
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

    fn index() -> Index {
        let ix = Index::create_in_ram(Stemming::for_language("en").unwrap()).unwrap();
        let mut w = ix.writer().unwrap();
        for &(doc, ordinal, phase, order, speaker, text, codes) in ROWS {
            w.add(&Record {
                passage: PassageId {
                    doc: DocId(doc),
                    ordinal,
                },
                title: format!("Doc {doc}"),
                text: text.into(),
                start: 0,
                end: text.chars().count(),
                speaker: (!speaker.is_empty()).then(|| speaker.to_string()),
                kind: if doc == 2 {
                    DocKind::Interview
                } else {
                    DocKind::Workshop
                },
                phase: phase.into(),
                phase_order: order,
                date: None,
                attributes: [("org".to_string(), format!("o{}", doc % 2))].into(),
                codes: codes.iter().map(|c| c.to_string()).collect(),
            })
            .unwrap();
        }
        w.commit(3, "k").unwrap();
        ix
    }

    fn check(query: &str, filter: Filter, sort: Sort, expected: &[&str]) {
        let ix = index();
        let q = Query::parse(query).unwrap();
        let got: Vec<String> = ix
            .search(&q, &filter, sort, None)
            .unwrap()
            .into_iter()
            .map(|h| h.passage)
            .collect();
        let mut got_sorted = got.clone();
        if sort == Sort::Relevance {
            got_sorted.sort();
        }
        assert_eq!(got_sorted, expected, "{query:?}");
        assert_eq!(ix.count(&q, &filter).unwrap(), got.len() as u64);
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
        let ix = index();
        let q = Query::parse("order OR map").unwrap();
        let show = |by: GroupBy| -> Vec<(Option<String>, u64, u64)> {
            ix.group(&q, &Filter::default(), &by)
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
        let ix = index();
        let mut w = ix.writer().unwrap();
        w.delete_doc(DocId(1));
        w.commit(4, "k2").unwrap();
        assert_eq!(ix.len(), 2);
        assert_eq!(ix.revision().unwrap(), Some(4));
        assert_eq!(ix.built_from().unwrap(), Some((4, "k2".to_string())));
    }
}
