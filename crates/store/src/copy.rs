//! Moving a whole project between stores (SQLite ↔ PostgreSQL) and the content digest that
//! checks a copy.
//!
//! The digest is SHA-256 over every table in a fixed order, each as the line `table NAME`
//! and then its rows in primary-key order, one line each: the columns in a fixed order,
//! separated by tabs, each value in a text form both backends give alike (integers in
//! decimal, booleans as `0`/`1`, text with `\`, tab and newline escaped, bytes in hex, NULL
//! as `\N`). The `meta` rows `revision` and `schema_version` are left out: a copy has its
//! own revision counter; so are the project files a team store keeps for its coders
//! (`file:codebook.toml`, `file:ambit.toml`), which a project on SQLite keeps as files in its
//! folder. Two stores with the same digest hold the same project. The tables `revisions`
//! and `document_changes` are left out too: like the revision counter, they are a store's
//! own history (what derived data checks it is current against), not the project.

use sha2::{Digest as _, Sha256};

use crate::db::{Db, Param, PgValue, Row};
use crate::error::{Error, Result};
use crate::store::Store;

/// How a column is read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Text,
    Bytes,
    Bool,
}

use Kind::{Bool, Bytes, Int, Text};

/// A table, its columns and its order.
struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    order: &'static str,
    filter: &'static str,
}

/// Every table of the schema, parents before children.
const TABLES: &[Table] = &[
    Table {
        name: "meta",
        columns: &[("key", Text), ("value", Text)],
        order: "key",
        filter: "WHERE key NOT IN ('revision', 'schema_version')",
    },
    Table {
        name: "documents",
        columns: &[
            ("id", Int),
            ("title", Text),
            ("kind", Text),
            ("date", Text),
            ("phase", Text),
            ("source", Text),
            ("content_hash", Text),
            ("format", Text),
            ("encoding", Text),
            ("text", Text),
            ("chars", Int),
            ("words", Int),
            ("imported_at", Text),
        ],
        order: "id",
        filter: "",
    },
    Table {
        name: "attributes",
        columns: &[("doc", Int), ("key", Text), ("value", Text)],
        order: "doc, key",
        filter: "",
    },
    Table {
        name: "passages",
        columns: &[
            ("doc", Int),
            ("ordinal", Int),
            ("start", Int),
            ("\"end\"", Int),
            ("speaker", Text),
            ("start_ms", Int),
            ("end_ms", Int),
            ("page", Int),
            ("heading", Bool),
            ("question", Text),
            ("words", Int),
        ],
        order: "doc, ordinal",
        filter: "",
    },
    Table {
        name: "originals",
        columns: &[("doc", Int), ("name", Text), ("bytes", Bytes)],
        order: "doc",
        filter: "",
    },
    Table {
        name: "codings",
        columns: &[
            ("id", Int),
            ("doc", Int),
            ("start", Int),
            ("\"end\"", Int),
            ("code", Text),
            ("coder", Text),
            ("origin", Text),
            ("created", Text),
            ("memo", Text),
            ("status", Text),
            ("quote", Text),
        ],
        order: "id",
        filter: "",
    },
    Table {
        name: "memos",
        columns: &[
            ("id", Int),
            ("target", Text),
            ("author", Text),
            ("created", Text),
            ("text", Text),
        ],
        order: "id",
        filter: "",
    },
    Table {
        name: "guids",
        columns: &[("kind", Text), ("key", Text), ("guid", Text)],
        order: "kind, key",
        filter: "",
    },
];

/// The tables whose ids come from a sequence that must never give an id twice.
const SEQUENCED: &[&str] = &["documents", "codings", "memos"];

/// One value of a generic row.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Null,
    Int(i64),
    Bool(bool),
    Text(String),
    Bytes(Vec<u8>),
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*b))),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

impl Param for Value {
    fn pg(&self) -> PgValue<'_> {
        match self {
            Value::Null => PgValue::Null,
            Value::Int(v) => PgValue::Int(*v),
            Value::Bool(b) => PgValue::Bool(*b),
            Value::Text(s) => PgValue::Text(s),
            Value::Bytes(b) => PgValue::Bytes(b),
        }
    }
}

fn read_value(r: &Row<'_>, i: usize, kind: Kind) -> Result<Value> {
    Ok(match kind {
        Int => r.get::<Option<i64>>(i)?.map_or(Value::Null, Value::Int),
        Bool => Value::Bool(r.get::<bool>(i)?),
        Text => r
            .opt_str(i)?
            .map_or(Value::Null, |s| Value::Text(s.to_string())),
        Bytes => r
            .get::<Option<Vec<u8>>>(i)?
            .map_or(Value::Null, Value::Bytes),
    })
}

/// Appends `r`'s column `i` in the digest's text form.
fn digest_value(out: &mut String, r: &Row<'_>, i: usize, kind: Kind) -> Result<()> {
    use std::fmt::Write;
    match kind {
        Int => match r.get::<Option<i64>>(i)? {
            None => out.push_str("\\N"),
            Some(v) => {
                let _ = write!(out, "{v}");
            }
        },
        Bool => out.push(if r.get::<bool>(i)? { '1' } else { '0' }),
        Text => match r.opt_str(i)? {
            None => out.push_str("\\N"),
            Some(s) => {
                for c in s.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\t' => out.push_str("\\t"),
                        '\n' => out.push_str("\\n"),
                        c => out.push(c),
                    }
                }
            }
        },
        Bytes => match r.get::<Option<Vec<u8>>>(i)? {
            None => out.push_str("\\N"),
            Some(b) => {
                for x in b {
                    let _ = write!(out, "{x:02x}");
                }
            }
        },
    }
    Ok(())
}

fn select(t: &Table) -> String {
    let cols: Vec<&str> = t.columns.iter().map(|c| c.0).collect();
    format!(
        "SELECT {} FROM {} {} ORDER BY {}",
        cols.join(", "),
        t.name,
        t.filter,
        t.order
    )
}

/// A store's row counts (table by table, in the digest's order) and content digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// Rows per table (`meta` without its `revision`, `schema_version` and `file:` rows).
    pub counts: Vec<(String, u64)>,
    /// SHA-256 of the content, in lower-case hex.
    pub sha256: String,
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (t, n) in &self.counts {
            writeln!(f, "{t:<11} {n}")?;
        }
        write!(f, "sha256      {}", self.sha256)
    }
}

/// What [`Store::copy_to`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// The source's digest.
    pub source: Digest,
    /// The target's digest, read back after the commit.
    pub target: Digest,
}

impl Store {
    /// The store's row counts and content digest (see the module's documentation for what
    /// is hashed), read in one read transaction.
    pub fn digest(&self) -> Result<Digest> {
        self.read_consistently(|s| -> Result<Digest> {
            let mut hash = Sha256::new();
            let mut counts = Vec::new();
            let mut line = String::new();
            for t in TABLES {
                hash.update(format!("table {}\n", t.name).as_bytes());
                let mut n = 0u64;
                let sql = if t.name == "meta" {
                    select(t).replace(" ORDER BY", " AND key NOT LIKE 'file:%' ORDER BY")
                } else {
                    select(t)
                };
                s.conn
                    .query_each(&sql, crate::db::params![], |r| -> Result<()> {
                        line.clear();
                        for (i, (_, kind)) in t.columns.iter().enumerate() {
                            if i > 0 {
                                line.push('\t');
                            }
                            digest_value(&mut line, r, i, *kind)?;
                        }
                        line.push('\n');
                        hash.update(line.as_bytes());
                        n += 1;
                        Ok(())
                    })?;
                counts.push((t.name.to_string(), n));
            }
            let sha256 = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
            Ok(Digest { counts, sha256 })
        })
        .map_err(|e| self.fail(e))
    }

    /// Whether the store holds no documents, codings, memos or GUIDs.
    pub fn is_empty(&self) -> Result<bool> {
        self.reading(|| {
            for t in ["documents", "codings", "memos", "guids", "attributes"] {
                if self
                    .conn
                    .exists(&format!("SELECT 1 FROM {t} LIMIT 1"), crate::db::params![])?
                {
                    return Ok(false);
                }
            }
            Ok(true)
        })
    }

    /// Copies this whole project into `target`, an empty store of either backend, in one
    /// write transaction on the target: every row with its ids, the id sequences (so ids
    /// deleted here are not given there either), the project key and the shared files.
    /// Then compares both digests; a difference is an error and the copy stays to be
    /// looked at. A target that holds documents, codings, memos or GUIDs is refused.
    pub fn copy_to(&self, target: &mut Store) -> Result<Copied> {
        if !target.is_empty()? {
            return Err(Error::TargetNotEmpty(
                target.path().to_string_lossy().into_owned(),
            ));
        }
        let source = &self.conn;
        let sequences: Vec<(&str, i64)> = SEQUENCED
            .iter()
            .map(|t| Ok((*t, sequence(source, t)?)))
            .collect::<Result<_>>()
            .map_err(|e| self.fail(e))?;
        self.read_consistently(|src| -> Result<()> {
            target.write(|tx| {
                for t in TABLES {
                    let cols: Vec<&str> = t.columns.iter().map(|c| c.0).collect();
                    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
                    let mut insert = format!(
                        "INSERT INTO {} ({}) VALUES ({})",
                        t.name,
                        cols.join(", "),
                        marks.join(", ")
                    );
                    if t.name == "meta" {
                        insert.push_str(" ON CONFLICT (key) DO UPDATE SET value = excluded.value");
                    }
                    let mut row: Vec<Value> = Vec::with_capacity(cols.len());
                    src.conn
                        .query_each(&select(t), crate::db::params![], |r| -> Result<()> {
                            row.clear();
                            for (i, (_, kind)) in t.columns.iter().enumerate() {
                                row.push(read_value(r, i, *kind)?);
                            }
                            let params: Vec<&dyn Param> =
                                row.iter().map(|v| v as &dyn Param).collect();
                            tx.execute(&insert, &params)?;
                            Ok(())
                        })?;
                }
                for (t, seq) in &sequences {
                    raise_sequence(tx, t, *seq)?;
                }
                Ok(())
            })
        })?;
        let source = self.digest()?;
        let copied = target.digest()?;
        if source != copied {
            return Err(Error::Corrupt(format!(
                "the copy in {} differs from its source (digest {} instead of {}): look at both before using either",
                target.path().display(),
                copied.sha256,
                source.sha256
            )));
        }
        Ok(Copied {
            source,
            target: copied,
        })
    }
}

/// The highest id `table`'s sequence has given (0 before the first).
fn sequence(db: &Db, table: &str) -> Result<i64> {
    if db.is_pg() {
        db.query_row(
            "SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence(?1, 'id')::regclass), 0)",
            crate::db::params![table],
            |r| r.get(0),
        )
    } else {
        Ok(db
            .query_opt(
                "SELECT seq FROM sqlite_sequence WHERE name = ?1",
                crate::db::params![table],
                |r| r.get::<i64>(0),
            )?
            .unwrap_or(0))
    }
}

/// Moves `table`'s sequence forward to at least `seq`.
fn raise_sequence(db: &Db, table: &str, seq: i64) -> Result<()> {
    if seq <= 0 {
        return Ok(());
    }
    if db.is_pg() {
        return db.after_explicit_id(table, seq);
    }
    let n = db.execute(
        "UPDATE sqlite_sequence SET seq = MAX(seq, ?2) WHERE name = ?1",
        crate::db::params![table, seq],
    )?;
    if n == 0 {
        db.execute(
            "INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)",
            crate::db::params![table, seq],
        )?;
    }
    Ok(())
}
