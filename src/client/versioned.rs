//! Calls to a versioned configuration's endpoints (menus, games, tip
//! levels): the answer, the kind's whole `409 version_conflict` body (so
//! an editor can explain it and offer a reload), or another error.

use reqwest::Method;
use serde::de::DeserializeOwned;

use super::{ClientError, RestClient};
use crate::protocol::{ApiError, ErrorCode};

/// A kind's conflict body, as a client reads it.
pub trait ConflictBody: DeserializeOwned + std::fmt::Debug {
    fn code(&self) -> ErrorCode;
    fn message(&self) -> &str;
}

#[derive(Debug)]
pub enum VersionedError<C> {
    Conflict(Box<C>),
    Client(ClientError),
}

impl<C> From<ClientError> for VersionedError<C> {
    fn from(err: ClientError) -> Self {
        VersionedError::Client(err)
    }
}

impl<C: ConflictBody> std::fmt::Display for VersionedError<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VersionedError::Conflict(c) => write!(f, "409: {}", c.message()),
            VersionedError::Client(e) => e.fmt(f),
        }
    }
}

impl<C: ConflictBody> std::error::Error for VersionedError<C> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            VersionedError::Conflict(_) => None,
            VersionedError::Client(e) => Some(e),
        }
    }
}

impl<C: ConflictBody> VersionedError<C> {
    /// The API error code, when the server answered with one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            VersionedError::Conflict(c) => Some(c.code()),
            VersionedError::Client(e) => e.code(),
        }
    }

    /// The server's error, when it sent one (it names the field at fault).
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            VersionedError::Client(ClientError::Api { error, .. }) => Some(error),
            _ => None,
        }
    }
}

impl RestClient {
    /// One call; a `409` that carries versions comes back as the kind's
    /// conflict body `C`.
    pub async fn versioned_call<T: DeserializeOwned, C: ConflictBody>(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<T, VersionedError<C>> {
        let (status, answer) = self.raw(method, path, key, body).await?;
        if status.is_success() {
            return serde_json::from_value(answer)
                .map_err(|e| ClientError::Decode(e.to_string()).into());
        }
        if answer.get("currentVersion").is_some()
            && let Ok(conflict) = serde_json::from_value::<C>(answer.clone())
        {
            return Err(VersionedError::Conflict(Box::new(conflict)));
        }
        Err(match serde_json::from_value::<ApiError>(answer.clone()) {
            Ok(error) => ClientError::Api {
                status: status.as_u16(),
                error,
            },
            Err(_) => ClientError::Http {
                status: status.as_u16(),
                body: answer.to_string(),
            },
        }
        .into())
    }
}
