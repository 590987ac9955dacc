//! The game endpoints a performer uses (the console's game editor): read a
//! game, save its configuration, rotate its seed. A version conflict comes
//! back whole ([`GameConflict`]), so the editor can explain it and offer a
//! reload.

use reqwest::Method;
use serde::de::DeserializeOwned;

use super::{ClientError, RestClient};
use crate::domain::RoomId;
use crate::games::api::{GameConflict, GameView, Rotated};
use crate::games::{GameConfig, GameKind};
use crate::protocol::{ApiError, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum GameClientError {
    #[error("409: {}", .0.message)]
    Conflict(Box<GameConflict>),
    #[error(transparent)]
    Client(#[from] ClientError),
}

impl GameClientError {
    /// The API error code, when the server answered with one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            GameClientError::Conflict(c) => Some(c.code),
            GameClientError::Client(e) => e.code(),
        }
    }

    /// The server's error, when it sent one (it names the field at fault).
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            GameClientError::Client(ClientError::Api { error, .. }) => Some(error),
            _ => None,
        }
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
        let (status, answer) = self.raw(method, path, None, body).await?;
        if status.is_success() {
            return serde_json::from_value(answer)
                .map_err(|e| ClientError::Decode(e.to_string()).into());
        }
        if answer.get("currentVersion").is_some()
            && let Ok(conflict) = serde_json::from_value::<GameConflict>(answer.clone())
        {
            return Err(GameClientError::Conflict(Box::new(conflict)));
        }
        Err(match serde_json::from_value::<ApiError>(answer.clone()) {
            Ok(error) => ClientError::Api {
                status: status.as_u16(),
                error,
            },
            Err(_) => ClientError::Http {
                status: status.as_u16(),
                body: answer.to_string(),
            },
        }
        .into())
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
