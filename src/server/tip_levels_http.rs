//! A room's tip levels, the third user of the performer-scoped
//! configuration (`crate::scoped`): versioned saves, the conflict answer
//! with what changed, shipped templates, hot for future tips only (a tip
//! fixes its matched level at intake).

use std::collections::BTreeSet;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::routing::{get, post};
use axum::{Json, Router};

use super::auth::Permission;
use super::extract::{ApiPath, ApiQuery, QueryMap};
use super::http::{App, Authed};
use super::scoped_http::{
    Answer, Refusal, by, parse_config, parse_plain, refuse, require_editor, require_room,
    version_query,
};
use super::tip_book::SaveRefused;
use crate::domain::RoomId;
use crate::domain::tips::TipLevels;
use crate::protocol::{ApiError, ErrorCode, TipLevelsView};
use crate::scoped::ScopedConfig;
use crate::scoped::conflict::message;
use crate::scoped::templates::{Shipped, TemplateChoice, choose};
use crate::scoped::tip_levels::{TipLevelsConflict, templates};

impl ScopedConfig for TipLevels {
    /// Checked against the largest amount any room takes; a room's own
    /// limit is checked when it is saved there.
    fn check(&self) -> Result<(), ApiError> {
        self.validate(1_000_000_000, &BTreeSet::new())
            .map_err(|e| ApiError::from(&e))
    }
}

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/rooms/{room}/tips/levels", get(levels).put(save))
        .route(
            "/api/v1/rooms/{room}/tips/levels/template",
            post(from_template),
        )
        .route("/api/v1/tips/templates", get(list_templates))
}

async fn levels(
    State(app): State<App>,
    Authed(_who): Authed,
    ApiPath(room): ApiPath<RoomId>,
) -> Answer<TipLevelsView> {
    require_room(&app, &room).await?;
    let max = room_max(&app, &room).await?;
    Ok(Json(full_view(&app, &room, max)))
}

/// The levels with what an editor checks them against: the room's amount
/// limit and its imported patterns.
fn full_view(app: &App, room: &RoomId, max: u64) -> TipLevelsView {
    let mut view = app.tips.view(room);
    view.max_amount = Some(max);
    view.patterns = app.patterns.names(room).into_iter().collect();
    view
}

/// The most one tip may be in `room` (its `max_token_cost`).
async fn room_max(app: &App, room: &RoomId) -> Result<u64, Refusal> {
    let wanted = room.clone();
    app.core
        .query(move |engine| engine.room_info(&wanted).map(|i| i.settings.max_token_cost))
        .await
        .map_err(|e| refuse(app, e))?
        .ok_or_else(|| {
            refuse(
                app,
                ApiError::new(
                    ErrorCode::UnknownRoom,
                    format!("room `{room}` does not exist"),
                ),
            )
        })
}

async fn list_templates(
    State(_app): State<App>,
    Authed(_who): Authed,
) -> Json<Vec<Shipped<TipLevels>>> {
    Json(templates())
}

/// `PUT .../tips/levels?version=N`: the levels, based on version N (0 for
/// a room's first).
async fn save(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    ApiQuery(query): ApiQuery<QueryMap>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<TipLevelsView> {
    require_editor(&app, &who, Permission::RunLane(&room))?;
    let base = version_query(&query).map_err(|e| refuse(&app, e))?;
    let levels: TipLevels = parse_config(&app, body)?;
    store(&app, room, levels, base, by(&who)).await
}

/// `POST .../tips/levels/template`, `{name, version}`: a shipped template
/// saved as the next version.
async fn from_template(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<TipLevelsView> {
    require_editor(&app, &who, Permission::RunLane(&room))?;
    let TemplateChoice { name, version } = parse_plain(&app, body)?;
    let levels = choose(templates(), &name).map_err(|e| refuse(&app, e))?;
    store(&app, room, levels, version, by(&who)).await
}

async fn store(
    app: &App,
    room: RoomId,
    levels: TipLevels,
    base: u64,
    by: String,
) -> Answer<TipLevelsView> {
    let max = room_max(app, &room).await?;
    levels
        .validate(max, &app.patterns.names(&room))
        .map_err(|e| refuse(app, ApiError::from(&e)))?;
    let at = app.config.clock.now();
    match app.tips.save(&room, levels, base, at, by).await {
        Ok(version) => {
            tracing::info!(%room, version, "tip levels saved");
            Ok(Json(full_view(app, &room, max)))
        }
        Err(SaveRefused::Stale(stale, changes)) => {
            let conflict = TipLevelsConflict {
                code: ErrorCode::VersionConflict,
                message: message(&format!("the tip levels of room `{room}`"), stale, &changes),
                field: "version".into(),
                your_version: stale.yours,
                current_version: stale.current,
                changes,
                current: full_view(app, &room, max),
            };
            Err(refuse(
                app,
                Refusal::body(ErrorCode::VersionConflict, conflict),
            ))
        }
        Err(SaveRefused::Store(err)) => {
            tracing::error!(error = %err, %room, "tip levels store");
            Err(refuse(
                app,
                ApiError::new(ErrorCode::Unavailable, format!("tip levels store: {err}")),
            ))
        }
    }
}
