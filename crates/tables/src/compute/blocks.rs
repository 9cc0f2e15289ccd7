//! The counting machinery shared by every table: overlaps bucketed by blocks of passages,
//! per-block passage state that fits in cache, and sums over parts counted in parallel.

use std::ops::Range;

use crate::input::TableInput;

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
pub(super) struct Item {
    pub(super) passage: u32,
    pub(super) code: u32,
    pub(super) first_word: u32,
    pub(super) end_word: u32,
}

/// The overlaps of the counted coders, bucketed by block of passages (one set of buckets
/// per part of the overlap list, filled in parallel). Counting then goes block by block,
/// so the per-passage state it reads and writes at random stays in cache, rather than
/// missing it once per overlap while the overlap list streams through.
pub(super) struct Buckets {
    np: usize,
    /// `parts[part][block]`.
    parts: Vec<Vec<Vec<Item>>>,
}

impl Buckets {
    pub(super) fn new(input: &TableInput, coder_ok: &[bool], threads: usize) -> Buckets {
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
    pub(super) fn each_block(&self, mut work: impl FnMut(Range<usize>, &[&[Item]])) {
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
    pub(super) fn par_sum<F>(&self, threads: usize, cells: usize, work: F) -> Vec<u64>
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

pub(super) fn threads_for(overlaps: usize) -> usize {
    if overlaps < PARALLEL_FROM {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8))
    }
}

/// Splits the overlaps into `parts` ranges that never cut a coding's overlaps apart.
pub(super) fn coding_parts(input: &TableInput, parts: usize) -> Vec<Range<usize>> {
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
pub(super) fn par_sum<F>(parts: Vec<Range<usize>>, cells: usize, work: F) -> Vec<u64>
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
pub(super) struct PassageBits {
    words: Vec<u64>,
    first: usize,
    /// `u64` words per passage: the column, then the row bits.
    stride: usize,
}

impl PassageBits {
    pub(super) fn new(of_passage: &[u32], range: Range<usize>, rows: usize) -> PassageBits {
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
    pub(super) fn col(&self, passage: u32) -> u32 {
        self.words[self.base(passage)] as u32
    }

    /// Sets the bit; true when it was not set before.
    #[inline]
    pub(super) fn insert(&mut self, passage: u32, row: u32) -> bool {
        let w = self.base(passage) + 1 + row as usize / 64;
        let b = 1u64 << (row % 64);
        let fresh = self.words[w] & b == 0;
        self.words[w] |= b;
        fresh
    }

    #[inline]
    pub(super) fn contains(&self, passage: u32, row: u32) -> bool {
        let w = self.base(passage) + 1 + row as usize / 64;
        self.words[w] & (1u64 << (row % 64)) != 0
    }
}
