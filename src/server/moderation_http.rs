//! The moderation API: bans, pauses, kill switches and the moderation log.
//! Permissions are checked here; the rules (what a ban refunds, what a
//! pause refuses) are the engine's.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::routing::{get, post, put};
use serde::Deserialize;

use super::auth::{Permission, Principal, TokenRole};
use super::engine_task::CoreHandle;
use super::errors::{HttpError, bad_request, domain_error, unavailable};
use super::extract::{ApiPath, ApiQuery, parse};
use super::http::{App, Authed, Reply_, actor, idempotency_key, run};
use crate::domain::item::Role as AuditRole;
use crate::domain::{
    Actor, Checked, Command, DomainError, IdemKey, ModerationAction, Reply, Request, RoomId, Stamp,
    Switch, UserId,
};
use crate::protocol::{
    ApiError, BanList, BanRequest, BanScope, ModerationPage, ModerationRow, PauseRequest,
    SwitchList, SwitchRequest, SwitchState,
};
use crate::store::ModerationFilter;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/rooms/{room}/bans", post(ban).get(list_bans))
        .route(
            "/api/v1/rooms/{room}/bans/{user}",
            axum::routing::delete(unban),
        )
        .route("/api/v1/rooms/{room}/pause", post(pause))
        .route("/api/v1/rooms/{room}/resume", post(resume))
        .route("/api/v1/switches", get(list_switches))
        .route("/api/v1/switches/{switch}", put(set_switch))
        .route("/api/v1/moderation", get(moderation_log))
}

/// `kill_switch_*` when `switch` is on.
pub(super) async fn refuse_if_switched(app: &App, switch: Switch) -> Result<(), HttpError> {
    let on = app
        .core
        .query(move |engine| engine.switch_on(switch))
        .await
        .map_err(|e| app.refuse(e))?;
    if on {
        return Err(app.refuse(domain_error(&DomainError::KillSwitch { switch })));
    }
    Ok(())
}

/// Set the switches the config file names, as commands (so they are in the
/// log with the rest), when they are not already where the file wants them.
pub(super) async fn apply_configured_switches(
    core: &CoreHandle,
    switches: &super::config::KillSwitches,
) -> Result<(), ApiError> {
    for (switch, on) in switches.configured() {
        let now = core.query(move |engine| engine.switch_on(switch)).await?;
        if now == on {
            continue;
        }
        let command = Command::SetSwitch {
            switch,
            on,
            note: Some("server config".into()),
            by: Actor::new(AuditRole::System, "config"),
        };
        core.execute(Request::new(command)).await?;
        tracing::info!(
            switch = switch.as_str(),
            on,
            "kill switch set from the config"
        );
    }
    Ok(())
}

/// The longest ban given in seconds: ten years.
const MAX_BAN_SECS: u64 = 10 * 365 * 24 * 3600;

/// The rooms a ban or unban `scope` covers for `who`; None: every room.
fn scope_rooms(who: &Principal, room: &RoomId, scope: BanScope) -> Option<Vec<RoomId>> {
    match (scope, who.role) {
        (BanScope::Room, _) => Some(vec![room.clone()]),
        (BanScope::All, TokenRole::Admin) => None,
        (BanScope::All, _) => Some(who.rooms.clone()),
    }
}

/// Run the command built from the rooms in scope, in one turn of the core,
/// so "every room" means the rooms that exist when it runs. A retry of a
/// remembered key gets its first answer.
async fn run_scoped(
    app: &App,
    key: Option<IdemKey>,
    rooms: Option<Vec<RoomId>>,
    build: impl FnOnce(Vec<RoomId>) -> Command + Send + 'static,
) -> Result<Reply, HttpError> {
    app.core
        .execute_checked(move |engine, _| {
            if let Some(reply) = key.as_ref().and_then(|k| engine.remembered_reply(k)) {
                return Ok(Checked::Answer(reply.clone()));
            }
            let rooms = rooms.unwrap_or_else(|| {
                let mut all: Vec<RoomId> = engine.room_ids().cloned().collect();
                all.sort();
                all
            });
            Ok(Checked::Execute(Request {
                key,
                command: build(rooms),
            }))
        })
        .await
        .map_err(|e| app.refuse(e))
}

async fn ban(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<Reply> {
    who.require(Permission::Moderate(&room))
        .map_err(|e| app.refuse(e))?;
    let key = idempotency_key(&headers, false).map_err(|e| app.refuse(e))?;
    let spec: BanRequest = parse(body).map_err(|e| app.refuse(e))?;
    let expires_at = match (spec.expires_at, spec.expires_in_secs) {
        (Some(_), Some(_)) => {
            return Err(app.refuse(bad_request(
                "expiresInSecs",
                "give expiresAt or expiresInSecs, not both",
            )));
        }
        (at, None) => at,
        (None, Some(secs)) => {
            if !(1..=MAX_BAN_SECS).contains(&secs) {
                return Err(app.refuse(bad_request(
                    "expiresInSecs",
                    format!("must be within 1..={MAX_BAN_SECS} (ten years); leave it out for a ban until an unban"),
                )));
            }
            let ms = secs.saturating_mul(1000);
            Some(app.config.clock.now().plus_millis(ms))
        }
    };
    let rooms = scope_rooms(&who, &room, spec.scope);
    let by = actor(&who);
    let reply = run_scoped(&app, key, rooms, move |rooms| Command::Ban {
        rooms,
        user: spec.user,
        reason: spec.reason,
        note: spec.note.map(Into::into),
        expires_at,
        by,
    })
    .await?;
    tracing::info!(by = %who.token_id, room = %room, "ban");
    Ok(Json(reply))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopeQuery {
    #[serde(default)]
    scope: Option<BanScope>,
}

async fn unban(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, user)): ApiPath<(RoomId, UserId)>,
    ApiQuery(query): ApiQuery<ScopeQuery>,
    headers: HeaderMap,
) -> Reply_<Reply> {
    who.require(Permission::Moderate(&room))
        .map_err(|e| app.refuse(e))?;
    let key = idempotency_key(&headers, false).map_err(|e| app.refuse(e))?;
    let rooms = scope_rooms(&who, &room, query.scope.unwrap_or_default());
    let by = actor(&who);
    let reply = run_scoped(&app, key, rooms, move |rooms| Command::Unban {
        rooms,
        user,
        by,
    })
    .await?;
    Ok(Json(reply))
}

async fn list_bans(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
) -> Reply_<BanList> {
    who.require(Permission::Moderate(&room))
        .map_err(|e| app.refuse(e))?;
    let asked = room.clone();
    let bans = app
        .core
        .query(move |engine| engine.room_info(&room).map(|_| engine.bans(&room)))
        .await
        .map_err(|e| app.refuse(e))?;
    let bans = bans.ok_or_else(|| {
        app.refuse(domain_error(&DomainError::UnknownRoom {
            room: asked.clone(),
        }))
    })?;
    Ok(Json(BanList { room: asked, bans }))
}

async fn pause(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<Reply> {
    who.require(Permission::Moderate(&room))
        .map_err(|e| app.refuse(e))?;
    let key = idempotency_key(&headers, false).map_err(|e| app.refuse(e))?;
    let PauseRequest { note } = parse(body).map_err(|e| app.refuse(e))?;
    let command = Command::Pause {
        room,
        note: note.map(Into::into),
        by: actor(&who),
    };
    Ok(Json(run(&app, Request { key, command }).await?))
}

async fn resume(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    headers: HeaderMap,
) -> Reply_<Reply> {
    who.require(Permission::Moderate(&room))
        .map_err(|e| app.refuse(e))?;
    let key = idempotency_key(&headers, false).map_err(|e| app.refuse(e))?;
    let command = Command::Resume {
        room,
        by: actor(&who),
    };
    Ok(Json(run(&app, Request { key, command }).await?))
}

async fn list_switches(State(app): State<App>, Authed(who): Authed) -> Reply_<SwitchList> {
    who.require(Permission::ReadModeration)
        .map_err(|e| app.refuse(e))?;
    let switches = app
        .core
        .query(|engine| {
            Switch::ALL
                .into_iter()
                .map(|switch| SwitchState {
                    switch,
                    on: engine.switch_on(switch),
                })
                .collect()
        })
        .await
        .map_err(|e| app.refuse(e))?;
    Ok(Json(SwitchList { switches }))
}

async fn set_switch(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(switch): ApiPath<Switch>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<Reply> {
    who.require(Permission::SetSwitch)
        .map_err(|e| app.refuse(e))?;
    let key = idempotency_key(&headers, false).map_err(|e| app.refuse(e))?;
    let SwitchRequest { on, note } = parse(body).map_err(|e| app.refuse(e))?;
    let command = Command::SetSwitch {
        switch,
        on,
        note: note.map(Into::into),
        by: actor(&who),
    };
    let reply = run(&app, Request { key, command }).await?;
    tracing::info!(by = %who.token_id, switch = switch.as_str(), on, "kill switch");
    Ok(Json(reply))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogQuery {
    room: Option<RoomId>,
    action: Option<String>,
    target: Option<String>,
    actor: Option<String>,
    since: Option<i64>,
    until: Option<i64>,
    before: Option<i64>,
    limit: Option<usize>,
}

const DEFAULT_LOG_LIMIT: usize = 100;
const MAX_LOG_LIMIT: usize = 1000;

async fn moderation_log(
    State(app): State<App>,
    Authed(who): Authed,
    ApiQuery(query): ApiQuery<LogQuery>,
) -> Reply_<ModerationPage> {
    who.require(Permission::ReadModeration)
        .map_err(|e| app.refuse(e))?;
    let action = match query.action.as_deref() {
        None => None,
        Some(name) => Some(ModerationAction::parse(name).ok_or_else(|| {
            app.refuse(bad_request(
                "action",
                format!("{name:?} is not ban, unban, pause, resume, switch or refund"),
            ))
        })?),
    };
    let limit = query.limit.unwrap_or(DEFAULT_LOG_LIMIT);
    if !(1..=MAX_LOG_LIMIT).contains(&limit) {
        return Err(app.refuse(bad_request(
            "limit",
            format!("must be within 1..={MAX_LOG_LIMIT}"),
        )));
    }
    // An admin reads every row; others the rows of their rooms.
    let scope = (who.role != TokenRole::Admin).then(|| who.rooms.clone());
    if let (Some(scope), Some(room)) = (&scope, &query.room)
        && !scope.contains(room)
    {
        who.require(Permission::Moderate(room))
            .map_err(|e| app.refuse(e))?;
    }
    let filter = ModerationFilter {
        scope,
        room: query.room,
        action,
        target: query.target,
        actor: query.actor,
        since: query.since.map(Stamp),
        until: query.until.map(Stamp),
        before: query.before,
        limit,
    };
    let log = app.moderation_log.clone();
    let rows = tokio::task::spawn_blocking(move || log.list(&filter))
        .await
        .map_err(|_| app.refuse(unavailable()))?
        .map_err(|err| {
            tracing::error!(error = %err, "reading the moderation log failed");
            app.refuse(unavailable())
        })?;
    let entries = rows
        .into_iter()
        .map(|(id, entry)| ModerationRow { id, entry })
        .collect();
    Ok(Json(ModerationPage { entries }))
}
