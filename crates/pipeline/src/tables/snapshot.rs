//! The store's part of the tables input as integer columns, cached per store revision in
//! `.ambit/tables.snapshot`.
//!
//! # Which approach, and why
//!
//! Issue #17 named three ways to stop tables waiting on SQLite: integers instead of
//! strings per coding, a covering index, or a columnar snapshot cached per store revision.
//! This is the third, built on the first:
//!
//! - The store reads codings in one sequential scan of the table with codes and coders
//!   interned as they are read (`Store::coding_columns`), so a coding is five integers,
//!   not a row of owned strings. On 900,000 codings that scan was 8× faster than walking
//!   the `codings_doc` index and 2× faster than a covering index (measured when it was
//!   written, see `crates/store/src/tables.rs`), which is also why there is no covering
//!   index: it would cost a schema migration and a larger store for every write, and
//!   lose to the scan.
//! - Even so, building the input is dominated by SQLite and the texts: every passage and
//!   coding row decoded, and every document text read to turn codings that cover part of
//!   a passage into word ranges (on the benchmark project of `benches/tables`: 600,000
//!   passages, 895,000 codings and 182 MB of text, 1.0 s of CPU). None of that changes
//!   until the store does, while a paper's tables are made again and again between
//!   writes. So the result is kept: about 22 bytes per coding, read back in one
//!   sequential pass, and a whole `ambit table` command takes 0.1 s of CPU instead. The
//!   first table after a write pays the build once (`benches/tables/README.md` has the
//!   figures).
//!
//! # Never stale
//!
//! A snapshot holds only what the store decides: passages (words, speaker label as
//! stored), the attached codings (code id, coder) and every coding's overlaps with passages
//! as ranges of the passage's words. What `ambit.toml` and `codebook.toml` say (timeline
//! order, phases, speaker aliases, which codes exist and in which order) is applied each
//! time the snapshot is read: editing those files cannot make it wrong, so they are not
//! part of its key and do not cost a rebuild. The key is everything the contents depend
//! on: the store's [`Stamp`] (revision, highest document and coding ids), the random token
//! the store keeps for that revision ([`Store::revision_token`]: a backup put back and
//! written to again reaches the same revision with another token), the program's identity
//! ([`program`]) and the format version. A snapshot whose key matches is read as it is.
//!
//! # Brought up to date, not rebuilt
//!
//! After a write, the snapshot of an earlier revision of the same store (its token is the
//! one the store still has for that revision) by the same program is brought up to date:
//! the store knows which documents' passages or codings changed since then
//! ([`Store::documents_changed_since`]: writes record what they delete or change, and new
//! ids are found by id), only those documents are read again, and the rest is kept. The result is the snapshot a build from scratch gives, byte for byte
//! (codings in id order, names numbered as first met), which the tests check after every
//! kind of write. When most documents changed (an `ambit autocode`), it is rebuilt.
//!
//! The file is derived data: `.ambit/tables.snapshot` can be deleted at any time and the
//! next table rebuilds the same input. It is written to a temporary file and renamed, and
//! checked while it is read (a checksum over every byte, every index bounds-checked), so a
//! damaged file is rebuilt, never trusted. A project that cannot be written only loses the
//! speed. The file is read in chunks straight into the tables input, so a table never
//! holds it whole.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use ambit_core::text::{word_range, word_spans, CharIndex};
use ambit_core::{DocId, DocKind, SpeakerAliases};
use ambit_store::{Stamp, Store};
use ambit_tables::{CodingInfo, Overlap, PassageInfo};

use crate::error::{Error, Result};

/// The snapshot file inside `.ambit/`.
pub(crate) const FILE: &str = "tables.snapshot";

const MAGIC: &[u8; 8] = b"AMBITTBL";
/// Bumped whenever the layout or the meaning of a field changes (2: the key has an
/// origin; 3: a revision token instead of the store file's identity, and each coding's
/// document and id, so a snapshot can be brought up to date).
const FORMAT: u32 = 3;
/// Bytes of the header: magic, format, padding, the [`Key`], body length, checksum.
const HEADER: usize = 72;
/// Bytes of a coding's record: code, coder, document, id (two halves).
const CODING: usize = 20;
/// Set on an overlap's passage when it covers the whole passage (what rule codings do): its
/// words are the passage's and are not stored.
const WHOLE: u32 = 1 << 31;
/// Bytes read at a time; a multiple of 8, as the checksum reads 8-byte words.
const CHUNK: usize = 1 << 18;

/// The store's part of a tables input, as read from the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Snapshot {
    /// The store (and program) this was read by.
    pub key: Key,
    /// Documents with passages, in id order.
    pub docs: Vec<u32>,
    /// The first passage of each entry of `docs`; its passages run to the next one's.
    pub first: Vec<u32>,
    /// Words of each passage, in document and ordinal order.
    pub words: Vec<u32>,
    /// Each passage's speaker label (an index into `labels`), `u32::MAX` for none.
    pub speaker: Vec<u32>,
    /// Speaker labels as stored.
    pub labels: Vec<String>,
    /// Each coding's code (an index into `codes`).
    pub code: Vec<u32>,
    /// Each coding's coder (an index into `coders`).
    pub coder: Vec<u32>,
    /// Each coding's document.
    pub coding_doc: Vec<u32>,
    /// Each coding's id, increasing.
    pub coding_id: Vec<u64>,
    /// Code ids.
    pub codes: Vec<String>,
    /// Coder names.
    pub coders: Vec<String>,
    /// The overlaps, grouped by coding in coding order: (coding, passage, first word,
    /// end word).
    pub overlaps: Vec<(u32, u32, u32, u32)>,
}

/// What the project's files say, for reading a snapshot into a tables input.
pub(crate) struct Frame<'a> {
    /// The documents of the input, in its (timeline) order.
    pub docs: &'a [(DocId, DocKind)],
    /// The row of a code id in the input, `None` for a code the codebook lacks.
    pub row_of: &'a dyn Fn(&str) -> Option<u32>,
    /// Speaker aliases from `ambit.toml`.
    pub aliases: &'a SpeakerAliases,
}

/// The store's part of a tables input, in the input's order and numbering.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Parts {
    /// Passages, document by document in the frame's order.
    pub passages: Vec<PassageInfo>,
    /// Speaker names, in the order first met.
    pub speakers: Vec<String>,
    /// Coder names, in the order first met.
    pub coders: Vec<String>,
    /// Codings of codes the codebook has.
    pub codings: Vec<CodingInfo>,
    /// Their overlaps, grouped by coding.
    pub overlaps: Vec<Overlap>,
}

/// What a snapshot must match to be read as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Key {
    /// The store's revision and highest ids.
    pub stamp: Stamp,
    /// The store's token for that revision ([`Store::revision_token`]).
    pub token: u64,
    /// The program that built the snapshot ([`program`]).
    pub program: u64,
}

/// A fingerprint of the running program (size, modification time, and on Unix device and
/// inode); `None` when it cannot be known, and then nothing is cached. The program is part
/// of the key because the word ranges are computed by its word rule: another build of
/// Ambit rebuilds the snapshot rather than trust [`FORMAT`] to have been bumped for every
/// change of `ambit_core::text`.
pub(crate) fn program() -> Option<u64> {
    let mut sum = Checksum::new(0);
    let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    for v in [
        meta.len(),
        modified.as_secs(),
        u64::from(modified.subsec_nanos()),
    ] {
        sum.add(&v.to_le_bytes());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        sum.add(&meta.dev().to_le_bytes());
        sum.add(&meta.ino().to_le_bytes());
    }
    Some(sum.value())
}

/// How [`load`] got the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loaded {
    /// The cached file matched the store.
    Cached,
    /// The cached file was brought up to date by reading this many documents again.
    Updated(usize),
    /// Built from the whole store.
    Built,
}

/// The store's part of the tables input: from the cached snapshot when its key matches,
/// else from the cached snapshot of an earlier revision brought up to date, else built
/// from the store; cached when the project can be written. Call it inside
/// [`Store::read_consistently`], so the stamp and what is read belong together.
pub(crate) fn load(
    store: &Store,
    data_dir: &Path,
    stamp: Stamp,
    frame: &Frame<'_>,
) -> Result<(Parts, Loaded)> {
    let path = data_dir.join(FILE);
    let (token, program) = (store.revision_token(stamp.revision)?, program());
    let key = Key {
        stamp,
        token: token.unwrap_or(0),
        program: program.unwrap_or(0),
    };
    let cacheable = token.is_some() && program.is_some();
    let mut updated = None;
    if cacheable {
        if let Ok(mut file) = std::fs::File::open(&path) {
            if let Some(head) = Head::read(&mut file) {
                if head.format == FORMAT && head.key == key {
                    if let Some(parts) = read_body_of(file, &head, frame) {
                        return Ok((parts, Loaded::Cached));
                    }
                } else {
                    updated = update(store, key, &head, file)?;
                }
            }
        }
    }
    let (snapshot, loaded) = match updated {
        Some((s, n)) => (s, Loaded::Updated(n)),
        None => (build(store, key)?, Loaded::Built),
    };
    let bytes = encode(&snapshot)?;
    if cacheable && !store.is_read_only() {
        // Derived data: a cache that cannot be written is only slower next time.
        let _ = write_atomically(&path, &bytes);
    }
    let parts = read(&bytes[..], key, frame).ok_or_else(|| {
        Error::from(ambit_store::Error::Corrupt(
            "passages or codings that do not fit together".into(),
        ))
    })?;
    Ok((parts, loaded))
}

/// The snapshot whose header is `head` (the rest of it in `file`), brought up to `key`
/// by reading again the documents that changed since it was built; with how many those
/// were. `None` when it cannot be: another store's history or another program, a
/// revision the store no longer has a token for, a damaged file, or most documents
/// changed (a build is then as quick).
fn update(
    store: &Store,
    key: Key,
    head: &Head,
    file: impl Read,
) -> Result<Option<(Snapshot, usize)>> {
    let was = head.key;
    if head.format != FORMAT
        || was.program != key.program
        || was.stamp.revision >= key.stamp.revision
        || store.revision_token(was.stamp.revision)? != Some(was.token)
    {
        return Ok(None);
    }
    let changed = store.documents_changed_since(was.stamp)?;
    let Some(old) = decode(file, head) else {
        return Ok(None);
    };
    if changed.len() * 2 > old.docs.len().max(16) {
        return Ok(None);
    }
    let fresh = build_from(
        store,
        key,
        store.passage_columns_of(&changed)?,
        store.coding_columns_of(&changed)?,
    )?;
    let changed: Vec<u32> = changed.iter().map(|d| d.0).collect();
    Ok(merge(&old, &fresh, &changed).map(|s| (s, changed.len())))
}

/// Names (labels, codes, coders) of two snapshots numbered again in the order first met.
struct Renumber<'a> {
    names: Vec<String>,
    index: std::collections::HashMap<&'a str, u32>,
    from: [&'a [String]; 2],
    map: [Vec<u32>; 2],
}

impl<'a> Renumber<'a> {
    fn new(a: &'a [String], b: &'a [String]) -> Renumber<'a> {
        Renumber {
            names: Vec::new(),
            index: std::collections::HashMap::new(),
            from: [a, b],
            map: [vec![u32::MAX; a.len()], vec![u32::MAX; b.len()]],
        }
    }

    /// The new number of name `i` of source `s`; `u32::MAX` stays (no name).
    fn get(&mut self, s: usize, i: u32) -> Option<u32> {
        if i == u32::MAX {
            return Some(i);
        }
        let m = self.map[s].get_mut(i as usize)?;
        if *m == u32::MAX {
            let name: &'a str = &self.from[s][i as usize];
            let names = &mut self.names;
            *m = *self.index.entry(name).or_insert_with(|| {
                names.push(name.to_string());
                (names.len() - 1) as u32
            });
        }
        Some(*m)
    }
}

/// Where each coding's overlaps start in `s.overlaps` (grouped by coding), and one more
/// entry for the end.
fn overlap_starts(s: &Snapshot) -> Option<Vec<usize>> {
    let mut starts = vec![0usize; s.code.len() + 1];
    for o in &s.overlaps {
        *starts.get_mut(o.0 as usize + 1)? += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    Some(starts)
}

/// Calls `each(source, index)` on the entries of two sources (0: `old`, 1: `fresh`) in
/// increasing key order: those of `old` that `keep_old` keeps, and all of `fresh`'s.
/// `None` when the keys do not strictly increase or `each` says `None`.
fn interleave<K: Ord + Copy>(
    old: &[K],
    keep_old: impl Fn(usize) -> bool,
    fresh: &[K],
    mut each: impl FnMut(usize, usize) -> Option<()>,
) -> Option<()> {
    let (mut i, mut j, mut last) = (0, 0, None);
    loop {
        while i < old.len() && !keep_old(i) {
            i += 1;
        }
        let (s, k, key) = match (old.get(i), fresh.get(j)) {
            (None, None) => return Some(()),
            (Some(&a), Some(&b)) if b < a => (1, j, b),
            (Some(&a), _) => (0, i, a),
            (None, Some(&b)) => (1, j, b),
        };
        if s == 0 {
            i += 1;
        } else {
            j += 1;
        }
        if last.is_some_and(|l| l >= key) {
            return None;
        }
        last = Some(key);
        each(s, k)?;
    }
}

/// `old` with the documents `changed` (increasing ids) as `fresh` holds them (`fresh` is
/// built from those documents alone): what a build of the whole store gives. `None` when
/// the two do not fit together.
fn merge(old: &Snapshot, fresh: &Snapshot, changed: &[u32]) -> Option<Snapshot> {
    let is_changed = |id: u32| changed.binary_search(&id).is_ok();
    let src = [old, fresh];
    let mut out = Snapshot {
        key: fresh.key,
        ..Snapshot::default()
    };
    let passages_of = |s: &Snapshot, k: usize| {
        let end = s.first.get(k + 1).map_or(s.words.len(), |&f| f as usize);
        s.first[k] as usize..end
    };

    // Documents in id order, each with its passages; `moved[s][p]`: where passage `p` of
    // source `s` went.
    let mut labels = Renumber::new(&old.labels, &fresh.labels);
    let mut moved = [
        vec![u32::MAX; old.words.len()],
        vec![u32::MAX; fresh.words.len()],
    ];
    let keep_old = |k: usize| !is_changed(old.docs[k]);
    interleave(&old.docs, keep_old, &fresh.docs, |s, k| {
        let id = src[s].docs[k];
        if s == 1 && !is_changed(id) {
            return None;
        }
        out.docs.push(id);
        out.first.push(out.words.len() as u32);
        for p in passages_of(src[s], k) {
            moved[s][p] = out.words.len() as u32;
            out.words.push(src[s].words[p]);
            out.speaker.push(labels.get(s, src[s].speaker[p])?);
        }
        Some(())
    })?;
    out.labels = labels.names;

    // Codings in id order, each with its overlaps.
    let starts = [overlap_starts(old)?, overlap_starts(fresh)?];
    let mut codes = Renumber::new(&old.codes, &fresh.codes);
    let mut coders = Renumber::new(&old.coders, &fresh.coders);
    let keep_old = |k: usize| old.coding_doc.get(k).is_some_and(|&d| !is_changed(d));
    interleave(&old.coding_id, keep_old, &fresh.coding_id, |s, k| {
        let (id, doc) = (src[s].coding_id[k], *src[s].coding_doc.get(k)?);
        if s == 1 && !is_changed(doc) {
            return None;
        }
        let c = out.code.len() as u32;
        out.code.push(codes.get(s, *src[s].code.get(k)?)?);
        out.coder.push(coders.get(s, *src[s].coder.get(k)?)?);
        out.coding_doc.push(doc);
        out.coding_id.push(id);
        for &(_, passage, first, end) in src[s].overlaps.get(starts[s][k]..starts[s][k + 1])? {
            let to = *moved[s].get(passage as usize)?;
            if to == u32::MAX {
                return None;
            }
            out.overlaps.push((c, to, first, end));
        }
        Some(())
    })?;
    out.codes = codes.names;
    out.coders = coders.names;
    Some(out)
}

/// Where each document id's passages are: a dense table when ids are dense (they are
/// given in order and rarely deleted), else a binary search.
pub(crate) struct DocSlots<'a> {
    ids: &'a [u32],
    dense: Vec<u32>,
}

impl<'a> DocSlots<'a> {
    /// `ids` in increasing order.
    pub fn new(ids: &'a [u32]) -> DocSlots<'a> {
        let max = ids.last().map_or(0, |&m| m as usize);
        let dense = if max <= 4 * ids.len() + 1024 {
            let mut d = vec![u32::MAX; max + 1];
            for (k, &id) in ids.iter().enumerate() {
                d[id as usize] = k as u32;
            }
            d
        } else {
            Vec::new()
        };
        DocSlots { ids, dense }
    }

    /// The position of `id` in `ids`.
    #[inline]
    pub fn get(&self, id: u32) -> Option<usize> {
        if self.dense.is_empty() {
            return self.ids.binary_search(&id).ok();
        }
        match self.dense.get(id as usize) {
            Some(&k) if k != u32::MAX => Some(k as usize),
            _ => None,
        }
    }
}

/// The passages (one document's, in order, as start and end columns) that the span
/// `start..end` touches: those it overlaps, and for an empty span the passage it sits in.
/// The same rule as [`crate::corpus::overlapping`].
fn overlapping(
    starts: &[usize],
    ends: &[usize],
    start: usize,
    end: usize,
) -> std::ops::Range<usize> {
    let before = |i: usize| ends[i] <= start && !(starts[i] == start && ends[i] == start);
    let (mut lo, mut hi) = (0, starts.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let mut last = lo;
    while last < starts.len() && (starts[last] < end || (start == end && starts[last] <= start)) {
        last += 1;
    }
    lo..last
}

/// Reads the snapshot from the store: two sequential scans, then the text of each document
/// with codings that cover part of a passage, once.
pub(crate) fn build(store: &Store, key: Key) -> Result<Snapshot> {
    build_from(
        store,
        key,
        store.passage_columns()?,
        store.coding_columns()?,
    )
}

/// A snapshot of the passages `p` and codings `c` (of the whole store, or of some of its
/// documents); the text of each document with codings that cover part of a passage is
/// read once.
fn build_from(
    store: &Store,
    key: Key,
    p: ambit_store::PassageColumns,
    c: ambit_store::CodingColumns,
) -> Result<Snapshot> {
    let ids: Vec<u32> = p.docs.iter().map(|d| d.0 .0).collect();
    let slots = DocSlots::new(&ids);
    let mut overlaps = Vec::with_capacity(c.len() + c.len() / 8);
    // Overlaps that cover part of their passage: (document, passage, coding, overlap).
    let mut partial: Vec<(u32, u32, u32, u32)> = Vec::new();
    for i in 0..c.len() {
        let Some(k) = slots.get(c.doc[i].0) else {
            continue;
        };
        let range = p.range(k);
        let (start, end) = (c.start[i], c.end[i]);
        let hit = overlapping(&p.start[range.clone()], &p.end[range.clone()], start, end);
        for pi in hit.start + range.start..hit.end + range.start {
            if start <= p.start[pi] && end >= p.end[pi] {
                // The whole passage: no need to find words.
                overlaps.push((i as u32, pi as u32, 0, p.words[pi]));
            } else {
                partial.push((k as u32, pi as u32, i as u32, overlaps.len() as u32));
                overlaps.push((i as u32, pi as u32, 0, 0));
            }
        }
    }
    partial.sort_unstable();
    for doc in partial.chunk_by(|a, b| a.0 == b.0) {
        let text = store.text(p.docs[doc[0].0 as usize].0)?;
        let index = CharIndex::new(&text);
        for passage in doc.chunk_by(|a, b| a.1 == b.1) {
            let pi = passage[0].1 as usize;
            let (ps, pe) = (p.start[pi], p.end[pi]);
            let spans = word_spans(index.slice(&text, ps, pe).unwrap_or(""));
            for &(_, _, coding, at) in passage {
                let s = c.start[coding as usize].clamp(ps, pe) - ps;
                let e = c.end[coding as usize].clamp(ps, pe) - ps;
                let (first, last) = word_range(&spans, s, e);
                let o = &mut overlaps[at as usize];
                (o.2, o.3) = (first, last);
            }
        }
    }
    Ok(Snapshot {
        key,
        first: p.docs.iter().map(|d| d.1).collect(),
        docs: ids,
        words: p.words,
        speaker: p.speaker,
        labels: p.labels,
        code: c.code,
        coder: c.coder,
        coding_doc: c.doc.iter().map(|d| d.0).collect(),
        coding_id: c.id,
        codes: c.codes,
        coders: c.coders,
        overlaps,
    })
}

/// The checksum of a body: 64-bit words from its start, then the last bytes, mixed into a
/// state that starts at the body's length (not cryptographic: it catches damage).
#[derive(Clone, Copy)]
struct Checksum(u64);

impl Checksum {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;

    fn new(len: u64) -> Checksum {
        Checksum(len)
    }

    /// Adds bytes; all but the last call must pass a multiple of 8 bytes.
    fn add(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let v = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
            self.0 = (self.0.rotate_left(23) ^ v).wrapping_mul(Self::K);
        }
        for &b in words.remainder() {
            self.0 = (self.0.rotate_left(23) ^ u64::from(b)).wrapping_mul(Self::K);
        }
    }

    fn value(self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u64).to_le_bytes());
}

fn put_strings(out: &mut Vec<u8>, v: &[String]) {
    put_len(out, v.len());
    for s in v {
        put_len(out, s.len());
        out.extend_from_slice(s.as_bytes());
    }
}

/// The file's bytes: a header (magic, format, key, body length, checksum), then the body:
/// the labels, codes and coders; the documents (id, first passage); the passages (words,
/// label); the codings (code, coder, document, id); the overlaps (coding, passage with [`WHOLE`]); the
/// first and end word of each overlap that is not whole, in order. Every record of a
/// section has the same size, so a section is read in bulk.
pub(crate) fn encode(s: &Snapshot) -> Result<Vec<u8>> {
    if s.words.len() >= WHOLE as usize {
        return Err(Error::Request(format!(
            "{} passages are more than tables can count",
            s.words.len()
        )));
    }
    let whole = |&(_, passage, first, end): &(u32, u32, u32, u32)| {
        first == 0 && s.words.get(passage as usize) == Some(&end)
    };
    let partial = s.overlaps.iter().filter(|o| !whole(o)).count();
    let names: usize = [&s.labels, &s.codes, &s.coders]
        .iter()
        .flat_map(|v| v.iter())
        .map(|n| 8 + n.len())
        .sum();
    // One buffer of the exact size: the header is filled in once the body is written.
    let mut out = Vec::with_capacity(
        HEADER
            + names
            + 8 * 8
            + 8 * (s.docs.len() + s.words.len() + s.overlaps.len() + partial)
            + CODING * s.code.len(),
    );
    out.resize(HEADER, 0);
    put_strings(&mut out, &s.labels);
    put_strings(&mut out, &s.codes);
    put_strings(&mut out, &s.coders);
    put_len(&mut out, s.docs.len());
    put_len(&mut out, s.words.len());
    for (&id, &first) in s.docs.iter().zip(&s.first) {
        put_u32(&mut out, id);
        put_u32(&mut out, first);
    }
    for (&words, &label) in s.words.iter().zip(&s.speaker) {
        put_u32(&mut out, words);
        put_u32(&mut out, label);
    }
    put_len(&mut out, s.code.len());
    for i in 0..s.code.len() {
        put_u32(&mut out, s.code[i]);
        put_u32(&mut out, s.coder[i]);
        put_u32(&mut out, s.coding_doc[i]);
        out.extend_from_slice(&s.coding_id[i].to_le_bytes());
    }
    put_len(&mut out, s.overlaps.len());
    for o in &s.overlaps {
        put_u32(&mut out, o.0);
        put_u32(&mut out, if whole(o) { o.1 | WHOLE } else { o.1 });
    }
    put_len(&mut out, partial);
    for o in s.overlaps.iter().filter(|o| !whole(o)) {
        put_u32(&mut out, o.2);
        put_u32(&mut out, o.3);
    }
    let len = out.len() - HEADER;
    let mut sum = Checksum::new(len as u64);
    sum.add(&out[HEADER..]);
    let mut head = Vec::with_capacity(HEADER);
    head.extend_from_slice(MAGIC);
    put_u32(&mut head, FORMAT);
    put_u32(&mut head, 0);
    for v in [
        s.key.stamp.revision,
        s.key.stamp.documents,
        s.key.stamp.codings,
        s.key.token,
        s.key.program,
        len as u64,
        sum.value(),
    ] {
        head.extend_from_slice(&v.to_le_bytes());
    }
    out[..HEADER].copy_from_slice(&head);
    Ok(out)
}

/// A snapshot file's body, read in chunks and checksummed as it is read. Every read is
/// bounds-checked: a short or damaged file gives `None`, never a panic.
struct Input<R> {
    source: R,
    buf: Vec<u8>,
    at: usize,
    /// Body bytes not yet loaded into `buf`.
    left: u64,
    sum: Checksum,
}

impl<R: Read> Input<R> {
    fn new(source: R, len: u64) -> Input<R> {
        Input {
            source,
            buf: Vec::new(),
            at: 0,
            left: len,
            sum: Checksum::new(len),
        }
    }

    /// Keeps the unread bytes and loads the next chunk after them.
    fn refill(&mut self) -> Option<()> {
        if self.left == 0 {
            return None;
        }
        self.buf.drain(..self.at);
        self.at = 0;
        let kept = self.buf.len();
        let n = CHUNK.min(usize::try_from(self.left).unwrap_or(CHUNK));
        self.buf.resize(kept + n, 0);
        self.source.read_exact(&mut self.buf[kept..]).ok()?;
        self.sum.add(&self.buf[kept..]);
        self.left -= n as u64;
        Some(())
    }

    #[inline]
    fn u32(&mut self) -> Option<u32> {
        if self.buf.len() - self.at < 4 {
            self.refill()?;
            if self.buf.len() - self.at < 4 {
                return None;
            }
        }
        let b = &self.buf[self.at..self.at + 4];
        self.at += 4;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Calls `each` on `n` records of `size` bytes (at most [`CHUNK`]), read in bulk.
    fn records(
        &mut self,
        n: usize,
        size: usize,
        mut each: impl FnMut(&[u8]) -> Option<()>,
    ) -> Option<()> {
        let mut done = 0;
        while done < n {
            if self.buf.len() - self.at < size {
                self.refill()?;
                if self.buf.len() - self.at < size {
                    return None;
                }
            }
            let k = ((self.buf.len() - self.at) / size).min(n - done);
            let end = self.at + k * size;
            for rec in self.buf[self.at..end].chunks_exact(size) {
                each(rec)?;
            }
            self.at = end;
            done += k;
        }
        Some(())
    }

    /// Bytes of the body not read yet.
    fn remaining(&self) -> u64 {
        self.left + (self.buf.len() - self.at) as u64
    }

    fn len(&mut self) -> Option<usize> {
        let lo = u64::from(self.u32()?);
        let hi = u64::from(self.u32()?);
        usize::try_from(hi << 32 | lo).ok()
    }

    /// A number of records of at least `size` bytes each, refused when the rest of the body
    /// cannot hold them (so a damaged count never allocates much).
    fn count(&mut self, size: u64) -> Option<usize> {
        let n = self.len()?;
        (n as u64)
            .checked_mul(size)?
            .le(&self.remaining())
            .then_some(n)
    }

    fn bytes(&mut self, n: usize) -> Option<Vec<u8>> {
        if n as u64 > self.remaining() {
            return None;
        }
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            if self.at == self.buf.len() {
                self.refill()?;
            }
            let take = (n - out.len()).min(self.buf.len() - self.at);
            out.extend_from_slice(&self.buf[self.at..self.at + take]);
            self.at += take;
        }
        Some(out)
    }

    fn strings(&mut self) -> Option<Vec<String>> {
        let n = self.count(8)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let len = self.len()?;
            out.push(String::from_utf8(self.bytes(len)?).ok()?);
        }
        Some(out)
    }

    /// Whether everything was read, nothing follows, and the checksum is `expected`.
    fn finish(mut self, expected: u64) -> bool {
        self.left == 0
            && self.at == self.buf.len()
            && self.sum.value() == expected
            && matches!(self.source.read(&mut [0u8; 1]), Ok(0))
    }
}

fn header_u64(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

/// A snapshot file's header.
struct Head {
    format: u32,
    key: Key,
    /// Bytes of the body.
    len: u64,
    /// The body's checksum.
    sum: u64,
}

impl Head {
    /// The header at the start of `source`; `None` when it is short or not a snapshot's.
    fn read(source: &mut impl Read) -> Option<Head> {
        let mut head = [0u8; HEADER];
        source.read_exact(&mut head).ok()?;
        if &head[..8] != MAGIC {
            return None;
        }
        Some(Head {
            format: u32::from_le_bytes([head[8], head[9], head[10], head[11]]),
            key: Key {
                stamp: Stamp {
                    revision: header_u64(&head, 16),
                    documents: header_u64(&head, 24),
                    codings: header_u64(&head, 32),
                },
                token: header_u64(&head, 40),
                program: header_u64(&head, 48),
            },
            len: header_u64(&head, 56),
            sum: header_u64(&head, 64),
        })
    }
}

/// Reads a snapshot file into the store's part of a tables input. `None` when the file is
/// of another format or store, short, damaged or inconsistent: rebuild it.
pub(crate) fn read(mut source: impl Read, key: Key, frame: &Frame<'_>) -> Option<Parts> {
    let head = Head::read(&mut source)?;
    if head.format != FORMAT || head.key != key {
        return None;
    }
    read_body_of(source, &head, frame)
}

/// The body after `head` into the store's part of a tables input.
fn read_body_of(source: impl Read, head: &Head, frame: &Frame<'_>) -> Option<Parts> {
    let mut r = Input::new(source, head.len);
    let parts = read_body(&mut r, frame)?;
    r.finish(head.sum).then_some(parts)
}

/// The body after `head` back into a [`Snapshot`] (of `head`'s key), every index checked;
/// `None` when it is short, damaged or inconsistent.
fn decode(source: impl Read, head: &Head) -> Option<Snapshot> {
    let mut r = Input::new(source, head.len);
    let mut s = Snapshot {
        key: head.key,
        labels: r.strings()?,
        codes: r.strings()?,
        coders: r.strings()?,
        ..Snapshot::default()
    };
    let ndocs = r.count(8)?;
    let npassages = r.count(8)?;
    if (ndocs as u64 + npassages as u64) * 8 > r.remaining() || (ndocs == 0 && npassages > 0) {
        return None;
    }
    r.records(ndocs, 8, |rec| {
        let (id, f) = (u32_at(rec, 0), u32_at(rec, 4));
        let ordered = s.docs.last().is_none_or(|&last| id > last)
            && s.first.last().map_or(f == 0, |&last| f >= last)
            && f as usize <= npassages;
        s.docs.push(id);
        s.first.push(f);
        ordered.then_some(())
    })?;
    r.records(npassages, 8, |rec| {
        let (words, label) = (u32_at(rec, 0), u32_at(rec, 4));
        if label != u32::MAX && label as usize >= s.labels.len() {
            return None;
        }
        s.words.push(words);
        s.speaker.push(label);
        Some(())
    })?;
    let ncodings = r.count(CODING as u64)?;
    r.records(ncodings, CODING, |rec| {
        let (code, coder, doc) = (u32_at(rec, 0), u32_at(rec, 4), u32_at(rec, 8));
        let id = u64::from(u32_at(rec, 12)) | u64::from(u32_at(rec, 16)) << 32;
        let fits = (code as usize) < s.codes.len()
            && (coder as usize) < s.coders.len()
            && s.coding_id.last().is_none_or(|&last| id > last);
        s.code.push(code);
        s.coder.push(coder);
        s.coding_doc.push(doc);
        s.coding_id.push(id);
        fits.then_some(())
    })?;
    let noverlaps = r.count(8)?;
    let mut partial = Vec::new();
    r.records(noverlaps, 8, |rec| {
        let (coding, field) = (u32_at(rec, 0), u32_at(rec, 4));
        let passage = field & !WHOLE;
        if s.overlaps.last().is_some_and(|o| coding < o.0)
            || coding as usize >= ncodings
            || passage as usize >= npassages
        {
            return None;
        }
        if field & WHOLE == 0 {
            partial.push(s.overlaps.len());
            s.overlaps.push((coding, passage, 0, 0));
        } else {
            s.overlaps
                .push((coding, passage, 0, s.words[passage as usize]));
        }
        Some(())
    })?;
    if r.count(8)? != partial.len() {
        return None;
    }
    let mut at = partial.iter();
    r.records(partial.len(), 8, |rec| {
        let (first, end) = (u32_at(rec, 0), u32_at(rec, 4));
        let o = s.overlaps.get_mut(*at.next()?)?;
        (first <= end).then(|| (o.2, o.3) = (first, end))
    })?;
    r.finish(head.sum).then_some(s)
}

fn u32_at(rec: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([rec[at], rec[at + 1], rec[at + 2], rec[at + 3]])
}

fn read_body<R: Read>(r: &mut Input<R>, frame: &Frame<'_>) -> Option<Parts> {
    let labels = r.strings()?;
    let codes = r.strings()?;
    let coders = r.strings()?;

    // Documents: which input document each one is, and where its passages go.
    let ndocs = r.count(8)?;
    let npassages = r.count(8)?;
    if (ndocs as u64 + npassages as u64) * 8 > r.remaining() {
        return None;
    }
    let mut ids = Vec::with_capacity(ndocs);
    let mut first = Vec::with_capacity(ndocs);
    r.records(ndocs, 8, |rec| {
        let (id, f) = (u32_at(rec, 0), u32_at(rec, 4));
        let ordered = ids.last().is_none_or(|&last| id > last)
            && first.last().map_or(f == 0, |&last| f >= last)
            && f as usize <= npassages;
        ids.push(id);
        first.push(f);
        ordered.then_some(())
    })?;
    if ndocs == 0 && npassages > 0 {
        return None;
    }
    let end_of = |k: usize| first.get(k + 1).map_or(npassages, |&f| f as usize);
    let slots = DocSlots::new(&ids);
    let mut input_doc = vec![u32::MAX; ndocs];
    let mut base = vec![0usize; ndocs];
    let mut total = 0;
    for (t, (id, _)) in frame.docs.iter().enumerate() {
        if let Some(k) = slots.get(id.0) {
            input_doc[k] = t as u32;
            base[k] = total;
            total += end_of(k) - first[k] as usize;
        }
    }

    // Passages into their documents' places; `moved[p]` is where passage `p` went.
    let blank = PassageInfo {
        doc: 0,
        speaker: None,
        words: 0,
    };
    let mut passages = vec![blank; total];
    let mut moved = vec![u32::MAX; npassages];
    let (mut p, mut k) = (0, 0);
    r.records(npassages, 8, |rec| {
        while p >= end_of(k) {
            k += 1;
        }
        let (words, label) = (u32_at(rec, 0), u32_at(rec, 4));
        if label != u32::MAX && label as usize >= labels.len() {
            return None;
        }
        if input_doc[k] != u32::MAX {
            let at = base[k] + p - first[k] as usize;
            moved[p] = at as u32;
            passages[at] = PassageInfo {
                doc: input_doc[k],
                // The label for now; the speaker once every passage is in place.
                speaker: (label != u32::MAX).then_some(label),
                words,
            };
        }
        p += 1;
        Some(())
    })?;
    let speakers = name_speakers(&mut passages, &labels, frame);

    // Codings of codes the codebook has, coders numbered as first met. Codings of other
    // codes are few: the ones dropped are listed, and the others renumbered past them.
    let rows: Vec<Option<u32>> = codes.iter().map(|c| (frame.row_of)(c)).collect();
    let ncodings = r.count(CODING as u64)?;
    let mut coder_ix = vec![u32::MAX; coders.len()];
    let mut kept_coders = Vec::new();
    let mut codings = Vec::with_capacity(ncodings);
    let mut dropped: Vec<u32> = Vec::new();
    let mut i = 0u32;
    r.records(ncodings, CODING, |rec| {
        let (code, coder) = (u32_at(rec, 0) as usize, u32_at(rec, 4) as usize);
        let row = *rows.get(code)?;
        let ix = coder_ix.get_mut(coder)?;
        match row {
            None => dropped.push(i),
            Some(row) => {
                if *ix == u32::MAX {
                    *ix = kept_coders.len() as u32;
                    kept_coders.push(coders[coder].clone());
                }
                codings.push(CodingInfo {
                    code: row,
                    coder: *ix,
                });
            }
        }
        i += 1;
        Some(())
    })?;

    // Overlaps; those that cover part of their passage get their words after.
    let noverlaps = r.count(8)?;
    let mut overlaps = Vec::with_capacity(noverlaps);
    // Where each partial overlap went (u32::MAX: not kept).
    let mut partial: Vec<u32> = Vec::new();
    let (mut last, mut gone) = (0u32, 0usize);
    r.records(noverlaps, 8, |rec| {
        let (coding, field) = (u32_at(rec, 0), u32_at(rec, 4));
        if coding < last || coding as usize >= ncodings {
            return None;
        }
        last = coding;
        while dropped.get(gone).is_some_and(|&d| d < coding) {
            gone += 1;
        }
        let to = *moved.get((field & !WHOLE) as usize)?;
        let kept = to != u32::MAX && dropped.get(gone) != Some(&coding);
        let whole = field & WHOLE != 0;
        if !whole {
            partial.push(if kept {
                overlaps.len() as u32
            } else {
                u32::MAX
            });
        }
        if kept {
            overlaps.push(Overlap {
                coding: coding - gone as u32,
                passage: to,
                first_word: 0,
                end_word: if whole {
                    passages[to as usize].words
                } else {
                    0
                },
            });
        }
        Some(())
    })?;
    if r.count(8)? != partial.len() {
        return None;
    }
    let mut at = partial.iter();
    r.records(partial.len(), 8, |rec| {
        let (first_word, end_word) = (u32_at(rec, 0), u32_at(rec, 4));
        let &to = at.next()?;
        if first_word > end_word {
            return None;
        }
        if let Some(o) = overlaps.get_mut(to as usize) {
            (o.first_word, o.end_word) = (first_word, end_word);
        }
        Some(())
    })?;
    Some(Parts {
        passages,
        speakers,
        coders: kept_coders,
        codings,
        overlaps,
    })
}

/// Turns the passages' speaker labels into speakers: names through the aliases, numbered
/// in the order first met along the input's passages.
fn name_speakers(
    passages: &mut [PassageInfo],
    labels: &[String],
    frame: &Frame<'_>,
) -> Vec<String> {
    let mut speakers: Vec<String> = Vec::new();
    let mut by_name: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    // A label means one speaker everywhere without aliases; with them, in one document.
    let mut of_label = vec![u32::MAX; labels.len()];
    let per_doc = !frame.aliases.is_empty();
    let mut doc = u32::MAX;
    for p in passages {
        let Some(label) = p.speaker else {
            continue;
        };
        if per_doc && p.doc != doc {
            doc = p.doc;
            of_label.fill(u32::MAX);
        }
        let known = &mut of_label[label as usize];
        if *known == u32::MAX {
            let (id, kind) = frame.docs[p.doc as usize];
            let name = frame.aliases.resolve(id, kind, &labels[label as usize]);
            *known = match by_name.get(name) {
                Some(&s) => s,
                None => {
                    speakers.push(name.to_string());
                    by_name.insert(name.to_string(), (speakers.len() - 1) as u32);
                    (speakers.len() - 1) as u32
                }
            };
        }
        p.speaker = Some(*known);
    }
    speakers
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so
/// a reader sees the old file or the new one, never half of one.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    // The web app builds tables on several threads of one process at once.
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let n = WRITES.fetch_add(1, Ordering::Relaxed);
    let mut tmp: PathBuf = path.to_path_buf();
    tmp.set_file_name(format!(".{FILE}.{}.{n}.tmp", std::process::id()));
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::HashMap;

    use ambit_core::text::word_count;
    use ambit_core::{Date, Origin, Passage, PassageId, PassageSpan};
    use ambit_store::{NewCoding, NewDocument, NewPassage, Project};
    use ambit_tables::TableInput;

    use super::*;
    use crate::corpus::Corpus;

    /// The rule of `overlapping` on columns is the corpus's on passages.
    #[test]
    fn overlapping_follows_the_corpus_rule() {
        fn check(
            passages: &[(usize, usize)],
            span: (usize, usize),
            expected: std::ops::Range<usize>,
        ) {
            let starts: Vec<usize> = passages.iter().map(|p| p.0).collect();
            let ends: Vec<usize> = passages.iter().map(|p| p.1).collect();
            let got = overlapping(&starts, &ends, span.0, span.1);
            assert_eq!(got, expected, "{passages:?} {span:?}");
            let ps: Vec<Passage> = passages
                .iter()
                .enumerate()
                .map(|(i, &(s, e))| Passage {
                    id: PassageId {
                        doc: DocId(1),
                        ordinal: i as u32 + 1,
                    },
                    span: PassageSpan::new(s, e),
                    words: 0,
                })
                .collect();
            assert_eq!(crate::corpus::overlapping(&ps, span.0, span.1), got);
        }
        let three = [(0, 5), (7, 12), (14, 20)];
        check(&three, (0, 5), 0..1);
        check(&three, (2, 9), 0..2);
        check(&three, (5, 7), 1..1);
        check(&three, (5, 8), 1..2);
        check(&three, (0, 20), 0..3);
        check(&three, (13, 13), 2..2);
        check(&three, (7, 7), 1..2);
        check(&three, (20, 20), 3..3);
        check(&[(0, 0), (0, 4)], (0, 0), 0..2);
        check(&[(0, 3), (3, 3), (3, 6)], (3, 3), 1..3);
        check(&[], (0, 4), 0..0);
    }

    fn frame_of<'a>(
        docs: &'a [(DocId, DocKind)],
        row_of: &'a dyn Fn(&str) -> Option<u32>,
        aliases: &'a SpeakerAliases,
    ) -> Frame<'a> {
        Frame {
            docs,
            row_of,
            aliases,
        }
    }

    /// Two documents, one without passages; a coding of a code the codebook lacks, one
    /// that covers part of a passage, one over two passages.
    fn small() -> Snapshot {
        Snapshot {
            key: Key {
                stamp: Stamp {
                    revision: 7,
                    documents: 3,
                    codings: 5,
                },
                token: 11,
                program: 13,
            },
            docs: vec![1, 3],
            first: vec![0, 2],
            words: vec![4, 0, 6],
            speaker: vec![0, u32::MAX, 1],
            labels: vec!["I".into(), "R".into()],
            code: vec![0, 1, 0, 2],
            coder: vec![0, 0, 1, 1],
            coding_doc: vec![1, 1, 3, 3],
            coding_id: vec![2, 3, 4, 1 << 40],
            codes: vec!["a".into(), "gone".into(), "b".into()],
            coders: vec!["anna".into(), "ben".into()],
            overlaps: vec![
                (0, 0, 0, 4),
                (1, 2, 0, 6),
                (2, 0, 1, 3),
                (3, 1, 0, 0),
                (3, 2, 0, 2),
            ],
        }
    }

    fn read_small(bytes: &[u8], key: Key) -> Option<Parts> {
        // Input order: D3 first, then D1; D2 has no passages.
        let docs = [
            (DocId(3), DocKind::Interview),
            (DocId(2), DocKind::Other),
            (DocId(1), DocKind::Interview),
        ];
        let row_of = |c: &str| match c {
            "a" => Some(0),
            "b" => Some(1),
            _ => None,
        };
        let aliases = SpeakerAliases::default();
        read(bytes, key, &frame_of(&docs, &row_of, &aliases))
    }

    #[test]
    fn a_snapshot_reads_back_in_the_input_order() {
        let s = small();
        let bytes = encode(&s).unwrap();
        let parts = read_small(&bytes, s.key).unwrap();
        let p = |doc, speaker, words| PassageInfo {
            doc,
            speaker,
            words,
        };
        assert_eq!(
            parts.passages,
            [p(0, Some(0), 6), p(2, Some(1), 4), p(2, None, 0)]
        );
        assert_eq!(parts.speakers, ["R", "I"]);
        assert_eq!(parts.coders, ["anna", "ben"]);
        let c = |code, coder| CodingInfo { code, coder };
        assert_eq!(parts.codings, [c(0, 0), c(0, 1), c(1, 1)]);
        let o = |coding, passage, first_word, end_word| Overlap {
            coding,
            passage,
            first_word,
            end_word,
        };
        assert_eq!(
            parts.overlaps,
            [o(0, 1, 0, 4), o(1, 1, 1, 3), o(2, 2, 0, 0), o(2, 0, 0, 2)]
        );
    }

    /// Another store, another token or program, another format, a short, damaged or
    /// longer file, and a whole file whose indices do not fit are all refused (rebuilt),
    /// never read and never a panic.
    #[test]
    fn a_snapshot_that_does_not_match_is_refused() {
        let s = small();
        let bytes = encode(&s).unwrap();
        let stamp = s.key.stamp;
        for other in [
            Stamp {
                revision: 8,
                ..stamp
            },
            Stamp {
                documents: 4,
                ..stamp
            },
            Stamp {
                codings: 6,
                ..stamp
            },
        ] {
            let key = Key {
                stamp: other,
                ..s.key
            };
            assert!(read_small(&bytes, key).is_none(), "{other:?}");
        }
        for elsewhere in [
            Key { token: 12, ..s.key },
            Key {
                program: 12,
                ..s.key
            },
        ] {
            assert!(read_small(&bytes, elsewhere).is_none());
        }
        let mut format = bytes.clone();
        format[8] += 1;
        assert!(read_small(&format, s.key).is_none());
        for cut in [0, 10, HEADER, HEADER + 4, bytes.len() / 2, bytes.len() - 1] {
            assert!(read_small(&bytes[..cut], s.key).is_none(), "cut at {cut}");
        }
        // The token, the program, the body length, the checksum, the body.
        for at in [40, 48, 56, 64, HEADER, HEADER + 14, bytes.len() - 3] {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x10;
            assert!(read_small(&flipped, s.key).is_none(), "flipped at {at}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(read_small(&longer, s.key).is_none());

        let bad: [fn(&mut Snapshot); 7] = [
            |s| s.code[1] = 3,
            |s| s.coder[0] = 2,
            |s| s.speaker[0] = 2,
            |s| s.overlaps[0].1 = 3,
            |s| s.overlaps.swap(0, 1),
            |s| s.overlaps[2] = (2, 0, 3, 1),
            |s| s.first = vec![0, 4],
        ];
        for (i, breaks) in bad.iter().enumerate() {
            let mut s = small();
            breaks(&mut s);
            let bytes = encode(&s).unwrap();
            assert!(read_small(&bytes, s.key).is_none(), "case {i}");
        }
    }

    // ---- a real project, against the loader this module replaced ----

    const CONFIG: &str = r#"name = "t"
language = "en"
coder = "anna"

[speakers]
"I" = "Interviewer"

[speakers.D2]
R = "Kari"

[[phase]]
id = "p1"
label = "One"
start = 2013-01-01
end = 2013-06-30

[[phase]]
id = "p2"
label = "Two"
start = 2013-07-01
end = 2013-12-31
"#;

    const CODEBOOK: &str = r#"[codebook]
name = "t"

[[code]]
id = "a"
name = "A"

[[code]]
id = "a.x"
name = "A x"

[[code]]
id = "b"
name = "B"
"#;

    /// A document of speaker turns `"LABEL: text"`, one passage each.
    fn doc(title: &str, date: Option<&str>, turns: &[&str]) -> NewDocument {
        let text = turns.join("\n\n");
        let mut passages = Vec::new();
        let mut at = 0;
        for t in turns {
            let n = t.chars().count();
            let (label, _) = t.split_once(": ").unwrap_or(("", ""));
            passages.push(NewPassage {
                span: PassageSpan {
                    speaker: (!label.is_empty()).then(|| label.to_string()),
                    ..PassageSpan::new(at, at + n)
                },
                words: word_count(t),
            });
            at += n + 2;
        }
        NewDocument {
            title: title.into(),
            kind: DocKind::Interview,
            date: date.map(|d| Date::parse(d).unwrap()),
            phase: None,
            source: format!("{title}.txt"),
            content_hash: title.into(),
            format: "txt".into(),
            encoding: "UTF-8".into(),
            words: word_count(&text),
            text,
            attributes: Default::default(),
            passages,
            original: None,
        }
    }

    fn coding(doc: DocId, start: usize, end: usize, code: &str, coder: &str) -> NewCoding {
        NewCoding {
            doc,
            start,
            end,
            code: code.into(),
            coder: coder.into(),
            origin: Origin::Manual,
            memo: None,
        }
    }

    fn study() -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        let mut p = Project::init(dir.path(), "t").unwrap();
        std::fs::write(dir.path().join("ambit.toml"), CONFIG).unwrap();
        std::fs::write(dir.path().join("codebook.toml"), CODEBOOK).unwrap();
        let later = doc(
            "later",
            Some("2013-08-01"),
            &[
                "I: Hyvä, how do you order?",
                "R: By phone — always.",
                "I: Why?",
            ],
        );
        let earlier = doc(
            "earlier",
            Some("2013-02-01"),
            &[
                "I: And the map?",
                "R: Työpaja helped a lot.",
                "notes without a label",
            ],
        );
        let undated = doc("undated", None, &["R: Nothing new here."]);
        let d1 = p.store.insert_document(&later).unwrap();
        let d2 = p.store.insert_document(&earlier).unwrap();
        let d3 = p.store.insert_document(&undated).unwrap();
        p.store
            .add_codings(&[
                coding(d1, 0, 26, "a.x", "anna"),  // the whole first passage
                coding(d1, 3, 7, "a", "ben"),      // "Hyvä"
                coding(d1, 20, 35, "b", "anna"),   // into the second passage
                coding(d2, 17, 41, "a", "anna"),   // the second passage
                coding(d2, 20, 27, "a.x", "anna"), // "Työpaja"
                coding(d2, 0, 63, "zz", "carl"),   // a code the codebook lacks
                coding(d3, 0, 3, "b", "ben"),
                coding(d3, 2, 2, "a", "ben"), // empty: touches its passage
            ])
            .unwrap();
        drop(p);
        let p = Project::open(dir.path()).unwrap();
        (dir, p)
    }

    /// The loader this module replaced, as it was: the reference for what an input holds.
    fn reference(project: &Project) -> TableInput {
        let mut input = {
            let cb = crate::coding::load_codebook(project).unwrap();
            let docs = project.store.documents_brief().unwrap();
            super::super::frame(project, &cb, docs).0
        };
        let cb = crate::coding::load_codebook(project).unwrap();
        let order = cb.tree_order();
        let mut index_of = vec![0usize; cb.codes().len()];
        for (row, &i) in order.iter().enumerate() {
            index_of[i] = row;
        }
        let corpus = Corpus::load_without_texts(project).unwrap();
        let mut passage_ix: HashMap<PassageId, usize> = HashMap::new();
        let mut extents = Vec::new();
        let mut speaker_ix: HashMap<String, u32> = HashMap::new();
        for (k, d) in input.documents.iter().enumerate() {
            for gi in corpus.passage_range(d.id) {
                let p = &corpus.passages[gi];
                let speaker = p.span.speaker.as_ref().map(|s| {
                    *speaker_ix.entry(s.clone()).or_insert_with(|| {
                        input.speakers.push(s.clone());
                        (input.speakers.len() - 1) as u32
                    })
                });
                passage_ix.insert(p.id, input.passages.len());
                input.passages.push(PassageInfo {
                    doc: k as u32,
                    speaker,
                    words: p.words,
                });
                extents.push((p.span.start, p.span.end));
            }
        }
        project
            .store
            .for_each_coding_span(|doc, start, end, code, coder| -> Result<()> {
                let Some(code) = cb.position(code).map(|p| index_of[p]) else {
                    return Ok(());
                };
                let coder = match input.coders.iter().position(|x| x == coder) {
                    Some(k) => k,
                    None => {
                        input.coders.push(coder.to_string());
                        input.coders.len() - 1
                    }
                };
                let coding = input.codings.len() as u32;
                input.codings.push(CodingInfo {
                    code: code as u32,
                    coder: coder as u32,
                });
                for p in corpus.passages_overlapping(doc, start, end) {
                    let pi = passage_ix[&p.id];
                    let (ps, pe) = extents[pi];
                    let (first_word, end_word) = if start <= ps && end >= pe {
                        (0, input.passages[pi].words)
                    } else {
                        let text = project.store.text(doc)?;
                        let slice = ambit_core::text::char_slice(&text, ps, pe).unwrap_or("");
                        let s = start.clamp(ps, pe) - ps;
                        let e = end.clamp(ps, pe) - ps;
                        word_range(&word_spans(slice), s, e)
                    };
                    input.overlaps.push(Overlap {
                        coding,
                        passage: pi as u32,
                        first_word,
                        end_word,
                    });
                }
                Ok(())
            })
            .unwrap();
        input
    }

    /// An input with speakers and coders by name and codings in a canonical order, so
    /// two inputs that count the same compare equal whatever their numbering.
    #[allow(clippy::type_complexity)]
    fn canonical(
        i: &TableInput,
    ) -> (
        String,
        Vec<(u32, Option<String>, u32)>,
        Vec<(u32, String, Vec<(u32, u32, u32)>)>,
    ) {
        let head = format!("{:?} {:?} {:?}", i.phases, i.codes, i.documents);
        let passages = i
            .passages
            .iter()
            .map(|p| {
                (
                    p.doc,
                    p.speaker.map(|s| i.speakers[s as usize].clone()),
                    p.words,
                )
            })
            .collect();
        let mut codings: Vec<(u32, String, Vec<(u32, u32, u32)>)> = i
            .codings
            .iter()
            .map(|c| (c.code, i.coders[c.coder as usize].clone(), Vec::new()))
            .collect();
        for o in &i.overlaps {
            codings[o.coding as usize]
                .2
                .push((o.passage, o.first_word, o.end_word));
        }
        codings.sort();
        (head, passages, codings)
    }

    fn snapshot_file(p: &Project) -> PathBuf {
        p.root.join(ambit_store::DATA_DIR).join(FILE)
    }

    /// Built from the store, read from the cache, after a write, after settings edits and
    /// from a damaged file: always what the old loader read.
    #[test]
    fn every_input_is_what_the_store_holds() {
        let (dir, mut p) = study();
        let fresh = crate::tables::table_input(&p).unwrap();
        fresh.validate().unwrap();
        assert_eq!(canonical(&fresh), canonical(&reference(&p)));
        // Speakers are numbered as first met along the passages in timeline order, as the
        // old loader numbered them: "earlier" (D2, where R is Kari) comes before "later"
        // (D1). Only the numbering follows it; tables sort speaker columns by name.
        assert_eq!(fresh.speakers, ["Interviewer", "Kari", "R"]);
        let mut met: Vec<u32> = Vec::new();
        for s in fresh.passages.iter().filter_map(|p| p.speaker) {
            if !met.contains(&s) {
                met.push(s);
            }
        }
        assert_eq!(met, [0, 1, 2], "numbered in the order first met");
        assert!(fresh.overlaps.iter().any(|o| o.first_word > 0));
        let file = snapshot_file(&p);
        assert!(file.is_file(), "the snapshot is cached");
        let cached = crate::tables::table_input(&p).unwrap();
        assert_eq!(canonical(&cached), canonical(&fresh));

        // A store write makes the cache stale; it is rebuilt, never read.
        let before = std::fs::read(&file).unwrap();
        p.store
            .add_coding(&coding(DocId(1), 30, 35, "b", "dora"))
            .unwrap();
        let after = crate::tables::table_input(&p).unwrap();
        assert_eq!(canonical(&after), canonical(&reference(&p)));
        assert_eq!(after.codings.len(), fresh.codings.len() + 1);
        assert_ne!(std::fs::read(&file).unwrap(), before);

        // The timeline and aliases come from ambit.toml each time, not from the cache.
        let edited = CONFIG
            .replace("2013-06-30", "2013-01-31")
            .replace("2013-07-01", "2013-02-01")
            .replace("R = \"Kari\"", "R = \"Kalle\"");
        std::fs::write(dir.path().join("ambit.toml"), edited).unwrap();
        let p = Project::open(dir.path()).unwrap();
        let moved = crate::tables::table_input(&p).unwrap();
        assert_eq!(canonical(&moved), canonical(&reference(&p)));
        assert!(moved.speakers.contains(&"Kalle".to_string()));
        assert_ne!(canonical(&moved).0, canonical(&after).0);

        // A damaged file is rebuilt.
        std::fs::write(&file, b"AMBITTBL and then nonsense").unwrap();
        let repaired = crate::tables::table_input(&p).unwrap();
        assert_eq!(canonical(&repaired), canonical(&moved));
        assert_ne!(std::fs::read(&file).unwrap(), b"AMBITTBL and then nonsense");
    }

    /// The snapshot a load left in the file.
    fn cached(p: &Project) -> Snapshot {
        let bytes = std::fs::read(snapshot_file(p)).unwrap();
        let mut r = &bytes[..];
        let head = Head::read(&mut r).unwrap();
        decode(r, &head).unwrap()
    }

    /// Loads the project's tables input and checks it against the old loader's and the
    /// snapshot left behind against a build from scratch; says how it was loaded.
    fn load_checked(dir: &Path) -> Loaded {
        let p = Project::open(dir).unwrap();
        let (input, loaded) = crate::tables::table_input_loaded(&p).unwrap();
        input.validate().unwrap();
        assert_eq!(canonical(&input), canonical(&reference(&p)), "{loaded:?}");
        let snapshot = cached(&p);
        assert_eq!(
            snapshot,
            build(&p.store, snapshot.key).unwrap(),
            "{loaded:?}"
        );
        loaded
    }

    #[test]
    fn a_snapshot_decodes_to_itself() {
        let s = small();
        let bytes = encode(&s).unwrap();
        let mut r = &bytes[..];
        let head = Head::read(&mut r).unwrap();
        assert_eq!(decode(r, &head).unwrap(), s);
        for cut in [HEADER + 4, bytes.len() / 2, bytes.len() - 1] {
            let mut r = &bytes[..cut];
            let head = Head::read(&mut r).unwrap();
            assert!(decode(r, &head).is_none(), "cut at {cut}");
        }
    }

    /// After each kind of write, the snapshot is brought up to date by reading again only
    /// the documents the write changed, and is then the snapshot a build from scratch
    /// gives, byte for byte.
    #[test]
    fn a_write_updates_only_its_documents() {
        let (dir, p) = study();
        drop(p);
        let dir = dir.path();
        assert_eq!(load_checked(dir), Loaded::Built);
        assert_eq!(load_checked(dir), Loaded::Cached);
        let write = |f: &dyn Fn(&mut Project)| {
            let mut p = Project::open(dir).unwrap();
            f(&mut p);
        };

        // A coding by hand, by a new coder.
        write(&|p| {
            p.store
                .add_coding(&coding(DocId(1), 30, 35, "b", "dora"))
                .unwrap();
        });
        assert_eq!(load_checked(dir), Loaded::Updated(1));
        assert_eq!(load_checked(dir), Loaded::Cached);

        // Codings in two documents at once, one of a new code; then one removed.
        write(&|p| {
            p.store
                .add_codings(&[
                    coding(DocId(3), 1, 8, "a.x", "anna"),
                    coding(DocId(2), 0, 3, "new", "erik"),
                ])
                .unwrap();
        });
        assert_eq!(load_checked(dir), Loaded::Updated(2));
        write(&|p| {
            let first = p.store.codings(&Default::default()).unwrap()[0].id;
            p.store.remove_coding(first).unwrap();
        });
        assert_eq!(load_checked(dir), Loaded::Updated(1));

        // A code renamed across documents, and one deleted.
        write(&|p| {
            p.store.recode(&[("a".into(), "b".into())]).unwrap();
        });
        assert!(matches!(load_checked(dir), Loaded::Updated(3)));
        write(&|p| {
            p.store.delete_codings_of(&["zz".into()]).unwrap();
        });
        assert_eq!(load_checked(dir), Loaded::Updated(1));

        // A document corrected (its passages and codings rewritten), a new one with
        // codings, and one removed.
        write(&|p| {
            let mut new = doc("undated", None, &["R: Nothing new here, really.", "I: Ok."]);
            new.content_hash = "changed".into();
            crate::reanchor::replace(p, DocId(3), &new, false).unwrap();
        });
        assert_eq!(load_checked(dir), Loaded::Updated(1));
        write(&|p| {
            let id = p
                .store
                .insert_document(&doc("fourth", Some("2013-03-01"), &["R: Yes.", "I: No."]))
                .unwrap();
            p.store.add_coding(&coding(id, 0, 7, "b", "anna")).unwrap();
        });
        assert_eq!(load_checked(dir), Loaded::Updated(1));
        write(&|p| {
            p.store.remove_documents(&[DocId(2)]).unwrap();
        });
        assert_eq!(load_checked(dir), Loaded::Updated(1));
        assert_eq!(load_checked(dir), Loaded::Cached);

        // Two writes between tables: both documents read again.
        write(&|p| {
            p.store
                .add_coding(&coding(DocId(1), 0, 2, "b", "anna"))
                .unwrap();
            p.store
                .add_coding(&coding(DocId(4), 0, 2, "b", "anna"))
                .unwrap();
        });
        assert_eq!(load_checked(dir), Loaded::Updated(2));
    }

    /// A detached coding points at no text: tables never count it, cached or not.
    #[test]
    fn detached_codings_are_not_counted() {
        let (_dir, mut p) = study();
        let counted = crate::tables::table_input(&p).unwrap().codings.len();
        let old = p.store.text(DocId(3)).unwrap();
        // The coded label "R: " is deleted and nothing like it is left, so its coding is
        // lost (detached); a text rewritten around it would only edit the coding.
        let mut new = doc("undated", None, &["Nothing new here."]);
        new.content_hash = "changed".into();
        assert_ne!(old, new.text);
        let done = crate::reanchor::replace(&mut p, DocId(3), &new, false).unwrap();
        assert!(done.moved.iter().any(|m| m.start.is_none()), "{done:?}");
        let input = crate::tables::table_input(&p).unwrap();
        assert_eq!(canonical(&input), canonical(&reference(&p)));
        assert!(input.codings.len() < counted);
    }

    /// When the snapshot file was written, and on Unix which file it is: a rebuild renames
    /// a new file into place.
    fn written(path: &Path) -> (std::time::SystemTime, u64) {
        let meta = std::fs::metadata(path).unwrap();
        #[cfg(unix)]
        let ino = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let ino = 0;
        (meta.modified().unwrap(), ino)
    }

    /// Reading a table keeps the snapshot; so do edits of the codebook (codes removed,
    /// added, reordered) and of the aliases, which shape the input but are not in the file;
    /// deleting the file only costs a rebuild of the same input.
    #[test]
    fn the_snapshot_holds_only_what_the_store_decides() {
        let (dir, p) = study();
        let first = crate::tables::table_input(&p).unwrap();
        let file = snapshot_file(&p);
        let built = written(&file);
        let again = crate::tables::table_input(&p).unwrap();
        assert_eq!(canonical(&again), canonical(&first));
        assert_eq!(written(&file), built, "read, not rebuilt");
        drop(p);
        let p = Project::open(dir.path()).unwrap();
        crate::tables::table_input(&p).unwrap();
        assert_eq!(written(&file), built, "another command reads it too");

        let codebook = r#"[codebook]
name = "t"

[[code]]
id = "c"
name = "C"

[[code]]
id = "a"
name = "A"
"#;
        std::fs::write(dir.path().join("codebook.toml"), codebook).unwrap();
        let config = CONFIG.replace("\"I\" = \"Interviewer\"", "\"I\" = \"Haastattelija\"");
        std::fs::write(dir.path().join("ambit.toml"), config).unwrap();
        let p = Project::open(dir.path()).unwrap();
        let edited = crate::tables::table_input(&p).unwrap();
        edited.validate().unwrap();
        assert_eq!(canonical(&edited), canonical(&reference(&p)));
        assert_ne!(canonical(&edited), canonical(&first));
        assert!(edited.speakers.contains(&"Haastattelija".to_string()));
        assert_eq!(written(&file), built, "settings are applied, not cached");

        std::fs::remove_file(&file).unwrap();
        let rebuilt = crate::tables::table_input(&p).unwrap();
        assert_eq!(canonical(&rebuilt), canonical(&edited));
        assert!(file.is_file());
    }

    /// A store put back from a backup and written again can reach the revision and the
    /// highest ids the snapshot was built at, with other codings: the revision's token
    /// tells them apart, and the snapshot is neither read nor updated but rebuilt.
    #[test]
    fn a_restored_store_is_not_read_from_an_old_snapshot() {
        let (dir, p) = study();
        let store_file = p.store.path().to_path_buf();
        let backup = dir.path().join("backup.db");
        drop(p);
        std::fs::copy(&store_file, &backup).unwrap();

        let mut p = Project::open(dir.path()).unwrap();
        p.store
            .add_coding(&coding(DocId(1), 30, 35, "b", "dora"))
            .unwrap();
        drop(p);
        let p = Project::open(dir.path()).unwrap();
        let stale = crate::tables::table_input(&p).unwrap();
        let stamp = p.store.stamp().unwrap();
        drop(p);

        // Put back as a restore by copying and renaming would.
        let copy = dir.path().join("restored.db");
        std::fs::copy(&backup, &copy).unwrap();
        std::fs::rename(&copy, &store_file).unwrap();
        let mut p = Project::open(dir.path()).unwrap();
        p.store
            .add_coding(&coding(DocId(2), 0, 15, "b", "erik"))
            .unwrap();
        drop(p);
        let p = Project::open(dir.path()).unwrap();
        assert_eq!(p.store.stamp().unwrap(), stamp, "the same stamp");
        let (input, loaded) = crate::tables::table_input_loaded(&p).unwrap();
        assert_eq!(loaded, Loaded::Built);
        assert_eq!(canonical(&input), canonical(&reference(&p)));
        assert_ne!(canonical(&input), canonical(&stale));
    }
}
