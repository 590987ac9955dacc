//! One way to speak SQL to either database: the store's queries are written
//! once, with `?N` placeholders and the SQL both SQLite and PostgreSQL
//! accept, and run through [`Conn`] on a rusqlite connection or a
//! PostgreSQL client. The few spellings the two disagree on are
//! [`Dialect`] methods.
//!
//! The surface mirrors the parts of rusqlite the store uses (`execute`,
//! `query_row`, `prepare_cached(..).query_map(..)`), so a query reads the
//! same whichever database runs it.

mod lite;
pub mod pg;
mod value;

use std::borrow::Cow;

pub use value::{FromValue, Row, ToValue, Value};

use super::StoreError;

/// Which database a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The text of JSON member `key` of the JSON text column `column`.
    pub fn json_text(self, column: &str, key: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_extract({column}, '$.{key}')"),
            Dialect::Postgres => format!("({column}::jsonb ->> '{key}')"),
        }
    }

    /// The text of JSON member `outer.inner` of the JSON text column `column`.
    pub fn json_text_at(self, column: &str, outer: &str, inner: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_extract({column}, '$.{outer}.{inner}')"),
            Dialect::Postgres => format!("({column}::jsonb -> '{outer}' ->> '{inner}')"),
        }
    }
}

impl Dialect {
    /// ` INDEXED BY index` where SQLite's planner needs telling; nothing on
    /// PostgreSQL, whose planner picks by statistics.
    pub fn indexed_by(self, index: &str) -> String {
        match self {
            Dialect::Sqlite => format!(" INDEXED BY {index}"),
            Dialect::Postgres => String::new(),
        }
    }

    /// The distinct values of `column` in a group, joined by commas.
    pub fn distinct_list(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("group_concat(DISTINCT {column})"),
            Dialect::Postgres => format!("string_agg(DISTINCT {column}, ',')"),
        }
    }

    /// The query around a bound JSON array of text that yields its
    /// elements: `(open, close)` to put before and after the parameter.
    pub fn json_array_values(self) -> (&'static str, &'static str) {
        match self {
            Dialect::Sqlite => ("SELECT value FROM json_each(", ")"),
            // Bound as text, then read as JSON (JSONB's binary form is not text).
            Dialect::Postgres => (
                "SELECT jsonb_array_elements_text(CAST(CAST(",
                " AS TEXT) AS jsonb))",
            ),
        }
    }
}

/// A connection (or the transaction open on it): the object-safe core.
pub trait Conn {
    fn dialect(&self) -> Dialect;
    /// Run one statement; the number of rows it changed.
    fn execute_values(&self, sql: &str, params: &[Value<'_>]) -> Result<usize, StoreError>;
    /// Run one query; every row it returned.
    fn query_values(&self, sql: &str, params: &[Value<'_>]) -> Result<Vec<Row>, StoreError>;
    /// Run statements without parameters (`BEGIN`, `COMMIT`, DDL).
    fn batch(&self, sql: &str) -> Result<(), StoreError>;
    /// While on, `execute` only holds its statement (answering 0 rows) and
    /// the held ones go to the database together, in order, before the next
    /// query or batch or at [`Conn::flush`]: on PostgreSQL one round trip
    /// for many; a held statement's error comes from the call that sends
    /// it. Turning it off drops what is still held. SQLite runs every
    /// statement at once, so nothing is held there.
    fn hold_writes(&self, _on: bool) {}
    /// Send the held statements now.
    fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }
    /// The rusqlite connection underneath, if this is SQLite.
    fn sqlite(&self) -> Option<&rusqlite::Connection> {
        None
    }
}

impl<C: Conn + ?Sized> Conn for Box<C> {
    fn dialect(&self) -> Dialect {
        (**self).dialect()
    }

    fn execute_values(&self, sql: &str, params: &[Value<'_>]) -> Result<usize, StoreError> {
        (**self).execute_values(sql, params)
    }

    fn query_values(&self, sql: &str, params: &[Value<'_>]) -> Result<Vec<Row>, StoreError> {
        (**self).query_values(sql, params)
    }

    fn batch(&self, sql: &str) -> Result<(), StoreError> {
        (**self).batch(sql)
    }

    fn hold_writes(&self, on: bool) {
        (**self).hold_writes(on)
    }

    fn flush(&self) -> Result<(), StoreError> {
        (**self).flush()
    }

    fn sqlite(&self) -> Option<&rusqlite::Connection> {
        (**self).sqlite()
    }
}

/// Parameters as rusqlite takes them: an array from [`params!`], `[]`, or
/// a vector of owned values.
pub trait Params {
    fn values(&self) -> &[Value<'_>];
}

impl<'a, const N: usize> Params for [Value<'a>; N] {
    fn values(&self) -> &[Value<'_>] {
        self
    }
}

impl<'a> Params for Vec<Value<'a>> {
    fn values(&self) -> &[Value<'_>] {
        self
    }
}

impl<'a> Params for &[Value<'a>] {
    fn values(&self) -> &[Value<'_>] {
        self
    }
}

/// Build parameters from values the store binds: numbers, text, options.
#[macro_export]
macro_rules! sql_params {
    () => { [] as [$crate::store::sql::Value<'static>; 0] };
    ($($value:expr),+ $(,)?) => {
        [$($crate::store::sql::ToValue::to_value(&$value)),+]
    };
}
pub use crate::sql_params as params;

/// The generic helpers every [`Conn`] gets.
pub trait ConnExt: Conn {
    fn execute(&self, sql: &str, params: impl Params) -> Result<usize, StoreError> {
        self.execute_values(sql, params.values())
    }

    /// The first row mapped by `f`; `NoRows` when there is none.
    fn query_row<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let rows = self.query_values(sql, params.values())?;
        match rows.first() {
            Some(row) => f(row),
            None => Err(StoreError::NoRows),
        }
    }

    /// The id an `INSERT … RETURNING id` gave.
    fn insert_returning_id(&self, sql: &str, params: impl Params) -> Result<i64, StoreError> {
        self.query_row(sql, params, |r| r.get::<_, i64>(0))
    }

    fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_, Self>, StoreError> {
        // On SQLite the statement is prepared once and kept while `Stmt`
        // lives (the writer runs a batch's rows through the same ones).
        let sqlite = match self.sqlite() {
            Some(conn) => Some(conn.prepare_cached(sql)?),
            None => None,
        };
        Ok(Stmt {
            conn: self,
            sql: sql.to_string(),
            sqlite,
        })
    }

    fn prepare(&self, sql: &str) -> Result<Stmt<'_, Self>, StoreError> {
        self.prepare_cached(sql)
    }

    /// Run `f` in a transaction: committed when it succeeds, rolled back
    /// when it fails.
    fn transaction<T>(
        &self,
        f: impl FnOnce(&Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.batch("BEGIN")?;
        finish(self, f(self))
    }

    /// Run the reads of `f` on one consistent snapshot of the database.
    fn snapshot<T>(&self, f: impl FnOnce(&Self) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.batch(match self.dialect() {
            Dialect::Sqlite => "BEGIN",
            Dialect::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        })?;
        finish(self, f(self))
    }
}

fn finish<C: Conn + ?Sized, T>(conn: &C, result: Result<T, StoreError>) -> Result<T, StoreError> {
    match result {
        Ok(value) => {
            conn.batch("COMMIT")?;
            Ok(value)
        }
        Err(err) => {
            let _ = conn.batch("ROLLBACK");
            Err(err)
        }
    }
}

impl<C: Conn + ?Sized> ConnExt for C {}

/// A statement to run, as rusqlite's prepared statements are used (each
/// backend caches the prepared form itself).
pub struct Stmt<'c, C: ?Sized> {
    conn: &'c C,
    sql: String,
    sqlite: Option<rusqlite::CachedStatement<'c>>,
}

impl<C: Conn + ?Sized> Stmt<'_, C> {
    pub fn execute(&mut self, params: impl Params) -> Result<usize, StoreError> {
        match &mut self.sqlite {
            Some(stmt) => lite::execute(stmt, params.values()),
            None => self.conn.execute_values(&self.sql, params.values()),
        }
    }

    fn rows(&mut self, params: impl Params) -> Result<Vec<Row>, StoreError> {
        match &mut self.sqlite {
            Some(stmt) => lite::rows(stmt, params.values()),
            None => self.conn.query_values(&self.sql, params.values()),
        }
    }

    pub fn query(&mut self, params: impl Params) -> Result<Rows, StoreError> {
        Ok(Rows {
            rows: self.rows(params)?,
            next: 0,
        })
    }

    /// Every row mapped by `f`, read as rusqlite's mapped rows are.
    pub fn query_map<T>(
        &mut self,
        params: impl Params,
        f: impl FnMut(&Row) -> Result<T, StoreError>,
    ) -> Result<std::vec::IntoIter<Result<T, StoreError>>, StoreError> {
        let rows = self.rows(params)?;
        Ok(rows.iter().map(f).collect::<Vec<_>>().into_iter())
    }

    pub fn query_row<T>(
        &mut self,
        params: impl Params,
        f: impl FnOnce(&Row) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match self.rows(params)?.first() {
            Some(row) => f(row),
            None => Err(StoreError::NoRows),
        }
    }

    pub fn exists(&mut self, params: impl Params) -> Result<bool, StoreError> {
        Ok(!self.rows(params)?.is_empty())
    }
}

/// A query's rows, read one by one as rusqlite's are.
pub struct Rows {
    rows: Vec<Row>,
    next: usize,
}

impl Rows {
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<&Row>, StoreError> {
        let row = self.rows.get(self.next);
        self.next += 1;
        Ok(row)
    }
}

/// `Ok(None)` for a query that found no row, as rusqlite's `optional()`.
pub trait OptionalExt<T> {
    fn optional(self) -> Result<Option<T>, StoreError>;
}

impl<T> OptionalExt<T> for Result<T, StoreError> {
    fn optional(self) -> Result<Option<T>, StoreError> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(StoreError::NoRows) => Ok(None),
            Err(err) => Err(err),
        }
    }
}

/// `?N` placeholders as PostgreSQL spells them (`$N`); a bare `?` takes the
/// next number. Quoted text is left alone.
pub fn numbered_placeholders(sql: &str) -> Cow<'_, str> {
    if !sql.contains('?') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut quoted = false;
    let mut next = 0usize;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    digits.push(d);
                    chars.next();
                }
                if digits.is_empty() {
                    next += 1;
                    digits = next.to_string();
                }
                out.push('$');
                out.push_str(&digits);
            }
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_outside_quotes() {
        assert_eq!(
            numbered_placeholders("SELECT a FROM t WHERE b = ?2 AND c = '?' AND d = ?1"),
            "SELECT a FROM t WHERE b = $2 AND c = '?' AND d = $1"
        );
        assert_eq!(
            numbered_placeholders("x = ? AND y = ?"),
            "x = $1 AND y = $2"
        );
        assert!(matches!(
            numbered_placeholders("SELECT 1"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn dialects_spell_json_members() {
        assert_eq!(
            Dialect::Sqlite.json_text("view", "source"),
            "json_extract(view, '$.source')"
        );
        assert_eq!(
            Dialect::Postgres.json_text_at("body", "item", "id"),
            "(body::jsonb -> 'item' ->> 'id')"
        );
    }
}
