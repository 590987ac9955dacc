//! Broadcasts and their reports: `GET /api/v1/rooms/{room}/broadcasts`
//! (newest first, paged back with `before`) and
//! `GET /api/v1/rooms/{room}/broadcasts/{id}/report`. The performer of the
//! room, its moderators and admins may read them. The figures are
//! `report::compute`'s, from the store's rows; a live broadcast's report
//! is as of the server's clock.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;

use super::auth::Permission;
use super::errors::{bad_request, unavailable};
use super::extract::{ApiPath, ApiQuery};
use super::http::{App, Authed, Reply_};
use crate::domain::RoomId;
use crate::protocol::{ApiError, ErrorCode};
use crate::report::{BroadcastPage, Report};

const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 500;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/rooms/{room}/broadcasts", get(list))
        .route(
            "/api/v1/rooms/{room}/broadcasts/{broadcast}/report",
            get(report),
        )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    before: Option<i64>,
    limit: Option<usize>,
}

async fn list(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Reply_<BroadcastPage> {
    who.require(Permission::ReadReports(&room))
        .map_err(|e| app.refuse(e))?;
    app.require_room(&room).await.map_err(|e| app.refuse(e))?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(app.refuse(bad_request(
            "limit",
            format!("must be within 1..={MAX_LIMIT}"),
        )));
    }
    let db = app.broadcasts.clone();
    let wanted = room.clone();
    let broadcasts = tokio::task::spawn_blocking(move || db.list(&wanted, query.before, limit))
        .await
        .map_err(|_| app.refuse(unavailable()))?
        .map_err(|err| {
            tracing::error!(error = %err, "listing broadcasts failed");
            app.refuse(unavailable())
        })?;
    Ok(Json(BroadcastPage { room, broadcasts }))
}

async fn report(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, id)): ApiPath<(RoomId, i64)>,
) -> Reply_<Report> {
    who.require(Permission::ReadReports(&room))
        .map_err(|e| app.refuse(e))?;
    app.require_room(&room).await.map_err(|e| app.refuse(e))?;
    let now = app.config.clock.now();
    let db = app.broadcasts.clone();
    let wanted = room.clone();
    let found = tokio::task::spawn_blocking(move || {
        db.report_rows(&wanted, id).map(|found| {
            found.map(|(broadcast, rows)| crate::report::compute(broadcast, &rows, now))
        })
    })
    .await
    .map_err(|_| app.refuse(unavailable()))?
    .map_err(|err| {
        tracing::error!(error = %err, "reading a broadcast's rows failed");
        app.refuse(unavailable())
    })?;
    found.map(Json).ok_or_else(|| {
        let mut err = ApiError::new(
            ErrorCode::UnknownBroadcast,
            format!("room `{room}` has no broadcast {id}"),
        );
        err.field = Some("broadcast".into());
        app.refuse(err)
    })
}
