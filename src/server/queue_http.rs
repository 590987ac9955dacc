//! The queue's HTTP commands: intake, join and leave, the broadcast, and
//! the stage (start, finish, refund). Each checks who may, parses strictly
//! and hands the engine one command; the rules live in the domain.

use crate::protocol::ErrorCode;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use serde::Deserialize;

use super::auth::{Permission, Principal};
use super::errors::{HttpError, bad_request, domain_error};
use super::extract::{ApiPath, ApiQuery, body_error, parse};
use super::templates::Templates;
use crate::domain::{
    Command, IntakeLimits, IntakeMode, IntakePayload, ItemId, RefundReason, Reply, Request, RoomId,
    UserId,
};
use crate::protocol::{ApiError, Join};

use super::http::*;

#[derive(Debug, Deserialize)]
pub(super) struct IntakeQuery {
    mode: Option<String>,
}

pub(super) async fn intake(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    ApiQuery(query): ApiQuery<IntakeQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<Reply> {
    let began = Instant::now();
    who.require(Permission::Intake(&room))
        .map_err(|e| app.refuse(e))?;
    let key = idempotency_key(&headers, true).map_err(|e| app.refuse(e))?;
    let body = body.map_err(body_error).map_err(|e| app.refuse(e))?;
    // The engine checks the room's own cost limit; this parse checks the shape.
    let limits = IntakeLimits {
        max_token_cost: u64::MAX,
        paid_in_points: false,
    };
    let payload =
        IntakePayload::from_json(&body, &limits).map_err(|e| app.refuse(domain_error(&e)))?;
    check_templates(&app.templates, &payload).map_err(|e| app.refuse(e))?;
    let mode = match query.mode.as_deref() {
        None | Some("queued") => IntakeMode::Queued,
        Some("instant") => IntakeMode::Instant,
        Some(other) => {
            return Err(app.refuse(bad_request(
                "mode",
                format!("{other:?} is not queued or instant"),
            )));
        }
    };
    let command = Command::Intake {
        room,
        mode,
        payload: Box::new(payload),
        loyalty_points: 0,
        points_price: 0,
    };
    let reply = run(&app, Request { key, command }).await?;
    app.metrics.intake_latency(began.elapsed());
    Ok(Json(reply))
}

/// Every template key a payload names must exist, or its messages would
/// go out without text.
pub fn check_templates(templates: &Templates, payload: &IntakePayload) -> Result<(), ApiError> {
    let key = &payload.chat.public_announce_template_key;
    if !templates.has_public(key) {
        return Err(bad_request(
            "chat.publicAnnounceTemplateKey",
            format!("no public template {key:?}"),
        ));
    }
    for (i, key) in payload
        .chat
        .private_user_message_template_keys
        .iter()
        .enumerate()
    {
        if !templates.has_private(key) {
            return Err(bad_request(
                &format!("chat.privateUserMessageTemplateKeys[{i}]"),
                format!("no private template {key:?}"),
            ));
        }
    }
    Ok(())
}

pub(super) fn viewer(app: &App, who: &Principal, room: &RoomId) -> Result<UserId, HttpError> {
    who.require(Permission::Join(room))
        .map_err(|e| app.refuse(e))?;
    who.user.clone().ok_or_else(|| {
        app.refuse(ApiError::new(
            ErrorCode::Forbidden,
            "only a viewer token joins or leaves a room",
        ))
    })
}

pub(super) async fn join(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<Reply> {
    let user = viewer(&app, &who, &room)?;
    let Join { tier } = parse(body).map_err(|e| app.refuse(e))?;
    Ok(Json(
        run(&app, Request::new(Command::Join { room, user, tier })).await?,
    ))
}

pub(super) async fn leave(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
) -> Reply_<Reply> {
    let user = viewer(&app, &who, &room)?;
    Ok(Json(
        run(&app, Request::new(Command::Leave { room, user })).await?,
    ))
}

pub(super) async fn broadcast_start(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    headers: HeaderMap,
) -> Reply_<Reply> {
    broadcast(&app, &who, room, &headers, true).await
}

pub(super) async fn broadcast_end(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    headers: HeaderMap,
) -> Reply_<Reply> {
    broadcast(&app, &who, room, &headers, false).await
}

/// Going live, or ending the broadcast.
pub(super) async fn broadcast(
    app: &App,
    who: &Principal,
    room: RoomId,
    headers: &HeaderMap,
    live: bool,
) -> Reply_<Reply> {
    who.require(Permission::Broadcast(&room))
        .map_err(|e| app.refuse(e))?;
    let key = idempotency_key(headers, false).map_err(|e| app.refuse(e))?;
    let command = if live {
        Command::BroadcastStart { room }
    } else {
        Command::BroadcastEnd { room }
    };
    Ok(Json(run(app, Request { key, command }).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ItemChoice {
    #[serde(default)]
    item: Option<ItemId>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RefundBody {
    item: ItemId,
    #[serde(default)]
    amount: Option<u64>,
    reason: RefundReason,
    #[serde(default)]
    note: Option<String>,
}

pub(super) async fn start(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<Reply> {
    stage_command(&app, &who, room, &headers, body, true).await
}

pub(super) async fn finish(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<Reply> {
    stage_command(&app, &who, room, &headers, body, false).await
}

/// Start (or finish) over HTTP: `{"item"?}` naming what the performer saw.
pub(super) async fn stage_command(
    app: &App,
    who: &Principal,
    room: RoomId,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    start: bool,
) -> Reply_<Reply> {
    let action = if start {
        Permission::Start(&room)
    } else {
        Permission::Finish(&room)
    };
    who.require(action).map_err(|e| app.refuse(e))?;
    let key = idempotency_key(headers, true).map_err(|e| app.refuse(e))?;
    let ItemChoice { item } = parse(body).map_err(|e| app.refuse(e))?;
    let by = actor(who);
    let command = if start {
        Command::Start { room, item, by }
    } else {
        Command::Finish { room, item, by }
    };
    Ok(Json(run(app, Request { key, command }).await?))
}

pub(super) async fn refund(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<Reply> {
    let key = idempotency_key(&headers, true).map_err(|e| app.refuse(e))?;
    let body: RefundBody = parse(body).map_err(|e| app.refuse(e))?;
    who.require(Permission::Refund(&room, body.reason))
        .map_err(|e| app.refuse(e))?;
    let command = Command::Refund {
        room,
        item: body.item,
        amount: body.amount,
        reason: body.reason,
        note: body.note.map(Into::into),
        by: actor(&who),
    };
    Ok(Json(run(&app, Request { key, command }).await?))
}
