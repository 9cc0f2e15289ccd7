//! Reading the store one row at a time, so that a pass over a large project (auto-coding)
//! never holds every text or every coding at once.

use crate::db::params;
use crate::error::Result;
use ambit_core::{DocId, DocKind, Passage};

use crate::codings::ATTACHED;
use crate::error::Error;
use crate::store::Store;

/// One document as [`Store::for_each_document`] hands it out, owned so that it can be passed
/// to another thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamedDocument {
    /// Its id.
    pub id: DocId,
    /// Its kind.
    pub kind: DocKind,
    /// The stored text, which passage offsets point into.
    pub text: String,
    /// Its passages in order, speakers named by the aliases (as [`Store::passages`]).
    pub passages: Vec<Passage>,
}

/// Which codings [`Store::for_each_coding_row`] reads, by how they were made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origins {
    /// All of them.
    All,
    /// Only those made by auto-coding rules (`rule:…`).
    Rules,
    /// All but those made by rules: manual and imported codings.
    NotRules,
}

/// One coding as [`Store::for_each_coding_row`] hands it out, its strings borrowed from the
/// row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodingRow<'a> {
    /// The document.
    pub doc: DocId,
    /// Start, in characters.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// The code id.
    pub code: &'a str,
    /// Who coded.
    pub coder: &'a str,
    /// How it was made, as stored: `manual`, `import` or `rule:<id>`.
    pub origin: &'a str,
}

/// The exact (case-sensitive) condition for rule-made codings; SQL's `LIKE` ignores case,
/// and `Origin::parse` does not.
const RULE_ORIGIN: &str = "substr(origin, 1, 5) = 'rule:'";

impl Store {
    /// Calls `f` with every document in id order, its text and its passages, reading one
    /// document at a time; all of them come from one read of the store, so a concurrent
    /// write is seen entirely or not at all.
    pub fn for_each_document<E: From<Error>>(
        &self,
        mut f: impl FnMut(StreamedDocument) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        if self.conn.is_pg() {
            // A PostgreSQL connection reads one statement at a time: the ids first, then
            // each document, in one read transaction so that all come from one moment.
            return self.read_consistently(|s| {
                let ids = s
                    .conn
                    .query_vec("SELECT id FROM documents ORDER BY id", params![], |r| {
                        r.get::<u32>(0)
                    })
                    .map_err(|e| s.fail(e))?;
                for id in ids {
                    let (kind, text) = s
                        .conn
                        .query_row(
                            "SELECT kind, text FROM documents WHERE id = ?1",
                            params![id],
                            |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
                        )
                        .map_err(|e| s.fail(e))?;
                    let kind = DocKind::parse(&kind)
                        .map_err(|_| Error::Corrupt(format!("kind {kind:?}")))?;
                    let passages = s.passages(DocId(id))?;
                    f(StreamedDocument {
                        id: DocId(id),
                        kind,
                        text,
                        passages,
                    })?;
                }
                Ok(())
            });
        }
        self.conn.query_each(
            "SELECT id, kind, text FROM documents ORDER BY id",
            params![],
            |r| {
                let (id, kind, text) = (|| -> Result<(u32, String, String)> {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })()
                .map_err(|e| self.fail(e))?;
                let kind =
                    DocKind::parse(&kind).map_err(|_| Error::Corrupt(format!("kind {kind:?}")))?;
                // While the rows are read, the statements reading passages see the same
                // snapshot.
                let passages = self.passages(DocId(id))?;
                f(StreamedDocument {
                    id: DocId(id),
                    kind,
                    text,
                    passages,
                })
            },
        )
    }

    /// Calls `f` for every coding that points at text (not detached), of `coder` only when
    /// given and of the chosen [`Origins`], in id order, without building a
    /// [`Coding`](ambit_core::Coding) per row.
    pub fn for_each_coding_row<E: From<Error>>(
        &self,
        coder: Option<&str>,
        origins: Origins,
        mut f: impl FnMut(CodingRow<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut conds = vec![ATTACHED.to_string()];
        match origins {
            Origins::All => {}
            Origins::Rules => conds.push(RULE_ORIGIN.to_string()),
            Origins::NotRules => conds.push(format!("NOT ({RULE_ORIGIN})")),
        }
        if coder.is_some() {
            conds.push("coder = ?1".to_string());
        }
        let sql = format!(
            "SELECT doc, start, \"end\", code, coder, origin FROM codings WHERE {} ORDER BY id",
            conds.join(" AND ")
        );
        let by: Vec<&dyn crate::db::Param> = coder.iter().map(|c| c as _).collect();
        self.conn.query_each(&sql, &by, |r| {
            let row = (|| -> Result<CodingRow<'_>> {
                Ok(CodingRow {
                    doc: DocId(r.get(0)?),
                    start: r.get::<i64>(1)? as usize,
                    end: r.get::<i64>(2)? as usize,
                    code: r.str(3)?,
                    coder: r.str(4)?,
                    origin: r.str(5)?,
                })
            })()
            .map_err(|e| self.fail(e))?;
            f(row)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use ambit_core::{DocKind, Origin, PassageSpan};

    use super::*;
    use crate::error::Result;
    use crate::{NewCoding, NewDocument, NewPassage};

    fn doc(title: &str, text: &str, cuts: &[(usize, usize)]) -> NewDocument {
        NewDocument {
            title: title.into(),
            kind: DocKind::Interview,
            date: None,
            phase: None,
            source: format!("{title}.txt"),
            content_hash: title.into(),
            format: "txt".into(),
            encoding: "utf-8".into(),
            text: text.into(),
            words: 0,
            attributes: BTreeMap::new(),
            passages: cuts
                .iter()
                .map(|&(start, end)| NewPassage {
                    span: PassageSpan {
                        start,
                        end,
                        speaker: Some("A".into()),
                        ..Default::default()
                    },
                    words: 1,
                })
                .collect(),
            original: None,
        }
    }

    fn coding(doc: DocId, start: usize, code: &str, coder: &str, origin: Origin) -> NewCoding {
        NewCoding {
            doc,
            start,
            end: start + 2,
            code: code.into(),
            coder: coder.into(),
            origin,
            memo: None,
        }
    }

    #[test]
    fn documents_come_one_by_one_with_their_passages() {
        crate::testing::each("s", |e| {
            let other = e.open_store();
            let p = &mut e.project;
            let a = p
                .store
                .insert_document(&doc("a", "één twee", &[(0, 3), (4, 8)]))
                .unwrap();
            let b = p
                .store
                .insert_document(&doc("b", "drie", &[(0, 4)]))
                .unwrap();
            let mut seen = Vec::new();
            p.store
                .for_each_document(|d| -> Result<()> {
                    seen.push((d.id, d.kind, d.text, d.passages.len()));
                    Ok(())
                })
                .unwrap();
            assert_eq!(
                seen,
                [
                    (a, DocKind::Interview, "één twee".to_string(), 2),
                    (b, DocKind::Interview, "drie".to_string(), 1)
                ]
            );
            let passages: Vec<Passage> = p.store.passages(a).unwrap();
            let mut streamed = Vec::new();
            p.store
                .for_each_document(|d| -> Result<()> {
                    streamed.extend(d.passages);
                    Ok(())
                })
                .unwrap();
            assert_eq!(&streamed[..2], &passages[..]);
            drop(other);
        });
    }

    #[test]
    fn coding_rows_by_coder_and_origin() {
        crate::testing::each("s", |e| {
            let other = e.open_store();
            let p = &mut e.project;
            let d = p
                .store
                .insert_document(&doc("a", "one two three", &[(0, 13)]))
                .unwrap();
            let rule = |r: &str| Origin::Rule(r.into());
            p.store
                .add_codings(&[
                    coding(d, 0, "x", "ann", Origin::Manual),
                    coding(d, 2, "x", "ann", rule("x.1")),
                    coding(d, 4, "y", "bob", rule("y.1")),
                    coding(d, 6, "y", "bob", Origin::Import),
                ])
                .unwrap();
            let check = |coder: Option<&str>, origins: Origins, want: &[(usize, &str, &str)]| {
                let mut got: Vec<(usize, String, String)> = Vec::new();
                p.store
                    .for_each_coding_row(coder, origins, |c| -> Result<()> {
                        assert_eq!(c.end, c.start + 2);
                        got.push((c.start, c.coder.to_string(), c.origin.to_string()));
                        Ok(())
                    })
                    .unwrap();
                let want: Vec<(usize, String, String)> = want
                    .iter()
                    .map(|&(s, c, o)| (s, c.to_string(), o.to_string()))
                    .collect();
                assert_eq!(got, want, "{coder:?} {origins:?}");
            };
            check(
                None,
                Origins::All,
                &[
                    (0, "ann", "manual"),
                    (2, "ann", "rule:x.1"),
                    (4, "bob", "rule:y.1"),
                    (6, "bob", "import"),
                ],
            );
            check(
                None,
                Origins::Rules,
                &[(2, "ann", "rule:x.1"), (4, "bob", "rule:y.1")],
            );
            check(
                None,
                Origins::NotRules,
                &[(0, "ann", "manual"), (6, "bob", "import")],
            );
            check(Some("bob"), Origins::Rules, &[(4, "bob", "rule:y.1")]);
            check(Some("carl"), Origins::All, &[]);
            drop(other);
        });
    }
}
