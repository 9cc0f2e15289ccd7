//! Counting: code × group frequency tables and code × code co-occurrence, in linear passes.
//!
//! A parent's cell is the distinct passages (documents, words, codings) coded with it or
//! any descendant, so every coding is expanded to the chain of selected rows above it, and
//! bitsets make "distinct" cheap: one bit per (row, passage) instead of a set of pairs.

use std::collections::{BTreeMap, BTreeSet, HashSet};

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

    #[inline]
    fn contains(&self, row: u32, at: u32) -> bool {
        let i = at as usize * self.rows + row as usize;
        self.words[i / 64] & (1u64 << (i % 64)) != 0
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
    input.validate()?;
    let Rows { mut rows, chain } = select_rows(input, &spec.select, spec.totals)?;
    let Columns {
        mut columns,
        of_passage,
    } = group_columns(input, &spec.by)?;
    let coder_ok = coder_filter(input, &spec.select.coders)?;
    let ncols = columns.len() + usize::from(spec.totals);
    let total_col = columns.len() as u32;
    let mut counts = vec![0u64; rows.len() * ncols];
    let cell = |row: u32, col: u32| row as usize * ncols + col as usize;
    let live = Live {
        input,
        chain: &chain,
        coder_ok: &coder_ok,
        of_passage: &of_passage,
    };
    let np = input.passages.len();
    match spec.measure {
        Measure::Passages | Measure::Share => {
            let mut seen = Bits::new(rows.len(), np);
            for o in &input.overlaps {
                let Some((links, col)) = live.get(o) else {
                    continue;
                };
                for &r in links {
                    if seen.insert(r, o.passage) {
                        counts[cell(r, col)] += 1;
                        if spec.totals {
                            counts[cell(r, total_col)] += 1;
                        }
                    }
                }
            }
        }
        Measure::Documents => {
            let doc_level = spec.by != Grouping::Speaker;
            let nd = input.documents.len();
            let mut seen = Bits::new(rows.len(), nd);
            let mut per_col: HashSet<(u32, u32, u32)> = HashSet::new();
            for o in &input.overlaps {
                let Some((links, col)) = live.get(o) else {
                    continue;
                };
                let doc = input.passages[o.passage as usize].doc;
                for &r in links {
                    let fresh = seen.insert(r, doc);
                    if fresh && spec.totals {
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
        }
        Measure::Codings => {
            let mut cols: Vec<u32> = Vec::new();
            let mut i = 0;
            let ov = &input.overlaps;
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
                    if spec.totals && !cols.is_empty() {
                        counts[cell(r, total_col)] += 1;
                    }
                }
                i = j;
            }
        }
        Measure::Words | Measure::Per1k => {
            count_words(&live, rows.len(), &mut |r, col, n| {
                counts[cell(r, col)] += n;
                if spec.totals {
                    counts[cell(r, total_col)] += n;
                }
            });
        }
    }
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

/// Coded words: for every (row, passage), the size of the union of the coded word ranges.
/// Most pairs have one range, so only pairs seen twice are collected and merged.
fn count_words(live: &Live<'_>, nrows: usize, add: &mut dyn FnMut(u32, u32, u64)) {
    let input = live.input;
    let np = input.passages.len();
    let mut once = Bits::new(nrows, np);
    let mut twice = Bits::new(nrows, np);
    for o in &input.overlaps {
        let Some((links, _)) = live.get(o) else {
            continue;
        };
        for &r in links {
            if !once.insert(r, o.passage) {
                twice.insert(r, o.passage);
            }
        }
    }
    let mut multi: BTreeMap<(u32, u32), Vec<(u32, u32)>> = BTreeMap::new();
    for o in &input.overlaps {
        let Some((links, col)) = live.get(o) else {
            continue;
        };
        for &r in links {
            if twice.contains(r, o.passage) {
                multi
                    .entry((r, o.passage))
                    .or_default()
                    .push((o.first_word, o.end_word));
            } else {
                let words = input.passages[o.passage as usize].words;
                add(
                    r,
                    col,
                    u64::from(o.end_word.min(words) - o.first_word.min(words)),
                );
            }
        }
    }
    for ((r, p), mut ranges) in multi {
        ranges.sort_unstable();
        let mut covered = 0u64;
        let mut reach = 0u32;
        let words = input.passages[p as usize].words;
        for (a, b) in ranges {
            let (a, b) = (a.max(reach).min(words), b.min(words));
            if b > a {
                covered += u64::from(b - a);
                reach = b;
            }
        }
        add(r, live.of_passage[p as usize], covered);
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
    let mut mats = vec![vec![0u64; n * n]; slices.len()];
    // Bucket the overlaps by passage (a counting sort), so each passage's codes are together.
    let np = input.passages.len();
    let mut start = vec![0u32; np + 1];
    for o in &input.overlaps {
        start[o.passage as usize + 1] += 1;
    }
    for i in 0..np {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut order = vec![0u32; input.overlaps.len()];
    for (i, o) in input.overlaps.iter().enumerate() {
        let at = &mut fill[o.passage as usize];
        order[*at as usize] = i as u32;
        *at += 1;
    }
    let mut on: Vec<u32> = Vec::new();
    for p in 0..np {
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
        for &i in &order[start[p] as usize..start[p + 1] as usize] {
            let coding = input.codings[input.overlaps[i as usize].coding as usize];
            if coder_ok[coding.coder as usize] {
                on.extend_from_slice(&chain[coding.code as usize]);
            }
        }
        on.sort_unstable();
        on.dedup();
        let mat = &mut mats[m as usize];
        for &a in &on {
            for &b in &on {
                mat[a as usize * n + b as usize] += 1;
            }
        }
    }
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
