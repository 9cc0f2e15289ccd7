//! Rows: which codes a table shows (`--codes`, `--depth`), the chain of rows each code's
//! codings count towards, and which coders' codings count.

use crate::error::{Error, Result};
use crate::input::TableInput;
use crate::table::Row;

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
pub(super) struct Rows {
    pub(super) rows: Vec<Row>,
    /// `chain[code]`: row indices of the code and its selected ancestors (and the total row).
    pub(super) chain: Vec<Vec<u32>>,
}

pub(super) fn select_rows(input: &TableInput, sel: &Selection, total: bool) -> Result<Rows> {
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

pub(super) fn coder_filter(input: &TableInput, coders: &[String]) -> Result<Vec<bool>> {
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
