//! Tips over HTTP: a viewer tips from their own wallet (an integration on a
//! viewer's behalf) and the toy lane's commands; the tip levels are
//! `tip_levels_http`.
//! The request names an amount only: the server matches it against the
//! room's levels in the same core turn as the intake.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

use super::auth::{Permission, TokenRole};
use super::errors::{HttpError, domain_error};
use super::extract::{ApiPath, parse};
use super::http::{App, Authed, Reply_, actor, idempotency_key, run};
use crate::domain::tips::{TipAsk, tip_command};
use crate::domain::{
    Checked, DomainError, IdemKey, ItemId, PerformerId, Reply, Request, RoomId, UserId,
};
use crate::protocol::{ApiError, ErrorCode, RoomCommand, TipBody};

/// How many performer consoles watch each room, so the server can tell the
/// engine when the last one goes while a tip runs.
#[derive(Debug, Default)]
pub struct LaneConsoles {
    rooms: std::sync::Mutex<HashMap<RoomId, usize>>,
}

impl LaneConsoles {
    pub fn joined(&self, room: &RoomId) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        *rooms.entry(room.clone()).or_default() += 1;
    }

    /// One left; true when it was the last.
    pub fn left(&self, room: &RoomId) -> bool {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        let Some(count) = rooms.get_mut(room) else {
            return false;
        };
        *count = count.saturating_sub(1);
        if *count == 0 {
            rooms.remove(room);
            return true;
        }
        false
    }
}

/// The last console of `room` went away: a running tip goes back to the
/// head after the grace period unless a console reports it first.
pub async fn console_gone(app: &App, room: RoomId) {
    let command = crate::domain::Command::LaneConsoleGone { room };
    if let Err(err) = app.core.execute(Request::new(command)).await {
        tracing::warn!(code = %err.code, "noting a lost console failed");
    }
}

/// At start: a tip that ran when the server went down has no console on
/// this server yet. Each such room is noted as having lost its console,
/// so the tip goes back to the head after the grace period unless a
/// console comes back and reports it first (with how long its toy ran).
pub async fn lane_runs_without_console(core: &super::engine_task::CoreHandle) {
    let rooms = core
        .query(|engine| {
            engine
                .room_ids()
                .filter(|room| {
                    engine
                        .room_view(room)
                        .is_some_and(|v| v.lane.running.is_some())
                })
                .cloned()
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
    for room in rooms {
        let command = crate::domain::Command::LaneConsoleGone { room };
        if let Err(err) = core.execute(Request::new(command)).await {
            tracing::warn!(code = %err.code, "noting a run without console failed");
        }
    }
}

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/rooms/{room}/tips", post(tip))
        .route("/api/v1/rooms/{room}/lane/{action}", post(lane))
}

/// Fields a tip request never carries: the server matches the amount.
const MATCHED_FIELDS: [&str; 6] = [
    "level",
    "duration",
    "durationS",
    "durationMs",
    "intensity",
    "pattern",
];

async fn tip(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<Reply> {
    who.require(Permission::Tip(&room))
        .map_err(|e| app.refuse(e))?;
    let key = idempotency_key(&headers, true)
        .map_err(|e| app.refuse(e))?
        .ok_or_else(|| app.refuse(ApiError::new(ErrorCode::Internal, "no key")))?;
    let value: serde_json::Value = parse(body).map_err(|e| app.refuse(e))?;
    if let Some(field) = MATCHED_FIELDS.iter().find(|f| value.get(**f).is_some()) {
        return Err(app.refuse(ApiError::with_field(
            ErrorCode::ForbiddenField,
            *field,
            format!("forbidden field `{field}`: the server matches the amount against the room's tip levels"),
        )));
    }
    let body: TipBody =
        crate::domain::json::from_value(&value).map_err(|e| app.refuse(domain_error(&e)))?;
    let user = tipper(&app, &who, &body)?;
    let levels = app.tips.current(&room);
    let source_event_id = body.source_event_id.clone();
    let display_name = body.display_name.clone();
    let amount = body.amount;
    app.core
        .execute_checked(move |engine, now| {
            if let Some(reply) = engine.remembered_reply(&key) {
                return retry_answer(engine, &key, reply, &user, amount);
            }
            let info = engine
                .room_info(&room)
                .ok_or_else(|| domain_error(&DomainError::UnknownRoom { room: room.clone() }))?;
            let created = now.to_string();
            let ask = TipAsk {
                performer: &PerformerId::new(info.performer.as_str()),
                user: &user,
                amount,
                key: &key,
                source_event_id: source_event_id.as_deref(),
                display_name: display_name.as_deref(),
                created_at: &created,
            };
            let command = tip_command(&room, &ask, &levels);
            Ok(Checked::Execute(Request::new(command)))
        })
        .await
        .map(Json)
        .map_err(|e| app.refuse(e))
}

/// A retry under a key already taken: the first answer when it is the same
/// tip, a conflict when the key was used for something else.
fn retry_answer(
    engine: &crate::domain::Engine,
    key: &IdemKey,
    reply: &Reply,
    user: &UserId,
    amount: u64,
) -> Result<Checked, ApiError> {
    let same = reply
        .item()
        .and_then(|id| engine.entry(id))
        .is_some_and(|item| {
            item.source() == crate::domain::Source::Tip
                && item.user_id() == user
                && item.token_cost() == amount
        });
    if same {
        Ok(Checked::Answer(reply.clone()))
    } else {
        Err(domain_error(&DomainError::IdempotencyConflict {
            key: key.clone(),
        }))
    }
}

/// Who the tip is from: a viewer's own wallet; an integration names the
/// viewer it tips for.
fn tipper(app: &App, who: &super::auth::Principal, body: &TipBody) -> Result<UserId, HttpError> {
    match who.role {
        TokenRole::Viewer => {
            if body.user.is_some() || body.source_event_id.is_some() {
                return Err(app.refuse(ApiError::with_field(
                    ErrorCode::ForbiddenField,
                    if body.user.is_some() {
                        "user"
                    } else {
                        "sourceEventId"
                    },
                    "a viewer tips from their own wallet",
                )));
            }
            who.user.clone().ok_or_else(|| {
                app.refuse(ApiError::new(
                    ErrorCode::Forbidden,
                    "this viewer token names no user",
                ))
            })
        }
        _ => body.user.clone().ok_or_else(|| {
            app.refuse(ApiError::invalid(
                "user",
                "an integration names the viewer it tips for",
            ))
        }),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LaneBody {
    #[serde(default)]
    item: Option<ItemId>,
}

/// `POST .../lane/{take|done|skip|clear|pause|resume|release}`, `{"item"?}`.
async fn lane(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, action)): ApiPath<(RoomId, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<Reply> {
    who.require(Permission::RunLane(&room))
        .map_err(|e| app.refuse(e))?;
    let key = idempotency_key(&headers, true).map_err(|e| app.refuse(e))?;
    let LaneBody { item } = parse(body).map_err(|e| app.refuse(e))?;
    let command = match action.as_str() {
        "take" => RoomCommand::LaneTake { item },
        "done" => RoomCommand::LaneDone { item },
        "release" => RoomCommand::LaneRelease { item, ran_ms: None },
        "skip" => match item {
            Some(item) => RoomCommand::LaneSkip { item },
            None => return Err(app.refuse(ApiError::invalid("item", "skip names the tip"))),
        },
        "clear" => RoomCommand::LaneClear,
        "pause" => RoomCommand::LanePause,
        "resume" => RoomCommand::LaneResume,
        other => {
            return Err(app.refuse(ApiError::invalid(
                "action",
                format!("{other:?} is not take, done, skip, clear, pause, resume or release"),
            )));
        }
    };
    let command = command.into_command(room, actor(&who));
    Ok(Json(run(&app, Request { key, command }).await?))
}
