//! The checks every performer-scoped feature runs in the core's turn, in
//! the same turn as the intake they lead to (`CoreHandle::execute_checked`),
//! and the canonical intake they build: a retry gets its original answer;
//! the room must exist and be live (configurations are live-only); the
//! payload passes the queue's own validation before the engine sees it.
//!
//! The configuration is read here, at intake, and copied into the item:
//! a later version applies to later events only, never to a waiting item.

use std::sync::Arc;

use crate::domain::intake::{ActionType, Chat, Effects, Metadata, PaidAction};
use crate::domain::toy_effect::ToyEffect;
use crate::domain::{
    Command, Engine, IdemKey, IntakeLimits, IntakeMode, IntakePayload, ItemEntry, PerformerId,
    Reply, Request, RoomId, RoomInfo, Source, Stamp, UserId,
};
use crate::protocol::{ApiError, ErrorCode};

/// How a viewer's action starts in the core's turn.
pub enum Turn {
    /// A retry of an accepted action: its original reply.
    Retry(Reply),
    /// A new action in a live room, at the stamp the engine will give it.
    Fresh { at: Stamp, room: RoomInfo },
}

/// The first checks of every viewer action, in order: a retry with a used
/// key gets its original answer (`same` tells the same request from
/// another, see [`replay`]); then the room must exist and be live.
pub fn open_turn(
    engine: &Engine,
    now: Stamp,
    key: &IdemKey,
    room: &RoomId,
    offline: &str,
    same: impl FnOnce(&ItemEntry) -> bool,
) -> Result<Turn, ApiError> {
    if engine.remembers(key) {
        return replay(engine, key, same).map(Turn::Retry);
    }
    Ok(Turn::Fresh {
        at: now.max(engine.clock()),
        room: live_room(engine, room, offline)?,
    })
}

/// The room, when it exists and its performer is live; `offline` says what
/// the feature does only during a broadcast.
pub fn live_room(engine: &Engine, room: &RoomId, offline: &str) -> Result<RoomInfo, ApiError> {
    let info = engine.room_info(room).ok_or_else(|| {
        ApiError::new(
            ErrorCode::UnknownRoom,
            format!("room `{room}` does not exist"),
        )
    })?;
    if !info.live {
        return Err(ApiError::new(
            ErrorCode::NotLive,
            format!("the performer is not live in room `{room}`: {offline}"),
        ));
    }
    Ok(info)
}

/// The original reply to `key`, when the request it answered is the same
/// one (`same` looks at the item it made); any other use of the key is
/// `idempotency_conflict`.
pub fn replay(
    engine: &Engine,
    key: &IdemKey,
    same: impl FnOnce(&ItemEntry) -> bool,
) -> Result<Reply, ApiError> {
    let original = engine.remembered_reply(key).and_then(|reply| {
        let item = engine.entry(reply.item()?)?;
        Some((reply, item))
    });
    match original {
        Some((reply, item)) if same(item) => Ok(reply.clone()),
        _ => Err(ApiError {
            code: ErrorCode::IdempotencyConflict,
            message: format!("idempotency key `{key}` was already used for a different request"),
            field: Some("Idempotency-Key".into()),
            leader: None,
        }),
    }
}

/// What a configured offer (a menu item, a prize, a tip level) turns into:
/// the fields that differ between features; the rest is the same for all.
pub struct IntakeDraft<'a> {
    pub source: Source,
    pub source_event_id: &'a str,
    pub key: &'a IdemKey,
    pub performer: &'a PerformerId,
    pub user: &'a UserId,
    pub cost: u64,
    pub action_type: ActionType,
    pub title: &'a str,
    pub description: &'a str,
    pub menu_item_id: Option<&'a str>,
    pub rank: Option<u8>,
    pub duration_hint_ms: Option<u64>,
    /// The stamp the engine will give the item.
    pub at: Stamp,
    pub announce_key: &'a str,
    pub display_name: Option<&'a str>,
    pub bet_tier: Option<u8>,
    pub toy: Option<&'a ToyEffect>,
    /// Paid in loyalty points (`cost` is then 0 tokens).
    pub paid_in_points: bool,
}

impl IntakeDraft<'_> {
    /// The canonical payload, checked by the queue's own rules against the
    /// room's limits; a refusal names the request's field, not the
    /// payload's (`displayName`, `clientSeed`).
    pub fn payload(self, room: &RoomInfo) -> Result<IntakePayload, ApiError> {
        let payload = IntakePayload {
            source: self.source,
            source_event_id: Arc::from(self.source_event_id),
            idempotency_key: self.key.clone(),
            performer_id: self.performer.clone(),
            user_id: self.user.clone(),
            token_cost: self.cost,
            action: PaidAction {
                action_type: self.action_type,
                title: Arc::from(self.title),
                description: Arc::from(self.description),
                menu_item_id: self.menu_item_id.map(Arc::from),
                rank: self.rank,
                duration_hint_ms: self.duration_hint_ms,
            },
            created_at_high_precision: Arc::from(self.at.to_string()),
            chat: Chat {
                public_announce_template_key: Arc::from(self.announce_key),
                private_user_message_template_keys: Vec::new(),
            },
            metadata: Metadata {
                user_display_name: self.display_name.map(Arc::from),
                bet_tier: self.bet_tier,
                ..Metadata::default()
            },
            effects: self.toy.map(|toy| Effects {
                toy: vec![toy.clone()],
                other: None,
            }),
        };
        payload
            .validate(&IntakeLimits {
                max_token_cost: room.settings.max_token_cost,
                paid_in_points: self.cost == 0 && self.paid_in_points,
            })
            .map_err(|e| {
                let field = match e.field() {
                    Some("metadata.userDisplayName") => Some("displayName".to_string()),
                    Some(f) if f.contains("clientSeed") => Some("clientSeed".to_string()),
                    other => other.map(str::to_string),
                };
                ApiError {
                    code: e.code(),
                    message: e
                        .to_string()
                        .replace("metadata.userDisplayName", "displayName"),
                    field,
                    leader: None,
                }
            })?;
        Ok(payload)
    }
}

/// The engine's request for a checked payload.
pub fn intake_request(
    key: IdemKey,
    room: RoomId,
    mode: IntakeMode,
    payload: IntakePayload,
    loyalty_points: u64,
    points_price: u64,
) -> Request {
    Request {
        key: Some(key),
        command: Command::Intake {
            room,
            mode,
            payload: Box::new(payload),
            loyalty_points,
            points_price,
        },
    }
}
