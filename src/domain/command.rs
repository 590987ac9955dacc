//! What callers ask of the engine, and what it answers.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::event::Event;
use super::ids::{IdemKey, ItemId, PerformerId, RoomId, UserId};
use super::intake::IntakePayload;
use super::item::{Actor, Item};
use super::ledger::Transfer;
use super::messages::Tier;
use super::moderation::{BanReason, ModerationEntry, Switch};
use super::points::{AdjustReason, Adjustment, LockKind, LockReason, PointsEntry, PointsLock};
use super::refund::RefundReason;
use super::room::RoomSettings;
use super::time::Stamp;
use super::tips::TipToy;

/// Queued items wait for the performer; instant ones settle at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntakeMode {
    #[default]
    Queued,
    Instant,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum Command {
    CreateRoom {
        room: RoomId,
        performer: PerformerId,
    },
    /// Tokens from outside the platform's scope (payments) into a wallet.
    Mint {
        user: UserId,
        amount: u64,
    },
    Intake {
        room: RoomId,
        #[serde(default)]
        mode: IntakeMode,
        payload: Box<IntakePayload>,
        /// Loyalty points credited when the item settles (menu items carry them).
        #[serde(default)]
        loyalty_points: u64,
        /// Paid in loyalty points (the payload then costs 0 tokens): held
        /// from the viewer's points, burned on finish, back on refund.
        #[serde(default, skip_serializing_if = "is_zero")]
        points_price: u64,
    },
    /// A tip (`payload.source` is `tip`). `toy` is what the room's tip
    /// levels matched at intake, fixed here so replay and later changes of
    /// the levels never alter it; without one it is a plain tip, settled at
    /// once.
    Tip {
        room: RoomId,
        payload: Box<IntakePayload>,
        #[serde(default)]
        toy: Option<Box<TipToy>>,
    },
    /// Run the lane's head tip; `item`, when given, must be the head.
    LaneTake {
        room: RoomId,
        #[serde(default)]
        item: Option<ItemId>,
        by: Actor,
    },
    /// The running tip's toy run ended: settle it.
    LaneDone {
        room: RoomId,
        #[serde(default)]
        item: Option<ItemId>,
        by: Actor,
    },
    /// Refund one tip of the lane (waiting or running) in full.
    LaneSkip {
        room: RoomId,
        item: ItemId,
        by: Actor,
    },
    /// Refund every tip of the lane, reason goodwill.
    LaneClear {
        room: RoomId,
        by: Actor,
    },
    /// Stop taking tips; a running one goes back to the head with what is
    /// left of it.
    LanePause {
        room: RoomId,
        by: Actor,
    },
    LaneResume {
        room: RoomId,
        by: Actor,
    },
    /// The running tip's run was cut (a lost toy, a console that restarts):
    /// it goes back to the head with what is left of it.
    LaneRelease {
        room: RoomId,
        #[serde(default)]
        item: Option<ItemId>,
        by: Actor,
        /// How long the console ran it, when it knows.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ran_ms: Option<u64>,
    },
    /// The room's last console went away while a tip runs: after the grace
    /// period the tip goes back to the head unless a console reports it.
    LaneConsoleGone {
        room: RoomId,
    },
    /// Start the head item; `item`, when given, must be the head, so a
    /// performer never starts something other than what they saw.
    Start {
        room: RoomId,
        #[serde(default)]
        item: Option<ItemId>,
        by: Actor,
    },
    Finish {
        room: RoomId,
        #[serde(default)]
        item: Option<ItemId>,
        by: Actor,
    },
    /// Refund `amount` (None: in full) of a waiting or running item.
    Refund {
        room: RoomId,
        item: ItemId,
        #[serde(default)]
        amount: Option<u64>,
        reason: RefundReason,
        #[serde(default)]
        note: Option<Arc<str>>,
        by: Actor,
    },
    Join {
        room: RoomId,
        user: UserId,
        #[serde(default)]
        tier: Tier,
    },
    Leave {
        room: RoomId,
        user: UserId,
    },
    BroadcastStart {
        room: RoomId,
    },
    BroadcastEnd {
        room: RoomId,
    },
    Configure {
        room: RoomId,
        settings: RoomSettings,
    },
    /// Ban `user` from `rooms`: their intakes and joins there are refused
    /// until `expires_at` (for ever when absent) and their waiting items
    /// there are refunded for reason `moderation`.
    Ban {
        rooms: Vec<RoomId>,
        user: UserId,
        reason: BanReason,
        #[serde(default)]
        note: Option<Arc<str>>,
        #[serde(default)]
        expires_at: Option<Stamp>,
        by: Actor,
    },
    Unban {
        rooms: Vec<RoomId>,
        user: UserId,
        by: Actor,
    },
    /// Stop a room's intake (its queue goes on).
    Pause {
        room: RoomId,
        #[serde(default)]
        note: Option<Arc<str>>,
        by: Actor,
    },
    Resume {
        room: RoomId,
        by: Actor,
    },
    /// Turn a platform-wide kill switch on or off.
    SetSwitch {
        switch: Switch,
        on: bool,
        #[serde(default)]
        note: Option<Arc<str>>,
        by: Actor,
    },
    /// Apply grace-period deadlines that are due.
    Tick,
    /// Points from an earn event of the platform; `sourceEventId` enters once.
    PointsEarn {
        user: UserId,
        amount: u64,
        source_event_id: Arc<str>,
        reason: Arc<str>,
        #[serde(default)]
        room: Option<RoomId>,
        by: Actor,
    },
    /// An admin grants a performer points to award.
    PointsGrant {
        performer: PerformerId,
        amount: u64,
        by: Actor,
    },
    /// The room's performer gives a viewer in the room points from their
    /// allowance.
    PointsAward {
        room: RoomId,
        user: UserId,
        amount: u64,
        #[serde(default)]
        note: Option<Arc<str>>,
        by: Actor,
    },
    /// An operator's correction; above the threshold it waits for a second
    /// admin.
    PointsAdjust {
        user: UserId,
        amount: i64,
        reason: AdjustReason,
        ticket: Arc<str>,
        by: Actor,
    },
    /// Approve or reject a pending adjustment.
    PointsDecide {
        adjustment: u64,
        approve: bool,
        by: Actor,
    },
    PointsLock {
        user: UserId,
        lock: LockKind,
        reason: LockReason,
        #[serde(default)]
        note: Option<Arc<str>>,
        #[serde(default)]
        expires_at: Option<Stamp>,
        by: Actor,
    },
    PointsUnlock {
        user: UserId,
        lock: LockKind,
        by: Actor,
    },
    /// The performer's public micro response in the room's chat.
    Say {
        room: RoomId,
        text: Arc<str>,
        #[serde(default)]
        mood: Option<Arc<str>>,
        by: Actor,
    },
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::CreateRoom { .. } => "create_room",
            Command::Mint { .. } => "mint",
            Command::Intake { .. } => "intake",
            Command::Tip { .. } => "tip",
            Command::LaneTake { .. } => "lane_take",
            Command::LaneDone { .. } => "lane_done",
            Command::LaneSkip { .. } => "lane_skip",
            Command::LaneClear { .. } => "lane_clear",
            Command::LanePause { .. } => "lane_pause",
            Command::LaneResume { .. } => "lane_resume",
            Command::LaneRelease { .. } => "lane_release",
            Command::LaneConsoleGone { .. } => "lane_console_gone",
            Command::Start { .. } => "start",
            Command::Finish { .. } => "finish",
            Command::Refund { .. } => "refund",
            Command::Join { .. } => "join",
            Command::Leave { .. } => "leave",
            Command::BroadcastStart { .. } => "broadcast_start",
            Command::BroadcastEnd { .. } => "broadcast_end",
            Command::Configure { .. } => "configure",
            Command::Ban { .. } => "ban",
            Command::Unban { .. } => "unban",
            Command::Pause { .. } => "pause",
            Command::Resume { .. } => "resume",
            Command::SetSwitch { .. } => "set_switch",
            Command::Tick => "tick",
            Command::PointsEarn { .. } => "points_earn",
            Command::PointsGrant { .. } => "points_grant",
            Command::PointsAward { .. } => "points_award",
            Command::PointsAdjust { .. } => "points_adjust",
            Command::PointsDecide { .. } => "points_decide",
            Command::PointsLock { .. } => "points_lock",
            Command::PointsUnlock { .. } => "points_unlock",
            Command::Say { .. } => "say",
        }
    }

    /// The room the command acts on, if any.
    pub fn room(&self) -> Option<&RoomId> {
        match self {
            Command::CreateRoom { room, .. }
            | Command::Intake { room, .. }
            | Command::Tip { room, .. }
            | Command::LaneTake { room, .. }
            | Command::LaneDone { room, .. }
            | Command::LaneSkip { room, .. }
            | Command::LaneClear { room, .. }
            | Command::LanePause { room, .. }
            | Command::LaneResume { room, .. }
            | Command::LaneRelease { room, .. }
            | Command::LaneConsoleGone { room }
            | Command::Start { room, .. }
            | Command::Finish { room, .. }
            | Command::Refund { room, .. }
            | Command::Join { room, .. }
            | Command::Leave { room, .. }
            | Command::BroadcastStart { room }
            | Command::BroadcastEnd { room }
            | Command::Configure { room, .. }
            | Command::Pause { room, .. }
            | Command::Resume { room, .. }
            | Command::PointsAward { room, .. }
            | Command::Say { room, .. } => Some(room),
            Command::PointsEarn { room, .. } => room.as_ref(),
            Command::Ban { rooms, .. } | Command::Unban { rooms, .. } => rooms.first(),
            Command::Mint { .. }
            | Command::SetSwitch { .. }
            | Command::Tick
            | Command::PointsGrant { .. }
            | Command::PointsAdjust { .. }
            | Command::PointsDecide { .. }
            | Command::PointsLock { .. }
            | Command::PointsUnlock { .. } => None,
        }
    }

    /// The intake payload of a command that takes an item in (an intake or
    /// a tip): its idempotency key is the payload's.
    pub fn intake_payload(&self) -> Option<&IntakePayload> {
        match self {
            Command::Intake { payload, .. } | Command::Tip { payload, .. } => Some(payload),
            _ => None,
        }
    }

    /// A 64-bit digest of the whole command, to tell a retry from a
    /// different request under the same idempotency key. It is never
    /// stored: a restart recomputes it while replaying the log.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::BuildHasher;
        foldhash::quality::FixedState::with_seed(0x6375_6564_6563_6b21).hash_one(self)
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A command with its optional idempotency key (intake takes the payload's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<IdemKey>,
    pub command: Command,
}

impl Request {
    pub fn new(command: Command) -> Self {
        Request { key: None, command }
    }

    /// The key the engine records: the payload's for an intake.
    pub fn idempotency_key(&self) -> Option<&IdemKey> {
        match (&self.key, self.command.intake_payload()) {
            (Some(key), _) => Some(key),
            (None, Some(payload)) => Some(&payload.idempotency_key),
            (None, None) => None,
        }
    }

    pub fn keyed(key: impl Into<IdemKey>, command: Command) -> Self {
        Request {
            key: Some(key.into()),
            command,
        }
    }
}

impl From<Command> for Request {
    fn from(command: Command) -> Self {
        Request::new(command)
    }
}

/// The answer to an accepted command. A retry with the same key gets the
/// very same value back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "result",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum Reply {
    RoomCreated {
        room: RoomId,
    },
    Minted {
        user: UserId,
        amount: u64,
    },
    Queued {
        item: ItemId,
        position: u32,
    },
    Settled {
        item: ItemId,
    },
    Started {
        item: ItemId,
    },
    /// A toy tip waits in the lane at `position` (1 is the running one).
    TipQueued {
        item: ItemId,
        position: u32,
    },
    /// The lane's head now runs for `remainingMs`.
    LaneStarted {
        item: ItemId,
        remaining_ms: u64,
    },
    /// A running tip went back to the head with `remainingMs` to run.
    LaneReturned {
        item: ItemId,
        remaining_ms: u64,
    },
    LaneCleared {
        room: RoomId,
        refunded: u32,
    },
    LanePaused {
        room: RoomId,
    },
    LaneResumed {
        room: RoomId,
    },
    /// The console's absence was noted; nothing runs or nothing changed.
    LaneNoted {
        room: RoomId,
    },
    Finished {
        item: ItemId,
        settled: u64,
    },
    Refunded {
        item: ItemId,
        amount: u64,
        settled: u64,
    },
    Joined {
        room: RoomId,
        user: UserId,
    },
    Left {
        room: RoomId,
        user: UserId,
        refund_at: Stamp,
    },
    BroadcastStarted {
        room: RoomId,
    },
    BroadcastEnded {
        room: RoomId,
        refund_at: Stamp,
    },
    Configured {
        room: RoomId,
    },
    Ticked {
        refunded: u32,
    },
    Banned {
        user: UserId,
        rooms: Vec<RoomId>,
        /// Waiting items refunded by the ban.
        refunded: u32,
    },
    Unbanned {
        user: UserId,
        rooms: Vec<RoomId>,
    },
    Paused {
        room: RoomId,
    },
    Resumed {
        room: RoomId,
    },
    SwitchSet {
        switch: Switch,
        on: bool,
    },
    PointsEarned {
        user: UserId,
        amount: u64,
        /// The viewer's points after it.
        balance: u64,
    },
    AllowanceGranted {
        performer: PerformerId,
        amount: u64,
        allowance: u64,
    },
    PointsAwarded {
        user: UserId,
        amount: u64,
        /// What the performer has left to award.
        allowance: u64,
    },
    /// An adjustment as it stands: applied, pending a second admin, or
    /// rejected.
    Adjustment {
        adjustment: Box<Adjustment>,
    },
    PointsLocked {
        lock: Box<PointsLock>,
    },
    PointsUnlocked {
        user: UserId,
        lock: LockKind,
    },
    /// A public reply, as the room's event `seq`.
    Said {
        room: RoomId,
        seq: u64,
    },
}

impl Reply {
    /// The item the reply is about, if any.
    pub fn item(&self) -> Option<ItemId> {
        match self {
            Reply::Queued { item, .. }
            | Reply::Settled { item }
            | Reply::Started { item }
            | Reply::TipQueued { item, .. }
            | Reply::LaneStarted { item, .. }
            | Reply::LaneReturned { item, .. }
            | Reply::Finished { item, .. }
            | Reply::Refunded { item, .. } => Some(*item),
            _ => None,
        }
    }
}

/// Everything an accepted command did, for the store to commit as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub reply: Reply,
    /// The stamp the engine acted at (never earlier than any before it).
    pub at: Stamp,
    /// True when this is a retry answered from the idempotency record:
    /// nothing changed and there is nothing to store.
    pub replayed: bool,
    pub events: Vec<Event>,
    pub transfers: Vec<Transfer>,
    /// The full records of the items this command closed, for the store:
    /// the engine keeps only their facts ([`super::ClosedItem`]).
    pub closed: Vec<Item>,
    /// The moderation log's entries for what this command did.
    pub moderation: Vec<ModerationEntry>,
    /// The points history's entries for what this command did.
    pub points: Vec<PointsEntry>,
}

/// What a check run against the engine's state decided: run a command, or
/// answer without running anything (a retry of something already done).
/// The server runs such a check and its command in one turn, so no other
/// command comes between them.
pub enum Checked {
    /// Run this command.
    Execute(Request),
    /// Answer with this reply.
    Answer(Reply),
}
