//! Typed calls for tips and the toy lane: tipping, the room's tip levels,
//! and every lane command over REST or, for a console that holds the room's
//! stream, as a WebSocket command with its ack.

use reqwest::Method;

use super::rest::{ClientError, RestClient};
use super::stream::RoomStream;
use super::versioned::{ConflictBody, VersionedError};
use crate::domain::tips::TipLevels;
use crate::domain::{ItemId, Reply, RoomId, UserId};
use crate::protocol::{ErrorCode, RoomCommand, TipBody, TipLevelsView};
use crate::scoped::tip_levels::TipLevelsConflict;

/// A save's refusal: the whole [`TipLevelsConflict`], or another error.
pub type TipLevelsError = VersionedError<TipLevelsConflict>;

impl ConflictBody for TipLevelsConflict {
    fn head(&self) -> (ErrorCode, &str) {
        (self.code, &self.message)
    }
}

/// A lane command: what the console's lane runner sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneAction {
    /// Run the head (it must be `Some(item)` when given).
    Take(Option<ItemId>),
    /// The run ended: settle.
    Done(Option<ItemId>),
    /// Refund one tip.
    Skip(ItemId),
    /// Refund every tip.
    Clear,
    Pause,
    Resume,
    /// The run was cut: back to the head with what is left.
    Release(Option<ItemId>),
}

impl LaneAction {
    /// The socket command.
    pub fn command(self) -> RoomCommand {
        match self {
            LaneAction::Take(item) => RoomCommand::LaneTake { item },
            LaneAction::Done(item) => RoomCommand::LaneDone { item },
            LaneAction::Skip(item) => RoomCommand::LaneSkip { item },
            LaneAction::Clear => RoomCommand::LaneClear,
            LaneAction::Pause => RoomCommand::LanePause,
            LaneAction::Resume => RoomCommand::LaneResume,
            LaneAction::Release(item) => RoomCommand::LaneRelease { item, ran_ms: None },
        }
    }

    fn path_and_item(self) -> (&'static str, Option<ItemId>) {
        match self {
            LaneAction::Take(item) => ("take", item),
            LaneAction::Done(item) => ("done", item),
            LaneAction::Skip(item) => ("skip", Some(item)),
            LaneAction::Clear => ("clear", None),
            LaneAction::Pause => ("pause", None),
            LaneAction::Resume => ("resume", None),
            LaneAction::Release(item) => ("release", item),
        }
    }
}

impl RestClient {
    /// A viewer's tip from their own wallet.
    pub async fn tip(&self, room: &RoomId, amount: u64, key: &str) -> Result<Reply, ClientError> {
        let body = TipBody {
            amount,
            display_name: None,
            user: None,
            source_event_id: None,
        };
        self.tip_with(room, &body, key).await
    }

    /// A tip with every field (an integration names the viewer).
    pub async fn tip_with(
        &self,
        room: &RoomId,
        body: &TipBody,
        key: &str,
    ) -> Result<Reply, ClientError> {
        let path = format!("/api/v1/rooms/{room}/tips");
        self.call(Method::POST, &path, Some(key), Self::json(body))
            .await
    }

    /// An integration's tip on behalf of `user`.
    pub async fn tip_for(
        &self,
        room: &RoomId,
        user: &UserId,
        amount: u64,
        key: &str,
    ) -> Result<Reply, ClientError> {
        let body = TipBody {
            amount,
            display_name: None,
            user: Some(user.clone()),
            source_event_id: None,
        };
        self.tip_with(room, &body, key).await
    }

    pub async fn tip_levels(&self, room: &RoomId) -> Result<TipLevelsView, ClientError> {
        let path = format!("/api/v1/rooms/{room}/tips/levels");
        self.call(Method::GET, &path, None, None).await
    }

    /// Save `levels` as the version after `base` (0 for a room's first); a
    /// stale base is `version_conflict`.
    pub async fn set_tip_levels(
        &self,
        room: &RoomId,
        levels: &TipLevels,
        base: u64,
    ) -> Result<TipLevelsView, ClientError> {
        self.save_tip_levels(room, levels, base)
            .await
            .map_err(|err| match err {
                VersionedError::Conflict(conflict) => ClientError::Api {
                    status: 409,
                    error: conflict.error(),
                },
                VersionedError::Client(err) => err,
            })
    }

    /// The same save, a conflict answered whole (what changed since
    /// `base`, the levels as they are now) for an editor to explain.
    pub async fn save_tip_levels(
        &self,
        room: &RoomId,
        levels: &TipLevels,
        base: u64,
    ) -> Result<TipLevelsView, TipLevelsError> {
        let path = format!("/api/v1/rooms/{room}/tips/levels?version={base}");
        self.versioned_call(Method::PUT, &path, None, Self::json(levels))
            .await
    }

    /// Import a Lovense pattern file's text as the room's pattern `name`
    /// (replacing one of that name); answers its shape.
    pub async fn put_pattern(
        &self,
        room: &RoomId,
        name: &str,
        text: &str,
    ) -> Result<serde_json::Value, ClientError> {
        let path = format!("/api/v1/rooms/{room}/patterns/{name}");
        let body = serde_json::json!({ "text": text });
        self.call(Method::PUT, &path, None, Self::json(&body)).await
    }

    /// The names of the room's imported patterns.
    pub async fn pattern_names(&self, room: &RoomId) -> Result<Vec<String>, ClientError> {
        #[derive(serde::Deserialize)]
        struct Named {
            name: String,
        }
        let path = format!("/api/v1/rooms/{room}/patterns");
        let got: Vec<Named> = self.call(Method::GET, &path, None, None).await?;
        Ok(got.into_iter().map(|p| p.name).collect())
    }

    /// The text of the room's imported pattern `name` (a Lovense pattern
    /// file).
    pub async fn pattern_text(&self, room: &RoomId, name: &str) -> Result<String, ClientError> {
        #[derive(serde::Deserialize)]
        struct WithText {
            text: String,
        }
        let path = format!("/api/v1/rooms/{room}/patterns/{name}");
        let got: WithText = self.call(Method::GET, &path, None, None).await?;
        Ok(got.text)
    }

    /// Save a shipped template (`classic`, `presets`, `multi_output`) as
    /// the version after `base`.
    pub async fn tip_levels_from_template(
        &self,
        room: &RoomId,
        name: &str,
        base: u64,
    ) -> Result<TipLevelsView, ClientError> {
        let path = format!("/api/v1/rooms/{room}/tips/levels/template");
        let body = serde_json::json!({ "name": name, "version": base });
        self.call(Method::POST, &path, None, Self::json(&body))
            .await
    }

    /// A lane command over REST.
    pub async fn lane(
        &self,
        room: &RoomId,
        action: LaneAction,
        key: &str,
    ) -> Result<Reply, ClientError> {
        let (verb, item) = action.path_and_item();
        let body = serde_json::json!({ "item": item });
        let path = format!("/api/v1/rooms/{room}/lane/{verb}");
        self.call(Method::POST, &path, Some(key), Self::json(&body))
            .await
    }
}

impl RoomStream {
    /// A lane command on the room's socket; its ack arrives as
    /// [`super::StreamEvent::Ack`] with `request_id`.
    pub async fn lane(
        &self,
        request_id: &str,
        key: &str,
        action: LaneAction,
    ) -> Result<(), ClientError> {
        self.command(request_id, key, action.command()).await
    }
}
