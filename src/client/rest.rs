//! The REST client: one method per endpoint, errors as the server sent them.

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::fail_over::{Attempt, FailOver, not_leader, safe_to_retry, with_fail_over};
use super::{ServerList, ServerUrl};
use crate::domain::{Item, ItemId, RefundReason, Reply, RoomId, Tier, UserId};
use crate::protocol::{
    ApiError, Balance, CreateRoom, CreateToken, ErrorCode, Health, Join, Mint, RoomSnapshot,
    TokenCreated, TokenInfo, TokenList,
};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{status}: {error}")]
    Api { status: u16, error: ApiError },
    #[error("cannot reach the server: {0}")]
    Transport(String),
    #[error("unexpected answer from the server: {0}")]
    Decode(String),
    #[error("{status}: the server answered without an API error: {body}")]
    Http { status: u16, body: String },
}

impl ClientError {
    /// The API error code, when the server answered with one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Api { error, .. } => Some(error.code),
            _ => None,
        }
    }
}

#[derive(Clone)]
pub struct RestClient {
    http: reqwest::Client,
    servers: ServerList,
    /// None: requests go without `Authorization` (the public endpoints).
    token: Option<String>,
    fail_over: FailOver,
}

impl RestClient {
    /// A client of one server, or of a leader and its standbys (clones of
    /// one [`ServerList`] follow the leader together).
    pub fn new(servers: impl Into<ServerList>, token: impl Into<String>) -> Self {
        let http = reqwest::Client::builder()
            .tcp_nodelay(true)
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .unwrap_or_default();
        RestClient {
            http,
            servers: servers.into(),
            token: Some(token.into()),
            fail_over: FailOver::default(),
        }
    }

    /// A client of the public endpoints: no token sent.
    pub fn anonymous(servers: impl Into<ServerList>) -> Self {
        RestClient {
            token: None,
            ..Self::new(servers, "")
        }
    }

    /// How long a request refused by a standby or unanswered is tried on
    /// other nodes.
    pub fn with_fail_over(mut self, fail_over: FailOver) -> Self {
        self.fail_over = fail_over;
        self
    }

    /// The node requests go to now.
    pub fn server(&self) -> ServerUrl {
        self.servers.current()
    }

    pub fn servers(&self) -> &ServerList {
        &self.servers
    }

    /// Send a request to the node that leads; the status and the body's
    /// bytes. See [`with_fail_over`] for when it is sent again.
    async fn send(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<(StatusCode, Vec<u8>), ClientError> {
        let safe = safe_to_retry(&method, key);
        with_fail_over(&self.servers, self.fail_over, safe, |node| {
            self.send_to(node, method.clone(), path, key, body.clone())
        })
        .await
    }

    /// One try on one node.
    async fn send_to(
        &self,
        node: ServerUrl,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Attempt<(StatusCode, Vec<u8>)> {
        match self.send_once(&node, method, path, key, body).await {
            Err(error) => Attempt::Unreachable(error),
            Ok((status, bytes)) => match not_leader(status.as_u16(), &bytes) {
                Some(error) => Attempt::NotLeader {
                    leader: error.leader.clone(),
                    error: ClientError::Api {
                        status: status.as_u16(),
                        error,
                    },
                },
                None => Attempt::Answered(Ok((status, bytes))),
            },
        }
    }

    async fn send_once(
        &self,
        node: &ServerUrl,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<(StatusCode, Vec<u8>), ClientError> {
        let mut request = self.http.request(method, node.http(path));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        Ok((status, bytes.to_vec()))
    }

    pub(super) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<T, ClientError> {
        let (status, bytes) = self.send(method, path, key, body).await?;
        Self::decode(status, &bytes)
    }

    /// A success's body, or the API error the server answered.
    fn decode<T: DeserializeOwned>(status: StatusCode, bytes: &[u8]) -> Result<T, ClientError> {
        if status.is_success() {
            return serde_json::from_slice(bytes).map_err(|e| ClientError::Decode(e.to_string()));
        }
        match serde_json::from_slice::<ApiError>(bytes) {
            Ok(error) => Err(ClientError::Api {
                status: status.as_u16(),
                error,
            }),
            Err(_) => Err(ClientError::Http {
                status: status.as_u16(),
                body: String::from_utf8_lossy(bytes).into_owned(),
            }),
        }
    }

    pub(super) fn json(body: &impl Serialize) -> Option<Vec<u8>> {
        serde_json::to_vec(body).ok()
    }

    /// The health of the node that answered. A standby answers 503 with
    /// its health (`role`, `leader`): that is its answer, not an error;
    /// the leader it names is where the next requests go.
    pub async fn health(&self) -> Result<Health, ClientError> {
        let (status, bytes) = self.send(Method::GET, "/healthz", None, None).await?;
        if status == StatusCode::SERVICE_UNAVAILABLE
            && let Ok(health) = serde_json::from_slice::<Health>(&bytes)
        {
            if let Some(leader) = &health.leader {
                self.servers.move_on(&self.servers.current(), Some(leader));
            }
            return Ok(health);
        }
        Self::decode(status, &bytes)
    }

    pub async fn create_room(&self, room: &str, performer: &str) -> Result<Reply, ClientError> {
        let body = CreateRoom {
            room: room.into(),
            performer: performer.into(),
        };
        self.call(Method::POST, "/api/v1/rooms", None, Self::json(&body))
            .await
    }

    pub async fn create_token(&self, spec: &CreateToken) -> Result<TokenCreated, ClientError> {
        self.call(Method::POST, "/api/v1/tokens", None, Self::json(spec))
            .await
    }

    /// Every token (admin), or those of one role.
    pub async fn tokens(&self, role: Option<&str>) -> Result<TokenList, ClientError> {
        let path = match role {
            Some(role) => format!("/api/v1/tokens?role={role}"),
            None => "/api/v1/tokens".to_string(),
        };
        self.call(Method::GET, &path, None, None).await
    }

    pub async fn revoke_token(&self, id: &str) -> Result<TokenInfo, ClientError> {
        self.call(Method::DELETE, &format!("/api/v1/tokens/{id}"), None, None)
            .await
    }

    pub async fn mint(
        &self,
        user: &str,
        amount: u64,
        key: Option<&str>,
    ) -> Result<Reply, ClientError> {
        let path = format!("/api/v1/wallets/{user}/mint");
        self.call(Method::POST, &path, key, Self::json(&Mint { amount }))
            .await
    }

    pub async fn balance(&self, user: &UserId) -> Result<Balance, ClientError> {
        self.call(Method::GET, &format!("/api/v1/wallets/{user}"), None, None)
            .await
    }

    /// Post a canonical intake payload (integration role).
    pub async fn intake(
        &self,
        room: &RoomId,
        payload: &[u8],
        key: &str,
        instant: bool,
    ) -> Result<Reply, ClientError> {
        let mode = if instant { "?mode=instant" } else { "" };
        let path = format!("/api/v1/rooms/{room}/intake{mode}");
        self.call(Method::POST, &path, Some(key), Some(payload.to_vec()))
            .await
    }

    pub async fn join(&self, room: &RoomId, tier: Tier) -> Result<Reply, ClientError> {
        let path = format!("/api/v1/rooms/{room}/join");
        self.call(Method::POST, &path, None, Self::json(&Join { tier }))
            .await
    }

    pub async fn leave(&self, room: &RoomId) -> Result<Reply, ClientError> {
        self.call(
            Method::POST,
            &format!("/api/v1/rooms/{room}/leave"),
            None,
            None,
        )
        .await
    }

    pub async fn broadcast(&self, room: &RoomId, live: bool) -> Result<Reply, ClientError> {
        let which = if live { "start" } else { "end" };
        self.call(
            Method::POST,
            &format!("/api/v1/rooms/{room}/broadcast/{which}"),
            None,
            None,
        )
        .await
    }

    pub async fn start(
        &self,
        room: &RoomId,
        item: Option<ItemId>,
        key: &str,
    ) -> Result<Reply, ClientError> {
        self.stage(room, "start", item, key).await
    }

    pub async fn finish(
        &self,
        room: &RoomId,
        item: Option<ItemId>,
        key: &str,
    ) -> Result<Reply, ClientError> {
        self.stage(room, "finish", item, key).await
    }

    /// Start or finish, naming the item the performer saw.
    async fn stage(
        &self,
        room: &RoomId,
        verb: &str,
        item: Option<ItemId>,
        key: &str,
    ) -> Result<Reply, ClientError> {
        let body = serde_json::json!({ "item": item });
        let path = format!("/api/v1/rooms/{room}/{verb}");
        self.call(Method::POST, &path, Some(key), Self::json(&body))
            .await
    }

    pub async fn refund(
        &self,
        room: &RoomId,
        item: ItemId,
        amount: Option<u64>,
        reason: RefundReason,
        note: Option<&str>,
        key: &str,
    ) -> Result<Reply, ClientError> {
        let body =
            serde_json::json!({ "item": item, "amount": amount, "reason": reason, "note": note });
        self.call(
            Method::POST,
            &format!("/api/v1/rooms/{room}/refund"),
            Some(key),
            Self::json(&body),
        )
        .await
    }

    pub async fn snapshot(&self, room: &RoomId) -> Result<RoomSnapshot, ClientError> {
        self.call(Method::GET, &format!("/api/v1/rooms/{room}"), None, None)
            .await
    }

    pub async fn audit(&self, room: &RoomId, item: ItemId) -> Result<Item, ClientError> {
        self.call(
            Method::GET,
            &format!("/api/v1/rooms/{room}/items/{}", item.0),
            None,
            None,
        )
        .await
    }

    /// Any endpoint, answered as the server answered (a standby's refusal
    /// too, once the fail-over gave up or did not apply).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<(StatusCode, serde_json::Value), ClientError> {
        let (status, bytes) = match self.send(method, path, key, body).await {
            Ok(answer) => answer,
            Err(ClientError::Api { status, error }) => {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                let body = serde_json::to_value(&error).unwrap_or_default();
                return Ok((status, body));
            }
            Err(other) => return Err(other),
        };
        let value = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            serde_json::Value::String(String::from_utf8_lossy(&bytes).into_owned())
        });
        Ok((status, value))
    }
}
