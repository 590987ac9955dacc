//! The queue engine: a deterministic state machine over every room and the
//! one ledger they share. Commands in, events and transfers out, the clock
//! passed in. No IO, no tasks, no randomness.
//!
//! Money needs one serialization point (a viewer's wallet is shared by every
//! room), so one engine owns all rooms; each room still has its own queue and
//! its own gap-free event sequence.
//!
//! Every handler checks everything that can fail before it changes anything,
//! so a refused command leaves no trace. The handlers live beside this file,
//! one concern each: intake, stage (start and finish), refund, presence
//! (members, broadcast, grace periods); notices builds their messages and
//! invariants checks the rules between commands; retention lets go of what
//! the window has passed.

mod awards;
mod effects;
mod intake;
mod invariants;
mod lane;
mod moderation;
mod notices;
mod points;
pub use points::PointsState;
mod presence;
mod redeem;
mod refund;
mod retention;
mod stage;

use std::collections::BTreeSet;

use super::collections::{CompactIndex, IdemRecord, IdempotencyRecords, ItemList};
use super::command::{Command, IntakeMode, Outcome, Reply, Request};
use super::daily::DailyCounts;
use super::error::DomainError;
use super::event::EventKind;
use super::ids::{IdemKey, ItemId, PerformerId, RoomId, UserId, id_problem};
use super::intake::check_key;
use super::item::{ClosedItem, Item, ItemEntry};
use super::ledger::{Account, Ledger, Transfer, TransferKind, Unit};
use super::points::PointsConfig;
use super::room::{Room, RoomInfo, RoomSettings, RoomView};
use super::time::Stamp;
use effects::Effects;
use intake::Placement;
use moderation::{BanAsk, ModerationState};
use presence::Deadline;
use refund::RefundAsk;

/// Fast hashing with a per-process random seed (ids come from the network).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Engine-wide settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineConfig {
    /// How long idempotency records are kept (at least a day).
    pub idempotency_retention_ms: u64,
    /// Settings a new room starts with.
    pub room_defaults: RoomSettings,
    /// Award limits and the adjustment approval threshold.
    pub points: PointsConfig,
}

pub const MIN_IDEMPOTENCY_RETENTION_MS: u64 = 24 * 3600 * 1000;

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            idempotency_retention_ms: MIN_IDEMPOTENCY_RETENTION_MS,
            room_defaults: RoomSettings::default(),
            points: PointsConfig::default(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Engine {
    config: EngineConfig,
    rooms: HashMap<RoomId, Room>,
    /// The items of the retention window, and every open one; older facts
    /// are in the store only.
    items: ItemList,
    ledger: Ledger,
    idempotency: IdempotencyRecords,
    /// The items of the window by their source event (by the low 32 bits of
    /// their number). Older source events are the store's to recognise.
    source_events: CompactIndex,
    /// Menu purchases per viewer, item and UTC day, for daily limits.
    daily: DailyCounts,
    deadlines: BTreeSet<(Stamp, Deadline)>,
    /// The latest stamp seen; stamps never go backwards.
    clock: Stamp,
    next_intake_seq: u64,
    /// Bans, paused rooms and kill switches.
    moderation: ModerationState,
    /// Points locks, adjustments, earn events and recent awards.
    points: points::PointsState,
}

/// A room, found in the room map alone: a handler can hold it mutably while
/// it reads the engine's other fields.
fn room_in<'a>(
    rooms: &'a mut HashMap<RoomId, Room>,
    id: &RoomId,
) -> Result<&'a mut Room, DomainError> {
    rooms
        .get_mut(id)
        .ok_or_else(|| DomainError::UnknownRoom { room: id.clone() })
}

/// The item, if it exists and belongs to `room`. Takes the item list rather
/// than the engine, so a handler can hold its room mutably meanwhile.
fn item_in<'a>(items: &'a ItemList, room: &Room, id: ItemId) -> Result<&'a ItemEntry, DomainError> {
    items
        .get(id)
        .filter(|item| *item.room() == room.id)
        .ok_or(DomainError::UnknownItem { item: id })
}

/// An open item; the rooms' queues hold only open items.
fn item_mut(items: &mut ItemList, id: ItemId) -> &mut Item {
    match items.get_mut(id) {
        Some(ItemEntry::Open(item)) => item,
        _ => panic!("{id} is in a queue but not open"),
    }
}

/// Move a just-closed item's record into the outcome, keeping its facts.
fn retire(items: &mut ItemList, id: ItemId, fx: &mut Effects) {
    let Some(entry) = items.get_mut(id) else {
        return;
    };
    let facts = match entry {
        ItemEntry::Open(item) => ClosedItem::of(item),
        ItemEntry::Closed(_) => return,
    };
    if let ItemEntry::Open(item) = std::mem::replace(entry, ItemEntry::Closed(facts)) {
        fx.close(item);
    }
    items.drop_if_old(id);
}

impl Engine {
    pub fn new(config: EngineConfig) -> Self {
        Engine {
            config,
            ..Engine::default()
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Execute one request at `now`. On success the outcome lists every event
    /// and transfer; on refusal nothing has changed.
    pub fn execute(&mut self, now: Stamp, request: &Request) -> Result<Outcome, DomainError> {
        let at = self.advance_clock(now);

        let Request { key, command } = request;
        let key = match (command.intake_payload(), key) {
            (Some(payload), Some(header)) => {
                if *header != payload.idempotency_key {
                    return Err(DomainError::invalid(
                        "idempotencyKey",
                        "differs from the Idempotency-Key of the request",
                    ));
                }
                Some(header.clone())
            }
            (Some(payload), None) => Some(payload.idempotency_key.clone()),
            (None, key) => key.clone(),
        };

        let fingerprint = match &key {
            Some(key) => {
                // An intake's key is checked with the rest of its payload.
                if command.intake_payload().is_none() {
                    check_key("idempotencyKey", key.as_str())?;
                }
                let hash = self.idempotency.hash(key);
                let fingerprint = command.fingerprint();
                if let Some(record) = self.idempotency.get(hash, key) {
                    if record.fingerprint != fingerprint {
                        return Err(DomainError::IdempotencyConflict { key: key.clone() });
                    }
                    return Ok(Outcome {
                        reply: record.reply.clone(),
                        at,
                        replayed: true,
                        events: Vec::new(),
                        transfers: Vec::new(),
                        closed: Vec::new(),
                        moderation: Vec::new(),
                        points: Vec::new(),
                    });
                }
                Some((hash, fingerprint))
            }
            None => None,
        };

        let mut fx = Effects::new(at, command);
        let reply = self.dispatch(command, key.as_ref(), &mut fx)?;
        if let (Some(key), Some((hash, fingerprint))) = (key, fingerprint) {
            self.idempotency.insert(
                hash,
                IdemRecord {
                    at,
                    key,
                    fingerprint,
                    reply: reply.clone(),
                },
            );
        }
        Ok(Outcome {
            reply,
            at,
            replayed: false,
            events: fx.events,
            transfers: fx.transfers,
            closed: fx.closed,
            moderation: fx.moderation,
            points: fx.points,
        })
    }

    fn dispatch(
        &mut self,
        command: &Command,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        match command {
            Command::CreateRoom { room, performer } => {
                self.create_room(room.clone(), performer.clone(), fx)
            }
            Command::Mint { user, amount } => self.mint(user.clone(), *amount, key, fx),
            Command::Intake {
                room,
                mode,
                payload,
                loyalty_points,
                points_price,
            } => {
                let placement = match mode {
                    IntakeMode::Queued => Placement::Queue,
                    IntakeMode::Instant => Placement::Instant,
                };
                let pay = intake::Pay {
                    bonus: *loyalty_points,
                    points_price: *points_price,
                };
                self.intake(room, placement, payload, pay, fx)
            }
            Command::Tip { room, payload, toy } => self.tip(room, payload, toy.as_deref(), fx),
            Command::LaneTake { room, item, by } => self.lane_take(room, *item, by, fx),
            Command::LaneDone { room, item, by } => self.lane_done(room, *item, by, key, fx),
            Command::LaneSkip { room, item, by } => self.lane_skip(room, *item, by, key, fx),
            Command::LaneClear { room, by } => self.lane_clear(room, by, key, fx),
            Command::LanePause { room, by } => self.lane_pause(room, by, fx),
            Command::LaneResume { room, by } => self.lane_resume(room, by, fx),
            Command::LaneRelease {
                room,
                item,
                by,
                ran_ms,
            } => self.lane_release(room, *item, *ran_ms, by, fx),
            Command::LaneConsoleGone { room } => self.lane_console_gone(room, fx),
            Command::Start { room, item, by } => self.start(room, *item, by.clone(), fx),
            Command::Finish { room, item, by } => self.finish(room, *item, by.clone(), key, fx),
            Command::Refund {
                room,
                item,
                amount,
                reason,
                note,
                by,
            } => {
                let ask = RefundAsk {
                    item: *item,
                    amount: *amount,
                    reason: *reason,
                    note: note.as_deref(),
                    by: by.clone(),
                };
                self.refund(room, ask, key, fx)
            }
            Command::Say {
                room,
                text,
                mood,
                by,
            } => {
                let state = self.room_mut(room)?;
                let kind = EventKind::PublicReply {
                    text: text.clone(),
                    mood: mood.clone(),
                    by: by.role,
                };
                fx.emit(state, kind);
                Ok(Reply::Said {
                    room: room.clone(),
                    seq: state.next_event_seq - 1,
                })
            }
            Command::Join { room, user, tier } => self.join(room, user.clone(), *tier, fx),
            Command::Leave { room, user } => self.leave(room, user.clone(), fx),
            Command::BroadcastStart { room } => self.broadcast_start(room, fx),
            Command::BroadcastEnd { room } => self.broadcast_end(room, fx),
            Command::Configure { room, settings } => {
                settings.validate()?;
                let state = self.room_mut(room)?;
                state.settings = *settings;
                fx.emit(
                    state,
                    EventKind::SettingsChanged {
                        settings: *settings,
                    },
                );
                Ok(Reply::Configured { room: room.clone() })
            }
            Command::Ban {
                rooms,
                user,
                reason,
                note,
                expires_at,
                by,
            } => {
                let ask = BanAsk {
                    rooms,
                    user,
                    reason: *reason,
                    note: note.as_deref(),
                    expires_at: *expires_at,
                    by,
                };
                self.ban(ask, key, fx)
            }
            Command::Unban { rooms, user, by } => self.unban(rooms, user, by, fx),
            Command::Pause { room, note, by } => self.pause(room, note.as_deref(), by, fx),
            Command::Resume { room, by } => self.resume(room, by, fx),
            Command::SetSwitch {
                switch,
                on,
                note,
                by,
            } => self.set_switch(*switch, *on, note.as_deref(), by, fx),
            Command::Tick => Ok(self.tick(fx)),
            Command::PointsEarn {
                user,
                amount,
                source_event_id,
                reason,
                room,
                by,
            } => {
                let ask = points::EarnAsk {
                    user,
                    amount: *amount,
                    source_event: source_event_id,
                    reason,
                    room: room.as_ref(),
                    by,
                };
                self.points_earn(ask, key, fx)
            }
            Command::PointsGrant {
                performer,
                amount,
                by,
            } => self.points_grant(performer, *amount, by, key, fx),
            Command::PointsAward {
                room,
                user,
                amount,
                note,
                by,
            } => {
                let ask = points::AwardAsk {
                    room,
                    user,
                    amount: *amount,
                    note: note.as_deref(),
                    by,
                };
                self.points_award(ask, key, fx)
            }
            Command::PointsAdjust {
                user,
                amount,
                reason,
                ticket,
                by,
            } => {
                let ask = points::AdjustAsk {
                    user,
                    amount: *amount,
                    reason: *reason,
                    ticket,
                    by,
                };
                self.points_adjust(ask, key, fx)
            }
            Command::PointsDecide {
                adjustment,
                approve,
                by,
            } => self.points_decide(*adjustment, *approve, by, key, fx),
            Command::PointsLock {
                user,
                lock,
                reason,
                note,
                expires_at,
                by,
            } => {
                let ask = points::LockAsk {
                    user,
                    kind: *lock,
                    reason: *reason,
                    note: note.as_deref(),
                    expires_at: *expires_at,
                    by,
                };
                self.points_lock(ask, fx)
            }
            Command::PointsUnlock { user, lock, by } => self.points_unlock(user, *lock, by, fx),
        }
    }

    fn room(&self, room: &RoomId) -> Result<&Room, DomainError> {
        self.rooms
            .get(room)
            .ok_or_else(|| DomainError::UnknownRoom { room: room.clone() })
    }

    fn room_mut(&mut self, room: &RoomId) -> Result<&mut Room, DomainError> {
        room_in(&mut self.rooms, room)
    }

    fn create_room(
        &mut self,
        room: RoomId,
        performer: PerformerId,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        if let Some(problem) = id_problem(room.as_str()) {
            return Err(DomainError::invalid("room", problem));
        }
        if let Some(problem) = id_problem(performer.as_str()) {
            return Err(DomainError::invalid("performer", problem));
        }
        if self.rooms.contains_key(&room) {
            return Err(DomainError::RoomExists { room });
        }
        self.check_new_room_allowed()?;
        let mut state = Room::new(room.clone(), performer.clone(), self.config.room_defaults);
        fx.emit(&mut state, EventKind::RoomCreated { performer });
        self.rooms.insert(room.clone(), state);
        Ok(Reply::RoomCreated { room })
    }

    fn mint(
        &mut self,
        user: UserId,
        amount: u64,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        if let Some(problem) = id_problem(user.as_str()) {
            return Err(DomainError::invalid("user", problem));
        }
        if amount == 0 {
            return Err(DomainError::invalid("amount", "must be at least 1"));
        }
        if !self.ledger.can_mint(Unit::Tokens, amount) {
            return Err(DomainError::Overflow);
        }
        fx.post(
            &mut self.ledger,
            Transfer {
                kind: TransferKind::Mint,
                from: Account::Mint,
                to: Account::Wallet(user.clone()),
                amount,
                item: None,
                key: key.cloned(),
            },
        );
        Ok(Reply::Minted { user, amount })
    }

    /// The next moment a [`Command::Tick`] has work to do.
    pub fn next_deadline(&self) -> Option<Stamp> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    /// The latest stamp the engine has acted at.
    pub fn clock(&self) -> Stamp {
        self.clock
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// An open item (queued or in progress), whole.
    pub fn item(&self, id: ItemId) -> Option<&Item> {
        self.entry(id).and_then(ItemEntry::open)
    }

    /// Any item, open or closed.
    pub fn entry(&self, id: ItemId) -> Option<&ItemEntry> {
        self.items.get(id)
    }

    /// The items held, in intake order: every open one, and the closed
    /// ones of the retention window.
    pub fn items(&self) -> &ItemList {
        &self.items
    }

    /// How many times `user` bought menu item `item` in `room` on the UTC day
    /// `at` falls in. A purchase refunded in full does not count; one that
    /// was performed, even partly refunded, does.
    pub fn purchases_on_day(&self, room: &RoomId, user: &UserId, item: &str, at: Stamp) -> u32 {
        self.daily.count(at, room, user, item)
    }

    /// The reply remembered under an idempotency key.
    pub fn remembered_reply(&self, key: &IdemKey) -> Option<&Reply> {
        let hash = self.idempotency.hash(key);
        self.idempotency.get(hash, key).map(|record| &record.reply)
    }

    /// The tier of `user` in `room`, while they are a member of it.
    pub fn member_tier(&self, room: &RoomId, user: &UserId) -> Option<crate::domain::Tier> {
        self.rooms.get(room)?.members.get(user).map(|m| m.tier)
    }

    pub fn room_ids(&self) -> impl Iterator<Item = &RoomId> {
        self.rooms.keys()
    }

    /// A room's performer, broadcast state and settings, in constant time.
    pub fn room_info(&self, room: &RoomId) -> Option<RoomInfo> {
        self.rooms.get(room).map(|r| RoomInfo {
            performer: r.performer.clone(),
            live: r.live,
            settings: r.settings,
        })
    }

    pub fn room_view(&self, room: &RoomId) -> Option<RoomView> {
        self.rooms.get(room).map(|r| RoomView {
            id: r.id.clone(),
            performer: r.performer.clone(),
            live: r.live,
            settings: r.settings,
            in_progress: r.in_progress,
            waiting: r.waiting.ids().collect(),
            last_seq: r.next_event_seq - 1,
            totals: r.totals,
            lane: r.lane.view(),
        })
    }

    /// The queue as a performer sees it: position 1 first.
    pub fn queue(&self, room: &RoomId) -> Vec<ItemId> {
        self.rooms
            .get(room)
            .map(|r| r.in_progress.into_iter().chain(r.waiting.ids()).collect())
            .unwrap_or_default()
    }

    /// Whether an idempotency key is still remembered.
    pub fn remembers(&self, key: &IdemKey) -> bool {
        self.remembered_reply(key).is_some()
    }
}
