//! The store's one connection type: SQLite or PostgreSQL behind the same few calls, so every
//! statement of the store is written once.
//!
//! SQL is written with `?1`-style placeholders and constructs both servers understand
//! (`INSERT … ON CONFLICT DO NOTHING`, `RETURNING id`, `"end"` quoted, `IS NOT DISTINCT
//! FROM`); the PostgreSQL side rewrites the placeholders to `$1` once per statement and keeps
//! the prepared statement. Parameters are integers (always sent as the column's integer
//! type, never as an OID, which is what `postgres` makes of a `u32`), text, bytes, booleans
//! and NULLs ([`Param`]); rows are read with typed getters ([`Row::get`], [`Row::str`]) that
//! borrow text from the row, so bulk reads allocate nothing per row.
//!
//! A PostgreSQL client cannot run a statement while it streams another one's rows: a row
//! callback must not use the connection (the SQLite side allows it; the store's code never
//! relies on it, and such a call is an error, not a panic).

use std::cell::RefCell;
use std::collections::HashMap;

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type};

use crate::error::{Error, Result};

/// An open database connection of either backend.
pub(crate) enum Db {
    /// The embedded SQLite file.
    Sqlite(rusqlite::Connection),
    /// A schema on a PostgreSQL server.
    Pg(Box<RefCell<Pg>>),
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Db::Sqlite(c) => c.fmt(f),
            Db::Pg(_) => f.write_str("Db::Pg"),
        }
    }
}

/// A PostgreSQL connection with its prepared statements.
pub(crate) struct Pg {
    pub(crate) client: postgres::Client,
    /// Prepared statements by the store's SQL text (with `?N` placeholders).
    statements: HashMap<String, postgres::Statement>,
    /// Whether a transaction is open (`postgres` does not say).
    in_tx: bool,
    /// The advisory-lock key of the project: writers of one project queue on it.
    pub(crate) lock_key: i64,
}

/// More prepared statements than the store has; lists of ids (`IN (?1, ?2, …)`) make new
/// texts, so the cache is emptied rather than grown without end.
const PG_STATEMENT_CACHE: usize = 512;

impl Pg {
    pub(crate) fn new(client: postgres::Client, lock_key: i64) -> Pg {
        Pg {
            client,
            statements: HashMap::new(),
            in_tx: false,
            lock_key,
        }
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let stmt = self.client.prepare(&pg_placeholders(sql))?;
        if self.statements.len() >= PG_STATEMENT_CACHE {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }
}

/// A value bound to a placeholder.
pub(crate) trait Param: rusqlite::ToSql {
    /// The value as PostgreSQL gets it.
    fn pg(&self) -> PgValue<'_>;
}

/// A parameter value for PostgreSQL, encoded for the type the server expects.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PgValue<'a> {
    Null,
    Int(i64),
    Bool(bool),
    Text(&'a str),
    Bytes(&'a [u8]),
}

macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl Param for $t {
            fn pg(&self) -> PgValue<'_> {
                PgValue::Int(*self as i64)
            }
        }
    )*};
}
int_param!(i64, i32, u32);

impl Param for bool {
    fn pg(&self) -> PgValue<'_> {
        PgValue::Bool(*self)
    }
}
impl Param for str {
    fn pg(&self) -> PgValue<'_> {
        PgValue::Text(self)
    }
}
impl Param for String {
    fn pg(&self) -> PgValue<'_> {
        PgValue::Text(self)
    }
}
impl Param for Vec<u8> {
    fn pg(&self) -> PgValue<'_> {
        PgValue::Bytes(self)
    }
}
impl Param for [u8] {
    fn pg(&self) -> PgValue<'_> {
        PgValue::Bytes(self)
    }
}
impl<T: Param + ?Sized> Param for &T {
    fn pg(&self) -> PgValue<'_> {
        (**self).pg()
    }
}
impl<T: Param> Param for Option<T> {
    fn pg(&self) -> PgValue<'_> {
        match self {
            None => PgValue::Null,
            Some(v) => v.pg(),
        }
    }
}

impl ToSql for PgValue<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match *self {
            PgValue::Null => Ok(IsNull::Yes),
            PgValue::Int(v) => match *ty {
                Type::INT8 => v.to_sql(ty, out),
                Type::INT4 => i32::try_from(v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(v)?.to_sql(ty, out),
                Type::BOOL => (v != 0).to_sql(ty, out),
                _ => v.to_string().as_str().to_sql(ty, out),
            },
            PgValue::Bool(b) => match *ty {
                Type::BOOL => b.to_sql(ty, out),
                Type::INT8 => i64::from(b).to_sql(ty, out),
                Type::INT4 => i32::from(b).to_sql(ty, out),
                Type::INT2 => i16::from(b).to_sql(ty, out),
                _ => Err(format!("a boolean given for a {ty} parameter").into()),
            },
            PgValue::Text(s) => s.to_sql(ty, out),
            PgValue::Bytes(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        // Checked per value in `to_sql`.
        true
    }

    postgres::types::to_sql_checked!();
}

/// Parameters for one statement: `params![a, b]`.
macro_rules! params {
    () => { &[] as &[&dyn $crate::db::Param] };
    ($($x:expr),+ $(,)?) => { &[$(&$x as &dyn $crate::db::Param),+] as &[&dyn $crate::db::Param] };
}
pub(crate) use params;

/// One row of a result, read by column index.
pub(crate) enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Pg(&'a postgres::Row),
}

impl Row<'_> {
    /// Column `i` as `T`.
    pub(crate) fn get<T: FromCol>(&self, i: usize) -> Result<T> {
        match self {
            Row::Sqlite(r) => Ok(T::sqlite(r, i)?),
            Row::Pg(r) => T::pg(r, i),
        }
    }

    /// Column `i` as text borrowed from the row.
    pub(crate) fn str(&self, i: usize) -> Result<&str> {
        match self {
            Row::Sqlite(r) => r.get_ref(i)?.as_str().map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
                    .into()
            }),
            Row::Pg(r) => Ok(r.try_get::<_, &str>(i)?),
        }
    }

    /// Column `i` as optional text borrowed from the row.
    pub(crate) fn opt_str(&self, i: usize) -> Result<Option<&str>> {
        match self {
            Row::Sqlite(r) => match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => Ok(None),
                _ => self.str(i).map(Some),
            },
            Row::Pg(r) => Ok(r.try_get::<_, Option<&str>>(i)?),
        }
    }
}

/// A type a column can be read as.
pub(crate) trait FromCol: Sized {
    /// From an SQLite row.
    fn sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self>;
    /// From a PostgreSQL row.
    fn pg(r: &postgres::Row, i: usize) -> Result<Self>;
}

/// An integer column of any width (PostgreSQL types `1` as INT4, `COUNT(*)` as INT8).
fn pg_int(r: &postgres::Row, i: usize) -> Result<Option<i64>> {
    let ty = r
        .columns()
        .get(i)
        .map(|c| c.type_().clone())
        .ok_or_else(|| Error::Corrupt(format!("no column {i}")))?;
    Ok(match ty {
        Type::INT4 => r.try_get::<_, Option<i32>>(i)?.map(i64::from),
        Type::INT2 => r.try_get::<_, Option<i16>>(i)?.map(i64::from),
        Type::BOOL => r.try_get::<_, Option<bool>>(i)?.map(i64::from),
        _ => r.try_get::<_, Option<i64>>(i)?,
    })
}

fn required<T>(v: Option<T>, i: usize) -> Result<T> {
    v.ok_or_else(|| Error::Corrupt(format!("NULL in column {i}")))
}

macro_rules! int_col {
    ($($t:ty),*) => {$(
        impl FromCol for $t {
            fn sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
                r.get(i)
            }
            fn pg(r: &postgres::Row, i: usize) -> Result<Self> {
                let v = required(pg_int(r, i)?, i)?;
                <$t>::try_from(v).map_err(|_| Error::Corrupt(format!("integer {v} out of range")))
            }
        }
        impl FromCol for Option<$t> {
            fn sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
                r.get(i)
            }
            fn pg(r: &postgres::Row, i: usize) -> Result<Self> {
                pg_int(r, i)?
                    .map(|v| <$t>::try_from(v).map_err(|_| Error::Corrupt(format!("integer {v} out of range"))))
                    .transpose()
            }
        }
    )*};
}
int_col!(i64, u32);

impl FromCol for bool {
    fn sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        r.get(i)
    }
    fn pg(r: &postgres::Row, i: usize) -> Result<Self> {
        Ok(required(pg_int(r, i)?, i)? != 0)
    }
}

impl FromCol for String {
    fn sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        r.get(i)
    }
    fn pg(r: &postgres::Row, i: usize) -> Result<Self> {
        Ok(r.try_get(i)?)
    }
}

impl FromCol for Option<String> {
    fn sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        r.get(i)
    }
    fn pg(r: &postgres::Row, i: usize) -> Result<Self> {
        Ok(r.try_get(i)?)
    }
}

impl FromCol for Option<Vec<u8>> {
    fn sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        r.get(i)
    }
    fn pg(r: &postgres::Row, i: usize) -> Result<Self> {
        Ok(r.try_get(i)?)
    }
}

impl FromCol for Vec<u8> {
    fn sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        r.get(i)
    }
    fn pg(r: &postgres::Row, i: usize) -> Result<Self> {
        Ok(r.try_get(i)?)
    }
}

/// `?N` (and bare `?`) placeholders as PostgreSQL's `$N`, outside quoted text.
pub(crate) fn pg_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let (mut quote, mut next) = (None, 1);
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                out.push(c);
            }
            (Some(q), c) if c == q => {
                quote = None;
                out.push(c);
            }
            (None, '?') => {
                out.push('$');
                if chars.peek().is_some_and(char::is_ascii_digit) {
                    while let Some(d) = chars.next_if(char::is_ascii_digit) {
                        out.push(d);
                    }
                } else {
                    out.push_str(&next.to_string());
                    next += 1;
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn pg_values<'a>(params: &'a [&'a dyn Param]) -> Vec<PgValue<'a>> {
    params.iter().map(|p| p.pg()).collect()
}

impl Db {
    /// Whether this is a PostgreSQL connection.
    pub(crate) fn is_pg(&self) -> bool {
        matches!(self, Db::Pg(_))
    }

    fn pg(&self) -> Result<std::cell::RefMut<'_, Pg>> {
        match self {
            Db::Pg(pg) => pg.try_borrow_mut().map_err(|_| {
                Error::Corrupt(
                    "a store read inside a row callback (PostgreSQL streams one statement at a time)"
                        .into(),
                )
            }),
            Db::Sqlite(_) => Err(Error::Corrupt("not a PostgreSQL store".into())),
        }
    }

    /// Runs one statement; returns the number of rows it changed.
    pub(crate) fn execute(&self, sql: &str, params: &[&dyn Param]) -> Result<usize> {
        match self {
            Db::Sqlite(c) => Ok(c
                .prepare_cached(sql)?
                .execute(rusqlite::params_from_iter(params.iter()))?),
            Db::Pg(_) => {
                let mut pg = self.pg()?;
                let stmt = pg.statement(sql)?;
                let values = pg_values(params);
                let refs: Vec<&(dyn ToSql + Sync)> =
                    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
                Ok(pg.client.execute(&stmt, &refs)? as usize)
            }
        }
    }

    /// Calls `f` with each row of a query, streaming (rows are not collected first).
    pub(crate) fn query_each<E: From<Error>>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        mut f: impl FnMut(&Row<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        match self {
            Db::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql).map_err(Error::from)?;
                let mut rows = stmt
                    .query(rusqlite::params_from_iter(params.iter()))
                    .map_err(Error::from)?;
                while let Some(r) = rows.next().map_err(Error::from)? {
                    f(&Row::Sqlite(r))?;
                }
                Ok(())
            }
            Db::Pg(_) => {
                let mut pg = self.pg()?;
                let stmt = pg.statement(sql)?;
                let values = pg_values(params);
                let mut rows = pg
                    .client
                    .query_raw(&stmt, values.iter().map(|v| v as &dyn ToSql))
                    .map_err(Error::from)?;
                while let Some(r) = rows.next().map_err(Error::from)? {
                    f(&Row::Pg(&r))?;
                }
                Ok(())
            }
        }
    }

    /// The rows of a query, each made by `f`.
    pub(crate) fn query_vec<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.query_each(sql, params, |r| -> Result<()> {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row of a query made by `f`, if there is one.
    pub(crate) fn query_opt<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        match self {
            Db::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
                match rows.next()? {
                    Some(r) => Ok(Some(f(&Row::Sqlite(r))?)),
                    None => Ok(None),
                }
            }
            Db::Pg(_) => {
                let row = {
                    let mut pg = self.pg()?;
                    let stmt = pg.statement(sql)?;
                    let values = pg_values(params);
                    let refs: Vec<&(dyn ToSql + Sync)> =
                        values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
                    pg.client.query_opt(&stmt, &refs)?
                };
                row.map(|r| f(&Row::Pg(&r))).transpose()
            }
        }
    }

    /// The first row of a query made by `f`; a query without rows is an error.
    pub(crate) fn query_row<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.query_opt(sql, params, f)?
            .ok_or_else(|| Error::Corrupt(format!("no row from {}", sql.trim())))
    }

    /// Whether a query has a row.
    pub(crate) fn exists(&self, sql: &str, params: &[&dyn Param]) -> Result<bool> {
        Ok(self.query_opt(sql, params, |_| Ok(()))?.is_some())
    }

    /// Runs one statement without parameters that runs once per imported document (a
    /// savepoint): SQLite keeps it prepared instead of parsing it each time.
    pub(crate) fn simple(&self, sql: &str) -> Result<()> {
        match self {
            Db::Sqlite(c) => {
                c.prepare_cached(sql)?.execute([])?;
                Ok(())
            }
            Db::Pg(_) => self.batch(sql),
        }
    }

    /// Runs statements separated by `;`, without parameters.
    pub(crate) fn batch(&self, sql: &str) -> Result<()> {
        match self {
            Db::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Db::Pg(_) => Ok(self.pg()?.client.batch_execute(sql)?),
        }
    }

    /// Keeps the id sequence of `table` past `id`, a row inserted with its id given: SQLite's
    /// AUTOINCREMENT does it itself; a PostgreSQL identity would later give `id` again.
    /// The sequence only moves forward, so an id is never given twice.
    pub(crate) fn after_explicit_id(&self, table: &str, id: i64) -> Result<()> {
        if self.is_pg() {
            self.query_row(
                "SELECT setval(q.s, GREATEST(?2, COALESCE(pg_sequence_last_value(q.s), 0)))
                 FROM (SELECT pg_get_serial_sequence(?1, 'id')::regclass AS s) q",
                params![table, id],
                |_| Ok(()),
            )?;
        }
        Ok(())
    }

    /// Whether a transaction is open.
    pub(crate) fn in_transaction(&self) -> bool {
        match self {
            Db::Sqlite(c) => !c.is_autocommit(),
            Db::Pg(pg) => pg.try_borrow().is_ok_and(|p| p.in_tx),
        }
    }

    /// Begins a write transaction that holds the project's write lock from its start:
    /// SQLite's `BEGIN IMMEDIATE`, or on PostgreSQL a transaction-scoped advisory lock on
    /// the project's key, so writers queue instead of failing.
    pub(crate) fn begin_write(&self) -> Result<()> {
        match self {
            Db::Sqlite(c) => Ok(c.execute_batch("BEGIN IMMEDIATE")?),
            Db::Pg(_) => {
                let mut pg = self.pg()?;
                pg.client.batch_execute("BEGIN")?;
                pg.in_tx = true;
                let key = pg.lock_key;
                pg.client
                    .execute("SELECT pg_advisory_xact_lock($1)", &[&key])?;
                Ok(())
            }
        }
    }

    /// Begins a read transaction: everything read until [`Db::commit`] comes from one
    /// moment.
    pub(crate) fn begin_read(&self) -> Result<()> {
        match self {
            Db::Sqlite(c) => Ok(c.execute_batch("BEGIN DEFERRED")?),
            Db::Pg(_) => {
                let mut pg = self.pg()?;
                pg.client
                    .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ")?;
                pg.in_tx = true;
                Ok(())
            }
        }
    }

    /// Commits the open transaction.
    pub(crate) fn commit(&self) -> Result<()> {
        self.end("COMMIT")
    }

    /// Rolls the open transaction back.
    pub(crate) fn rollback(&self) -> Result<()> {
        self.end("ROLLBACK")
    }

    fn end(&self, sql: &str) -> Result<()> {
        match self {
            Db::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Db::Pg(_) => {
                let mut pg = self.pg()?;
                // Whatever the outcome, the server has no transaction open afterwards.
                pg.in_tx = false;
                Ok(pg.client.batch_execute(sql)?)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::pg_placeholders;

    #[test]
    fn placeholders_are_numbered_outside_quotes() {
        let check = |sql: &str, want: &str| assert_eq!(pg_placeholders(sql), want);
        check("SELECT ?1, ?12", "SELECT $1, $12");
        check("a IN (?, ?, ?)", "a IN ($1, $2, $3)");
        check("x = '?1' AND y = ?2", "x = '?1' AND y = $2");
        check("\"end\" = ?3", "\"end\" = $3");
    }
}
