//! The queue engine: a deterministic state machine over every room and the
//! one ledger they share. Commands in, events and transfers out, the clock
//! passed in. No IO, no tasks, no randomness.
//!
//! Money needs one serialization point (a viewer's wallet is shared by every
//! room), so one engine owns all rooms; each room still has its own queue and
//! its own gap-free event sequence.
//!
//! Every handler checks everything that can fail before it changes anything,
//! so a refused command leaves no trace.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::command::{Command, IntakeMode, Outcome, Reply, Request};
use super::compact_index::CompactIndex;
use super::error::DomainError;
use super::event::{Event, EventKind};
use super::idempotency::{IdemRecord, IdempotencyRecords};
use super::ids::{IdemKey, ItemId, PerformerId, RoomId, UserId, id_problem};
use super::intake::{IntakeLimits, IntakePayload, Source, check_key};
use super::item::{
    Actor, AuditEntry, ClosedItem, Item, ItemEntry, ItemState, ItemView, Role, Transition,
};
use super::item_list::ItemList;
use super::ledger::{Account, InvariantViolation, Ledger, Transfer, TransferKind, Unit};
use super::messages::{MessageVars, SIT_BACK_AHEAD, SOON_POSITION, TemplateKey, Tier, keys};
use super::queue::Entry;
use super::refund::{RefundReason, check_refund};
use super::room::{Member, Room, RoomSettings, RoomView};
use super::time::Stamp;
use super::toy_effect::ToyEffect;

/// Fast hashing with a per-process random seed (ids come from the network).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Engine-wide settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineConfig {
    /// How long idempotency records are kept (at least a day).
    pub idempotency_retention_ms: u64,
    /// Settings a new room starts with.
    pub room_defaults: RoomSettings,
}

pub const MIN_IDEMPOTENCY_RETENTION_MS: u64 = 24 * 3600 * 1000;

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            idempotency_retention_ms: MIN_IDEMPOTENCY_RETENTION_MS,
            room_defaults: RoomSettings::default(),
        }
    }
}

/// A grace period that ends at a stamp; checked against the room when due,
/// so one that was cancelled (the user came back) simply does nothing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Deadline {
    Leave { room: RoomId, user: UserId },
    Offline { room: RoomId },
}

#[derive(Debug, Clone, Default)]
pub struct Engine {
    config: EngineConfig,
    rooms: HashMap<RoomId, Room>,
    /// Every item ever taken, by number.
    items: ItemList,
    ledger: Ledger,
    idempotency: IdempotencyRecords,
    /// Items by their source event: each enters once per source.
    source_events: CompactIndex,
    deadlines: BTreeSet<(Stamp, Deadline)>,
    /// The latest stamp seen; stamps never go backwards.
    clock: Stamp,
    next_intake_seq: u64,
}

/// Collects what one command emits.
struct Effects {
    at: Stamp,
    events: Vec<Event>,
    transfers: Vec<Transfer>,
    closed: Vec<Item>,
}

impl Effects {
    fn emit(&mut self, room: &mut Room, kind: EventKind) {
        let seq = room.next_event_seq;
        room.next_event_seq += 1;
        self.events.push(Event {
            room: room.id.clone(),
            seq,
            at: self.at,
            kind,
        });
    }

    /// Hand a closed item's whole record on to the store.
    fn close(&mut self, item: Item) {
        if self.closed.capacity() == 0 {
            self.closed = Vec::with_capacity(1); // see `post`
        }
        self.closed.push(item);
    }

    fn post(&mut self, ledger: &mut Ledger, transfer: Transfer) {
        if transfer.amount == 0 {
            return;
        }
        // Handlers check balances before they change anything, so a refusal
        // here is a bug in the engine, not bad input.
        if let Err(broken) = ledger.post(&transfer) {
            panic!("engine posted a transfer it had not checked: {broken}");
        }
        if self.transfers.capacity() == 0 {
            // Sized directly (growing from empty takes the slower path) and
            // for one: most commands that move money post a single transfer,
            // and an outcome's lists are best kept small (see `usual_event_count`).
            self.transfers = Vec::with_capacity(1);
        }
        self.transfers.push(transfer);
    }
}

/// How many events a command usually emits, to size its list once. Events
/// are large (192 bytes) and every outcome has its own list: a list sized
/// for four that holds one spreads each command over more memory.
fn usual_event_count(command: &Command) -> usize {
    match command {
        // The queue event, the announcement and the receipt.
        Command::Intake { .. } => 3,
        Command::Start { .. } | Command::Finish { .. } => 1,
        _ => 2,
    }
}

fn private_message(view: &ItemView, key: TemplateKey, vars: MessageVars) -> EventKind {
    EventKind::PrivateMessage {
        user: view.user_id.clone(),
        tier: view.tier,
        priority: view.tier.priority(),
        delay_ms: view.tier.delivery_delay_ms(),
        key,
        vars,
    }
}

/// The item's enabled toy effects; items without any share one empty list.
fn shared_effects(payload: &IntakePayload) -> Arc<[ToyEffect]> {
    static NONE: std::sync::LazyLock<Arc<[ToyEffect]>> = std::sync::LazyLock::new(|| Arc::from([]));
    if payload.toy_effects().next().is_none() {
        return NONE.clone();
    }
    payload.toy_effects().cloned().collect()
}

/// The private messages a feature asked for on top of the receipt.
fn extra_messages(
    fx: &mut Effects,
    room: &mut Room,
    view: &ItemView,
    payload: &IntakePayload,
    receipt: &str,
    vars: &MessageVars,
) {
    for extra in &payload.chat.private_user_message_template_keys {
        if &**extra != receipt {
            fx.emit(
                room,
                private_message(view, extra.clone().into(), vars.clone()),
            );
        }
    }
}

/// The integration that posted an item, for its audit record: one shared
/// actor per source rather than a new string per intake.
fn integration_actor(source: Source) -> Actor {
    use Source::*;
    static IDS: std::sync::LazyLock<[Arc<str>; 5]> = std::sync::LazyLock::new(|| {
        [ChipMenu, SlotMachine, SpinWheel, Admin, System].map(|s| Arc::from(s.as_str()))
    });
    // Exhaustive, so a new source cannot be left out; the order is the array's.
    let index = match source {
        ChipMenu => 0,
        SlotMachine => 1,
        SpinWheel => 2,
        Admin => 3,
        System => 4,
    };
    Actor {
        role: Role::Integration,
        id: IDS[index].clone(),
    }
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

fn base_vars(view: &ItemView) -> MessageVars {
    MessageVars {
        user: view.user_name.clone(),
        item: Some(view.id),
        action: Some(view.action.title.clone()),
        tokens: Some(view.token_cost),
        ..MessageVars::default()
    }
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
        let at = now.max(self.clock);
        self.clock = at;
        self.expire_idempotency(at);

        let Request { key, command } = request;
        let key = match (command, key) {
            (Command::Intake { payload, .. }, Some(header)) => {
                if *header != payload.idempotency_key {
                    return Err(DomainError::invalid(
                        "idempotencyKey",
                        "differs from the Idempotency-Key of the request",
                    ));
                }
                Some(header.clone())
            }
            (Command::Intake { payload, .. }, None) => Some(payload.idempotency_key.clone()),
            (_, key) => key.clone(),
        };

        let fingerprint = match &key {
            Some(key) => {
                let hash = self.idempotency.hash(key);
                // Looked up before the fingerprint is computed: the lookup
                // usually misses the cache, and the miss overlaps that work.
                let recorded = self.idempotency.get(hash, key);
                // An intake's key is checked with the rest of its payload.
                if !matches!(command, Command::Intake { .. }) {
                    check_key("idempotencyKey", key.as_str())?;
                }
                let fingerprint = command.fingerprint();
                if let Some(record) = recorded {
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
                    });
                }
                Some((hash, fingerprint))
            }
            None => None,
        };

        let mut fx = Effects {
            at,
            events: Vec::with_capacity(usual_event_count(command)),
            transfers: Vec::new(),
            closed: Vec::new(),
        };
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
            } => self.intake(room, *mode, payload, *loyalty_points, fx),
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
                let room_state = self.room(room)?;
                let item = Self::item_in(&self.items, room_state, *item)?;
                let amount = check_refund(item.token_cost(), *amount, *reason, note.as_deref())?;
                if item.state().is_closed() {
                    return Err(DomainError::ItemClosed {
                        item: item.id(),
                        state: item.state(),
                    });
                }
                let id = item.id();
                let note = note.as_deref().map(|n| Arc::from(n.trim()));
                let settled =
                    self.refund_item(room, id, amount, *reason, note, by.clone(), key, fx);
                Ok(Reply::Refunded {
                    item: id,
                    amount,
                    settled,
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
            Command::Tick => Ok(self.tick(fx)),
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

    /// The item, if it exists and belongs to `room`. Takes the item list
    /// rather than `self`, so a handler can hold its room mutably meanwhile.
    fn item_in<'a>(
        items: &'a ItemList,
        room: &Room,
        id: ItemId,
    ) -> Result<&'a ItemEntry, DomainError> {
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

    fn intake(
        &mut self,
        room_id: &RoomId,
        mode: IntakeMode,
        payload: &IntakePayload,
        loyalty_points: u64,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        // The source event is looked up first and judged after validation:
        // the lookup usually misses the cache, and the miss overlaps that work.
        let source_event = (payload.source, &*payload.source_event_id);
        let source_hash = self.source_events.hash(source_event);
        let items = &self.items;
        let taken = |n: u32| {
            items
                .get(ItemId(u64::from(n) + 1))
                .is_some_and(|item| (item.source(), item.source_event_id()) == source_event)
        };
        let duplicate = self.source_events.find(source_hash, taken).is_some();

        // One lookup of the room, held mutably; the checks below read other
        // fields of the engine, so nothing changes until all have passed.
        let room = room_in(&mut self.rooms, room_id)?;
        payload.validate(&IntakeLimits {
            max_token_cost: room.settings.max_token_cost,
        })?;
        if payload.performer_id != room.performer {
            return Err(DomainError::invalid(
                "performerId",
                format!("room `{}` belongs to another performer", room.id),
            ));
        }
        if !room.live {
            return Err(DomainError::NotLive {
                room: room.id.clone(),
            });
        }
        if duplicate {
            return Err(DomainError::DuplicateSourceEvent {
                source_event_id: payload.source_event_id.to_string(),
            });
        }
        let cost = payload.token_cost;
        let available = self.ledger.wallet(&payload.user_id);
        if available < cost {
            return Err(DomainError::InsufficientFunds {
                user: payload.user_id.clone(),
                needed: cost,
                available,
            });
        }
        if !self.ledger.can_mint(Unit::Points, loyalty_points) {
            return Err(DomainError::Overflow);
        }

        // Everything is checked: from here on nothing can fail.
        // Share the room's copies of the ids: every item of a user or a
        // performer points at one string instead of keeping its own.
        let member = match room.members.get_mut(&payload.user_id) {
            Some(member) => member,
            None => room
                .members
                .entry(payload.user_id.clone())
                .or_insert_with(|| Member::new(payload.user_id.clone())),
        };
        member.refund_at = None; // buying means being here
        let (user_id, tier) = (member.id.clone(), member.tier);
        let user_name = match &payload.metadata.user_display_name {
            Some(name) => name.clone(),
            None => user_id.shared(),
        };
        let id = self.items.next_id();
        self.next_intake_seq += 1;
        let private = payload.is_private_request();
        let view = Arc::new(ItemView {
            id,
            room: room.id.clone(),
            source: payload.source,
            source_event_id: payload.source_event_id.clone(),
            performer_id: room.performer.clone(),
            user_id,
            user_name,
            tier,
            action: payload.action.clone(),
            token_cost: cost,
            duration_ms: payload
                .action
                .duration_hint_ms
                .unwrap_or(room.settings.default_duration_ms),
            effects: shared_effects(payload),
            private,
            instant: mode == IntakeMode::Instant,
            stamp: fx.at,
            seq: self.next_intake_seq,
            client_stamp: payload.created_at_high_precision.clone(),
            loyalty_points,
        });
        // The item owns the view and the events below take clones: no local
        // copy is left to drop at the end, where a drop (an atomic update)
        // would wait on the store into the source-event index.
        let mut item = Item {
            view,
            key: payload.idempotency_key.clone(),
            state: ItemState::Queued,
            started_at: None,
            closed_at: None,
            settled: 0,
            refunded: 0,
            refund_reason: None,
            audit: Vec::with_capacity(3),
            intake_position: 0,
            soon_sent: true,
        };
        let view = &item.view;
        self.ledger.open_escrow(id);
        fx.post(
            &mut self.ledger,
            Transfer {
                kind: TransferKind::Hold,
                from: Account::Wallet(view.user_id.clone()),
                to: Account::Escrow(id),
                amount: cost,
                item: Some(id),
                key: Some(item.key.clone()),
            },
        );
        let vars = base_vars(view);
        let public_key = TemplateKey::from(payload.chat.public_announce_template_key.clone());

        let reply = match mode {
            IntakeMode::Queued => {
                let index = room.waiting.insert(
                    Entry {
                        id,
                        private,
                        stamp: view.stamp,
                        cost,
                        seq: view.seq,
                    },
                    room.in_progress.is_none(),
                );
                let position = room.position_of_index(index);
                room.totals.escrow += cost;
                item.intake_position = position;
                item.soon_sent = position <= SOON_POSITION;
                item.audit.push(AuditEntry {
                    at: fx.at,
                    transition: Transition::Queued { position },
                    by: integration_actor(payload.source),
                });
                fx.emit(
                    room,
                    EventKind::ItemQueued {
                        item: view.clone(),
                        position,
                    },
                );
                let ahead = position - 1;
                let queue_vars = MessageVars {
                    position: Some(position),
                    ahead: Some(ahead),
                    ..vars.clone()
                };
                // Moved, not cloned, where this is the last use: each clone
                // of the variables is a pair of atomic counter updates.
                fx.emit(
                    room,
                    EventKind::Announcement {
                        key: public_key,
                        vars,
                    },
                );
                let sit_back = ahead > SIT_BACK_AHEAD;
                let extras = !payload.chat.private_user_message_template_keys.is_empty();
                let receipt = TemplateKey::fixed(keys::QUEUE_RECEIPT);
                if sit_back || extras {
                    fx.emit(room, private_message(view, receipt, queue_vars.clone()));
                    if sit_back {
                        let key = TemplateKey::fixed(keys::QUEUE_SIT_BACK);
                        fx.emit(room, private_message(view, key, queue_vars.clone()));
                    }
                    extra_messages(fx, room, view, payload, keys::QUEUE_RECEIPT, &queue_vars);
                } else {
                    fx.emit(room, private_message(view, receipt, queue_vars));
                }
                self.items.push(ItemEntry::Open(item));
                Reply::Queued { item: id, position }
            }
            IntakeMode::Instant => {
                fx.post(
                    &mut self.ledger,
                    Transfer {
                        kind: TransferKind::Settle,
                        from: Account::Escrow(id),
                        to: Account::Earned(view.performer_id.clone()),
                        amount: cost,
                        item: Some(id),
                        key: Some(item.key.clone()),
                    },
                );
                Self::credit_points(&mut self.ledger, view, fx);
                item.state = ItemState::Finished;
                item.closed_at = Some(fx.at);
                item.settled = cost;
                room.totals.earned += cost;
                room.totals.done += 1;
                item.audit.push(AuditEntry {
                    at: fx.at,
                    transition: Transition::Settled { amount: cost },
                    by: integration_actor(payload.source),
                });
                fx.emit(room, EventKind::InstantSettled { item: view.clone() });
                fx.emit(
                    room,
                    EventKind::Announcement {
                        key: public_key,
                        vars: vars.clone(),
                    },
                );
                fx.emit(
                    room,
                    private_message(
                        view,
                        TemplateKey::fixed(keys::INSTANT_RECEIPT),
                        vars.clone(),
                    ),
                );
                extra_messages(fx, room, view, payload, keys::INSTANT_RECEIPT, &vars);
                self.items.push(ItemEntry::Closed(ClosedItem::of(&item)));
                fx.close(item);
                Reply::Settled { item: id }
            }
        };
        // Last, as a store into a large table: nothing waits on it.
        let number = u32::try_from(id.0 - 1).expect("fewer than 2^32 items in memory");
        self.source_events.insert(source_hash, number);
        Ok(reply)
    }

    fn credit_points(ledger: &mut Ledger, view: &ItemView, fx: &mut Effects) {
        if view.loyalty_points == 0 {
            return;
        }
        fx.post(
            ledger,
            Transfer {
                kind: TransferKind::Points,
                from: Account::PointsMint,
                to: Account::Points(view.user_id.clone()),
                amount: view.loyalty_points,
                item: Some(view.id),
                key: None,
            },
        );
    }

    fn start(
        &mut self,
        room_id: &RoomId,
        expected: Option<ItemId>,
        by: Actor,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let room = room_in(&mut self.rooms, room_id)?;
        if !room.live {
            return Err(DomainError::NotLive {
                room: room.id.clone(),
            });
        }
        if let Some(item) = room.in_progress {
            return Err(DomainError::Busy { item });
        }
        let head = room.waiting.head().ok_or(DomainError::QueueEmpty)?;
        if let Some(item) = expected
            && item != head
        {
            // Name the real problem when the item is gone or elsewhere.
            let state = Self::item_in(&self.items, room, item)?.state();
            if state.is_closed() {
                return Err(DomainError::ItemClosed { item, state });
            }
            return Err(DomainError::NotHead {
                item,
                head: Some(head),
            });
        }

        room.waiting.pop_head();
        room.in_progress = Some(head);
        let item = Self::item_mut(&mut self.items, head);
        item.state = ItemState::InProgress;
        item.started_at = Some(fx.at);
        item.soon_sent = true;
        item.audit.push(AuditEntry {
            at: fx.at,
            transition: Transition::Started,
            by,
        });
        fx.emit(
            room,
            EventKind::ItemStarted {
                item: head,
                started_at: fx.at,
                duration_ms: item.view.duration_ms,
                effects: item.view.effects.clone(),
            },
        );
        Ok(Reply::Started { item: head })
    }

    fn finish(
        &mut self,
        room_id: &RoomId,
        expected: Option<ItemId>,
        by: Actor,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let room = room_in(&mut self.rooms, room_id)?;
        let current = room.in_progress.ok_or(DomainError::NothingInProgress)?;
        if let Some(item) = expected
            && item != current
        {
            let state = Self::item_in(&self.items, room, item)?.state();
            if state.is_closed() {
                return Err(DomainError::ItemClosed { item, state });
            }
            return Err(DomainError::NotInProgress { item });
        }
        let points = self
            .items
            .get(current)
            .and_then(ItemEntry::open)
            .expect("the item in progress is open")
            .view
            .loyalty_points;
        if !self.ledger.can_mint(Unit::Points, points) {
            return Err(DomainError::Overflow);
        }

        room.in_progress = None;
        let escrow = self.ledger.escrow_of(current);
        room.totals.escrow -= escrow;
        room.totals.earned += escrow;
        room.totals.done += 1;
        let item = Self::item_mut(&mut self.items, current);
        fx.post(
            &mut self.ledger,
            Transfer {
                kind: TransferKind::Settle,
                from: Account::Escrow(current),
                to: Account::Earned(item.view.performer_id.clone()),
                amount: escrow,
                item: Some(current),
                key: key.cloned(),
            },
        );
        Self::credit_points(&mut self.ledger, &item.view, fx);
        item.state = ItemState::Finished;
        item.closed_at = Some(fx.at);
        item.settled = escrow;
        item.audit.push(AuditEntry {
            at: fx.at,
            transition: Transition::Finished { settled: escrow },
            by,
        });
        fx.emit(
            room,
            EventKind::ItemFinished {
                item: current,
                settled: escrow,
                points: item.view.loyalty_points,
            },
        );
        Self::notify_soon(room, &mut self.items, fx);
        Self::retire(&mut self.items, current, fx);
        Ok(Reply::Finished {
            item: current,
            settled: escrow,
        })
    }

    /// Refund an open item of `room_id`: `amount` back to the buyer, the rest
    /// of its escrow to the performer. The caller has checked the amount.
    /// Returns what was settled to the performer.
    #[allow(clippy::too_many_arguments)]
    fn refund_item(
        &mut self,
        room_id: &RoomId,
        id: ItemId,
        amount: u64,
        reason: RefundReason,
        note: Option<Arc<str>>,
        by: Actor,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> u64 {
        let room = self
            .rooms
            .get_mut(room_id)
            .expect("caller checked the room");
        if room.in_progress == Some(id) {
            room.in_progress = None;
        } else {
            room.waiting.remove(id);
        }
        let escrow = self.ledger.escrow_of(id);
        let settled = escrow - amount;
        room.totals.escrow -= escrow;
        room.totals.earned += settled;
        room.totals.refunded += amount;
        let item = Self::item_mut(&mut self.items, id);
        let view = item.view.clone();
        fx.post(
            &mut self.ledger,
            Transfer {
                kind: TransferKind::Refund,
                from: Account::Escrow(id),
                to: Account::Wallet(view.user_id.clone()),
                amount,
                item: Some(id),
                key: key.cloned(),
            },
        );
        fx.post(
            &mut self.ledger,
            Transfer {
                kind: TransferKind::Settle,
                from: Account::Escrow(id),
                to: Account::Earned(view.performer_id.clone()),
                amount: settled,
                item: Some(id),
                key: key.cloned(),
            },
        );
        item.state = ItemState::Refunded;
        item.closed_at = Some(fx.at);
        item.refunded = amount;
        item.settled = settled;
        item.refund_reason = Some(reason);
        let role = by.role;
        item.audit.push(AuditEntry {
            at: fx.at,
            transition: Transition::Refunded {
                amount,
                settled,
                reason,
                note: note.clone(),
            },
            by,
        });
        fx.emit(
            room,
            EventKind::ItemRefunded {
                item: id,
                amount,
                settled,
                reason,
                note,
                by: role,
            },
        );
        let vars = MessageVars {
            amount: Some(amount),
            reason: Some(reason),
            ..base_vars(&view)
        };
        fx.emit(
            room,
            private_message(&view, TemplateKey::fixed(keys::QUEUE_REFUND), vars.clone()),
        );
        fx.emit(
            room,
            EventKind::Announcement {
                key: TemplateKey::fixed(keys::QUEUE_REFUND_PUBLIC),
                vars,
            },
        );
        Self::notify_soon(room, &mut self.items, fx);
        Self::retire(&mut self.items, id, fx);
        settled
    }

    /// "It won't be long": once, to items that came in behind position 3 and
    /// have now reached it.
    fn notify_soon(room: &mut Room, items: &mut ItemList, fx: &mut Effects) {
        for index in 0..room.waiting.len().min(SOON_POSITION as usize) {
            let position = room.position_of_index(index);
            if position > SOON_POSITION {
                break;
            }
            let id = room.waiting.get(index).expect("index in range").id;
            let item = Self::item_mut(items, id);
            if !item.soon_sent {
                item.soon_sent = true;
                let vars = MessageVars {
                    position: Some(position),
                    ahead: Some(position - 1),
                    ..base_vars(&item.view)
                };
                let message =
                    private_message(&item.view, TemplateKey::fixed(keys::QUEUE_SOON), vars);
                fx.emit(room, message);
            }
        }
    }

    fn join(
        &mut self,
        room_id: &RoomId,
        user: UserId,
        tier: Tier,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        if let Some(problem) = id_problem(user.as_str()) {
            return Err(DomainError::invalid("user", problem));
        }
        let room = self.room_mut(room_id)?;
        room.members.insert(
            user.clone(),
            Member {
                id: user.clone(),
                tier,
                refund_at: None,
            },
        );
        fx.emit(
            room,
            EventKind::UserJoined {
                user: user.clone(),
                tier,
            },
        );
        Ok(Reply::Joined {
            room: room_id.clone(),
            user,
        })
    }

    fn leave(
        &mut self,
        room_id: &RoomId,
        user: UserId,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let at = fx.at;
        let room = self.room_mut(room_id)?;
        let grace = room.settings.leave_grace_ms;
        let member = room
            .members
            .get_mut(&user)
            .filter(|m| m.refund_at.is_none())
            .ok_or_else(|| DomainError::NotInRoom {
                room: room_id.clone(),
                user: user.clone(),
            })?;
        let refund_at = at.plus_millis(grace);
        member.refund_at = Some(refund_at);
        fx.emit(
            room,
            EventKind::UserLeft {
                user: user.clone(),
                refund_at,
            },
        );
        self.deadlines.insert((
            refund_at,
            Deadline::Leave {
                room: room_id.clone(),
                user: user.clone(),
            },
        ));
        Ok(Reply::Left {
            room: room_id.clone(),
            user,
            refund_at,
        })
    }

    fn broadcast_start(
        &mut self,
        room_id: &RoomId,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let room = self.room_mut(room_id)?;
        if room.live {
            return Err(DomainError::AlreadyLive {
                room: room_id.clone(),
            });
        }
        room.live = true;
        room.offline_refund_at = None;
        fx.emit(room, EventKind::BroadcastStarted);
        Ok(Reply::BroadcastStarted {
            room: room_id.clone(),
        })
    }

    fn broadcast_end(&mut self, room_id: &RoomId, fx: &mut Effects) -> Result<Reply, DomainError> {
        let at = fx.at;
        let room = self.room_mut(room_id)?;
        if !room.live {
            return Err(DomainError::NotLive {
                room: room_id.clone(),
            });
        }
        let refund_at = at.plus_millis(room.settings.offline_grace_ms);
        room.live = false;
        room.offline_refund_at = Some(refund_at);
        fx.emit(room, EventKind::BroadcastEnded { refund_at });
        self.deadlines.insert((
            refund_at,
            Deadline::Offline {
                room: room_id.clone(),
            },
        ));
        Ok(Reply::BroadcastEnded {
            room: room_id.clone(),
            refund_at,
        })
    }

    /// Apply every grace period that has run out: refund the waiting items
    /// of users who did not come back, and of broadcasts that did not resume.
    fn tick(&mut self, fx: &mut Effects) -> Reply {
        let mut refunded = 0;
        while let Some((due, _)) = self.deadlines.first() {
            if *due > fx.at {
                break;
            }
            let (due, deadline) = self.deadlines.pop_first().expect("just looked");
            let (room_id, victims): (RoomId, Vec<ItemId>) = match deadline {
                Deadline::Leave { room, user } => {
                    let Some(state) = self.rooms.get_mut(&room) else {
                        continue;
                    };
                    let still_away = state
                        .members
                        .get(&user)
                        .is_some_and(|m| m.refund_at == Some(due));
                    if !still_away {
                        continue;
                    }
                    state.members.remove(&user);
                    let items = &self.items;
                    let victims = state
                        .waiting
                        .ids()
                        .filter(|id| *items[*id].user_id() == user)
                        .collect();
                    (room, victims)
                }
                Deadline::Offline { room } => {
                    let Some(state) = self.rooms.get_mut(&room) else {
                        continue;
                    };
                    if state.live || state.offline_refund_at != Some(due) {
                        continue;
                    }
                    state.offline_refund_at = None;
                    (room, state.waiting.ids().collect())
                }
            };
            for id in victims {
                let cost = self.items[id].token_cost();
                self.refund_item(
                    &room_id,
                    id,
                    cost,
                    RefundReason::SystemAuto,
                    None,
                    Actor::system(),
                    None,
                    fx,
                );
                refunded += 1;
            }
        }
        Reply::Ticked { refunded }
    }

    fn expire_idempotency(&mut self, now: Stamp) {
        let retention = self.config.idempotency_retention_ms;
        self.idempotency
            .expire(|at| at.plus_millis(retention) <= now);
    }

    // ---- queries -------------------------------------------------------

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

    /// Every item in intake order.
    pub fn items(&self) -> &ItemList {
        &self.items
    }

    /// The reply remembered under an idempotency key.
    pub fn remembered_reply(&self, key: &IdemKey) -> Option<&Reply> {
        let hash = self.idempotency.hash(key);
        self.idempotency.get(hash, key).map(|record| &record.reply)
    }

    pub fn room_ids(&self) -> impl Iterator<Item = &RoomId> {
        self.rooms.keys()
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

    /// Every rule that must hold between commands. Tests call this after
    /// every step; the store calls it after rebuilding from disk.
    pub fn check_invariants(&self) -> Result<(), InvariantViolation> {
        let broken = |what: String| Err(InvariantViolation(what));
        self.ledger.check()?;
        let mut open_in_rooms = 0usize;
        for room in self.rooms.values() {
            if let Some(id) = room.in_progress {
                match self.item(id) {
                    Some(item)
                        if item.state == ItemState::InProgress && item.view.room == room.id => {}
                    _ => {
                        return broken(format!(
                            "room {} runs {id} which is not in progress there",
                            room.id
                        ));
                    }
                }
                open_in_rooms += 1;
            }
            let mut previous: Option<&Entry> = None;
            for index in 0..room.waiting.len() {
                let entry = room.waiting.get(index).expect("in range");
                match self.item(entry.id) {
                    Some(item) if item.state == ItemState::Queued && item.view.room == room.id => {}
                    _ => {
                        return broken(format!(
                            "room {} waits on {} which is not queued there",
                            room.id, entry.id
                        ));
                    }
                }
                let pinned = index == 1 && room.in_progress.is_none();
                if let Some(prev) = previous
                    && !pinned
                    && (
                        !prev.private,
                        prev.stamp,
                        std::cmp::Reverse(prev.cost),
                        prev.seq,
                    ) > (
                        !entry.private,
                        entry.stamp,
                        std::cmp::Reverse(entry.cost),
                        entry.seq,
                    )
                {
                    return broken(format!("room {} is out of order at {}", room.id, entry.id));
                }
                previous = Some(entry);
                open_in_rooms += 1;
            }
        }
        for room in self.rooms.values() {
            let open: u64 = room
                .in_progress
                .iter()
                .chain(room.waiting.ids().collect::<Vec<_>>().iter())
                .map(|id| self.ledger.escrow_of(*id))
                .sum();
            if open != room.totals.escrow {
                return broken(format!(
                    "room {} counts {} in escrow, its items hold {open}",
                    room.id, room.totals.escrow
                ));
            }
        }
        let mut open_items = 0usize;
        for item in self.items.iter() {
            let id = item.id();
            let escrow = self.ledger.escrow_of(id);
            let cost = item.token_cost();
            if item.state().is_closed() != matches!(item, ItemEntry::Closed(_)) {
                return broken(format!("item {id} is {} but kept as open", item.state()));
            }
            if item.state().is_closed() {
                if escrow != 0 {
                    return broken(format!("closed item {id} still holds {escrow} in escrow"));
                }
                if item.settled() + item.refunded() != cost {
                    return broken(format!(
                        "closed item {id} paid out {} of {cost}",
                        item.settled() + item.refunded()
                    ));
                }
            } else {
                open_items += 1;
                if escrow != cost {
                    return broken(format!(
                        "open item {id} holds {escrow} in escrow, costs {cost}"
                    ));
                }
            }
        }
        if open_items != open_in_rooms {
            return broken(format!(
                "{open_items} open items but {open_in_rooms} in rooms"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_source_is_its_own_integration_actor() {
        use Source::*;
        for source in [ChipMenu, SlotMachine, SpinWheel, Admin, System] {
            let actor = integration_actor(source);
            assert_eq!(actor, Actor::new(Role::Integration, source.as_str()));
        }
    }
}
