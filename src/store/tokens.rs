//! The tokens table: hashes of bearer tokens, their role and scope. Rows
//! are read once at start; new ones are written through the one writer.

use rusqlite::params;

use super::writer::WriteHandle;
use super::{Reader, StoreError};

/// A stored token: its SHA-256 hex, role name and scope JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub hash: String,
    pub role: String,
    pub scope: String,
}

pub struct TokenDb {
    writer: WriteHandle,
}

impl TokenDb {
    pub fn new(writer: WriteHandle) -> Self {
        TokenDb { writer }
    }

    /// Record a token (a token already stored is left as it is).
    pub fn insert(&self, row: TokenRow, at: i64) -> Result<(), StoreError> {
        self.writer.write(move |tx| {
            tx.execute(
                "INSERT OR IGNORE INTO tokens (hash, role, scope, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![row.hash, row.role, row.scope, at],
            )?;
            Ok(())
        })
    }
}

impl Reader {
    /// Every stored token.
    pub fn tokens(&self) -> Result<Vec<TokenRow>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT hash, role, scope FROM tokens")?;
        let rows = stmt.query_map([], |r| {
            Ok(TokenRow {
                hash: r.get(0)?,
                role: r.get(1)?,
                scope: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
