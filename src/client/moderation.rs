//! The moderation endpoints of the REST client: bans, pauses, kill
//! switches and the moderation log.

use reqwest::Method;

use super::{ClientError, RestClient};
use crate::domain::{ModerationAction, Reply, RoomId, Switch, UserId};
use crate::protocol::{
    BanList, BanRequest, BanScope, ModerationPage, PauseRequest, SwitchList, SwitchRequest,
};

/// Filters of the moderation log; all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogQuery {
    pub room: Option<RoomId>,
    pub action: Option<ModerationAction>,
    pub target: Option<String>,
    /// The acting token's id.
    pub actor: Option<String>,
    /// Rows at or after this server stamp (µs).
    pub since: Option<i64>,
    pub before: Option<i64>,
    pub limit: Option<usize>,
}

impl LogQuery {
    fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(room) = &self.room {
            parts.push(format!("room={room}"));
        }
        if let Some(action) = self.action {
            parts.push(format!("action={}", action.as_str()));
        }
        if let Some(target) = &self.target {
            parts.push(format!("target={target}"));
        }
        if let Some(actor) = &self.actor {
            parts.push(format!("actor={actor}"));
        }
        if let Some(since) = self.since {
            parts.push(format!("since={since}"));
        }
        if let Some(before) = self.before {
            parts.push(format!("before={before}"));
        }
        if let Some(limit) = self.limit {
            parts.push(format!("limit={limit}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

impl RestClient {
    pub async fn ban(
        &self,
        room: &RoomId,
        ban: &BanRequest,
        key: Option<&str>,
    ) -> Result<Reply, ClientError> {
        let path = format!("/api/v1/rooms/{room}/bans");
        self.call(Method::POST, &path, key, Self::json(ban)).await
    }

    pub async fn unban(
        &self,
        room: &RoomId,
        user: &UserId,
        scope: BanScope,
    ) -> Result<Reply, ClientError> {
        let scope = match scope {
            BanScope::Room => "room",
            BanScope::All => "all",
        };
        let path = format!("/api/v1/rooms/{room}/bans/{user}?scope={scope}");
        self.call(Method::DELETE, &path, None, None).await
    }

    /// The rooms in the token's scope (every room for an admin).
    pub async fn rooms(&self) -> Result<Vec<RoomId>, ClientError> {
        let list: crate::protocol::RoomList =
            self.call(Method::GET, "/api/v1/rooms", None, None).await?;
        Ok(list.rooms)
    }

    pub async fn bans(&self, room: &RoomId) -> Result<BanList, ClientError> {
        let path = format!("/api/v1/rooms/{room}/bans");
        self.call(Method::GET, &path, None, None).await
    }

    pub async fn pause(&self, room: &RoomId, note: Option<&str>) -> Result<Reply, ClientError> {
        let body = PauseRequest {
            note: note.map(str::to_string),
        };
        let path = format!("/api/v1/rooms/{room}/pause");
        self.call(Method::POST, &path, None, Self::json(&body))
            .await
    }

    pub async fn resume(&self, room: &RoomId) -> Result<Reply, ClientError> {
        let path = format!("/api/v1/rooms/{room}/resume");
        self.call(Method::POST, &path, None, None).await
    }

    pub async fn switches(&self) -> Result<SwitchList, ClientError> {
        self.call(Method::GET, "/api/v1/switches", None, None).await
    }

    pub async fn set_switch(
        &self,
        switch: Switch,
        on: bool,
        note: Option<&str>,
    ) -> Result<Reply, ClientError> {
        let body = SwitchRequest {
            on,
            note: note.map(str::to_string),
        };
        let path = format!("/api/v1/switches/{switch}");
        self.call(Method::PUT, &path, None, Self::json(&body)).await
    }

    pub async fn moderation_log(&self, query: &LogQuery) -> Result<ModerationPage, ClientError> {
        let path = format!("/api/v1/moderation{}", query.to_query());
        self.call(Method::GET, &path, None, None).await
    }
}
