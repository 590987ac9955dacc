//! The leader lease of a PostgreSQL database: one row naming the node that
//! may write, the URL clients reach it at, and a fencing epoch that grows
//! by one at every take-over. Time is the database's own (`now()`), so the
//! nodes' clocks never matter.

use super::StoreError;
use super::sql::pg::{PgConn, PgDb};
use super::sql::{ConnExt, OptionalExt, params};

/// Who holds the lease, as the database sees it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseHolder {
    pub holder: String,
    pub advertise: String,
    pub epoch: i64,
    /// Milliseconds until it expires (negative once expired).
    pub expires_in_ms: i64,
}

/// One node's side of the lease.
pub struct Lease {
    conn: PgConn,
    holder: String,
    advertise: String,
}

impl Lease {
    /// `holder` names this node uniquely; `advertise` is its base URL.
    pub fn new(db: &PgDb, holder: &str, advertise: &str) -> Result<Lease, StoreError> {
        Ok(Lease {
            conn: db.conn()?,
            holder: holder.to_string(),
            advertise: advertise.to_string(),
        })
    }

    /// Take the lease when nobody holds it or it has expired: the new
    /// epoch, or `None` while another node holds it.
    pub fn try_acquire(&self, duration_ms: u64) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row(
                "INSERT INTO leases (name, holder, advertise, epoch, expires_at)
                 VALUES ('leader', ?1, ?2, 1, now() + CAST(?3 AS BIGINT) * interval '1 millisecond')
                 ON CONFLICT (name) DO UPDATE
                     SET holder = EXCLUDED.holder, advertise = EXCLUDED.advertise,
                         epoch = leases.epoch + 1, expires_at = EXCLUDED.expires_at
                     WHERE leases.expires_at < now()
                 RETURNING epoch",
                params![self.holder, self.advertise, duration_ms as i64],
                |r| r.get::<_, i64>(0),
            )
            .optional()
    }

    /// Extend the lease held at `epoch`; `false` when it is no longer ours.
    pub fn renew(&self, epoch: i64, duration_ms: u64) -> Result<bool, StoreError> {
        let renewed = self.conn.execute(
            "UPDATE leases SET expires_at = now() + CAST(?3 AS BIGINT) * interval '1 millisecond'
             WHERE name = 'leader' AND epoch = ?1 AND holder = ?2",
            params![epoch, self.holder, duration_ms as i64],
        )?;
        Ok(renewed == 1)
    }

    /// Give the lease up at once (a clean stop), so a standby need not wait
    /// for it to expire.
    pub fn release(&self, epoch: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE leases SET expires_at = now() - interval '1 millisecond'
             WHERE name = 'leader' AND epoch = ?1 AND holder = ?2",
            params![epoch, self.holder],
        )?;
        Ok(())
    }

    /// The current holder, if the lease was ever taken.
    pub fn holder(&self) -> Result<Option<LeaseHolder>, StoreError> {
        self.conn
            .query_row(
                "SELECT holder, advertise, epoch,
                        CAST(EXTRACT(EPOCH FROM (expires_at - now())) * 1000 AS BIGINT)
                 FROM leases WHERE name = 'leader'",
                [],
                |r| {
                    Ok(LeaseHolder {
                        holder: r.get(0)?,
                        advertise: r.get(1)?,
                        epoch: r.get(2)?,
                        expires_in_ms: r.get(3)?,
                    })
                },
            )
            .optional()
    }
}
