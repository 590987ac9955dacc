//! Errors as the API reports them: a stable code, a message, the field at
//! fault, and the HTTP status that goes with the code (from [`ErrorCode`]).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::domain::DomainError;
use crate::protocol::{ApiError, ErrorCode};

pub fn domain_error(err: &DomainError) -> ApiError {
    ApiError::from(err)
}

pub fn unavailable() -> ApiError {
    ApiError::new(
        ErrorCode::Unavailable,
        "the server cannot take commands now; try again later",
    )
}

pub fn bad_request(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::invalid(field, message)
}

/// The HTTP status for an error code. Codes that only frames carry answer
/// 400 if they ever reach HTTP.
pub fn status(code: ErrorCode) -> StatusCode {
    code.http_status()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::BAD_REQUEST)
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
        (status(self.0.code), Json(self.0)).into_response()
    }
}
