//! The tokens table: hashes of bearer tokens, their role and scope. Rows
//! are read once at start; new ones and revocations are written through the
//! one writer. A revoked row stays: its id still names who did what.

use super::sql::{ConnExt, params};

use super::writer::WriteHandle;
use super::{Reader, StoreError};

/// A stored token: its SHA-256 hex, role name, scope JSON and stamps (µs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub hash: String,
    pub role: String,
    pub scope: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

pub struct TokenDb {
    writer: WriteHandle,
}

impl TokenDb {
    pub fn new(writer: WriteHandle) -> Self {
        TokenDb { writer }
    }

    /// Record a token (a token already stored is left as it is).
    pub fn insert(&self, row: TokenRow) -> Result<(), StoreError> {
        self.writer.write(move |tx| {
            tx.execute(
                "INSERT INTO tokens (hash, role, scope, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                params![row.hash, row.role, row.scope, row.created_at],
            )?;
            Ok(())
        })
    }

    /// Mark a token revoked at `at` (a token revoked before keeps its stamp).
    pub fn revoke(&self, hash: String, at: i64) -> Result<(), StoreError> {
        self.writer.write(move |tx| {
            tx.execute(
                "UPDATE tokens SET revoked_at = ?2 WHERE hash = ?1 AND revoked_at IS NULL",
                params![hash, at],
            )?;
            Ok(())
        })
    }
}

impl Reader {
    /// Every stored token, revoked ones included.
    pub fn tokens(&self) -> Result<Vec<TokenRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT hash, role, scope, created_at, revoked_at FROM tokens")?;
        let rows = stmt.query_map([], |r| {
            Ok(TokenRow {
                hash: r.get(0)?,
                role: r.get(1)?,
                scope: r.get(2)?,
                created_at: r.get(3)?,
                revoked_at: r.get(4)?,
            })
        })?;
        rows.collect::<Result<_, _>>()
    }
}
