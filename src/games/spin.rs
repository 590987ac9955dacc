//! A viewer's spin, checked against the engine's state and the room's game
//! in the same turn of the core as the intake it becomes
//! (`CoreHandle::execute_checked`), so two spins of one viewer cannot both
//! pass the cooldown.
//!
//! Order: a retry of an accepted spin gets its original answer; then the
//! room must exist and be live, the game be configured and have enough
//! visible prizes, the tier exist, and the viewer's cooldown be over;
//! only then is the prize drawn. The balance is the engine's check.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::domain::intake::{ActionType, Chat, Effects, Metadata, PaidAction};
use crate::domain::{
    Command, Engine, IdemKey, IntakeLimits, IntakeMode, IntakePayload, Reply, Request, RoomId,
    Stamp, UserId,
};
use crate::protocol::{ApiError, ErrorCode};

use super::config::GameKind;
use super::cooldown::CoolingDown;
use super::fairness::ClientSeed;
use super::game::DrawError;
use super::record::SpinRecord;
use super::room_game::RoomGame;

/// A spin as the handler received it.
pub struct SpinRequest {
    pub room: RoomId,
    pub game: GameKind,
    pub user: UserId,
    /// The queue's key for this spin ([`viewer_key`]).
    pub key: IdemKey,
    pub tier: u8,
    /// Given with the spin: the viewer's client seed from now on.
    pub client_seed: Option<ClientSeed>,
    pub display_name: Option<String>,
}

/// What the checks decided.
pub enum Prepared {
    /// Run this intake; on acceptance, record the spin.
    Spin {
        request: Box<Request>,
        record: Arc<SpinRecord>,
    },
    /// A retry: the original reply.
    Retry(Reply),
}

/// The spin's id, also its `sourceEventId`: a digest of who spun what with
/// which key, so a retry names the same spin and another tier does not.
pub fn spin_id(room: &RoomId, game: GameKind, user: &UserId, key: &IdemKey, tier: u8) -> String {
    let digest = Sha256::digest(format!("{room}\n{game}\n{user}\n{key}\n{tier}").as_bytes());
    let prefix = match game {
        GameKind::SlotMachine => "slot",
        GameKind::SpinWheel => "wheel",
    };
    format!("{prefix}-{}", &hex::encode(digest)[..20])
}

/// The key the queue records for a viewer's spin: their own key, scoped to
/// them and the room, so two viewers' keys never meet.
pub fn viewer_key(room: &RoomId, user: &UserId, key: &IdemKey) -> IdemKey {
    let digest = Sha256::digest(format!("{room}\n{user}\n{key}").as_bytes());
    IdemKey::new(format!("spin.{}", &hex::encode(digest)[..32]))
}

fn error(code: ErrorCode, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message)
}

/// A spin refused because the viewer spun too recently.
pub fn cooling_down(game: GameKind, wait: CoolingDown) -> ApiError {
    error(
        ErrorCode::Cooldown,
        format!(
            "you spun the {game} moments ago; the next spin is possible in {} s (at {})",
            wait.retry_after_ms.div_ceil(1000),
            wait.ready_at
        ),
    )
}

impl SpinRequest {
    pub fn spin_id(&self) -> String {
        spin_id(&self.room, self.game, &self.user, &self.key, self.tier)
    }

    /// Run every check at `now` and draw; `game` is the room's game, if
    /// configured. Nothing changes here: the caller records an accepted spin.
    pub fn prepare(
        self,
        engine: &Engine,
        now: Stamp,
        game: Option<&RoomGame>,
    ) -> Result<Prepared, ApiError> {
        // The stamp the engine will give the item.
        let at = now.max(engine.clock());
        if engine.remembers(&self.key) {
            return self.retry(engine);
        }
        let room = engine.room_info(&self.room).ok_or_else(|| {
            error(
                ErrorCode::UnknownRoom,
                format!("room `{}` does not exist", self.room),
            )
        })?;
        if !room.live {
            return Err(error(
                ErrorCode::NotLive,
                format!(
                    "the performer is not live in room `{}`: games take spins only during a broadcast",
                    self.room
                ),
            ));
        }
        let kind = self.game;
        let book = game.ok_or_else(|| {
            error(
                ErrorCode::GameUnavailable,
                format!("room `{}` has no {kind} configured", self.room),
            )
        })?;
        let current = book.current();
        let config = current.game.clone();
        let cost = config.tier_cost(self.tier).ok_or_else(|| ApiError {
            code: ErrorCode::InvalidField,
            message: format!(
                "invalid field `tier`: the {kind} has tiers 1..={}",
                config.tier_count()
            ),
            field: Some("tier".into()),
        })?;
        if !config.is_available() {
            return Err(error(
                ErrorCode::GameUnavailable,
                format!(
                    "the {kind} shows {} prizes; it needs {} visible to take spins",
                    config.visible_count(),
                    kind.min_visible()
                ),
            ));
        }
        book.cooldowns
            .check(config.cooldown_secs(), &self.user, at)
            .map_err(|wait| cooling_down(kind, wait))?;
        let client_seed = self
            .client_seed
            .clone()
            .or_else(|| book.client_seed(&self.user).cloned())
            .unwrap_or_else(ClientSeed::random);
        let nonce = book.seeds.next_nonce(&self.user);
        let draw = config
            .draw(book.seeds.seed(), self.tier, &client_seed, nonce)
            .map_err(|e| match e {
                DrawError::Unavailable { .. } => error(ErrorCode::GameUnavailable, e.to_string()),
                DrawError::NoSuchTier { .. } => ApiError::invalid("tier", e.to_string()),
            })?;
        let spin_id = self.spin_id();
        let record = SpinRecord::of(&draw, self.room.as_str(), &spin_id, config.config().version);
        let prize = &config.config().prizes[draw.prize.index];
        let (started, _) = kind.chat_keys();
        let payload = IntakePayload {
            source: kind.source(),
            source_event_id: Arc::from(spin_id.as_str()),
            idempotency_key: self.key.clone(),
            performer_id: room.performer.clone(),
            user_id: self.user.clone(),
            token_cost: cost,
            action: PaidAction {
                action_type: ActionType::PerformanceAction,
                title: Arc::from(prize.title.as_str()),
                description: Arc::from(prize.description.as_str()),
                menu_item_id: None,
                rank: Some(prize.rank),
                duration_hint_ms: prize.duration_hint_ms,
            },
            created_at_high_precision: Arc::from(at.to_string()),
            chat: Chat {
                public_announce_template_key: Arc::from(started),
                private_user_message_template_keys: Vec::new(),
            },
            metadata: Metadata {
                user_display_name: self.display_name.as_deref().map(Arc::from),
                bet_tier: Some(self.tier),
                ..Metadata::default()
            },
            effects: prize.toy.as_ref().map(|toy| Effects {
                toy: vec![toy.clone()],
                other: None,
            }),
        };
        payload
            .validate(&IntakeLimits {
                max_token_cost: room.settings.max_token_cost,
            })
            .map_err(|e| {
                let field = match e.field() {
                    Some("metadata.userDisplayName") => Some("displayName".to_string()),
                    Some(f) if f.contains("clientSeed") => Some("clientSeed".to_string()),
                    other => other.map(str::to_string),
                };
                ApiError {
                    code: e.code(),
                    message: e.to_string(),
                    field,
                }
            })?;
        Ok(Prepared::Spin {
            request: Box::new(Request {
                key: Some(self.key),
                command: Command::Intake {
                    room: self.room,
                    mode: IntakeMode::Queued,
                    payload: Box::new(payload),
                    loyalty_points: 0,
                },
            }),
            record: Arc::new(record),
        })
    }

    /// The key was used: the same spin (room, game, viewer, tier) gets its
    /// original answer, anything else is a conflict.
    fn retry(self, engine: &Engine) -> Result<Prepared, ApiError> {
        let expected = self.spin_id();
        let original = engine.remembered_reply(&self.key).and_then(|reply| {
            let item = engine.entry(reply.item()?)?;
            Some((reply, item))
        });
        match original {
            Some((reply, item))
                if item.source() == self.game.source()
                    && *item.user_id() == self.user
                    && item.source_event_id() == expected.as_str() =>
            {
                Ok(Prepared::Retry(reply.clone()))
            }
            _ => Err(ApiError {
                code: ErrorCode::IdempotencyConflict,
                message: format!(
                    "idempotency key `{}` was already used for a different request",
                    self.key
                ),
                field: Some("Idempotency-Key".into()),
            }),
        }
    }
}
