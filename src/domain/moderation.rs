//! Moderation: bans, paused rooms, the platform's kill switches, and the
//! record every moderation action leaves. Types and their rules only; the
//! engine applies them (`engine/moderation.rs`).

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::error::DomainError;
use super::ids::{ItemId, RoomId, UserId};
use super::item::Actor;
use super::points::LockKind;
use super::refund::MAX_NOTE_CHARS;
use super::time::Stamp;

/// Why a viewer is banned: a fixed list, and `other` with a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BanReason {
    Harassment,
    Spam,
    Fraud,
    HateSpeech,
    Underage,
    Impersonation,
    /// Needs a note.
    Other,
}

impl BanReason {
    pub const ALL: [BanReason; 7] = [
        BanReason::Harassment,
        BanReason::Spam,
        BanReason::Fraud,
        BanReason::HateSpeech,
        BanReason::Underage,
        BanReason::Impersonation,
        BanReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BanReason::Harassment => "harassment",
            BanReason::Spam => "spam",
            BanReason::Fraud => "fraud",
            BanReason::HateSpeech => "hate_speech",
            BanReason::Underage => "underage",
            BanReason::Impersonation => "impersonation",
            BanReason::Other => "other",
        }
    }
}

impl fmt::Display for BanReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A platform-wide kill switch: when on, what it names is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Switch {
    /// Every new intake, whatever its source.
    Intakes,
    /// New purchases (chip menu) and spins (slot machine, spin wheel).
    Purchases,
    /// New rooms.
    Rooms,
    /// New API tokens.
    Tokens,
}

impl Switch {
    pub const ALL: [Switch; 4] = [
        Switch::Intakes,
        Switch::Purchases,
        Switch::Rooms,
        Switch::Tokens,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Switch::Intakes => "intakes",
            Switch::Purchases => "purchases",
            Switch::Rooms => "rooms",
            Switch::Tokens => "tokens",
        }
    }

    pub fn parse(text: &str) -> Option<Switch> {
        Switch::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the switch stops every room's intake (and so is told on
    /// every room's stream).
    pub fn touches_rooms(self) -> bool {
        matches!(self, Switch::Intakes | Switch::Purchases)
    }
}

impl fmt::Display for Switch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A viewer's ban from one room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ban {
    pub user: UserId,
    pub reason: BanReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Arc<str>>,
    /// When the ban lapses by itself; never when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Stamp>,
    pub at: Stamp,
    pub by: Actor,
}

impl Ban {
    pub fn active_at(&self, now: Stamp) -> bool {
        self.expires_at.is_none_or(|end| now < end)
    }
}

/// Why a room is paused, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pause {
    pub at: Stamp,
    pub by: Actor,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Arc<str>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModerationAction {
    Ban,
    Unban,
    Pause,
    Resume,
    Switch,
    /// A refund for reason `moderation` (by hand, or by a ban).
    Refund,
    /// A lock on a user's loyalty points (its kind in `lock`).
    PointsLock,
    PointsUnlock,
}

impl ModerationAction {
    pub const ALL: [ModerationAction; 8] = [
        ModerationAction::Ban,
        ModerationAction::Unban,
        ModerationAction::Pause,
        ModerationAction::Resume,
        ModerationAction::Switch,
        ModerationAction::Refund,
        ModerationAction::PointsLock,
        ModerationAction::PointsUnlock,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ModerationAction::Ban => "ban",
            ModerationAction::Unban => "unban",
            ModerationAction::Pause => "pause",
            ModerationAction::Resume => "resume",
            ModerationAction::Switch => "switch",
            ModerationAction::Refund => "refund",
            ModerationAction::PointsLock => "points_lock",
            ModerationAction::PointsUnlock => "points_unlock",
        }
    }

    pub fn parse(text: &str) -> Option<ModerationAction> {
        ModerationAction::ALL
            .into_iter()
            .find(|a| a.as_str() == text)
    }
}

/// What a moderation action did, as its event on a room's stream carries
/// it and its log row keeps it (with the room and the stamp beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModerationNote {
    pub action: ModerationAction,
    /// Role and token id, never a secret.
    pub by: Actor,
    /// The viewer (ban, unban, refund) or the switch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Arc<str>>,
    /// A ban's reason, or `moderation` for a refund.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Arc<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Arc<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Stamp>,
    /// A refund's item and amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<u64>,
    /// A switch's new position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<bool>,
    /// A points lock's kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<LockKind>,
}

impl ModerationNote {
    pub fn new(action: ModerationAction, by: Actor) -> Self {
        ModerationNote {
            action,
            by,
            target: None,
            reason: None,
            note: None,
            expires_at: None,
            item: None,
            amount: None,
            on: None,
            lock: None,
        }
    }
}

impl ModerationNote {
    /// One line for a log: what was done, to whom, by which role.
    pub fn describe(&self) -> String {
        let target = self.target.as_deref().unwrap_or("?");
        let by = self.by.role.as_str();
        let mut line = match self.action {
            ModerationAction::Ban => {
                let reason = self.reason.as_deref().unwrap_or("?");
                let until = self
                    .expires_at
                    .map(|t| format!(" until {t}"))
                    .unwrap_or_default();
                format!("{target} banned ({reason}){until} by {by}")
            }
            ModerationAction::Unban => format!("{target} unbanned by {by}"),
            ModerationAction::Pause => format!("intake PAUSED by {by}"),
            ModerationAction::Resume => format!("intake resumed by {by}"),
            ModerationAction::Switch => {
                let position = if self.on == Some(true) { "on" } else { "off" };
                format!("kill switch {target} {position} by {by}")
            }
            ModerationAction::Refund => {
                let item = self.item.map(|i| i.to_string()).unwrap_or_default();
                format!("{item} of {target} refunded for moderation by {by}")
            }
            ModerationAction::PointsLock | ModerationAction::PointsUnlock => {
                let kind = self.lock.map_or("?", LockKind::as_str);
                let verb = if self.action == ModerationAction::PointsLock {
                    "locked"
                } else {
                    "unlocked"
                };
                let reason = self
                    .reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default();
                let until = self
                    .expires_at
                    .map(|t| format!(" until {t}"))
                    .unwrap_or_default();
                format!("points of {target} {verb}: {kind}{reason}{until} by {by}")
            }
        };
        if let Some(note) = &self.note {
            line.push_str(": ");
            line.push_str(note);
        }
        line
    }
}

/// One row of the moderation log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModerationEntry {
    pub at: Stamp,
    /// None for a platform-wide action (a switch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<RoomId>,
    #[serde(flatten)]
    pub note: ModerationNote,
}

/// A moderation note (of a ban, a pause): optional unless `required`, at
/// most [`MAX_NOTE_CHARS`], no control characters. Returns it trimmed.
pub fn check_note(note: Option<&str>, required: bool) -> Result<Option<Arc<str>>, DomainError> {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    match note {
        None if required => Err(DomainError::invalid(
            "note",
            "reason \"other\" needs a note",
        )),
        None => Ok(None),
        Some(n) if n.chars().count() > MAX_NOTE_CHARS => Err(DomainError::invalid(
            "note",
            format!("at most {MAX_NOTE_CHARS} characters"),
        )),
        Some(n) if n.chars().any(char::is_control) => Err(DomainError::invalid(
            "note",
            "must not contain control characters",
        )),
        Some(n) => Ok(Some(Arc::from(n))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for reason in BanReason::ALL {
            let json = serde_json::to_string(&reason).unwrap();
            assert_eq!(json, format!("\"{}\"", reason.as_str()));
        }
        for switch in Switch::ALL {
            assert_eq!(Switch::parse(switch.as_str()), Some(switch));
            let json = serde_json::to_string(&switch).unwrap();
            assert_eq!(json, format!("\"{}\"", switch.as_str()));
        }
        for action in ModerationAction::ALL {
            assert_eq!(ModerationAction::parse(action.as_str()), Some(action));
        }
    }

    #[test]
    fn notes_are_checked() {
        assert!(check_note(None, true).is_err());
        assert!(check_note(Some("  "), true).is_err());
        assert_eq!(check_note(Some(" x "), true).unwrap().as_deref(), Some("x"));
        assert!(check_note(Some("a\u{7}"), false).is_err());
        assert!(check_note(Some(&"x".repeat(MAX_NOTE_CHARS + 1)), false).is_err());
    }

    #[test]
    fn a_ban_lapses_at_its_expiry() {
        let ban = Ban {
            user: "u".into(),
            reason: BanReason::Spam,
            note: None,
            expires_at: Some(Stamp(100)),
            at: Stamp(0),
            by: Actor::system(),
        };
        assert!(ban.active_at(Stamp(99)));
        assert!(!ban.active_at(Stamp(100)));
    }
}
