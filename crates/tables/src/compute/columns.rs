//! Columns: the groups of a table (phases, kinds, documents, months, attribute values,
//! speakers) and the column every passage falls in.

use std::collections::BTreeSet;

use ambit_core::{Date, DocKind, Month, NO_SPEAKER, NO_VALUE, UNDATED, UNPHASED};

use crate::error::{Error, Result};
use crate::input::TableInput;
use crate::table::{Column, Grouping};

/// Columns plus the column of every passage (`u32::MAX`: in no column).
pub(super) struct Columns {
    pub(super) columns: Vec<Column>,
    pub(super) of_passage: Vec<u32>,
}

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

/// Every month from `first` to `last`, in order.
fn months_between(first: Month, last: Month) -> Vec<Month> {
    let mut out = Vec::new();
    let mut at = Some(first);
    while let Some(m) = at.filter(|m| *m <= last) {
        out.push(m);
        let (year, month) = match m.month() {
            12 => (m.year().checked_add(1), 1),
            n => (Some(m.year()), n + 1),
        };
        at = year
            .and_then(|y| Date::from_ymd(y, month, 1).ok())
            .map(Date::month_of);
    }
    out
}

pub(super) fn group_columns(input: &TableInput, by: &Grouping) -> Result<Columns> {
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
            let mut kinds: Vec<DocKind> = Vec::new();
            for d in docs {
                if !kinds.contains(&d.kind) {
                    kinds.push(d.kind);
                }
            }
            // By name, as kind columns have always been ordered (not `DocKind::ALL` order).
            kinds.sort_unstable_by_key(|k| k.as_str());
            let key = docs
                .iter()
                .map(|d| kinds.iter().position(|k| *k == d.kind).unwrap_or(0))
                .collect();
            let columns = kinds
                .iter()
                .map(|k| column(k.as_str(), k.as_str()))
                .collect();
            doc_columns(input, columns, key)
        }
        Grouping::Doc => {
            let columns = docs
                .iter()
                .map(|d| column(&d.id.to_string(), &d.title))
                .collect();
            doc_columns(input, columns, (0..docs.len()).collect())
        }
        Grouping::Month => {
            let months: Vec<Option<Month>> =
                docs.iter().map(|d| d.date.map(Date::month_of)).collect();
            let first = months.iter().flatten().min().copied();
            let last = months.iter().flatten().max().copied();
            let span = match (first, last) {
                (Some(a), Some(b)) => months_between(a, b),
                _ => Vec::new(),
            };
            let mut columns: Vec<Column> = span
                .iter()
                .map(|m| {
                    let id = m.to_string();
                    column(&id, &id)
                })
                .collect();
            let undated = columns.len();
            if months.iter().any(Option::is_none) {
                columns.push(column(UNDATED, "No date"));
            }
            let key = months
                .iter()
                .map(|m| {
                    m.and_then(|m| span.binary_search(&m).ok())
                        .unwrap_or(undated)
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
