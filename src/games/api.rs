//! The games' HTTP bodies (docs/PROTOCOL.md "Slot machine and spin wheel").

use serde::{Deserialize, Serialize};

use crate::domain::time::Stamp;
use crate::domain::{IntakeMode, ItemId, ItemState, Reply, RoomId};
use crate::protocol::ErrorCode;

use super::config::{GameConfig, GameKind};
use super::listing::CommitmentRecord;
use super::odds::TierOdds;
use super::receipt::{Receipt, ReceiptPrize};
use super::seeds::RevealedSeed;

/// `GET /api/v1/rooms/{room}/games/{game}`: the performer's view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GameView {
    pub room: RoomId,
    pub game: GameKind,
    pub version: u64,
    pub updated_at: Stamp,
    pub updated_by: String,
    /// Enough visible prizes to take spins.
    pub available: bool,
    pub cooldown_secs: u32,
    pub config_hash: String,
    /// The committed server seed's SHA-256.
    pub commitment: String,
    pub config: GameConfig,
    /// Per tier, each prize's chance.
    pub odds: Vec<TierOdds>,
}

/// `POST .../rotate`: the seed revealed and the one committed instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rotated {
    pub room: RoomId,
    pub game: GameKind,
    pub revealed: RevealedSeed,
    pub commitment: String,
    pub committed_at: Stamp,
}

/// `GET .../fairness` (no token): what anyone may check spins against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fairness {
    pub scheme: String,
    pub room: RoomId,
    pub game: GameKind,
    /// The seed spins use now: its SHA-256, and since when.
    pub commitment: String,
    pub committed_at: Stamp,
    pub config_version: u64,
    pub config_hash: String,
    /// When the current configuration version was saved.
    pub config_published_at: Stamp,
    pub canonical_config: String,
    /// Every seed revealed so far, oldest first.
    pub revealed: Vec<RevealedSeed>,
    /// A page of every commitment, oldest first, the current one last,
    /// each with the configurations in force while it drew.
    pub history: Vec<CommitmentRecord>,
    /// The `after` of the history's next page; `null` on the last.
    pub next: Option<u64>,
}

/// `POST .../spin` body. Never a price: the tier's cost is the server's.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SpinBody {
    /// From 1.
    pub tier: u8,
    /// Sets the viewer's client seed from this spin on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_seed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The commitment the viewer saw: if the game's differs (the seed
    /// rotated since), the spin is refused with `commitment_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_commitment: Option<String>,
}

/// The answer to a spin (and to its retries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpinResult {
    pub spin_id: String,
    pub room: RoomId,
    pub game: GameKind,
    pub tier: u8,
    pub cost: u64,
    pub prize: ReceiptPrize,
    pub mode: IntakeMode,
    pub queue_item: ItemId,
    pub position: Option<u32>,
    pub state: ItemState,
    pub reply: Reply,
    /// Everything needed to check the spin once the seed is revealed.
    pub receipt: Receipt,
}

/// `GET|PUT .../client-seed`: the viewer's side of the draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientSeedView {
    pub room: RoomId,
    pub game: GameKind,
    pub client_seed: String,
    /// The nonce the viewer's next spin will use.
    pub next_nonce: u64,
    pub commitment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientSeedBody {
    pub client_seed: String,
}

/// A shipped configuration for onboarding (`config/games/`).
pub type GameTemplate = crate::scoped::templates::Shipped<GameConfig>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GameTemplates {
    pub templates: Vec<GameTemplate>,
}

/// A save based on an older version: what the game is now, and who
/// changed it since, as for menus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GameConflict {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub game: GameKind,
    pub your_version: u64,
    pub current_version: u64,
    pub history: Vec<GameVersionInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Box<GameView>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GameVersionInfo {
    pub version: u64,
    pub at: Stamp,
    pub changed_by: String,
}
