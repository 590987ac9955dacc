//! The retention window: what the engine lets go as its clock moves on.
//! Idempotency records, closed items and their source events stay for the
//! idempotency retention (at least a day); daily counters for today and
//! yesterday. Older facts are in the store only.

use crate::domain::ids::ItemId;
use crate::domain::time::Stamp;

use super::Engine;

impl Engine {
    /// Move the clock to `now` (it never goes back) and let go of what the
    /// retention window has passed: idempotency records, closed items, days
    /// that are over. Every command does this first; a caller may do it
    /// before, to ask what the engine will still know. Returns the clock.
    pub fn advance_clock(&mut self, now: Stamp) -> Stamp {
        let at = now.max(self.clock);
        self.clock = at;
        self.expire_idempotency(at);
        self.forget_old_items(at);
        self.daily.forget_old_days(at);
        let retention = self.config.idempotency_retention_ms;
        self.points.forget_old_earns(at, retention);
        at
    }

    /// Let items older than the retention window go (open ones stay, aside),
    /// and their source events with them.
    fn forget_old_items(&mut self, now: Stamp) {
        let retention = self.config.idempotency_retention_ms;
        let index = &mut self.source_events;
        self.items.expire(
            |item| item.stamp().plus_millis(retention) <= now,
            |item| {
                let hash = index.hash((item.source(), item.source_event_id()));
                let removed = index.remove(hash, item.id().0 as u32);
                debug_assert!(removed, "{} was indexed by its source event", item.id());
            },
        );
    }

    fn expire_idempotency(&mut self, now: Stamp) {
        let retention = self.config.idempotency_retention_ms;
        self.idempotency
            .expire(|at| at.plus_millis(retention) <= now);
    }

    /// Whether item `id` was taken but has left the retention window: its
    /// record is in the store only.
    pub fn forgot(&self, id: ItemId) -> bool {
        self.items.forgot(id)
    }

    /// Whether items have left the window, so a source event the engine does
    /// not know may still have been taken: the store is the one to ask.
    pub fn forgot_any(&self) -> bool {
        self.items.forgot_any()
    }
}
