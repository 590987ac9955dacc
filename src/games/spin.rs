//! A viewer's spin, checked against the engine's state and the room's game
//! in the same turn of the core as the intake it becomes
//! (`CoreHandle::execute_checked`), so two spins of one viewer cannot both
//! pass the cooldown.
//!
//! Order: a retry of an accepted spin gets its original answer; then the
//! room must exist and be live, the game be configured and have enough
//! visible prizes, the tier exist, the commitment the viewer pinned (if
//! any) still be the game's, and the viewer's cooldown be over;
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
    /// The commitment the viewer saw; the spin is refused if it is no
    /// longer the game's.
    pub expected_commitment: Option<String>,
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
            leader: None,
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
        if book.rotating {
            return Err(error(
                ErrorCode::CommitmentChanged,
                format!(
                    "the {kind}'s seed is being rotated; nothing was charged, read the new \
                     commitment and spin again"
                ),
            )
            .into());
        }
        if let Some(seen) = &self.expected_commitment
            && *seen != book.seeds.commitment()
        {
            return Err(error(
                ErrorCode::CommitmentChanged,
                format!(
                    "the {kind}'s commitment is now {} (committed at {}), not the pinned \
                     {seen}; nothing was charged: read the current commitment and spin again",
                    book.seeds.commitment(),
                    book.seeds.committed_at()
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
        let record = SpinRecord::of(
            &draw,
            self.room.as_str(),
            &spin_id,
            config.config().version,
            at,
        );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Command, EngineConfig};
    use crate::games::room_game::Version;
    use crate::games::{Game, SeedState, ServerSeed};

    const NOW: Stamp = Stamp(1_000_000_000);

    fn live_engine() -> Engine {
        let mut engine = Engine::new(EngineConfig::default());
        for command in [
            Command::CreateRoom {
                room: "r1".into(),
                performer: "p1".into(),
            },
            Command::BroadcastStart { room: "r1".into() },
        ] {
            engine.execute(NOW, &Request::new(command)).unwrap();
        }
        engine
    }

    fn wheel() -> RoomGame {
        let game = Game::from_json(
            r#"{"game": "spin_wheel", "version": 1, "cooldownSecs": 0,
                "tiers": [{"cost": 5}],
                "prizes": [{"id": 1, "title": "A", "rank": 1}, {"id": 2, "title": "B", "rank": 3},
                           {"id": 3, "title": "C", "rank": 6}, {"id": 4, "title": "D", "rank": 9}]}"#,
        )
        .unwrap();
        let first = Version {
            value: Arc::new(game),
            at: NOW,
            by: "performer:x".into(),
        };
        RoomGame::new(
            first,
            SeedState::commit(ServerSeed::from_bytes([3; 32]), NOW),
        )
    }

    fn request(expected: Option<String>) -> SpinRequest {
        SpinRequest {
            room: "r1".into(),
            game: GameKind::SpinWheel,
            user: "u1".into(),
            key: IdemKey::new("k1"),
            tier: 1,
            client_seed: None,
            display_name: None,
            expected_commitment: expected,
        }
    }

    fn refusal(prepared: Result<Prepared, Refused>) -> Option<ErrorCode> {
        prepared.err().map(|r| r.error.code)
    }

    #[test]
    fn a_spin_is_drawn_only_under_the_commitment_it_pins_and_never_mid_rotation() {
        let engine = live_engine();
        let mut game = wheel();
        let current = game.seeds.commitment();
        let other = ServerSeed::from_bytes([4; 32]).commitment();
        let later = Stamp(NOW.0 + 5);
        let prepared = request(Some(other)).prepare(&engine, later, Some(&game));
        assert_eq!(refusal(prepared), Some(ErrorCode::CommitmentChanged));
        game.rotating = true;
        let prepared = request(Some(current.clone())).prepare(&engine, later, Some(&game));
        assert_eq!(refusal(prepared), Some(ErrorCode::CommitmentChanged));
        let prepared = request(None).prepare(&engine, later, Some(&game));
        assert_eq!(refusal(prepared), Some(ErrorCode::CommitmentChanged));
        game.rotating = false;
        assert_eq!(game.seeds.next_nonce(&"u1".into()), 0, "no nonce used");
        for expected in [Some(current.clone()), None] {
            match request(expected).prepare(&engine, later, Some(&game)) {
                Ok(Prepared::Spin { record, .. }) => {
                    assert_eq!(record.commitment, current);
                    assert_eq!((record.nonce, record.spun_at), (0, later));
                }
                _ => panic!("the pinned commitment is the current one: the spin is drawn"),
            }
        }
    }
}
