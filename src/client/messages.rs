//! Typed calls for private messages: a viewer's pull and read marks, the
//! performer's replies, a room's history and the delivery figures; and the
//! address of a viewer's inbox stream.

use reqwest::Method;

use super::ServerUrl;
use super::rest::{ClientError, RestClient};
use crate::domain::RoomId;
use crate::protocol::{
    DeliveryFigures, InboxPage, MarkRead, MarkedRead, MessageHistory, ReplyBody, ReplySent,
};

impl ServerUrl {
    /// The viewer's inbox stream, resuming after `after` in `epoch`.
    pub fn inbox(&self, resume: Option<(&str, u64)>) -> String {
        let base = self.websocket();
        let base = base.trim_end_matches("/ws");
        match resume {
            Some((epoch, after)) => {
                format!("{base}/api/v1/me/inbox/ws?after={after}&epoch={epoch}")
            }
            None => format!("{base}/api/v1/me/inbox/ws"),
        }
    }
}

impl RestClient {
    /// The caller's inbox after inbox number `after`; what is due is
    /// delivered by this call.
    pub async fn inbox(&self, after: u64) -> Result<InboxPage, ClientError> {
        let path = format!("/api/v1/me/messages?after={after}");
        self.call(Method::GET, &path, None, None).await
    }

    pub async fn mark_read(&self, ids: Vec<u64>) -> Result<MarkedRead, ClientError> {
        let body = Self::json(&MarkRead { ids });
        self.call(Method::POST, "/api/v1/me/messages/read", None, body)
            .await
    }

    pub async fn reply(&self, room: &RoomId, reply: &ReplyBody) -> Result<ReplySent, ClientError> {
        let path = format!("/api/v1/rooms/{room}/replies");
        self.call(Method::POST, &path, None, Self::json(reply))
            .await
    }

    /// A room's messages, newest first; `query` is the query string
    /// (`viewer=u1&status=read`...).
    pub async fn message_history(
        &self,
        room: &RoomId,
        query: &str,
    ) -> Result<MessageHistory, ClientError> {
        let path = format!("/api/v1/rooms/{room}/messages?{query}");
        self.call(Method::GET, &path, None, None).await
    }

    pub async fn delivery_figures(&self, query: &str) -> Result<DeliveryFigures, ClientError> {
        let path = format!("/api/v1/messages/figures?{query}");
        self.call(Method::GET, &path, None, None).await
    }
}
