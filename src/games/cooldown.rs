//! The per-viewer cooldown between spins, checked before anything is
//! charged. Only an accepted spin starts a cooldown: a refused request
//! (cooling down, no funds, not live) leaves the viewer's clock alone.
//! Time is passed in; nothing here reads a clock.

use std::collections::HashMap;

use crate::domain::UserId;
use crate::domain::time::Stamp;

/// The slot machine's fixed cooldown.
pub const SLOT_COOLDOWN_SECS: u32 = 120;
pub const DEFAULT_WHEEL_COOLDOWN_SECS: u32 = 60;
pub const MAX_WHEEL_COOLDOWN_SECS: u32 = 3600;

/// A spin refused because the viewer spun too recently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoolingDown {
    /// The first moment a spin is accepted again.
    pub ready_at: Stamp,
    /// Milliseconds from now until then, rounded up.
    pub retry_after_ms: u64,
}

/// May a viewer whose last accepted spin was at `last` spin at `now`?
/// A spin exactly `cooldown_secs` after the last one is accepted.
pub fn check(cooldown_secs: u32, last: Option<Stamp>, now: Stamp) -> Result<(), CoolingDown> {
    let Some(last) = last else {
        return Ok(());
    };
    let ready_at = Stamp(last.0.saturating_add(i64::from(cooldown_secs) * 1_000_000));
    if now >= ready_at {
        Ok(())
    } else {
        let micros = ready_at.micros_since(now).unsigned_abs();
        Err(CoolingDown {
            ready_at,
            retry_after_ms: micros.div_ceil(1000),
        })
    }
}

/// The last accepted spin of each viewer of one game.
#[derive(Debug, Clone, Default)]
pub struct CooldownBook {
    last: HashMap<UserId, Stamp>,
}

impl CooldownBook {
    pub fn check(
        &self,
        cooldown_secs: u32,
        viewer: &UserId,
        now: Stamp,
    ) -> Result<(), CoolingDown> {
        check(cooldown_secs, self.last.get(viewer).copied(), now)
    }

    /// Record a spin that was accepted (charged and drawn) at `at`.
    pub fn accepted(&mut self, viewer: &UserId, at: Stamp) {
        self.last.insert(viewer.clone(), at);
    }

    pub fn last(&self, viewer: &UserId) -> Option<Stamp> {
        self.last.get(viewer).copied()
    }
}
