//! The token endpoints (admin only): mint, list by role, revoke by id.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;

use super::auth::{Permission, TokenRole};
use super::extract::{ApiPath, ApiQuery, QueryMap, parse};
use super::http::{App, Authed, Reply_};
use crate::protocol::{ApiError, CreateToken, TokenCreated, TokenInfo, TokenList};

pub(super) async fn create_token(
    State(app): State<App>,
    Authed(who): Authed,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<TokenCreated> {
    who.require(Permission::ManageTokens)
        .map_err(|e| app.refuse(e))?;
    let spec: CreateToken = parse(body).map_err(|e| app.refuse(e))?;
    super::moderation_http::refuse_if_switched(&app, crate::domain::Switch::Tokens).await?;
    let now = app.config.clock.now();
    let (token, id) = app.tokens.create(&spec, now).map_err(|e| app.refuse(e))?;
    tracing::info!(by = %who.token_id, token = %id, role = %spec.role, "token created");
    Ok(Json(TokenCreated {
        token,
        role: spec.role,
        id,
    }))
}

/// `GET /api/v1/tokens[?role=R]`: every token's id, role, scope and stamps.
pub(super) async fn list_tokens(
    State(app): State<App>,
    Authed(who): Authed,
    ApiQuery(query): ApiQuery<QueryMap>,
) -> Reply_<TokenList> {
    who.require(Permission::ManageTokens)
        .map_err(|e| app.refuse(e))?;
    let role = match query.get("role") {
        None => None,
        Some(name) => Some(TokenRole::parse(name).ok_or_else(|| {
            app.refuse(ApiError::invalid(
                "role",
                format!("`{name}` is not admin, integration, performer, moderator or viewer"),
            ))
        })?),
    };
    if let Some(other) = query.keys().find(|k| k.as_str() != "role") {
        return Err(app.refuse(ApiError::invalid(
            other.as_str(),
            format!("`{other}` is not a parameter of this endpoint (only `role`)"),
        )));
    }
    Ok(Json(TokenList {
        tokens: app.tokens.list(role),
    }))
}

/// `DELETE /api/v1/tokens/{id}`: the token is refused from now on.
pub(super) async fn revoke_token(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(id): ApiPath<String>,
) -> Reply_<TokenInfo> {
    who.require(Permission::ManageTokens)
        .map_err(|e| app.refuse(e))?;
    let now = app.config.clock.now();
    let revoked = app
        .tokens
        .revoke(&id, &who, now)
        .map_err(|e| app.refuse(e))?;
    tracing::info!(by = %who.token_id, token = %revoked.id, "token revoked");
    Ok(Json(revoked))
}
