//! What the tip-levels editor asks of the server and what it hears back;
//! the runtime carries the requests out through the REST client.

use crate::console::editor::EditorEffect;
use crate::domain::tips::TipLevels;
use crate::protocol::TipLevelsView;
use crate::scoped::tip_levels::TipLevelsConflict;

/// A request to send to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LevelRequest {
    Load,
    /// Save the levels as the version after `base`.
    Save {
        levels: Box<TipLevels>,
        base: u64,
    },
}

/// What the tip-levels editor asks of the runtime.
pub type LevelEffect = EditorEffect<LevelRequest>;

/// The answer to a request.
#[derive(Debug, Clone)]
pub enum LevelAnswer {
    Loaded(Box<TipLevelsView>),
    Conflict(Box<TipLevelsConflict>),
    /// Refused or not sent: the server's message, and the field it names.
    Failed {
        message: String,
        field: Option<String>,
    },
}
