//! Code × group frequency tables: every measure counted over the blocks of passages.

use std::collections::HashSet;
use std::ops::Range;

use super::blocks::{coding_parts, par_sum, threads_for, Buckets, Item, PassageBits};
use super::columns::{group_columns, Columns};
use super::select::{coder_filter, select_rows, Rows, Selection};
use crate::error::Result;
use crate::input::{Overlap, TableInput};
use crate::table::{Column, Grouping, Measure, Table};

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
