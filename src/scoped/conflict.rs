//! The answer to an edit based on an old version: what changed since,
//! field by field, and a message that says it in words. Each kind wraps
//! these in its own `409 version_conflict` body (its name for the
//! configuration, its history, its current view).

use super::ScopedConfig;
use super::changes::Change;
use super::version::Stale;

/// How many changes the message lists before "N more".
const LISTED: usize = 5;

/// The changes from the version the edit was based on (`base`, when it is
/// still known) to `current`; none when the edit named a future version.
pub fn changes_since<C: ScopedConfig>(stale: Stale, base: Option<&C>, current: &C) -> Vec<Change> {
    match base {
        Some(base) if stale.yours < stale.current => C::changes(base, current),
        _ => Vec::new(),
    }
}

/// The conflict in words; `noun` names the configuration (``menu `m1` ``,
/// `the slot_machine`).
pub fn message(noun: &str, stale: Stale, changes: &[Change]) -> String {
    let Stale { yours, current } = stale;
    if stale.ahead() {
        return format!("{noun} is at version {current}; there is no version {yours} yet");
    }
    let listed: Vec<&str> = changes
        .iter()
        .take(LISTED)
        .map(|c| c.summary.as_str())
        .collect();
    let more = changes.len().saturating_sub(listed.len());
    let mut message =
        format!("{noun} changed since version {yours}: it is at version {current} now");
    if !listed.is_empty() {
        message.push_str(&format!(" ({}", listed.join("; ")));
        if more > 0 {
            message.push_str(&format!("; {more} more"));
        }
        message.push(')');
    }
    message.push_str("; reload it, or re-apply your change to the current version");
    message
}
