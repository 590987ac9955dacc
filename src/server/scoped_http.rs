//! The HTTP plumbing every performer-scoped configuration shares (chip
//! menus, games, tip levels; see `crate::scoped`): one refusal type that
//! carries an API error or a kind's own `409` conflict body, the editor's
//! permission, strict bodies, the "based on version" query, store calls
//! off the async threads, and the viewer-action checks (a viewer token, a
//! required key, never a price in the body).

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::auth::{Permission, Principal};
use super::errors::status;
use super::extract::body_error;
use super::http::{App, idempotency_key};
use crate::domain::{IdemKey, RoomId, UserId};
use crate::protocol::{ApiError, ErrorCode};
use crate::scoped::ScopedConfig;
use crate::scoped::fields::{from_json, invalid};

/// A refusal as a response: `{code, message, field}`, or a kind's whole
/// conflict body, with `Retry-After` when the viewer must wait.
pub struct Refusal {
    code: ErrorCode,
    /// Boxed: a refusal travels in every handler's `Result`.
    response: Box<Response>,
}

impl Refusal {
    /// A response with `body` under the code's status.
    pub fn body(code: ErrorCode, body: impl Serialize) -> Refusal {
        Refusal {
            code,
            response: Box::new((status(code), Json(body)).into_response()),
        }
    }

    /// The same, telling the client when to try again.
    pub fn retry_after(mut self, seconds: u64) -> Refusal {
        self.response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            HeaderValue::from(seconds.max(1)),
        );
        self
    }
}

impl From<ApiError> for Refusal {
    fn from(err: ApiError) -> Self {
        Refusal::body(err.code, err)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        *self.response
    }
}

pub type Answer<T> = Result<Json<T>, Refusal>;

/// A refusal, counted in the metrics.
pub fn refuse(app: &App, err: impl Into<Refusal>) -> Refusal {
    let refusal = err.into();
    app.metrics.error(refusal.code);
    refusal
}

/// The configuration is edited by whom `permission` allows (the room's
/// performer and admins).
pub fn require_editor(
    app: &App,
    who: &Principal,
    permission: Permission<'_>,
) -> Result<(), Refusal> {
    who.require(permission).map_err(|e| refuse(app, e))
}

pub async fn require_room(app: &App, room: &RoomId) -> Result<(), Refusal> {
    app.require_room(room).await.map_err(|e| refuse(app, e))
}

/// Who made a change, for the version history: role and token id.
pub fn by(who: &Principal) -> String {
    format!("{}:{}", who.role.as_str(), who.token_id)
}

/// The body as JSON (an empty body is `{}`).
pub fn body_json(body: Result<Bytes, BytesRejection>) -> Result<Value, ApiError> {
    let body = body.map_err(body_error)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    crate::domain::json::parse_value(&body).map_err(|e| ApiError::from(&e))
}

/// A request body as `T`: JSON, no computed fields, errors naming the field.
pub fn parse_body<T: DeserializeOwned>(
    app: &App,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, Refusal> {
    body_json(body)
        .and_then(from_json)
        .map_err(|e| refuse(app, e))
}

/// A request body as `T`, strict but without the computed-field check.
pub fn parse_plain<T: DeserializeOwned>(
    app: &App,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, Refusal> {
    body_json(body)
        .and_then(crate::scoped::fields::from_json_plain)
        .map_err(|e| refuse(app, e))
}

/// A configuration body, read the way its kind reads it.
pub fn parse_config<C: ScopedConfig>(
    app: &App,
    body: Result<Bytes, BytesRejection>,
) -> Result<C, Refusal> {
    body_json(body)
        .and_then(C::parse)
        .map_err(|e| refuse(app, e))
}

/// `?version=N`: the version a deletion is based on.
pub fn version_query(query: &HashMap<String, String>) -> Result<u64, ApiError> {
    let text = query.get("version").ok_or_else(|| {
        invalid(
            "version",
            "required: the version this change is based on (`?version=N`)",
        )
    })?;
    text.parse()
        .map_err(|_| invalid("version", format!("{text:?} is not a version number")))
}

/// Run a store call off the async threads (it writes SQLite); `what`
/// names the store in the error when the task itself fails.
pub async fn blocking<T: Send + 'static, E: Into<Refusal> + Send + 'static>(
    app: &App,
    what: &str,
    f: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, Refusal> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(|e| refuse(app, e)),
        Err(e) => Err(refuse(
            app,
            ApiError::new(ErrorCode::Internal, format!("{what} task failed: {e}")),
        )),
    }
}

/// The viewer acting (a spin, a purchase, a tip): `permission` allows it
/// and the token is a viewer's; `verb` says what only a viewer does.
pub fn viewer(
    app: &App,
    who: &Principal,
    permission: Permission<'_>,
    verb: &str,
) -> Result<UserId, Refusal> {
    who.require(permission).map_err(|e| refuse(app, e))?;
    who.user.clone().ok_or_else(|| {
        refuse(
            app,
            ApiError::new(ErrorCode::Forbidden, format!("only a viewer token {verb}")),
        )
    })
}

/// A viewer action's `Idempotency-Key`, required.
pub fn required_key(app: &App, headers: &HeaderMap) -> Result<IdemKey, Refusal> {
    idempotency_key(headers, true)
        .map_err(|e| refuse(app, e))?
        .ok_or_else(|| refuse(app, ApiError::new(ErrorCode::Internal, "no key")))
}

/// A viewer action's body: never a price anywhere in it (`whose` says
/// where the server takes the price from).
pub fn no_price(app: &App, value: &Value, whose: &str) -> Result<(), Refusal> {
    match crate::domain::price_fields::find_price(value, "") {
        Some(field) => Err(refuse(
            app,
            ApiError {
                code: ErrorCode::ForbiddenField,
                message: format!(
                    "forbidden field `{field}`: a client never sends a price; {whose}"
                ),
                field: Some(field),
                leader: None,
            },
        )),
        None => Ok(()),
    }
}

/// An intake refused by the engine: a balance is not a field of the body.
pub fn intake_refused(app: &App, mut err: ApiError) -> Refusal {
    if err.code == ErrorCode::InsufficientFunds {
        err.field = None;
    }
    refuse(app, err)
}
