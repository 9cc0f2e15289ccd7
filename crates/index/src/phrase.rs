//! Exact phrases (`"delivery technician"`, slop 0): the passages holding every word are
//! found as one bitset per segment, and only those are checked against positions.
//!
//! tantivy's `PhraseQuery` walks the words' postings together, seeking one list to each
//! document of the other, and reads positions on the way; for two frequent words that
//! walk was half of a phrase search. Here each word's postings are decoded block by
//! block into a bitset of the segment's documents and the bitsets are intersected, so
//! the walk costs about a nanosecond per posting, and positions are read only for the
//! documents in the intersection.
//!
//! Under a document filter ([`InDocs`]) the filter's bitset joins the intersection, so
//! positions are read only where a hit can be.
//!
//! Results and relevance are those of `PhraseQuery` with slop 0: the same BM25 weight
//! (the words' summed IDF, the text field's lengths) and the same phrase frequency, so
//! hits and their order do not change. A test compares both on random passages.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{BlockSegmentPostings, Postings, SegmentPostings};
use tantivy::query::{
    Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query as TQuery, Scorer, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

use crate::in_docs::{bits_for, next_bit, set_bits, InDocs};
use crate::positions::FieldPositions;

/// An exact phrase: words at fixed offsets from the first (consecutive, unless the
/// analyzer dropped an over-long word between two of them).
#[derive(Clone, Debug)]
pub(crate) struct ExactPhrase {
    /// (offset, term of the text field), in phrase order; the first offset is 0.
    words: Vec<(u32, Term)>,
    /// The search's document filter: passages outside it cannot be hits, so they are
    /// not checked (the filter still applies, as its own clause).
    within: Option<InDocs>,
}

impl ExactPhrase {
    /// The phrase of `words` (at least two) at their query positions, looked for only in
    /// the passages of `within` when given.
    pub(crate) fn new(words: Vec<(usize, Term)>, within: Option<InDocs>) -> ExactPhrase {
        let first = words.iter().map(|w| w.0).min().unwrap_or(0);
        ExactPhrase {
            words: words
                .into_iter()
                .map(|(p, t)| (u32::try_from(p - first).unwrap_or(u32::MAX), t))
                .collect(),
            within,
        }
    }

    fn terms(&self) -> Vec<Term> {
        self.words.iter().map(|w| w.1.clone()).collect()
    }
}

impl TQuery for ExactPhrase {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let bm25 = match scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(Bm25Weight::for_terms(statistics_provider, &self.terms())?),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(PhraseWeight {
            phrase: self.clone(),
            bm25,
            index: scoring.searcher().map(|s| s.index().clone()),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, t) in &self.words {
            visitor(t, true);
        }
    }
}

struct PhraseWeight {
    phrase: ExactPhrase,
    /// `None` when the search does not score (counts, groups).
    bm25: Option<Bm25Weight>,
    /// The index searched, whose segments' positions files the sweep reads (`None` when
    /// tantivy gives no searcher: the phrase is then checked document by document).
    index: Option<tantivy::Index>,
}

impl PhraseWeight {
    fn phrase_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<PhraseScorer>> {
        let words = &self.phrase.words;
        let Some(field) = words.first().map(|w| w.1.field()) else {
            return Ok(None);
        };
        let inverted = reader.inverted_index(field)?;
        let mut infos = Vec::with_capacity(words.len());
        for (_, term) in words {
            match inverted.get_term_info(term)? {
                Some(info) => infos.push(info),
                None => return Ok(None),
            }
        }
        // The rarest word first: its bitset is the sparsest, and the others are only
        // decoded while something is left.
        let mut order: Vec<usize> = (0..words.len()).collect();
        order.sort_by_key(|&i| infos[i].doc_freq);
        let mut candidates = bits_for(reader.max_doc());
        let mut other = Vec::new();
        let within = match &self.phrase.within {
            Some(w) => Some(w.bits(reader)?),
            None => None,
        };
        if within.as_ref().is_some_and(|w| w.iter().all(|&b| b == 0)) {
            return Ok(None);
        }
        let positions = self
            .index
            .as_ref()
            .and_then(|index| FieldPositions::open(index, reader, field));
        // With the positions file at hand, the most frequent word is not made a bitset:
        // walking its postings with their frequencies against the others' candidates
        // gives the intersection and that word's offsets at once.
        let mut last = None;
        for (k, &i) in order.iter().enumerate() {
            if k > 0 && k + 1 == order.len() && positions.is_some() {
                let postings = inverted
                    .read_block_postings_from_terminfo(&infos[i], IndexRecordOption::WithFreqs)?;
                let upper = candidates.iter().map(|w| w.count_ones()).sum();
                let at = offsets_of(postings, &candidates, upper);
                if at.is_empty() {
                    return Ok(None);
                }
                candidates.fill(0);
                for &(_, _, d) in &at {
                    if let Some(w) = candidates.get_mut((d >> 6) as usize) {
                        *w |= 1 << (d & 63);
                    }
                }
                last = Some((i, at));
                continue;
            }
            let postings =
                inverted.read_block_postings_from_terminfo(&infos[i], IndexRecordOption::Basic)?;
            if k == 0 {
                set_bits(&mut candidates, postings);
                if let Some(w) = &within {
                    if !and(&mut candidates, w) {
                        return Ok(None);
                    }
                }
                continue;
            }
            other.clear();
            other.resize(candidates.len(), 0);
            set_bits(&mut other, postings);
            if !and(&mut candidates, &other) {
                return Ok(None);
            }
        }
        let size = candidates.iter().map(|w| w.count_ones()).sum();
        let fieldnorms = match &self.bm25 {
            Some(_) => reader.fieldnorms_readers().get_field(field)?,
            None => None,
        }
        .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1));
        let bm25 = self.bm25.as_ref().map(|w| w.boost_by(boost));
        if let Some(positions) = positions {
            let mut lists = Vec::with_capacity(words.len());
            for (i, ((offset, _), info)) in words.iter().zip(&infos).enumerate() {
                let Some(reader) = positions.reader(info) else {
                    break;
                };
                let source = match last.take() {
                    Some((l, at)) if l == i => Source::Listed(at.into_iter()),
                    kept => {
                        last = kept;
                        let postings = inverted.read_block_postings_from_terminfo(
                            info,
                            IndexRecordOption::WithFreqs,
                        )?;
                        Source::Streamed(Box::new(Stream::new(postings)))
                    }
                };
                lists.push(Word {
                    offset: *offset,
                    source,
                    reader,
                });
            }
            if lists.len() == words.len() {
                if let Some(matches) = sweep(&mut lists, &candidates, size) {
                    return Ok(Some(PhraseScorer::Swept(Swept {
                        matches,
                        i: 0,
                        fieldnorms,
                        bm25,
                    })));
                }
            }
        }
        let mut postings = Vec::with_capacity(words.len());
        for ((offset, _), info) in words.iter().zip(&infos) {
            let p = inverted
                .read_postings_from_terminfo(info, IndexRecordOption::WithFreqsAndPositions)?;
            postings.push((*offset, p));
        }
        let mut scorer = Checked {
            candidates,
            size,
            words: postings,
            fieldnorms,
            bm25,
            doc: 0,
            count: 0,
            starts: Vec::new(),
            positions: Vec::new(),
        };
        scorer.settle(0);
        Ok(Some(PhraseScorer::Checked(scorer)))
    }
}

impl Weight for PhraseWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.phrase_scorer(reader, boost)? {
            Some(s) => Box::new(s),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let not_found = || TantivyError::InvalidArgument(format!("document #{doc} does not match"));
        let mut scorer = self.phrase_scorer(reader, 1.0)?.ok_or_else(not_found)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(not_found());
        }
        let mut e = Explanation::new("exact phrase", scorer.score());
        if let Some(bm25) = &self.bm25 {
            let (fieldnorms, count) = scorer.here();
            e.add_detail(bm25.explain(fieldnorms.fieldnorm_id(doc), count));
        }
        Ok(e)
    }
}

/// Keeps in `bits` only what `other` has too; whether anything is left.
fn and(bits: &mut [u64], other: &[u64]) -> bool {
    let mut any = 0;
    for (b, o) in bits.iter_mut().zip(other) {
        *b &= *o;
        any |= *b;
    }
    any != 0
}

/// A word of the phrase in the sweep: its offset in the phrase, where each candidate's
/// positions start among the word's positions in the segment and how many there are, and
/// a reader of them.
struct Word {
    offset: u32,
    source: Source,
    reader: tantivy::positions::PositionReader,
}

impl Word {
    /// The next candidate: where its positions start, how many, and the candidate.
    fn next(&mut self, candidates: &[u64]) -> Option<(u64, u32, DocId)> {
        match &mut self.source {
            Source::Listed(at) => at.next(),
            Source::Streamed(stream) => stream.next(candidates),
        }
    }

    /// The position of a candidate with one (the usual case; the first position of a
    /// candidate is stored from 0).
    fn read_one(&mut self, offset: u64) -> u32 {
        let mut p = [0u32];
        self.reader.read(offset, &mut p);
        p[0]
    }

    /// Reads the positions of a candidate (from [`Word::next`]) into `into`.
    fn read(&mut self, (offset, freq, _): (u64, u32, DocId), into: &mut Vec<u32>) {
        into.clear();
        if freq == 1 {
            into.push(self.read_one(offset));
            return;
        }
        into.resize(freq as usize, 0);
        self.reader.read(offset, into);
        let mut sum = 0u32;
        for p in into.iter_mut() {
            sum = sum.wrapping_add(*p);
            *p = sum;
        }
    }
}

/// Where a word's candidates come from: listed while the candidates were found (the
/// most frequent word), or gathered from its postings a block at a time as the sweep
/// goes (nothing the size of the candidates is held for them).
enum Source {
    Listed(std::vec::IntoIter<(u64, u32, DocId)>),
    Streamed(Box<Stream>),
}

/// A word's candidates gathered from its postings a block at a time.
struct Stream {
    postings: BlockSegmentPostings,
    /// Where the next chunk starts in the current block of postings.
    from: usize,
    /// The candidates of the current chunk: how many, and how many of them were taken.
    block: [(u64, u32, DocId); BLOCK],
    len: usize,
    taken: usize,
    /// The positions of the postings before the current chunk.
    offset: u64,
}

impl Stream {
    fn new(postings: BlockSegmentPostings) -> Stream {
        Stream {
            postings,
            from: 0,
            block: [(0, 0, 0); BLOCK],
            len: 0,
            taken: 0,
            offset: 0,
        }
    }

    fn next(&mut self, candidates: &[u64]) -> Option<(u64, u32, DocId)> {
        loop {
            if self.taken < self.len {
                let c = self.block.get(self.taken).copied();
                self.taken += 1;
                return c;
            }
            let docs = self.postings.docs();
            if docs.is_empty() {
                return None;
            }
            // A block of tantivy's postings is one chunk (`BLOCK` postings at most).
            let end = (self.from + BLOCK).min(docs.len());
            let freqs = self.postings.freqs().get(self.from..end).unwrap_or(&[]);
            self.len = gather(
                &docs[self.from..end],
                freqs,
                candidates,
                &mut self.offset,
                &mut self.block,
            );
            self.taken = 0;
            if end == docs.len() {
                self.postings.advance();
                self.from = 0;
            } else {
                self.from = end;
            }
        }
    }
}

/// Where each candidate's positions are among all the positions of a word: the posting
/// list walked once, summing term frequencies (the positions of a segment's documents
/// follow each other in document order).
fn offsets_of(
    mut postings: BlockSegmentPostings,
    candidates: &[u64],
    size: u32,
) -> Vec<(u64, u32, DocId)> {
    // Nothing is zeroed or touched ahead: most of `size` may be postings this word does
    // not have.
    let mut at = Vec::with_capacity(size as usize);
    let mut block = [(0u64, 0u32, 0 as DocId); BLOCK];
    let mut offset = 0u64;
    loop {
        let docs = postings.docs();
        if docs.is_empty() {
            return at;
        }
        for (docs, freqs) in docs.chunks(BLOCK).zip(postings.freqs().chunks(BLOCK)) {
            let n = gather(docs, freqs, candidates, &mut offset, &mut block);
            at.extend_from_slice(&block[..n]);
        }
        postings.advance();
    }
}

/// Writes the candidates among a chunk of postings (at most [`BLOCK`]) to `block`, each
/// with where its positions start (`offset`: the positions of the postings before) and
/// how many there are; how many were written.
fn gather(
    docs: &[DocId],
    freqs: &[u32],
    candidates: &[u64],
    offset: &mut u64,
    block: &mut [(u64, u32, DocId); BLOCK],
) -> usize {
    // Without a branch on the candidate bit (a third of the postings are candidates, at
    // random): every posting is written at the next free place, which moves on only for
    // a candidate. A place is written before it moves on, so it stays below the chunk's
    // length.
    let mut n = 0usize;
    for (&d, &f) in docs.iter().zip(freqs).take(BLOCK) {
        let bit = candidates
            .get((d >> 6) as usize)
            .map_or(0, |w| (w >> (d & 63)) & 1);
        block[n % BLOCK] = (*offset, f, d);
        n += bit as usize;
        *offset += u64::from(f);
    }
    n
}

/// The postings of a block of a posting list (tantivy's compression block).
const BLOCK: usize = 128;

/// The candidates where the phrase occurs, and how often, reading each word's positions
/// in order. A document's positions are stored as gaps from the one before, the first
/// from 0. `None` when the words do not list the same `size` candidates (the postings
/// would not be what the candidates were found from): the caller then checks the phrase
/// the slower way.
fn sweep(words: &mut [Word], candidates: &[u64], size: u32) -> Option<Vec<(DocId, u32)>> {
    let mut matches = Vec::new();
    let mut starts: Vec<u32> = Vec::new();
    let mut positions: Vec<u32> = Vec::new();
    let (first, rest) = words.split_first_mut()?;
    let mut seen = 0u32;
    while let Some(c) = first.next(candidates) {
        seen += 1;
        first.read(c, &mut starts);
        for word in rest.iter_mut() {
            let here = word.next(candidates)?;
            if here.2 != c.2 {
                return None;
            }
            match (starts.as_slice(), here.1) {
                ([], _) => {}
                // The usual case, one start and one position: no list to merge.
                (&[s], 1) => {
                    if word.read_one(here.0) != s.saturating_add(word.offset) {
                        starts.clear();
                    }
                }
                _ => {
                    word.read(here, &mut positions);
                    keep_followed(&mut starts, &positions, word.offset);
                }
            }
        }
        if !starts.is_empty() {
            matches.push((c.2, starts.len() as u32));
        }
    }
    if seen != size || rest.iter_mut().any(|w| w.next(candidates).is_some()) {
        return None;
    }
    Some(matches)
}

/// Keeps the starts `s` with a position `s + offset`; both lists ascend.
fn keep_followed(starts: &mut Vec<u32>, positions: &[u32], offset: u32) {
    let mut k = 0;
    starts.retain(|&s| {
        let want = s.saturating_add(offset);
        while k < positions.len() && positions[k] < want {
            k += 1;
        }
        k < positions.len() && positions[k] == want
    });
}

/// The passages of a segment where a phrase occurs: found in one sweep, or checked one
/// candidate at a time when the segment's positions file could not be read directly.
enum PhraseScorer {
    Swept(Swept),
    Checked(Checked),
}

impl PhraseScorer {
    /// The current passage's field lengths and how often the phrase occurs in it.
    fn here(&self) -> (&FieldNormReader, u32) {
        match self {
            PhraseScorer::Swept(s) => (&s.fieldnorms, s.matches.get(s.i).map_or(0, |m| m.1)),
            PhraseScorer::Checked(c) => (&c.fieldnorms, c.count),
        }
    }
}

impl DocSet for PhraseScorer {
    fn advance(&mut self) -> DocId {
        match self {
            PhraseScorer::Swept(s) => s.advance(),
            PhraseScorer::Checked(c) => c.advance(),
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        match self {
            PhraseScorer::Swept(s) => s.seek(target),
            PhraseScorer::Checked(c) => c.seek(target),
        }
    }

    fn doc(&self) -> DocId {
        match self {
            PhraseScorer::Swept(s) => s.doc(),
            PhraseScorer::Checked(c) => c.doc(),
        }
    }

    fn size_hint(&self) -> u32 {
        match self {
            PhraseScorer::Swept(s) => s.size_hint(),
            PhraseScorer::Checked(c) => c.size_hint(),
        }
    }
}

impl Scorer for PhraseScorer {
    fn score(&mut self) -> Score {
        match self {
            PhraseScorer::Swept(s) => s.score(),
            PhraseScorer::Checked(c) => c.score(),
        }
    }
}

/// The passages where a phrase occurs, found by [`sweep`], with how often.
struct Swept {
    matches: Vec<(DocId, u32)>,
    i: usize,
    fieldnorms: FieldNormReader,
    bm25: Option<Bm25Weight>,
}

impl DocSet for Swept {
    fn advance(&mut self) -> DocId {
        if self.i < self.matches.len() {
            self.i += 1;
        }
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc() < target {
            let rest = &self.matches[self.i..];
            self.i += rest.partition_point(|m| m.0 < target);
        }
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.matches.get(self.i).map_or(TERMINATED, |m| m.0)
    }

    fn size_hint(&self) -> u32 {
        self.matches.len() as u32
    }
}

impl Scorer for Swept {
    fn score(&mut self) -> Score {
        match (&self.bm25, self.matches.get(self.i)) {
            (Some(w), Some(&(doc, count))) => w.score(self.fieldnorms.fieldnorm_id(doc), count),
            _ => 1.0,
        }
    }
}

/// The passages of a segment where a phrase occurs, and how often, checked one candidate
/// at a time through tantivy's postings.
struct Checked {
    /// A bit per document of the segment: set where every word occurs.
    candidates: Vec<u64>,
    /// How many bits are set (an upper bound of the matches).
    size: u32,
    /// Each word's offset in the phrase and postings with positions, in phrase order.
    words: Vec<(u32, SegmentPostings)>,
    fieldnorms: FieldNormReader,
    bm25: Option<Bm25Weight>,
    doc: DocId,
    /// How often the phrase occurs in the current passage.
    count: u32,
    /// Where the phrase may start in the current passage.
    starts: Vec<u32>,
    positions: Vec<u32>,
}

impl Checked {
    /// Moves to the first passage at or after `from` where the phrase occurs.
    fn settle(&mut self, from: DocId) -> DocId {
        let mut candidate = next_bit(&self.candidates, from);
        while candidate != TERMINATED && !self.occurs(candidate) {
            candidate = next_bit(&self.candidates, candidate + 1);
        }
        self.doc = candidate;
        candidate
    }

    /// Whether the phrase occurs in `doc`, which holds every word; sets `count`.
    fn occurs(&mut self, doc: DocId) -> bool {
        for (i, (offset, postings)) in self.words.iter_mut().enumerate() {
            // Candidates come in order, so postings only ever move forward.
            if postings.doc() < doc {
                postings.seek(doc);
            }
            if postings.doc() != doc {
                // Cannot happen: the bitset says the word is there.
                return false;
            }
            if i == 0 {
                postings.positions(&mut self.starts);
                continue;
            }
            postings.positions(&mut self.positions);
            keep_followed(&mut self.starts, &self.positions, *offset);
            if self.starts.is_empty() {
                return false;
            }
        }
        self.count = self.starts.len() as u32;
        true
    }
}

impl DocSet for Checked {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.settle(self.doc + 1)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target <= self.doc {
            return self.doc;
        }
        self.settle(target)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.size
    }
}

impl Scorer for Checked {
    fn score(&mut self) -> Score {
        match &self.bm25 {
            Some(w) => w.score(self.fieldnorms.fieldnorm_id(self.doc), self.count),
            None => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use ambit_core::{DocFilter, DocId, DocKind, Document, PassageId, Placement, TimelineKey};
    use tantivy::query::PhraseQuery;

    use super::*;

    use crate::collector::PassageCollector;
    use crate::language::analyzer;
    use crate::{Catalogue, DocInfo, Filter, Index, Query, Record, Sort, Stemming};

    /// Few words, so that phrases occur often: stems shared by several words, a word of
    /// two tokens, a word too long to index (it leaves a gap), non-ASCII words.
    const WORDS: &[&str] = &[
        "order",
        "orders",
        "ordered",
        "the",
        "map",
        "maps",
        "e-mail",
        "työ",
        "Åsa",
        "x10",
        "pneumonoultramicroscopicsilicovolcanoconiosisandthensomemoreletters",
    ];

    fn text(words: &[usize]) -> String {
        words
            .iter()
            .map(|&w| WORDS[w])
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Stems with their positions, as the analyzer makes them.
    fn stems(text: &str) -> Vec<(usize, String)> {
        let mut a = analyzer(Stemming::for_language("en").unwrap());
        let mut out = Vec::new();
        let mut s = a.token_stream(text);
        while let Some(t) = s.next() {
            out.push((t.position, t.text.clone()));
        }
        out
    }

    /// The naive scan: does `phrase` (stems at their query positions) occur in `text`?
    fn occurs(phrase: &[(usize, String)], text: &str) -> bool {
        let at: BTreeMap<usize, String> = stems(text).into_iter().collect();
        let first = phrase[0].0;
        at.keys().any(|&p| {
            phrase
                .iter()
                .all(|(q, s)| at.get(&(p + q - first)) == Some(s))
        })
    }

    /// Documents alternate between phases `P1` (odd numbers) and `P0` (even).
    fn catalogue(docs: usize) -> Catalogue {
        let mut cat = Catalogue::default();
        for d in 1..=docs as u32 {
            let doc = Document {
                id: DocId(d),
                title: String::new(),
                kind: DocKind::Interview,
                date: None,
                phase: None,
                source: String::new(),
                attributes: Default::default(),
            };
            cat.insert(DocInfo {
                timeline: TimelineKey::new(Placement::Phase(d as usize % 2), None, doc.id),
                phase: format!("P{}", d % 2),
                doc,
            });
        }
        cat
    }

    /// Long posting lists (many blocks of documents and of positions), two segments, a
    /// deleted document, on disk: the sweep reads every segment's positions file, and
    /// finds what tantivy's own phrase query finds, with the same scores.
    #[test]
    fn long_postings_are_swept_as_tantivy_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let ix = Index::create(dir.path(), Stemming::for_language("en").unwrap()).unwrap();
        // A fixed pseudo-random walk over the words: every phrase of them occurs often.
        let mut seed = 0x2545_f491_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for round in 0..2u32 {
            let mut w = ix.writer().unwrap();
            if round == 1 {
                w.delete_doc(DocId(3));
            }
            for d in 1..=20u32 {
                for o in 1..=150u32 {
                    let words: Vec<usize> = (0..next(40)).map(|_| next(WORDS.len())).collect();
                    let passage = PassageId {
                        doc: DocId(d + 20 * round),
                        ordinal: o,
                    };
                    let t = text(&words);
                    w.add(&Record {
                        passage,
                        text: &t,
                        speaker: None,
                        codes: &[],
                    })
                    .unwrap();
                }
            }
            w.commit(u64::from(round) + 1).unwrap();
        }
        let searcher = ix.reader.searcher();
        assert!(searcher.segment_readers().len() >= 2);
        for reader in searcher.segment_readers() {
            assert!(FieldPositions::open(&ix.index, reader, ix.fields.text).is_some());
        }
        let cat = catalogue(40);
        for phrase in [&[0, 2][..], &[3, 1], &[1, 3, 2], &[2, 2], &[9, 0, 3, 1]] {
            let q = Query::parse(&format!("\"{}\"", text(phrase))).unwrap();
            let words = stems(&text(phrase));
            let terms: Vec<(usize, Term)> = words
                .iter()
                .map(|(p, s)| (*p, Term::from_field_text(ix.fields.text, s)))
                .collect();
            // Every segment is swept, none checked one document at a time.
            let weight = PhraseWeight {
                phrase: ExactPhrase::new(terms.clone(), None),
                bm25: None,
                index: Some(ix.index.clone()),
            };
            for reader in searcher.segment_readers() {
                let scorer = weight.phrase_scorer(reader, 1.0).unwrap();
                assert!(matches!(scorer, Some(PhraseScorer::Swept(_))), "{phrase:?}");
            }
            let reference: BTreeMap<PassageId, f32> = searcher
                .search(&PhraseQuery::new_with_offset(terms), &PassageCollector)
                .unwrap()
                .into_iter()
                .map(|f| (f.passage, f.score))
                .collect();
            assert!(reference.len() > 20, "{phrase:?}: {}", reference.len());
            let filter = Filter::default();
            let ours: BTreeMap<PassageId, f32> = ix
                .search(&q, &filter, &cat, Sort::Relevance, None)
                .unwrap()
                .into_iter()
                .map(|f| (f.passage, f.score))
                .collect();
            assert_eq!(ours, reference, "{phrase:?}");
            assert_eq!(ix.count(&q, &filter, &cat).unwrap(), reference.len() as u64);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// A phrase finds exactly the passages whose stems hold it at its positions (a
        /// naive scan of the texts), with or without a phase filter, after deletes and
        /// re-adds over two commits (several segments, deleted documents); counts agree;
        /// and the scores are those of tantivy's own phrase query.
        #[test]
        fn phrases_are_exact(
            docs in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::collection::vec(0..WORDS.len(), 0..14), 1..6),
                1..7),
            deleted in proptest::collection::vec(0usize..7, 0..3),
            phrase in proptest::collection::vec(0..WORDS.len(), 2..5),
            phase in proptest::option::of(0u32..2),
        ) {
            let ix = Index::create_in_ram(Stemming::for_language("en").unwrap()).unwrap();
            let mut live: BTreeMap<PassageId, String> = BTreeMap::new();
            let mut w = ix.writer().unwrap();
            for (d, passages) in docs.iter().enumerate() {
                for (o, p) in passages.iter().enumerate() {
                    let passage = PassageId { doc: DocId(d as u32 + 1), ordinal: o as u32 + 1 };
                    let t = text(p);
                    w.add(&Record { passage, text: &t, speaker: None, codes: &[] }).unwrap();
                    live.insert(passage, t);
                }
            }
            w.commit(1).unwrap();
            let mut w = ix.writer().unwrap();
            for &d in &deleted {
                w.delete_doc(DocId(d as u32 + 1));
                live.retain(|p, _| p.doc.0 != d as u32 + 1);
            }
            if let Some(&d) = deleted.first() {
                if let Some(last) = docs.get(d).and_then(|p| p.last()) {
                    let passage = PassageId { doc: DocId(d as u32 + 1), ordinal: 1 };
                    let t = text(last);
                    w.add(&Record { passage, text: &t, speaker: None, codes: &[] }).unwrap();
                    live.insert(passage, t);
                }
            }
            w.commit(2).unwrap();

            let words = stems(&text(&phrase));
            let q = Query::parse(&format!("\"{}\"", text(&phrase))).unwrap();
            let cat = catalogue(docs.len());
            let filter = Filter {
                doc: DocFilter {
                    phases: phase.map(|p| format!("P{p}")).into_iter().collect(),
                    ..DocFilter::default()
                },
                codes: Vec::new(),
            };
            if words.is_empty() {
                proptest::prop_assert!(ix.count(&q, &filter, &cat).is_err());
                return Ok(());
            }
            let expected: BTreeSet<PassageId> = live
                .iter()
                .filter(|(p, t)| phase.is_none_or(|ph| p.doc.0 % 2 == ph) && occurs(&words, t))
                .map(|(p, _)| *p)
                .collect();
            let found = ix.search(&q, &filter, &cat, Sort::Relevance, None).unwrap();
            let got: BTreeSet<PassageId> = found.iter().map(|f| f.passage).collect();
            proptest::prop_assert_eq!(&got, &expected);
            proptest::prop_assert_eq!(ix.count(&q, &filter, &cat).unwrap(), expected.len() as u64);
            let first = ix.search(&q, &filter, &cat, Sort::Time, Some(3)).unwrap();
            proptest::prop_assert_eq!(first.len(), expected.len().min(3));

            if words.len() > 1 && phase.is_none() {
                let terms = words
                    .iter()
                    .map(|(p, s)| (*p, tantivy::Term::from_field_text(ix.fields.text, s)))
                    .collect();
                let reference = ix
                    .reader
                    .searcher()
                    .search(&PhraseQuery::new_with_offset(terms), &PassageCollector)
                    .unwrap();
                let reference: BTreeMap<PassageId, f32> =
                    reference.into_iter().map(|f| (f.passage, f.score)).collect();
                let ours: BTreeMap<PassageId, f32> =
                    found.into_iter().map(|f| (f.passage, f.score)).collect();
                proptest::prop_assert_eq!(ours, reference);
            }
        }
    }
}
