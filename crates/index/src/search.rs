//! Running queries: counts, hits in either order, highlights and `--by` groups.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use ambit_core::{DocId, PassageId};
use tantivy::collector::{Count, TopDocs};
use tantivy::columnar::Column;
use tantivy::{Score, SegmentReader};

use crate::catalogue::Catalogue;
use crate::collector::{DocCollector, PassageCollector, SpeakerCollector};
use crate::error::Result;
use crate::highlight::{Highlighter, Needles};
use crate::index::Index;
use crate::language::{analyzer, raw_analyzer};
use crate::query::Query;
use crate::request::{Filter, Found, Group, GroupBy, GroupKey, Sort};
use crate::schema::field;

impl Index {
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
        Ok(self
            .search_counted(query, filter, catalogue, sort, limit)?
            .0)
    }

    /// [`Index::search`], and how many passages match in all (what a `--limit` leaves
    /// out included), counted in the same pass over the index.
    pub fn search_counted(
        &self,
        query: &Query,
        filter: &Filter,
        catalogue: &Catalogue,
        sort: Sort,
        limit: Option<usize>,
    ) -> Result<(Vec<Found>, u64)> {
        let q = self.compile(query, filter, catalogue)?;
        let searcher = self.reader.searcher();
        Ok(match sort {
            Sort::Relevance => {
                let (n, counted) = match limit {
                    Some(n) => (n, None),
                    None => {
                        let all = searcher.search(&q, &Count)?;
                        (all, Some(all))
                    }
                };
                if n == 0 {
                    let total = match counted {
                        Some(all) => all,
                        None => searcher.search(&q, &Count)?,
                    };
                    return Ok((Vec::new(), total as u64));
                }
                // Equal scores are common (`NOT x`, short passages): ties go to the
                // earlier passage, so the same index content always gives the same hits,
                // however the indexing threads split it into segments.
                let top = TopDocs::with_limit(n).tweak_score(|segment: &SegmentReader| {
                    let ff = segment.fast_fields();
                    let cols = [ff.u64(field::DOC).ok(), ff.u64(field::ORDINAL).ok()];
                    move |doc: tantivy::DocId, score: Score| {
                        let v = |c: &Option<Column<u64>>| {
                            c.as_ref().and_then(|c| c.first(doc)).unwrap_or(0)
                        };
                        (score, Reverse((v(&cols[0]), v(&cols[1]))))
                    }
                });
                // The total in the same pass: a phrase's positions are read once.
                let (top, total) = match counted {
                    Some(all) => (searcher.search(&q, &top)?, all),
                    None => searcher.search(&q, &(top, Count))?,
                };
                let found = top
                    .into_iter()
                    .map(|((score, Reverse((doc, ordinal))), _)| Found {
                        passage: PassageId {
                            doc: DocId(doc as u32),
                            ordinal: ordinal as u32,
                        },
                        score,
                    })
                    .collect();
                (found, total as u64)
            }
            Sort::Time => {
                let mut all = searcher.search(&q, &PassageCollector)?;
                let total = all.len() as u64;
                all.sort_by_cached_key(|f| catalogue.timeline_key(f.passage));
                all.truncate(limit.unwrap_or(usize::MAX));
                (all, total)
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
    /// first, then by value: see [`GroupKey`]). Groups without a match are absent: the
    /// caller knows which groups exist and keeps them as zero rows.
    pub fn group(
        &self,
        query: &Query,
        filter: &Filter,
        catalogue: &Catalogue,
        by: &GroupBy,
    ) -> Result<Vec<Group>> {
        let q = self.compile(query, filter, catalogue)?;
        let searcher = self.reader.searcher();
        let mut groups: BTreeMap<Option<GroupKey>, (u64, BTreeSet<u64>)> = BTreeMap::new();
        if *by == GroupBy::Speaker {
            for (speaker, counts) in searcher.search(&q, &SpeakerCollector)? {
                groups.insert(speaker.map(GroupKey::Speaker), counts);
            }
        } else {
            for (doc, passages) in searcher.search(&q, &DocCollector)? {
                let id = DocId(u32::try_from(doc).unwrap_or(u32::MAX));
                let e = groups.entry(doc_key(by, id, catalogue)).or_default();
                e.0 += passages;
                e.1.insert(doc);
            }
        }
        Ok(groups
            .into_iter()
            .map(|(key, (passages, docs))| Group {
                key,
                passages,
                docs: docs.len() as u64,
            })
            .collect())
    }
}

/// The group of a document's passages; `None` when the document has no value for it.
fn doc_key(by: &GroupBy, doc: DocId, catalogue: &Catalogue) -> Option<GroupKey> {
    let info = catalogue.get(doc);
    match by {
        GroupBy::Phase => info.map(|d| GroupKey::Phase(d.phase.clone())),
        GroupBy::Kind => info.map(|d| GroupKey::Kind(d.doc.kind)),
        GroupBy::Attr(name) => info
            .and_then(|d| d.doc.attributes.get(name).cloned())
            .map(GroupKey::Attr),
        GroupBy::Doc => Some(GroupKey::Doc(doc)),
        // Speakers vary by passage: the speaker collector counts them instead.
        GroupBy::Speaker => None,
    }
}
