//! What the game editor asks of the server and what it hears back; the
//! runtime carries the requests out through the REST client.

use std::sync::Arc;

use crate::console::editor::EditorEffect;
use crate::games::api::{GameConflict, GameView, Rotated};
use crate::games::{GameConfig, GameKind};

/// A request to send to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GameRequest {
    Load(GameKind),
    /// Save a configuration; its `version` is the one it is based on.
    Save(Box<GameConfig>),
    Rotate(GameKind),
}

/// What the game editor asks of the runtime.
pub type GameEffect = EditorEffect<GameRequest>;

/// The answer to a request.
#[derive(Debug, Clone)]
pub enum GameAnswer {
    Loaded(Box<GameView>),
    /// The room's imported patterns, offered for the prizes' toy effects.
    Patterns(Arc<[Arc<str>]>),
    /// The room has no such game yet.
    Missing(GameKind),
    Rotated(Box<Rotated>),
    Conflict(Box<GameConflict>),
    /// Refused or not sent: the server's message, and the field it names.
    Failed {
        message: String,
        field: Option<String>,
    },
}
