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

use crate::domain::intake::ActionType;
use crate::domain::{Engine, IdemKey, IntakeMode, Reply, Request, RoomId, Stamp, UserId};
use crate::protocol::{ApiError, ErrorCode};
use crate::scoped::intake::{IntakeDraft, Turn, intake_request, open_turn};

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

/// A spin refused: the error, and for `cooldown` the whole seconds until
/// the viewer may spin again (rounded up), which `Retry-After` carries.
#[derive(Debug)]
pub struct Refused {
    pub error: ApiError,
    pub retry_after_secs: Option<u64>,
}

impl From<ApiError> for Refused {
    fn from(error: ApiError) -> Self {
        Refused {
            error,
            retry_after_secs: None,
        }
    }
}

fn error(code: ErrorCode, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message)
}

/// A spin refused because the viewer spun too recently; the message and
/// `Retry-After` give the same whole seconds.
pub fn cooling_down(game: GameKind, wait: CoolingDown) -> Refused {
    let secs = wait.retry_after_ms.div_ceil(1000);
    Refused {
        error: error(
            ErrorCode::Cooldown,
            format!(
                "you spun the {game} moments ago; the next spin is possible in {secs} s (at {})",
                wait.ready_at
            ),
        ),
        retry_after_secs: Some(secs),
    }
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
    ) -> Result<Prepared, Refused> {
        let expected = self.spin_id();
        let turn = open_turn(
            engine,
            now,
            &self.key,
            &self.room,
            "games take spins only during a broadcast",
            |item| {
                item.source() == self.game.source()
                    && *item.user_id() == self.user
                    && item.source_event_id() == expected.as_str()
            },
        )?;
        let (at, room) = match turn {
            Turn::Retry(reply) => return Ok(Prepared::Retry(reply)),
            Turn::Fresh { at, room } => (at, room),
        };
        let kind = self.game;
        let book = game.ok_or_else(|| {
            error(
                ErrorCode::GameUnavailable,
                format!("room `{}` has no {kind} configured", self.room),
            )
        })?;
        let current = book.current();
        let config = current.value.clone();
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
            )
            .into());
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
        let spin_id = expected;
        let record = SpinRecord::of(&draw, self.room.as_str(), &spin_id, config.config().version);
        let prize = &config.config().prizes[draw.prize.index];
        let (started, _) = kind.chat_keys();
        let payload = IntakeDraft {
            source: kind.source(),
            source_event_id: &spin_id,
            key: &self.key,
            performer: &room.performer,
            user: &self.user,
            cost,
            action_type: ActionType::PerformanceAction,
            title: &prize.title,
            description: &prize.description,
            menu_item_id: None,
            rank: Some(prize.rank),
            duration_hint_ms: prize.duration_hint_ms,
            at,
            announce_key: started,
            display_name: self.display_name.as_deref(),
            bet_tier: Some(self.tier),
            toy: prize.toy.as_ref(),
            paid_in_points: false,
        }
        .payload(&room)?;
        Ok(Prepared::Spin {
            request: Box::new(intake_request(
                self.key,
                self.room,
                IntakeMode::Queued,
                payload,
                0,
                0,
            )),
            record: Arc::new(record),
        })
    }
}
