//! Counting: code × group frequency tables and code × code co-occurrence, in linear passes.
//!
//! A parent's cell is the distinct passages (documents, words, codings) coded with it or
//! any descendant, so every coding is expanded to the chain of selected rows above it, and
//! bitsets make "distinct" cheap: one bit per (row, passage) instead of a set of pairs.

use std::collections::{BTreeSet, HashSet};
use std::ops::Range;

use crate::error::{Error, Result};
use crate::input::{Overlap, TableInput, UNPHASED};
use crate::table::{Column, Grouping, Measure, Row, Table};

/// Which codes and codings a table looks at.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Code id patterns (`kb`, `kb.*`, `*.objects`); empty means every code. A selected
    /// parent still counts its children's codings.
    pub codes: Vec<String>,
    /// Only codings by these coders; empty means everyone.
    pub coders: Vec<String>,
    /// Only rows down to this many levels (1 = top-level codes only).
    pub depth: Option<usize>,
}

/// A code × group frequency table request.
#[derive(Debug, Clone)]
pub struct FreqSpec {
    /// The columns.
    pub by: Grouping,
    /// What the cells count.
    pub measure: Measure,
    /// Which codes and coders.
    pub select: Selection,
    /// Add a `total` column and a `total` row (distinct, never a sum of overlapping cells).
    pub totals: bool,
}

impl Default for FreqSpec {
    fn default() -> FreqSpec {
        FreqSpec {
            by: Grouping::Phase,
            measure: Measure::Passages,
            select: Selection::default(),
            totals: false,
        }
    }
}

/// Which passages a co-occurrence table counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CooccurScope {
    /// The whole study: one table.
    #[default]
    All,
    /// One phase (by id, or `unphased`): one table.
    Phase(String),
    /// One table per phase, in timeline order (and `unphased` when used).
    ByPhase,
}

/// `*` matches any run of characters, `?` one character; anything else is literal.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// The rows of a table and, for each code, the rows its codings count towards.
struct Rows {
    rows: Vec<Row>,
    /// `chain[code]`: row indices of the code and its selected ancestors (and the total row).
    chain: Vec<Vec<u32>>,
}

fn select_rows(input: &TableInput, sel: &Selection, total: bool) -> Result<Rows> {
    let depths = input.depths();
    let mut selected = vec![sel.codes.is_empty(); input.codes.len()];
    for pat in &sel.codes {
        let mut any = false;
        for (i, c) in input.codes.iter().enumerate() {
            if glob_match(pat, &c.id) {
                selected[i] = true;
                any = true;
            }
        }
        if !any {
            return Err(Error::NoCodes(pat.clone()));
        }
    }
    if let Some(d) = sel.depth {
        for (s, depth) in selected.iter_mut().zip(&depths) {
            *s &= *depth < d;
        }
    }
    let mut rows = Vec::new();
    let mut row_of = vec![None; input.codes.len()];
    for (i, c) in input.codes.iter().enumerate() {
        if selected[i] {
            row_of[i] = Some(rows.len() as u32);
            rows.push(Row {
                code: c.id.clone(),
                name: c.name.clone(),
                depth: depths[i],
                color: c.color.clone(),
                total: false,
                values: Vec::new(),
            });
        }
    }
    let total_row = rows.len() as u32;
    let mut chain = Vec::with_capacity(input.codes.len());
    for i in 0..input.codes.len() {
        let mut links = Vec::new();
        let mut at = Some(i);
        while let Some(k) = at {
            if let Some(r) = row_of[k] {
                links.push(r);
            }
            at = input.codes[k].parent;
        }
        if total && !links.is_empty() {
            links.push(total_row);
        }
        chain.push(links);
    }
    if total {
        rows.push(Row {
            code: "total".into(),
            name: "Any selected code".into(),
            depth: 0,
            color: None,
            total: true,
            values: Vec::new(),
        });
    }
    Ok(Rows { rows, chain })
}

/// Columns plus the column of every passage (`u32::MAX`: in no column).
struct Columns {
    columns: Vec<Column>,
    of_passage: Vec<u32>,
}

/// Column of documents without the attribute a table is grouped by.
pub const NO_VALUE: &str = "(none)";
/// Column of passages without a speaker.
pub const NO_SPEAKER: &str = "(no speaker)";
/// Column of documents without a date, when grouping by month.
pub const UNDATED: &str = "undated";

fn column(id: &str, label: &str) -> Column {
    Column {
        id: id.to_string(),
        label: label.to_string(),
        total: false,
    }
}

/// Columns of a document-level grouping from one key per document, in the given order.
fn doc_columns(input: &TableInput, columns: Vec<Column>, key: Vec<usize>) -> Columns {
    let of_passage = input
        .passages
        .iter()
        .map(|p| key[p.doc as usize] as u32)
        .collect();
    Columns {
        columns,
        of_passage,
    }
}

fn month_index(date: &str) -> Option<i64> {
    let y: i64 = date.get(0..4)?.parse().ok()?;
    let m: i64 = date.get(5..7)?.parse().ok()?;
    (1..=12).contains(&m).then_some(y * 12 + m - 1)
}

fn group_columns(input: &TableInput, by: &Grouping) -> Result<Columns> {
    let docs = &input.documents;
    Ok(match by {
        Grouping::Phase => {
            let mut columns: Vec<Column> = input
                .phases
                .iter()
                .map(|p| column(&p.id, &p.label))
                .collect();
            let unphased = columns.len();
            if docs.iter().any(|d| d.phase.is_none()) {
                columns.push(column(UNPHASED, "Outside every phase"));
            }
            let key = docs.iter().map(|d| d.phase.unwrap_or(unphased)).collect();
            doc_columns(input, columns, key)
        }
        Grouping::Kind => {
            let mut kinds: Vec<&str> = Vec::new();
            for d in docs {
                if !kinds.contains(&d.kind.as_str()) {
                    kinds.push(&d.kind);
                }
            }
            kinds.sort_unstable();
            let key = docs
                .iter()
                .map(|d| kinds.iter().position(|k| *k == d.kind).unwrap_or(0))
                .collect();
            let columns = kinds.iter().map(|k| column(k, k)).collect();
            doc_columns(input, columns, key)
        }
        Grouping::Doc => {
            let columns = docs.iter().map(|d| column(&d.id, &d.title)).collect();
            doc_columns(input, columns, (0..docs.len()).collect())
        }
        Grouping::Month => {
            let months: Vec<Option<i64>> = docs
                .iter()
                .map(|d| d.date.as_deref().and_then(month_index))
                .collect();
            let first = months.iter().flatten().min().copied();
            let last = months.iter().flatten().max().copied();
            let mut columns = Vec::new();
            if let (Some(a), Some(b)) = (first, last) {
                for m in a..=b {
                    let id = format!("{:04}-{:02}", m / 12, m % 12 + 1);
                    columns.push(column(&id, &id));
                }
            }
            let undated = columns.len();
            if months.iter().any(Option::is_none) {
                columns.push(column(UNDATED, "No date"));
            }
            let key = months
                .iter()
                .map(|m| match (m, first) {
                    (Some(m), Some(a)) => (m - a) as usize,
                    _ => undated,
                })
                .collect();
            doc_columns(input, columns, key)
        }
        Grouping::Attr(name) => {
            let values: BTreeSet<&str> = docs
                .iter()
                .filter_map(|d| d.attributes.get(name).map(String::as_str))
                .collect();
            if values.is_empty() {
                let names: BTreeSet<&str> = docs
                    .iter()
                    .flat_map(|d| d.attributes.keys().map(String::as_str))
                    .collect();
                let available = if names.is_empty() {
                    "none".to_string()
                } else {
                    names.into_iter().collect::<Vec<_>>().join(", ")
                };
                return Err(Error::UnknownAttribute {
                    name: name.clone(),
                    available,
                });
            }
            let values: Vec<&str> = values.into_iter().collect();
            let mut columns: Vec<Column> = values.iter().map(|v| column(v, v)).collect();
            let missing = columns.len();
            if docs.iter().any(|d| !d.attributes.contains_key(name)) {
                columns.push(column(NO_VALUE, "No value"));
            }
            let key = docs
                .iter()
                .map(|d| {
                    d.attributes
                        .get(name)
                        .and_then(|v| values.iter().position(|x| *x == v.as_str()))
                        .unwrap_or(missing)
                })
                .collect();
            doc_columns(input, columns, key)
        }
        Grouping::Speaker => {
            let mut order: Vec<usize> = (0..input.speakers.len()).collect();
            order.sort_by(|a, b| input.speakers[*a].cmp(&input.speakers[*b]));
            let mut used = vec![false; input.speakers.len()];
            let mut unnamed = false;
            for p in &input.passages {
                match p.speaker {
                    Some(s) => used[s as usize] = true,
                    None => unnamed = true,
                }
            }
            let mut col_of = vec![u32::MAX; input.speakers.len()];
            let mut columns = Vec::new();
            for s in order.into_iter().filter(|s| used[*s]) {
                col_of[s] = columns.len() as u32;
                columns.push(column(&input.speakers[s], &input.speakers[s]));
            }
            let none = columns.len() as u32;
            if unnamed {
                columns.push(column(NO_SPEAKER, "Passages without a speaker"));
            }
            let of_passage = input
                .passages
                .iter()
                .map(|p| p.speaker.map_or(none, |s| col_of[s as usize]))
                .collect();
            Columns {
                columns,
                of_passage,
            }
        }
    })
}

/// A fixed-size bitset over `rows × width` positions, stored position-major so all rows of
/// one passage share a cache line: a coding's chain of rows costs one memory access.
struct Bits {
    words: Vec<u64>,
    rows: usize,
}

impl Bits {
    fn new(rows: usize, width: usize) -> Bits {
        Bits {
            words: vec![0; (rows * width).div_ceil(64)],
            rows,
        }
    }

    /// Sets the bit; true when it was not set before.
    #[inline]
    fn insert(&mut self, row: u32, at: u32) -> bool {
        let i = at as usize * self.rows + row as usize;
        let (w, b) = (i / 64, 1u64 << (i % 64));
        let fresh = self.words[w] & b == 0;
        self.words[w] |= b;
        fresh
    }
}

fn coder_filter(input: &TableInput, coders: &[String]) -> Result<Vec<bool>> {
    if coders.is_empty() {
        return Ok(vec![true; input.coders.len()]);
    }
    for c in coders {
        if !input.coders.contains(c) {
            return Err(Error::UnknownCoder(c.clone()));
        }
    }
    Ok(input.coders.iter().map(|c| coders.contains(c)).collect())
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Builds a code × group frequency table.
pub fn freq(input: &TableInput, spec: &FreqSpec) -> Result<Table> {
    freq_in(input, spec, threads_for(input.overlaps.len()))
}

/// [`freq`] counted in (at most) `threads` parts.
pub(crate) fn freq_in(input: &TableInput, spec: &FreqSpec, threads: usize) -> Result<Table> {
    input.validate()?;
    let Rows { mut rows, chain } = select_rows(input, &spec.select, spec.totals)?;
    let Columns {
        mut columns,
        of_passage,
    } = group_columns(input, &spec.by)?;
    let coder_ok = coder_filter(input, &spec.select.coders)?;
    let ncols = columns.len() + usize::from(spec.totals);
    let total_col = columns.len() as u32;
    let cell = |row: u32, col: u32| row as usize * ncols + col as usize;
    let live = Live {
        input,
        chain: &chain,
        coder_ok: &coder_ok,
        of_passage: &of_passage,
    };
    let nrows = rows.len();
    let ncells = nrows * ncols;
    let totals = spec.totals;
    let counts = match spec.measure {
        Measure::Passages | Measure::Share => {
            let buckets = Buckets::new(input, &coder_ok, threads);
            buckets.par_sum(threads, ncells, |range, items, counts| {
                let mut seen = PassageBits::new(&of_passage, range, nrows);
                for it in items.iter().flat_map(|part| part.iter()) {
                    let col = seen.col(it.passage);
                    if col == u32::MAX {
                        continue;
                    }
                    for &r in &chain[it.code as usize] {
                        if seen.insert(it.passage, r) {
                            counts[cell(r, col)] += 1;
                            if totals {
                                counts[cell(r, total_col)] += 1;
                            }
                        }
                    }
                }
            })
        }
        Measure::Documents => {
            let doc_level = spec.by != Grouping::Speaker;
            // One thread walks the blocks, so a document split over two blocks still counts
            // once; the blocks keep its random reads in cache.
            let buckets = Buckets::new(input, &coder_ok, threads);
            let mut counts = vec![0u64; ncells];
            let mut seen = Bits::new(nrows, input.documents.len());
            let mut per_col: HashSet<(u32, u32, u32)> = HashSet::new();
            buckets.each_block(|range, items| {
                let first = range.start;
                let at: Vec<(u32, u32)> = range
                    .map(|p| (of_passage[p], input.passages[p].doc))
                    .collect();
                for it in items.iter().flat_map(|part| part.iter()) {
                    let (col, doc) = at[it.passage as usize - first];
                    if col == u32::MAX {
                        continue;
                    }
                    for &r in &chain[it.code as usize] {
                        let fresh = seen.insert(r, doc);
                        if fresh && totals {
                            counts[cell(r, total_col)] += 1;
                        }
                        let counted = if doc_level {
                            fresh
                        } else {
                            per_col.insert((r, doc, col))
                        };
                        if counted {
                            counts[cell(r, col)] += 1;
                        }
                    }
                }
            });
            counts
        }
        Measure::Codings => par_sum(coding_parts(input, threads), ncells, |range, counts| {
            let ov = &input.overlaps[range];
            let mut cols: Vec<u32> = Vec::new();
            let mut i = 0;
            while i < ov.len() {
                let coding = ov[i].coding;
                cols.clear();
                let mut j = i;
                while j < ov.len() && ov[j].coding == coding {
                    if let Some((_, col)) = live.get(&ov[j]) {
                        if !cols.contains(&col) {
                            cols.push(col);
                        }
                    }
                    j += 1;
                }
                let links = &chain[input.codings[coding as usize].code as usize];
                for &r in links {
                    for &c in &cols {
                        counts[cell(r, c)] += 1;
                    }
                    if totals && !cols.is_empty() {
                        counts[cell(r, total_col)] += 1;
                    }
                }
                i = j;
            }
        }),
        Measure::Words | Measure::Per1k => {
            let buckets = Buckets::new(input, &coder_ok, threads);
            buckets.par_sum(threads, ncells, |range, items, counts| {
                count_words(&live, nrows, range, items, &mut |r, col, n| {
                    counts[cell(r, col)] += n;
                    if totals {
                        counts[cell(r, total_col)] += n;
                    }
                });
            })
        }
    };
    // Denominators for the rates: all passages and words of each column.
    let mut col_passages = vec![0u64; ncols];
    let mut col_words = vec![0u64; ncols];
    for (p, &col) in input.passages.iter().zip(&of_passage) {
        if col != u32::MAX {
            col_passages[col as usize] += 1;
            col_words[col as usize] += u64::from(p.words);
            if spec.totals {
                col_passages[total_col as usize] += 1;
                col_words[total_col as usize] += u64::from(p.words);
            }
        }
    }
    for (r, row) in rows.iter_mut().enumerate() {
        row.values = (0..ncols)
            .map(|c| {
                let n = counts[r * ncols + c] as f64;
                let rate = |num: f64, den: u64, scale: f64| {
                    if den == 0 {
                        0.0
                    } else {
                        round2(num * scale / den as f64)
                    }
                };
                match spec.measure {
                    Measure::Per1k => rate(n, col_words[c], 1000.0),
                    Measure::Share => rate(n, col_passages[c], 100.0),
                    _ => n,
                }
            })
            .collect();
    }
    if spec.totals {
        columns.push(Column {
            id: "total".into(),
            label: "All".into(),
            total: true,
        });
    }
    let group = spec.by.key().to_string();
    Ok(Table {
        name: "freq".into(),
        title: format!("{} per code and {}", spec.measure.describe(), group),
        measure: spec.measure,
        group,
        slice: None,
        columns,
        rows,
    })
}

/// The codings a table counts: the rows each overlap counts towards and its column.
struct Live<'a> {
    input: &'a TableInput,
    chain: &'a [Vec<u32>],
    coder_ok: &'a [bool],
    of_passage: &'a [u32],
}

impl<'a> Live<'a> {
    /// `None` when the coder is filtered out or the passage is in no column.
    #[inline]
    fn get(&self, o: &Overlap) -> Option<(&'a [u32], u32)> {
        let coding = self.input.codings[o.coding as usize];
        let col = self.of_passage[o.passage as usize];
        (self.coder_ok[coding.coder as usize] && col != u32::MAX)
            .then(|| (self.chain[coding.code as usize].as_slice(), col))
    }
}

/// Coded words: for every (row, passage) of the passages in `range` (whose overlaps are
/// `items`), the size of the union of the coded word ranges. Most pairs have one range, so
/// only pairs seen twice are collected, sorted and merged.
fn count_words(
    live: &Live<'_>,
    nrows: usize,
    range: Range<usize>,
    items: &[&[Item]],
    add: &mut dyn FnMut(u32, u32, u64),
) {
    let input = live.input;
    // Rows `0..nrows`: seen once; rows `nrows..2 * nrows`: seen twice.
    let mut seen = PassageBits::new(live.of_passage, range, 2 * nrows);
    let twice = |r: u32| r + nrows as u32;
    let all = || items.iter().flat_map(|part| part.iter());
    for it in all() {
        if seen.col(it.passage) == u32::MAX {
            continue;
        }
        for &r in &live.chain[it.code as usize] {
            if !seen.insert(it.passage, r) {
                seen.insert(it.passage, twice(r));
            }
        }
    }
    let mut multi: Vec<(u32, u32, u32, u32)> = Vec::new();
    for it in all() {
        let col = seen.col(it.passage);
        if col == u32::MAX {
            continue;
        }
        for &r in &live.chain[it.code as usize] {
            if seen.contains(it.passage, twice(r)) {
                multi.push((it.passage, r, it.first_word, it.end_word));
            } else {
                let words = input.passages[it.passage as usize].words;
                add(
                    r,
                    col,
                    u64::from(it.end_word.min(words) - it.first_word.min(words)),
                );
            }
        }
    }
    multi.sort_unstable();
    for group in multi.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        let (p, r) = (group[0].0, group[0].1);
        let words = input.passages[p as usize].words;
        let mut covered = 0u64;
        let mut reach = 0u32;
        for &(_, _, a, b) in group {
            let (a, b) = (a.max(reach).min(words), b.min(words));
            if b > a {
                covered += u64::from(b - a);
                reach = b;
            }
        }
        add(r, seen.col(p), covered);
    }
}

/// Passages per block: a block's bits and columns (16 bytes a passage for up to 64 rows)
/// stay in a core's L2 cache while its overlaps are counted.
#[cfg(not(test))]
const BLOCK_SHIFT: u32 = 15;
/// Tiny blocks in tests, so small inputs span several blocks.
#[cfg(test)]
const BLOCK_SHIFT: u32 = 2;

/// An overlap of a counted coder, with its code, ready to be counted without looking
/// anything up.
#[derive(Debug, Clone, Copy)]
struct Item {
    passage: u32,
    code: u32,
    first_word: u32,
    end_word: u32,
}

/// The overlaps of the counted coders, bucketed by block of passages (one set of buckets
/// per part of the overlap list, filled in parallel). Counting then goes block by block,
/// so the per-passage state it reads and writes at random stays in cache, rather than
/// missing it once per overlap while the overlap list streams through.
struct Buckets {
    np: usize,
    /// `parts[part][block]`.
    parts: Vec<Vec<Vec<Item>>>,
}

impl Buckets {
    fn new(input: &TableInput, coder_ok: &[bool], threads: usize) -> Buckets {
        let np = input.passages.len();
        let nblocks = (np >> BLOCK_SHIFT) + 1;
        let n = input.overlaps.len();
        let ranges: Vec<Range<usize>> = (0..threads)
            .map(|t| n * t / threads..n * (t + 1) / threads)
            .collect();
        let fill = |range: Range<usize>| {
            let ov = &input.overlaps[range];
            let mut sizes = vec![0usize; nblocks];
            for o in ov {
                sizes[(o.passage >> BLOCK_SHIFT) as usize] += 1;
            }
            let mut blocks: Vec<Vec<Item>> = sizes.into_iter().map(Vec::with_capacity).collect();
            for o in ov {
                let c = input.codings[o.coding as usize];
                if coder_ok[c.coder as usize] {
                    blocks[(o.passage >> BLOCK_SHIFT) as usize].push(Item {
                        passage: o.passage,
                        code: c.code,
                        first_word: o.first_word,
                        end_word: o.end_word,
                    });
                }
            }
            blocks
        };
        let parts = std::thread::scope(|scope| {
            let mut ranges = ranges.into_iter();
            let first = ranges.next().unwrap_or(0..0);
            let handles: Vec<_> = ranges.map(|r| scope.spawn(move || fill(r))).collect();
            let mut parts = vec![fill(first)];
            for h in handles {
                parts.push(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            }
            parts
        });
        Buckets { np, parts }
    }

    /// Calls `work` on every block in passage order: its passage range and its items (from
    /// every part).
    fn each_block(&self, mut work: impl FnMut(Range<usize>, &[&[Item]])) {
        let mut items: Vec<&[Item]> = Vec::with_capacity(self.parts.len());
        for b in 0..(self.np >> BLOCK_SHIFT) + 1 {
            let range = b << BLOCK_SHIFT..((b + 1) << BLOCK_SHIFT).min(self.np);
            items.clear();
            items.extend(self.parts.iter().map(|p| p[b].as_slice()));
            work(range, &items);
        }
    }

    /// Runs `work` on every block (its passage range and its items from every part), the
    /// blocks shared out over `threads`, and adds up the counts.
    fn par_sum<F>(&self, threads: usize, cells: usize, work: F) -> Vec<u64>
    where
        F: Fn(Range<usize>, &[&[Item]], &mut [u64]) + Sync,
    {
        let nblocks = (self.np >> BLOCK_SHIFT) + 1;
        let threads = threads.clamp(1, nblocks);
        par_sum(
            (0..threads).map(|t| t..t + 1).collect(),
            cells,
            |t, counts| {
                let mut items: Vec<&[Item]> = Vec::with_capacity(self.parts.len());
                for b in (t.start..nblocks).step_by(threads) {
                    let lo = b << BLOCK_SHIFT;
                    let range = lo..((b + 1) << BLOCK_SHIFT).min(self.np);
                    items.clear();
                    items.extend(self.parts.iter().map(|p| p[b].as_slice()));
                    work(range, &items, counts);
                }
            },
        )
    }
}

/// Below this many overlaps a table is counted on one thread.
const PARALLEL_FROM: usize = 200_000;

fn threads_for(overlaps: usize) -> usize {
    if overlaps < PARALLEL_FROM {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8))
    }
}

/// Splits the overlaps into `parts` ranges that never cut a coding's overlaps apart.
fn coding_parts(input: &TableInput, parts: usize) -> Vec<Range<usize>> {
    let ov = &input.overlaps;
    let mut bounds = vec![0];
    for k in 1..parts {
        let mut at = ov.len() * k / parts;
        while at < ov.len() && at > 0 && ov[at].coding == ov[at - 1].coding {
            at += 1;
        }
        if at > *bounds.last().unwrap_or(&0) {
            bounds.push(at);
        }
    }
    bounds.push(ov.len());
    bounds.windows(2).map(|w| w[0]..w[1]).collect()
}

/// Runs `work` on every part, in parallel, each with its own zeroed counts, and adds the
/// counts up. Counting is the same whatever the number of parts, so results do not depend
/// on the machine.
fn par_sum<F>(parts: Vec<Range<usize>>, cells: usize, work: F) -> Vec<u64>
where
    F: Fn(Range<usize>, &mut [u64]) + Sync,
{
    let run = |range: Range<usize>| {
        let mut counts = vec![0u64; cells];
        work(range, &mut counts);
        counts
    };
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return vec![0; cells];
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts.map(|r| scope.spawn(move || run(r))).collect();
        let mut total = run(first);
        for h in handles {
            // A panic in a counting thread is a bug; pass it on rather than hide it.
            let counts = h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            for (t, c) in total.iter_mut().zip(counts) {
                *t += c;
            }
        }
        total
    })
}

/// One pass's state for a range of passages: each passage's column and one bit per row, side
/// by side, so looking at an overlap costs one cache miss rather than two.
struct PassageBits {
    words: Vec<u64>,
    first: usize,
    /// `u64` words per passage: the column, then the row bits.
    stride: usize,
}

impl PassageBits {
    fn new(of_passage: &[u32], range: Range<usize>, rows: usize) -> PassageBits {
        let stride = 1 + rows.div_ceil(64);
        let mut words = vec![0u64; range.len() * stride];
        for (i, p) in range.clone().enumerate() {
            words[i * stride] = u64::from(of_passage[p]);
        }
        PassageBits {
            words,
            first: range.start,
            stride,
        }
    }

    #[inline]
    fn base(&self, passage: u32) -> usize {
        (passage as usize - self.first) * self.stride
    }

    #[inline]
    fn col(&self, passage: u32) -> u32 {
        self.words[self.base(passage)] as u32
    }

    /// Sets the bit; true when it was not set before.
    #[inline]
    fn insert(&mut self, passage: u32, row: u32) -> bool {
        let w = self.base(passage) + 1 + row as usize / 64;
        let b = 1u64 << (row % 64);
        let fresh = self.words[w] & b == 0;
        self.words[w] |= b;
        fresh
    }

    #[inline]
    fn contains(&self, passage: u32, row: u32) -> bool {
        let w = self.base(passage) + 1 + row as usize / 64;
        self.words[w] & (1u64 << (row % 64)) != 0
    }
}

/// Builds code × code co-occurrence: the passages coded with both codes (a code counts with
/// its descendants). The diagonal is the passages coded with the code; the table is
/// symmetric.
pub fn cooccur(input: &TableInput, select: &Selection, scope: &CooccurScope) -> Result<Vec<Table>> {
    input.validate()?;
    let Rows { rows, chain } = select_rows(input, select, false)?;
    let Columns {
        columns: phases,
        of_passage,
    } = group_columns(input, &Grouping::Phase)?;
    let coder_ok = coder_filter(input, &select.coders)?;
    // Which matrix each phase column feeds (u32::MAX: none).
    let (slices, matrix_of): (Vec<Option<&Column>>, Vec<u32>) = match scope {
        CooccurScope::All => (vec![None], vec![0; phases.len()]),
        CooccurScope::Phase(id) => {
            let k = phases
                .iter()
                .position(|c| c.id == *id)
                .ok_or_else(|| Error::UnknownPhase(id.clone()))?;
            let map = (0..phases.len())
                .map(|c| if c == k { 0 } else { u32::MAX })
                .collect();
            (vec![Some(&phases[k])], map)
        }
        CooccurScope::ByPhase => (
            phases.iter().map(Some).collect(),
            (0..phases.len() as u32).collect(),
        ),
    };
    let n = rows.len();
    let nmats = slices.len();
    let threads = threads_for(input.overlaps.len());
    let buckets = Buckets::new(input, &coder_ok, threads);
    let flat = buckets.par_sum(threads, nmats * n * n, |range, items, flat| {
        // Each passage's codes together: a counting sort of the block's items by passage.
        let first = range.start;
        let mut start = vec![0u32; range.len() + 1];
        for it in items.iter().flat_map(|part| part.iter()) {
            start[it.passage as usize - first + 1] += 1;
        }
        for i in 0..range.len() {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut codes = vec![0u32; start[range.len()] as usize];
        for it in items.iter().flat_map(|part| part.iter()) {
            let at = &mut fill[it.passage as usize - first];
            codes[*at as usize] = it.code;
            *at += 1;
        }
        let mut on: Vec<u32> = Vec::new();
        for (i, p) in range.enumerate() {
            let col = of_passage[p];
            let m = if col == u32::MAX {
                u32::MAX
            } else {
                matrix_of[col as usize]
            };
            if m == u32::MAX {
                continue;
            }
            on.clear();
            for &code in &codes[start[i] as usize..start[i + 1] as usize] {
                on.extend_from_slice(&chain[code as usize]);
            }
            on.sort_unstable();
            on.dedup();
            let mat = &mut flat[m as usize * n * n..(m as usize + 1) * n * n];
            for &a in &on {
                for &b in &on {
                    mat[a as usize * n + b as usize] += 1;
                }
            }
        }
    });
    let mats: Vec<&[u64]> = flat.chunks(n * n).collect();
    let columns: Vec<Column> = rows
        .iter()
        .map(|r| Column {
            id: r.code.clone(),
            label: r.name.clone(),
            total: false,
        })
        .collect();
    Ok(slices
        .into_iter()
        .zip(mats)
        .map(|(slice, mat)| {
            let mut rows = rows.clone();
            for (i, r) in rows.iter_mut().enumerate() {
                r.values = mat[i * n..(i + 1) * n].iter().map(|&v| v as f64).collect();
            }
            let (name, title) = match slice {
                Some(c) => (
                    format!("cooccur {}", c.id),
                    format!("Passages coded with both codes, phase {}", c.id),
                ),
                None => (
                    "cooccur".to_string(),
                    "Passages coded with both codes".to_string(),
                ),
            };
            Table {
                name,
                title,
                measure: Measure::Passages,
                group: "code".into(),
                slice: slice.map(|c| ("phase".to_string(), c.id.clone())),
                columns: columns.clone(),
                rows,
            }
        })
        .collect())
}
