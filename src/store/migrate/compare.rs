//! The move's check: both databases compared after the copy (balances
//! per account and unit, items, events, commands and idempotency keys, and
//! a digest of every other table).

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{Check, MigrateError, open_both, tables};
use crate::store::sql::{Conn, ConnExt, Value, params};
use crate::store::{Database, StoreError};

/// Compare the SQLite database at `from` with `to`, table by table.
pub fn compare(from: &Path, to: &Database) -> Result<Vec<Check>, MigrateError> {
    let (source, target) = open_both(from, to)?;
    let tables = tables(source.as_ref())?;
    let (source, target) = (source.as_ref(), target.as_ref());
    let mut checks = vec![
        balances(source, target)?,
        compare_query(
            "events per room",
            "SELECT room, CAST(max(seq) AS BIGINT), count(*) FROM events GROUP BY room",
            source,
            target,
            |rows| format!("{} rooms, the same last seq per room", rows.len()),
        )?,
        compare_query(
            "idempotency keys",
            "SELECT idem_key, id FROM commands WHERE idem_key IS NOT NULL",
            source,
            target,
            |rows| format!("{} keys, each on the same command", rows.len()),
        )?,
    ];
    let named = ["items", "events", "commands"];
    let mut others = Vec::new();
    for table in &tables {
        let sql = format!("SELECT {} FROM \"{}\"", table.column_list(), table.name);
        let (a, b) = (digest(source, &sql)?, digest(target, &sql)?);
        let same = a == b;
        if named.contains(&table.name.as_str()) {
            checks.push(Check {
                what: table.name.clone(),
                same,
                detail: differs_or(same, &a, &b, || format!("{} rows, digest {}", a.0, a.1)),
            });
        } else if !same || a.0 > 0 {
            others.push((table.name.clone(), same, a, b));
        }
    }
    let all_same = others.iter().all(|(_, same, _, _)| *same);
    checks.push(Check {
        what: "other tables".into(),
        same: all_same,
        detail: others
            .iter()
            .map(|(name, same, a, b)| match same {
                true => format!("{name} {}", a.0),
                false => format!("{name} DIFFERS ({} vs {} rows)", a.0, b.0),
            })
            .collect::<Vec<_>>()
            .join(", "),
    });
    Ok(checks)
}

fn differs_or(
    same: bool,
    a: &(u64, String),
    b: &(u64, String),
    described: impl FnOnce() -> String,
) -> String {
    if same {
        described()
    } else {
        format!(
            "SQLite {} rows (digest {}), PostgreSQL {} rows (digest {})",
            a.0, a.1, b.0, b.1
        )
    }
}

/// Rows in a canonical encoding, sorted (so neither side's collation
/// matters).
fn canonical_rows(conn: &dyn Conn, sql: &str) -> Result<Vec<Vec<u8>>, StoreError> {
    let mut rows: Vec<Vec<u8>> = conn
        .query_values(sql, &[])?
        .iter()
        .map(|row| {
            let mut out = Vec::new();
            for value in &row.0 {
                match value {
                    Value::Null => out.push(0),
                    Value::Integer(i) => {
                        out.push(1);
                        out.extend(i.to_be_bytes());
                    }
                    Value::Real(r) => {
                        out.push(2);
                        out.extend(r.to_bits().to_be_bytes());
                    }
                    Value::Text(t) => {
                        out.push(3);
                        out.extend((t.len() as u64).to_be_bytes());
                        out.extend(t.as_bytes());
                    }
                    Value::Blob(b) => {
                        out.push(4);
                        out.extend((b.len() as u64).to_be_bytes());
                        out.extend(b.iter());
                    }
                }
            }
            out
        })
        .collect();
    rows.sort_unstable();
    Ok(rows)
}

/// The row count and a short digest of the rows `sql` returns.
fn digest(conn: &dyn Conn, sql: &str) -> Result<(u64, String), StoreError> {
    let rows = canonical_rows(conn, sql)?;
    let mut hash = Sha256::new();
    for row in &rows {
        hash.update((row.len() as u64).to_be_bytes());
        hash.update(row);
    }
    Ok((rows.len() as u64, hex::encode(&hash.finalize()[..8])))
}

fn compare_query(
    what: &str,
    sql: &str,
    source: &dyn Conn,
    target: &dyn Conn,
    described: impl FnOnce(&[Vec<u8>]) -> String,
) -> Result<Check, StoreError> {
    let (a, b) = (canonical_rows(source, sql)?, canonical_rows(target, sql)?);
    let same = a == b;
    Ok(Check {
        what: what.into(),
        same,
        detail: if same {
            described(&a)
        } else {
            format!(
                "SQLite {} rows, PostgreSQL {} rows, not the same",
                a.len(),
                b.len()
            )
        },
    })
}

/// Every account's balance per unit from the postings on both sides, and
/// PostgreSQL's trigger-kept `balances` table agreeing with its postings.
fn balances(source: &dyn Conn, target: &dyn Conn) -> Result<Check, StoreError> {
    let sums = |conn: &dyn Conn| -> Result<BTreeMap<(String, String), i64>, StoreError> {
        conn.prepare(
            "SELECT account, unit, CAST(sum(amount) AS BIGINT) FROM postings GROUP BY account, unit",
        )?
        .query_map(params![], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?
        .collect()
    };
    let (a, b) = (sums(source)?, sums(target)?);
    let kept: BTreeMap<(String, String), i64> = target
        .prepare("SELECT account, unit, balance FROM balances WHERE balance <> 0")?
        .query_map(params![], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let nonzero: BTreeMap<_, _> = b
        .iter()
        .filter(|(_, v)| **v != 0)
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    let mut per_unit: BTreeMap<&str, i64> = BTreeMap::new();
    for ((_, unit), amount) in &a {
        *per_unit.entry(unit.as_str()).or_default() += amount;
    }
    let same = a == b && kept == nonzero;
    let detail = if same {
        let units: Vec<String> = per_unit
            .iter()
            .map(|(u, s)| format!("{u} sum {s}"))
            .collect();
        format!(
            "{} accounts x units, the same on both ({})",
            a.len(),
            units.join(", ")
        )
    } else if a != b {
        let differing = a
            .keys()
            .chain(b.keys())
            .filter(|k| a.get(*k) != b.get(*k))
            .take(5)
            .map(|(acc, unit)| {
                format!(
                    "{acc} {unit}: {:?} vs {:?}",
                    a.get(&(acc.clone(), unit.clone())),
                    b.get(&(acc.clone(), unit.clone()))
                )
            })
            .collect::<Vec<_>>();
        format!("differ: {}", differing.join("; "))
    } else {
        "PostgreSQL's balances table disagrees with its postings".into()
    };
    Ok(Check {
        what: "balances".into(),
        same,
        detail,
    })
}
