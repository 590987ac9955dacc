//! The tip endpoint's body, the tip levels as clients see them, and the
//! toy lane in a room's snapshot.

use super::*;

/// `POST /api/v1/rooms/{room}/tips`: an amount and nothing the server
/// decides (no level, no duration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TipBody {
    pub amount: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The viewer an integration tips for (never sent by a viewer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserId>,
    /// The platform's event id, when an integration tips (else derived
    /// from the Idempotency-Key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_event_id: Option<String>,
}

/// A room's tip levels as the editor and viewers see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TipLevelsView {
    pub room: RoomId,
    /// 0 while the room has none.
    pub version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_at: Option<Stamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_by: Option<String>,
    pub levels: crate::domain::tips::TipLevels,
    /// The most one tip may be (the room's `max_token_cost`): an editor
    /// checks amounts against it as the performer types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_amount: Option<u64>,
    /// The room's imported patterns: what its levels may name beside the
    /// built-ins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<String>,
}

/// A room's toy lane in a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LaneSnapshot {
    /// The lane takes no tip until the performer resumes it.
    pub paused: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running: Option<LaneTip>,
    /// Next first.
    #[serde(default)]
    pub waiting: Vec<LaneTip>,
}

/// A toy tip in the lane: its item (the matched level is `item.tip`) and
/// how long its run still has to go; `startedAt` when it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LaneTip {
    pub item: Arc<ItemView>,
    pub remaining_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Stamp>,
}
