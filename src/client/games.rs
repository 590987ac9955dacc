//! The game endpoints a performer uses (the console's game editor): read a
//! game, save its configuration, rotate its seed. A version conflict comes
//! back whole ([`GameConflict`]), so the editor can explain it and offer a
//! reload.

use reqwest::Method;
use serde::de::DeserializeOwned;

use super::RestClient;
use super::versioned::{ConflictBody, VersionedError};
use crate::domain::RoomId;
use crate::games::api::{GameConflict, GameView, Rotated};
use crate::games::{GameConfig, GameKind};
use crate::protocol::ErrorCode;

/// A game call's refusal: the whole [`GameConflict`], or another error.
pub type GameClientError = VersionedError<GameConflict>;

impl ConflictBody for GameConflict {
    fn code(&self) -> ErrorCode {
        self.code
    }

    fn message(&self) -> &str {
        &self.message
    }
}

fn game_path(room: &RoomId, game: GameKind) -> String {
    format!("/api/v1/rooms/{room}/games/{game}")
}

impl RestClient {
    async fn game_call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T, GameClientError> {
        self.versioned_call(method, path, None, body).await
    }

    /// The performer's view of a game: configuration, odds, commitment.
    pub async fn game(&self, room: &RoomId, game: GameKind) -> Result<GameView, GameClientError> {
        self.game_call(Method::GET, &game_path(room, game), None)
            .await
    }

    /// Replace a game's configuration; `config.version` is the version the
    /// change is based on (0 for a game's first).
    pub async fn save_game(
        &self,
        room: &RoomId,
        config: &GameConfig,
    ) -> Result<GameView, GameClientError> {
        let path = game_path(room, config.game);
        self.game_call(Method::PUT, &path, Self::json(config)).await
    }

    /// Reveal the game's server seed and commit a new one.
    pub async fn rotate_seed(
        &self,
        room: &RoomId,
        game: GameKind,
    ) -> Result<Rotated, GameClientError> {
        let path = format!("{}/rotate", game_path(room, game));
        self.game_call(Method::POST, &path, None).await
    }
}
