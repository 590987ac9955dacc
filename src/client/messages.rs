//! Typed calls for private messages: a viewer's pull and read marks, the
//! performer's replies, a room's history and the delivery figures; and the
//! address of a viewer's inbox stream.

use reqwest::Method;

use super::fail_over::{Attempt, FailOver, upgrade_failed, with_fail_over};
use super::rest::{ClientError, RestClient};
use super::{AsServerList, ServerUrl};
use crate::domain::RoomId;
use crate::protocol::{
    DeliveryFigures, InboxClientFrame, InboxFrame, InboxMessage, InboxPage, MarkRead, MarkedRead,
    MessageHistory, ReplyBody, ReplyCatalog, ReplySent,
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

    /// The reply templates in the tier wording of `item`'s viewer.
    pub async fn reply_catalog(
        &self,
        room: &RoomId,
        item: crate::domain::ItemId,
    ) -> Result<ReplyCatalog, ClientError> {
        let path = format!("/api/v1/rooms/{room}/replies/templates?item={}", item.0);
        self.call(Method::GET, &path, None, None).await
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

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A viewer's own inbox stream: their private messages as each one's tier
/// time comes. Resume with the epoch and the highest `seq` seen.
pub struct InboxSocket {
    socket: Socket,
    pub epoch: String,
    /// The highest inbox number seen on this socket (or resumed from).
    pub seq: u64,
}

impl InboxSocket {
    /// Open the inbox on the node that leads (a standby's refusal or a
    /// node not reached moves on, as a REST read does).
    pub async fn connect(
        servers: &impl AsServerList,
        token: &str,
        resume: Option<(&str, u64)>,
    ) -> Result<Self, ClientError> {
        let servers = servers.server_list();
        let socket = with_fail_over(&servers, FailOver::default(), true, |node| async move {
            Self::open(&node, token, resume).await
        })
        .await?;
        Ok(InboxSocket {
            socket,
            epoch: String::new(),
            seq: resume.map_or(0, |(_, seq)| seq),
        })
    }

    /// One try on one node.
    async fn open(node: &ServerUrl, token: &str, resume: Option<(&str, u64)>) -> Attempt<Socket> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = match node.inbox(resume).into_client_request() {
            Ok(request) => request,
            Err(e) => return Attempt::Answered(Err(ClientError::Transport(e.to_string()))),
        };
        let Ok(header) = format!("Bearer {token}").parse() else {
            let error = ClientError::Transport("the token is not a header value".into());
            return Attempt::Answered(Err(error));
        };
        request.headers_mut().insert("Authorization", header);
        match tokio_tungstenite::connect_async(request).await {
            Ok((socket, _)) => Attempt::Answered(Ok(socket)),
            Err(err) => upgrade_failed(node, err),
        }
    }

    /// The next message (hello and resumed frames are taken in passing);
    /// `None` once the stream has closed.
    pub async fn next_message(&mut self) -> Result<Option<InboxMessage>, ClientError> {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        while let Some(frame) = self.socket.next().await {
            let frame = frame.map_err(|e| ClientError::Transport(e.to_string()))?;
            let Message::Text(text) = frame else { continue };
            let frame: InboxFrame =
                serde_json::from_str(&text).map_err(|e| ClientError::Decode(e.to_string()))?;
            match frame {
                InboxFrame::Hello { epoch, .. } => self.epoch = epoch,
                InboxFrame::Message { message } => {
                    self.seq = self.seq.max(message.seq.unwrap_or(0));
                    return Ok(Some(*message));
                }
                InboxFrame::Resumed { .. } => {}
                InboxFrame::Error { error } => {
                    return Err(ClientError::Api { status: 0, error });
                }
            }
        }
        Ok(None)
    }

    /// Mark messages read on the stream.
    pub async fn mark_read(&mut self, ids: Vec<u64>) -> Result<(), ClientError> {
        use futures_util::SinkExt;
        let frame = serde_json::to_string(&InboxClientFrame::Read { ids })
            .map_err(|e| ClientError::Decode(e.to_string()))?;
        self.socket
            .send(tokio_tungstenite::tungstenite::Message::Text(frame.into()))
            .await
            .map_err(|e| ClientError::Transport(e.to_string()))
    }
}
