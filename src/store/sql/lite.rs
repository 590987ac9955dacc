//! [`Conn`] on a rusqlite connection (and, through `Deref`, a transaction).

use std::borrow::Cow;

use rusqlite::types::{ToSqlOutput, ValueRef};

use super::{Conn, Dialect, Row, Value};
use crate::store::StoreError;

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(r) => ValueRef::Real(*r),
            Value::Text(t) => ValueRef::Text(t.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

fn owned(value: ValueRef<'_>) -> Result<Value<'static>, StoreError> {
    Ok(match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(Cow::Owned(
            std::str::from_utf8(t)
                .map_err(|e| StoreError::Column(format!("text is not UTF-8: {e}")))?
                .to_owned(),
        )),
        ValueRef::Blob(b) => Value::Blob(Cow::Owned(b.to_vec())),
    })
}

/// Run a prepared statement.
pub(super) fn execute(
    stmt: &mut rusqlite::Statement<'_>,
    params: &[Value<'_>],
) -> Result<usize, StoreError> {
    Ok(stmt.execute(rusqlite::params_from_iter(params.iter()))?)
}

/// Every row a prepared query returns, read into owned values.
pub(super) fn rows(
    stmt: &mut rusqlite::Statement<'_>,
    params: &[Value<'_>],
) -> Result<Vec<Row>, StoreError> {
    let columns = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(columns);
        for i in 0..columns {
            values.push(owned(row.get_ref(i)?)?);
        }
        out.push(Row(values));
    }
    Ok(out)
}

impl Conn for rusqlite::Connection {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute_values(&self, sql: &str, params: &[Value<'_>]) -> Result<usize, StoreError> {
        let mut stmt = self.prepare_cached(sql)?;
        execute(&mut stmt, params)
    }

    fn query_values(&self, sql: &str, params: &[Value<'_>]) -> Result<Vec<Row>, StoreError> {
        let mut stmt = self.prepare_cached(sql)?;
        rows(&mut stmt, params)
    }

    fn sqlite(&self) -> Option<&rusqlite::Connection> {
        Some(self)
    }

    fn batch(&self, sql: &str) -> Result<(), StoreError> {
        Ok(self.execute_batch(sql)?)
    }
}
