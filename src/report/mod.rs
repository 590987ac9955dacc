//! A broadcast's report: what it earned, refunded and played, shaped from
//! the store's rows of that broadcast (see `store::BroadcastDb`). Pure: the
//! rows and the moment of the report are passed in, so the same rows give
//! the same report. Renderings for the command line and files live beside
//! it (text, CSV, HTML with an inline SVG chart).

mod compute;
pub mod csv;
pub mod html;
pub mod text;

use serde::{Deserialize, Serialize};

use crate::domain::{RoomId, Stamp};

pub use compute::compute;

/// Earnings and refunds are summed per bucket of this many seconds.
pub const BUCKET_SECS: i64 = 300;

/// How many top items and top prizes a report lists.
pub const TOP: usize = 10;

/// One broadcast of a room: from its start to its end (none while live).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Broadcast {
    pub id: i64,
    pub room: RoomId,
    pub started_at: Stamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Stamp>,
}

impl Broadcast {
    pub fn live(&self) -> bool {
        self.ended_at.is_none()
    }
}

/// A page of a room's broadcasts, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BroadcastPage {
    pub room: RoomId,
    pub broadcasts: Vec<Broadcast>,
}

/// One item of a broadcast as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    pub item: u64,
    pub user: String,
    /// The intake's source (`chip_menu`, `slot_machine`, …).
    pub source: String,
    pub title: String,
    /// `queued`, `in_progress`, `finished` or `refunded`.
    pub state: String,
    pub token_cost: u64,
    pub settled: u64,
    pub refunded: u64,
    pub refund_reason: Option<String>,
    /// When it closed (finished or refunded); `None` while open.
    pub closed_at: Option<Stamp>,
    /// Loyalty points it carries (credited when it settles in full).
    pub points: u64,
    /// The spin it came from, for slot machine and spin wheel items.
    pub spin: Option<SpinRow>,
    /// The level a toy tip matched, with its run's length (none for a
    /// plain tip or any other item).
    pub tip: Option<TipRow>,
}

/// A toy tip's matched level (or special) and how long the toy runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipRow {
    pub level: String,
    pub duration_ms: u64,
}

/// A spin's facts the report groups by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpinRow {
    pub game: String,
    pub tier: u32,
    pub prize_id: i64,
}

/// The report of one broadcast, as of `asOf` (a live broadcast's report is
/// the report so far).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Report {
    pub broadcast: Broadcast,
    pub live: bool,
    pub as_of: Stamp,
    pub totals: Totals,
    /// Every refund reason, in the contract's order, zeros included.
    pub refunds: Vec<RefundLine>,
    /// Items by source and state.
    pub items: Vec<ItemLine>,
    /// The items that earned most (by title and source).
    pub top_items: Vec<TopItem>,
    /// Spins by game and tier.
    pub spins: Vec<SpinLine>,
    /// The prizes drawn most.
    pub prizes: Vec<PrizeLine>,
    /// Tips by the level they matched (`plain`: no level, settled at once).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tips: Vec<TipLine>,
    pub bucket_secs: i64,
    /// Earnings and refunds per bucket, from the start of the broadcast.
    pub buckets: Vec<Bucket>,
}

/// The broadcast's money. `bought` = `earned` + `refunded` + `escrow`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Totals {
    /// Items taken in (queued or instant).
    pub items: u64,
    /// Tokens those items cost.
    pub bought: u64,
    /// Tokens settled to the performer.
    pub earned: u64,
    /// Tokens refunded to buyers.
    pub refunded: u64,
    /// Tokens still held for open items.
    pub escrow: u64,
    /// Distinct viewers who paid for at least one item.
    pub viewers: u64,
    /// Loyalty points credited by items settled in full.
    pub points_earned: u64,
    /// Seconds the toy ran for tips that ran to their end.
    #[serde(default)]
    pub toy_seconds: u64,
}

/// The tips of one level: how many, what they cost, what settled, and how
/// long the toy ran for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TipLine {
    pub level: String,
    pub tips: u64,
    pub tokens: u64,
    pub earned: u64,
    pub toy_seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefundLine {
    pub reason: String,
    pub items: u64,
    pub tokens: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemLine {
    pub source: String,
    pub state: String,
    pub items: u64,
    /// What they cost.
    pub tokens: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TopItem {
    pub title: String,
    pub source: String,
    pub items: u64,
    /// What they cost.
    pub tokens: u64,
    /// What of it the performer kept.
    pub earned: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SpinLine {
    pub game: String,
    pub tier: u32,
    pub spins: u64,
    pub tokens: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrizeLine {
    pub game: String,
    pub prize_id: i64,
    pub title: String,
    pub spins: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Bucket {
    pub start: Stamp,
    pub earned: u64,
    pub refunded: u64,
}

/// A stamp to the minute, in UTC (`2026-11-21 20:05`).
pub fn minute(at: Stamp) -> String {
    chrono::DateTime::from_timestamp_micros(at.0)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| format!("{}us", at.0))
}

/// The span of the broadcast in words, for headings.
pub fn span(report: &Report) -> String {
    let b = &report.broadcast;
    match b.ended_at {
        Some(end) => format!("{} to {} UTC", minute(b.started_at), minute(end)),
        None => format!(
            "{} UTC, live: the report so far ({} UTC)",
            minute(b.started_at),
            minute(report.as_of)
        ),
    }
}

/// A stamp's time of day, in UTC (`20:05`).
pub fn time_of_day(at: Stamp) -> String {
    chrono::DateTime::from_timestamp_micros(at.0)
        .map(|t| t.format("%H:%M").to_string())
        .unwrap_or_else(|| format!("{}us", at.0))
}
