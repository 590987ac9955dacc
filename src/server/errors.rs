//! Errors as the API reports them: a stable code, a message, the field at
//! fault, and the HTTP status that goes with the code.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::domain::DomainError;
use crate::protocol::ApiError;

/// Codes the server adds to the engine's own ([`DomainError::CODES`]).
pub const SERVER_CODES: &[&str] = &[
    "unauthorized",
    "forbidden",
    "missing_idempotency_key",
    "bad_frame",
    "already_subscribed",
    "rate_limited",
    "payload_too_large",
    "unavailable",
    "internal",
    // Chip menus (src/menus, issue 7).
    "unknown_menu",
    "unknown_menu_item",
    "version_conflict",
    "menu_restricted",
    "daily_limit_reached",
    "zero_price",
];

pub fn domain_error(err: &DomainError) -> ApiError {
    ApiError::from(err)
}

pub fn unavailable() -> ApiError {
    ApiError::new(
        "unavailable",
        "the server cannot take commands now; try again later",
    )
}

pub fn bad_request(field: &str, message: impl Into<String>) -> ApiError {
    ApiError {
        code: "invalid_field".into(),
        message: message.into(),
        field: Some(field.into()),
    }
}

/// The HTTP status for an error code.
pub fn status(code: &str) -> StatusCode {
    match code {
        "unauthorized" => StatusCode::UNAUTHORIZED,
        "forbidden" | "menu_restricted" => StatusCode::FORBIDDEN,
        "invalid_field" | "forbidden_field" | "bad_frame" | "missing_idempotency_key" => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        "unknown_room" | "unknown_item" | "not_found" | "unknown_menu" | "unknown_menu_item" => {
            StatusCode::NOT_FOUND
        }
        "insufficient_funds" => StatusCode::PAYMENT_REQUIRED,
        "payload_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        "rate_limited" => StatusCode::TOO_MANY_REQUESTS,
        "unavailable" => StatusCode::SERVICE_UNAVAILABLE,
        "internal" => StatusCode::INTERNAL_SERVER_ERROR,
        "idempotency_conflict"
        | "duplicate_source_event"
        | "room_exists"
        | "not_live"
        | "already_live"
        | "not_head"
        | "queue_empty"
        | "busy"
        | "nothing_in_progress"
        | "not_in_progress"
        | "item_closed"
        | "not_in_room"
        | "overflow"
        | "version_conflict"
        | "daily_limit_reached"
        | "zero_price" => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// An `ApiError` as an HTTP response.
pub struct HttpError(pub ApiError);

impl From<ApiError> for HttpError {
    fn from(err: ApiError) -> Self {
        HttpError(err)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        (status(&self.0.code), Json(self.0)).into_response()
    }
}
