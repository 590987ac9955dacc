//! Moving a SQLite database into an empty PostgreSQL one: every table of
//! the SQLite schema copied row for row in one transaction (ids kept, each
//! identity sequence set past them), then both sides compared: balances per
//! account and unit, items, events, commands and idempotency keys, and a
//! digest of every other table.

use std::path::Path;

mod compare;

pub use compare::compare;

use super::sql::{Conn, ConnExt, Dialect, Value, params};
use super::{Database, StoreError};

/// A connection to either side.
type Connection = Box<dyn Conn + Send>;

/// Rows per `INSERT`: far below PostgreSQL's 65,535 parameters.
const PARAMETERS_PER_INSERT: usize = 20_000;

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("{0} does not exist; nothing to move")]
    NoSource(String),
    #[error("the target must be a PostgreSQL URL (postgres://…), not {0}")]
    NotPostgres(String),
    #[error("the source must be a SQLite file, not {0}")]
    NotSqlite(String),
    #[error(
        "{target} is not empty ({rows}); the move only fills an empty database: \
         give a new database, or drop this one's tables first"
    )]
    NotEmpty { target: String, rows: String },
    #[error("table {table}: the PostgreSQL schema differs ({detail})")]
    Schema { table: String, detail: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One table of the SQLite schema and the columns the move copies.
#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<String>,
}

impl Table {
    fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What was copied: rows per table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub rows: Vec<(String, u64)>,
}

/// One comparison of the two databases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub what: String,
    pub same: bool,
    pub detail: String,
}

/// Copy the SQLite database at `from` (brought to the current schema
/// first) into the empty PostgreSQL database `to`.
pub fn copy(from: &Path, to: &Database) -> Result<Moved, MigrateError> {
    let (source, target) = open_both(from, to)?;
    let tables = tables(source.as_ref())?;
    check_target_schema(target.as_ref(), &tables)?;
    refuse_non_empty(target.as_ref(), &tables, &to.describe())?;
    let rows = target.transaction(|target| {
        let mut rows = Vec::new();
        for table in &tables {
            rows.push((
                table.name.clone(),
                copy_table(source.as_ref(), target, table)?,
            ));
            reset_identity(target.as_ref(), table)?;
        }
        copy_meta(source.as_ref(), target.as_ref())?;
        Ok(rows)
    })?;
    Ok(Moved { rows })
}

fn open_both(from: &Path, to: &Database) -> Result<(Connection, Connection), MigrateError> {
    if !matches!(to, Database::Postgres(_)) {
        return Err(MigrateError::NotPostgres(to.describe()));
    }
    if !from.is_file() {
        return Err(MigrateError::NoSource(from.display().to_string()));
    }
    let source = Database::Sqlite(from.to_path_buf()).conn()?;
    if source.dialect() != Dialect::Sqlite {
        return Err(MigrateError::NotSqlite(from.display().to_string()));
    }
    Ok((source, to.conn()?))
}

/// The SQLite schema's tables, the command log first (the others refer to
/// it), then in the order the migrations made them.
fn tables(source: &dyn Conn) -> Result<Vec<Table>, StoreError> {
    let names: Vec<String> = source
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'meta' ORDER BY name = 'commands' DESC, rowid")?
        .query_map(params![], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    names
        .into_iter()
        .map(|name| {
            let columns = source
                .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?
                .query_map(params![name], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(Table { name, columns })
        })
        .collect()
}

fn check_target_schema(target: &dyn Conn, tables: &[Table]) -> Result<(), MigrateError> {
    for table in tables {
        let columns: Vec<String> = target
            .prepare(
                "SELECT CAST(column_name AS TEXT) FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = ?1",
            )?
            .query_map(params![table.name], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if columns.is_empty() {
            return Err(MigrateError::Schema {
                table: table.name.clone(),
                detail: "no such table in PostgreSQL".into(),
            });
        }
        let missing: Vec<&str> = table
            .columns
            .iter()
            .filter(|c| !columns.contains(c))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(MigrateError::Schema {
                table: table.name.clone(),
                detail: format!("no column {}", missing.join(", ")),
            });
        }
    }
    Ok(())
}

fn count(conn: &dyn Conn, table: &str) -> Result<u64, StoreError> {
    conn.query_row(
        &format!("SELECT count(*) FROM \"{table}\""),
        params![],
        |r| r.get(0),
    )
}

fn refuse_non_empty(target: &dyn Conn, tables: &[Table], shown: &str) -> Result<(), MigrateError> {
    let mut filled = Vec::new();
    for table in tables {
        let n = count(target, &table.name)?;
        if n > 0 {
            filled.push(format!("{} rows in {}", n, table.name));
        }
    }
    if filled.is_empty() {
        Ok(())
    } else {
        Err(MigrateError::NotEmpty {
            target: shown.to_string(),
            rows: filled.join(", "),
        })
    }
}

/// Copy one table in id order (the postings' balances trigger sees every
/// movement in the order it was made), many rows per statement.
fn copy_table(source: &dyn Conn, target: &dyn Conn, table: &Table) -> Result<u64, StoreError> {
    let order = if table.columns.iter().any(|c| c == "id") {
        " ORDER BY id"
    } else {
        ""
    };
    let rows = source.query_values(
        &format!(
            "SELECT {} FROM \"{}\"{order}",
            table.column_list(),
            table.name
        ),
        &[],
    )?;
    let width = table.columns.len();
    let per_insert = (PARAMETERS_PER_INSERT / width.max(1)).max(1);
    for chunk in rows.chunks(per_insert) {
        let tuples: Vec<String> = (0..chunk.len())
            .map(|r| {
                let marks: Vec<String> =
                    (1..=width).map(|c| format!("?{}", r * width + c)).collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO \"{}\" ({}) VALUES {}",
            table.name,
            table.column_list(),
            tuples.join(", ")
        );
        let values: Vec<Value<'_>> = chunk.iter().flat_map(|row| row.0.iter().cloned()).collect();
        target.execute(&sql, values)?;
    }
    Ok(rows.len() as u64)
}

/// An identity column's next value goes past the copied ids.
fn reset_identity(target: &dyn Conn, table: &Table) -> Result<(), StoreError> {
    let identities: Vec<String> = target
        .prepare(
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = ?1 AND is_identity = 'YES'",
        )?
        .query_map(params![table.name], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for column in identities {
        target.query_values(
            &format!(
                "SELECT setval(pg_get_serial_sequence(?1, ?2), max(\"{column}\")) FROM \"{}\"",
                table.name
            ),
            &params![table.name, column],
        )?;
    }
    Ok(())
}

/// The event history's epoch moves too: consoles resume on the new server
/// from where they were.
fn copy_meta(source: &dyn Conn, target: &dyn Conn) -> Result<(), StoreError> {
    let rows = source.query_values(
        "SELECT key, value FROM meta WHERE key <> 'schema_version'",
        &[],
    )?;
    for row in rows {
        let (key, value): (String, String) = (row.get(0)?, row.get(1)?);
        target.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            params![key, value],
        )?;
    }
    Ok(())
}
