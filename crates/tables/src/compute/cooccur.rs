//! Code × code co-occurrence: passages coded with both codes, for the study or per phase.

use super::blocks::{threads_for, Buckets};
use super::columns::{group_columns, Columns};
use super::select::{coder_filter, select_rows, Rows, Selection};
use crate::error::{Error, Result};
use crate::input::TableInput;
use crate::table::{Column, Grouping, Measure, Table};

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
