//! Request parts read the API's way: a path or query string that does not
//! parse is an `invalid_field` JSON error naming the parameter, like every
//! other refusal, and unknown routes and wrong methods answer in the same
//! shape. Bodies are parsed strictly (duplicate keys refused).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{FromRequestParts, Path, RawPathParams};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::errors::{HttpError, domain_error};
use super::http::App;
use crate::domain::json;
use crate::protocol::{ApiError, ErrorCode};

/// Path parameters; a value that does not parse names its parameter.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<App> for ApiPath<T> {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, HttpError> {
        match Path::<T>::from_request_parts(parts, app).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => {
                let raw: Vec<(String, String)> = RawPathParams::from_request_parts(parts, app)
                    .await
                    .map(|raw| {
                        raw.iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect()
                    })
                    .unwrap_or_default();
                Err(app.refuse(path_error(&rejection, &raw)))
            }
        }
    }
}

/// `raw`: the path's parameters, (name, value), in order.
fn path_error(rejection: &PathRejection, raw: &[(String, String)]) -> ApiError {
    use axum::extract::path::ErrorKind;
    let PathRejection::FailedToDeserializePathParams(failed) = rejection else {
        return ApiError::new(ErrorCode::Internal, rejection.body_text());
    };
    let (field, value, expected) = match failed.kind() {
        ErrorKind::ParseErrorAtKey {
            key,
            value,
            expected_type,
        } => (Some(key.clone()), value, *expected_type),
        ErrorKind::ParseErrorAtIndex {
            index,
            value,
            expected_type,
        } => (
            raw.get(*index).map(|(name, _)| name.clone()),
            value,
            *expected_type,
        ),
        ErrorKind::ParseError {
            value,
            expected_type,
        } => (
            raw.iter()
                .find(|(_, raw_value)| raw_value == value)
                .or(raw.first())
                .map(|(name, _)| name.clone()),
            value,
            *expected_type,
        ),
        ErrorKind::DeserializeError {
            key,
            value,
            message,
        } => {
            return ApiError::invalid(key, format!("{value:?} in the path: {message}"));
        }
        other => {
            // A value of an enum (`{game}`, `{switch}`) fails with a message
            // that quotes it: name the parameter that holds that value.
            let message = other.to_string();
            let field = raw
                .iter()
                .find(|(_, value)| message.contains(&format!("`{value}`")))
                .or(raw.first())
                .map_or("path", |(name, _)| name.as_str());
            return ApiError::invalid(field, message);
        }
    };
    let expected = match expected {
        "u64" => "a whole number from 0 to 18446744073709551615",
        "u32" => "a whole number from 0 to 4294967295",
        other => other,
    };
    let message = format!("{value:?} in the path is not {expected}");
    ApiError::invalid(field.unwrap_or_else(|| "path".to_string()), message)
}

/// The query string; a bad one names the parameter (`field`), always.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<App> for ApiQuery<T> {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, HttpError> {
        let query = parts.uri.query().unwrap_or_default();
        query_value(query).map(ApiQuery).map_err(|e| app.refuse(e))
    }
}

/// Parse a query string as `T`; the parameter at fault is named by the
/// path of the failing value, or by the field a missing/unknown-field
/// message quotes, or else `query` (the whole string).
fn query_value<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let pairs = form_urlencoded::parse(query.as_bytes());
    serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs)).map_err(|err| {
        let path = err.path().to_string();
        let message = err.inner().to_string();
        let quoted = ["missing field `", "unknown field `"]
            .iter()
            .find_map(|prefix| message.split(prefix).nth(1))
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string);
        let field = match (path.as_str(), quoted) {
            ("." | "", Some(quoted)) => quoted,
            ("." | "", None) => "query".to_string(),
            (path, _) => path.to_string(),
        };
        let value = form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| *k == field)
            .map(|(_, v)| format!(" (`{v}`)"))
            .unwrap_or_default();
        ApiError::invalid(
            field.clone(),
            format!("query parameter `{field}`{value}: {message}"),
        )
    })
}

/// A request body that could not be read: too large, or cut off.
pub fn body_error(err: BytesRejection) -> ApiError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            "the request body is larger than the server accepts",
        )
    } else {
        ApiError::new(ErrorCode::InvalidField, err.body_text())
    }
}

/// Parse a JSON body strictly as `T`; an empty body reads as `{}`.
pub fn parse<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let body = body.map_err(body_error)?;
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &body
    };
    json::from_slice(body).map_err(|e| domain_error(&e))
}

/// Every path that matches no route.
pub async fn no_route(app: axum::extract::State<App>, uri: axum::http::Uri) -> HttpError {
    app.refuse(ApiError::new(
        ErrorCode::NotFound,
        format!("no endpoint at {}; see docs/PROTOCOL.md", uri.path()),
    ))
}

/// A route called with a method it does not take.
pub async fn wrong_method(
    app: axum::extract::State<App>,
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> HttpError {
    app.refuse(ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!("{} does not take {method}", uri.path()),
    ))
}

/// Query parameters as a plain map (the menu endpoints read them by name).
pub type QueryMap = HashMap<String, String>;
