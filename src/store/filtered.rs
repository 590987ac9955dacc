//! A log's rows by filters, newest first: `SELECT id, body FROM <table>`
//! with one clause per condition given, each value bound, never pasted.
//! The moderation log and the points history read their pages this way.

use super::sql::{Conn, ConnExt, Value};
use serde::de::DeserializeOwned;

use super::StoreError;
use crate::domain::Stamp;

pub(super) struct Filtered {
    sql: String,
    args: Vec<Value<'static>>,
}

impl Filtered {
    pub fn from(table: &str) -> Self {
        Filtered {
            sql: format!("SELECT id, body FROM {table} WHERE 1 = 1"),
            args: Vec::new(),
        }
    }

    /// ` AND {clause} ?n{close}`, `value` bound as `?n`.
    pub fn and_wrapped(&mut self, clause: &str, value: Value<'static>, close: &str) {
        self.args.push(value);
        self.sql
            .push_str(&format!(" AND {clause} ?{}{close}", self.args.len()));
    }

    /// ` AND {clause} ?n` when there is a value.
    pub fn and(&mut self, clause: &str, value: Option<Value<'static>>) {
        if let Some(value) = value {
            self.and_wrapped(clause, value, "");
        }
    }

    pub fn and_text(&mut self, column: &str, text: Option<&str>) {
        self.and(
            &format!("{column} ="),
            text.map(|t| Value::Text(t.to_string().into())),
        );
    }

    /// The conditions every log takes: `at` within [since, until), and
    /// older than the row `before` (paging back).
    pub fn window(&mut self, since: Option<Stamp>, until: Option<Stamp>, before: Option<i64>) {
        self.and("at >=", since.map(|s| Value::Integer(s.0)));
        self.and("at <", until.map(|u| Value::Integer(u.0)));
        self.and("id <", before.map(Value::Integer));
    }

    /// The first `limit` rows, newest first, each body read as `T`.
    pub fn rows<T: DeserializeOwned>(
        mut self,
        conn: &dyn Conn,
        limit: usize,
    ) -> Result<Vec<(i64, T)>, StoreError> {
        self.args.push(Value::Integer(limit as i64));
        self.sql
            .push_str(&format!(" ORDER BY id DESC LIMIT ?{}", self.args.len()));
        let mut stmt = conn.prepare_cached(&self.sql)?;
        let rows = stmt.query_map(self.args, |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, body) = row?;
            out.push((id, serde_json::from_str(&body)?));
        }
        Ok(out)
    }
}
