//! The HTTP API: JSON in and out, bearer tokens, `{code, message, field}`
//! errors with the right status.

use crate::protocol::ErrorCode;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::sync::watch;

use super::auth::{Permission, Principal, TokenRole, Tokens};
use super::config::ServerConfig;
use super::engine_task::{CoreHandle, snapshot};
use super::errors::{HttpError, bad_request};
use super::extract::{ApiPath, no_route, parse, wrong_method};
use super::metrics::Metrics;
use super::queue_http::{
    broadcast_end, broadcast_start, finish, intake, join, leave, refund, start,
};
use super::templates::Templates;
use crate::domain::item::Role as AuditRole;
use crate::domain::{Actor, Command, IdemKey, ItemId, Reply, Request, RoomId, UserId};
use crate::protocol::{ApiError, Balance, CreateRoom, Health, Mint, PROTOCOL_VERSION};

/// Everything a handler needs.
#[derive(Clone)]
pub struct App {
    pub core: CoreHandle,
    pub tokens: Arc<Tokens>,
    pub templates: Arc<Templates>,
    pub metrics: Arc<Metrics>,
    pub config: Arc<ServerConfig>,
    pub shutdown: watch::Receiver<bool>,
    /// Chip menus (routes in `menus_http.rs`).
    pub menus: Arc<crate::menus::MenuStore>,
    /// Whole item records, open or closed.
    pub records: Arc<super::records::Records>,
    /// The moderation log's rows (routes in `moderation_http.rs`).
    pub moderation_log: Arc<crate::store::ModerationLog>,
    /// The rooms' slot machines and spin wheels (`games_http.rs`).
    pub games: Arc<super::games_book::GameBook>,
    /// The rooms' tip levels (`tip_book.rs`).
    pub tips: Arc<super::tip_book::TipBook>,
    /// The rooms' imported patterns (`patterns_http.rs`).
    pub patterns: Arc<super::patterns_http::PatternBook>,
    /// Performer consoles per room, for the lane's lost-console rule.
    pub lane_consoles: Arc<super::tips_http::LaneConsoles>,
    /// Broadcasts and their reports (`report_http.rs`).
    pub broadcasts: Arc<crate::store::BroadcastDb>,
    /// Loyalty points history (`points_history_http.rs`).
    pub points_history: Arc<crate::store::PointsHistory>,
    /// The delivery service of private messages (`postman.rs`).
    pub postman: super::postman::PostmanHandle,
    /// Private messages' history and figures (`messages_http.rs`).
    pub message_db: Arc<crate::store::MessageDb>,
    /// The performer's reply limits.
    pub reply_rates: Arc<std::sync::Mutex<crate::domain::outbox::reply::ReplyRates>>,
}

pub(super) type Reply_<T> = Result<Json<T>, HttpError>;

impl App {
    /// `unknown_room` unless `room` exists.
    pub(super) async fn require_room(&self, room: &RoomId) -> Result<(), ApiError> {
        let wanted = room.clone();
        let exists = self
            .core
            .query(move |engine| engine.room_info(&wanted).is_some())
            .await?;
        if exists {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::UnknownRoom,
                format!("room `{room}` does not exist"),
            ))
        }
    }

    pub(super) fn refuse(&self, err: ApiError) -> HttpError {
        self.metrics.error(err.code);
        HttpError(err)
    }
}

/// The caller, from `Authorization: Bearer <token>`.
pub struct Authed(pub Principal);

pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

impl FromRequestParts<App> for Authed {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let now = app.config.clock.now();
        let principal =
            bearer(&parts.headers).and_then(|token| app.tokens.authenticate_at(token, now));
        principal.map(Authed).ok_or_else(|| {
            app.refuse(ApiError::new(
                ErrorCode::Unauthorized,
                "a valid bearer token is required (Authorization: Bearer <token>)",
            ))
        })
    }
}

/// The audit actor for a principal: role and token id, never a name.
pub fn actor(principal: &Principal) -> Actor {
    let role = match principal.role {
        TokenRole::Admin => AuditRole::Admin,
        TokenRole::Integration => AuditRole::Integration,
        TokenRole::Performer => AuditRole::Performer,
        TokenRole::Moderator => AuditRole::Moderator,
        TokenRole::Viewer => AuditRole::Viewer,
    };
    Actor::new(role, principal.token_id.as_str())
}

pub(super) fn idempotency_key(
    headers: &HeaderMap,
    required: bool,
) -> Result<Option<IdemKey>, ApiError> {
    match headers.get("idempotency-key").map(|v| v.to_str()) {
        Some(Ok(key)) if !key.trim().is_empty() => Ok(Some(IdemKey::new(key.trim()))),
        Some(_) => Err(bad_request("Idempotency-Key", "must be visible ASCII text")),
        None if required => Err(ApiError {
            code: ErrorCode::MissingIdempotencyKey,
            message: "this request needs an Idempotency-Key header: one per intended action, reused on retry".into(),
            field: Some("Idempotency-Key".into()),
            leader: None,
        }),
        None => Ok(None),
    }
}

pub fn routes(app: App) -> Router {
    Router::new()
        .route("/healthz", get(health))
        .route("/metrics", get(metrics))
        .route("/ws", get(super::ws::upgrade))
        .route("/api/v1/rooms", post(create_room).get(list_rooms))
        .route("/api/v1/rooms/{room}", get(room_snapshot))
        .route("/api/v1/rooms/{room}/intake", post(intake))
        .route("/api/v1/rooms/{room}/join", post(join))
        .route("/api/v1/rooms/{room}/leave", post(leave))
        .route(
            "/api/v1/rooms/{room}/broadcast/start",
            post(broadcast_start),
        )
        .route("/api/v1/rooms/{room}/broadcast/end", post(broadcast_end))
        .route("/api/v1/rooms/{room}/start", post(start))
        .route("/api/v1/rooms/{room}/finish", post(finish))
        .route("/api/v1/rooms/{room}/refund", post(refund))
        .route("/api/v1/rooms/{room}/items/{item}", get(audit))
        .route(
            "/api/v1/tokens",
            post(super::tokens_http::create_token).get(super::tokens_http::list_tokens),
        )
        .route(
            "/api/v1/tokens/{id}",
            axum::routing::delete(super::tokens_http::revoke_token),
        )
        .route("/api/v1/wallets/{user}", get(balance))
        .route("/api/v1/wallets/{user}/mint", post(mint))
        .merge(super::menus_http::routes())
        .merge(super::moderation_http::routes())
        .merge(super::points_http::routes())
        .merge(super::points_history_http::routes())
        .merge(super::games_http::routes())
        .merge(super::spins_http::routes())
        .merge(super::tips_http::routes())
        .merge(super::patterns_http::routes())
        .merge(super::tip_levels_http::routes())
        .merge(super::report_http::routes())
        .merge(super::messages_http::routes())
        .merge(super::reply_http::routes())
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::extract::DefaultBodyLimit::max(
            app.config.max_frame_bytes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            super::room_guard::RoomGuard::new(app.clone()),
            super::room_guard::unknown_room,
        ))
        .with_state(app)
}

async fn health(State(app): State<App>) -> Json<Health> {
    let (role, leader) = app
        .metrics
        .node()
        .map_or((None, None), |node| node.health_fields());
    Json(Health {
        ok: true,
        protocol: PROTOCOL_VERSION,
        epoch: app.core.epoch().to_string(),
        role,
        leader,
    })
}

async fn metrics(State(app): State<App>) -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        app.metrics.render(),
    )
}

pub(super) async fn run(app: &App, request: Request) -> Result<Reply, HttpError> {
    app.core.execute(request).await.map_err(|e| app.refuse(e))
}

async fn create_room(
    State(app): State<App>,
    Authed(who): Authed,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<Reply> {
    who.require(Permission::CreateRoom)
        .map_err(|e| app.refuse(e))?;
    let key = idempotency_key(&headers, false).map_err(|e| app.refuse(e))?;
    let spec: CreateRoom = parse(body).map_err(|e| app.refuse(e))?;
    let command = Command::CreateRoom {
        room: spec.room,
        performer: spec.performer.as_str().into(),
    };
    Ok(Json(run(&app, Request { key, command }).await?))
}

async fn mint(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(user): ApiPath<UserId>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<Reply> {
    who.require(Permission::Mint).map_err(|e| app.refuse(e))?;
    let key = idempotency_key(&headers, false).map_err(|e| app.refuse(e))?;
    let Mint { amount } = parse(body).map_err(|e| app.refuse(e))?;
    Ok(Json(
        run(
            &app,
            Request {
                key,
                command: Command::Mint { user, amount },
            },
        )
        .await?,
    ))
}

async fn balance(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(user): ApiPath<UserId>,
) -> Reply_<Balance> {
    who.require(Permission::ReadBalance(&user))
        .map_err(|e| app.refuse(e))?;
    let balance = app
        .core
        .query(move |engine| Balance {
            tokens: engine.ledger().wallet(&user),
            points: engine.ledger().points(&user),
            user,
        })
        .await
        .map_err(|e| app.refuse(e))?;
    Ok(Json(balance))
}

/// The rooms in the caller's scope: every room for an admin, the token's
/// rooms that exist for a performer or moderator.
async fn list_rooms(
    State(app): State<App>,
    Authed(who): Authed,
) -> Reply_<crate::protocol::RoomList> {
    who.require(Permission::ReadModeration)
        .map_err(|e| app.refuse(e))?;
    let scope = (who.role != TokenRole::Admin).then(|| who.rooms.clone());
    let rooms = app
        .core
        .query(move |engine| {
            engine
                .room_ids()
                .filter(|room| scope.as_ref().is_none_or(|s| s.contains(room)))
                .cloned()
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| app.refuse(e))?;
    let mut rooms = rooms;
    rooms.sort();
    Ok(Json(crate::protocol::RoomList { rooms }))
}

async fn room_snapshot(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
) -> Reply_<crate::protocol::RoomSnapshot> {
    who.require(Permission::Watch(&room))
        .map_err(|e| app.refuse(e))?;
    let epoch = app.core.epoch().to_string();
    let missing = ApiError::new(
        ErrorCode::UnknownRoom,
        format!("room `{room}` does not exist"),
    );
    let found = app
        .core
        .query(move |engine| snapshot(engine, &room, &epoch))
        .await
        .map_err(|e| app.refuse(e))?;
    found.map(Json).ok_or_else(|| app.refuse(missing))
}

async fn audit(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, item)): ApiPath<(RoomId, u64)>,
) -> Reply_<crate::domain::Item> {
    who.require(Permission::Watch(&room))
        .map_err(|e| app.refuse(e))?;
    let missing = ApiError::new(
        ErrorCode::UnknownItem,
        format!("item #{item} does not exist in room `{room}`"),
    );
    let found = app
        .records
        .item(&app.core, room, ItemId(item))
        .await
        .map_err(|e| app.refuse(e))?;
    found.map(Json).ok_or_else(|| app.refuse(missing))
}
