//! Points history: a viewer's own pages, a room's awards for its
//! performer, and every account's for operators, exportable as JSON lines
//! or CSV. Pages are newest first; `nextBefore` walks back.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::auth::{Permission, TokenRole};
use super::errors::{HttpError, bad_request, unavailable};
use super::extract::{ApiPath, ApiQuery};
use super::http::{App, Authed, Reply_};
use crate::domain::points::{PointsEntry, PointsKind};
use crate::domain::{PerformerId, RoomId, Stamp, UserId};
use crate::protocol::{PointsPage, PointsRow};
use crate::store::PointsFilter;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/points/transactions", get(transactions))
        .route("/api/v1/rooms/{room}/points/awards", get(room_awards))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryQuery {
    user: Option<UserId>,
    performer: Option<PerformerId>,
    kind: Option<String>,
    room: Option<RoomId>,
    since: Option<i64>,
    until: Option<i64>,
    before: Option<i64>,
    limit: Option<usize>,
    /// `json` (a page, the default), `jsonl` or `csv` (operators' export).
    format: Option<String>,
}

const DEFAULT_LIMIT: usize = 50;
const MAX_PAGE: usize = 1000;
/// The most rows one export holds; page with `before` past it.
const MAX_EXPORT: usize = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Page,
    JsonLines,
    Csv,
}

fn format_of(name: Option<&str>) -> Result<Format, crate::protocol::ApiError> {
    match name {
        None | Some("json") => Ok(Format::Page),
        Some("jsonl") => Ok(Format::JsonLines),
        Some("csv") => Ok(Format::Csv),
        Some(other) => Err(bad_request(
            "format",
            format!("{other:?} is not json, jsonl or csv"),
        )),
    }
}

fn kind_of(name: Option<&str>) -> Result<Option<PointsKind>, crate::protocol::ApiError> {
    name.map(|n| {
        PointsKind::parse(n).ok_or_else(|| {
            let names: Vec<&str> = PointsKind::ALL.iter().map(|k| k.as_str()).collect();
            bad_request("kind", format!("{n:?} is not one of {}", names.join(", ")))
        })
    })
    .transpose()
}

async fn transactions(
    State(app): State<App>,
    Authed(who): Authed,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> Result<Response, HttpError> {
    let format = format_of(query.format.as_deref()).map_err(|e| app.refuse(e))?;
    // A viewer reads their own history; admins every account's.
    let user = match (&query.user, who.role) {
        (None, TokenRole::Viewer) => who.user.clone(),
        (asked, _) => asked.clone(),
    };
    let operator = who.allows(Permission::ManagePoints);
    match &user {
        Some(user) if !operator => who
            .require(Permission::ReadPoints(user))
            .map_err(|e| app.refuse(e))?,
        _ => who
            .require(Permission::ManagePoints)
            .map_err(|e| app.refuse(e))?,
    }
    if (format != Format::Page || query.performer.is_some()) && !operator {
        who.require(Permission::ManagePoints)
            .map_err(|e| app.refuse(e))?;
    }
    let filter = PointsFilter {
        user,
        performer: query.performer.clone(),
        room: query.room.clone(),
        ..filter_of(&app, &query, format)?
    };
    let rows = read(&app, filter).await?;
    Ok(answer(rows, format))
}

/// A room's awards, for its performer (and operators).
async fn room_awards(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> Reply_<PointsPage> {
    who.require(Permission::AwardPoints(&room))
        .map_err(|e| app.refuse(e))?;
    if query.kind.is_some() || query.room.is_some() || query.format.is_some() {
        return Err(app.refuse(bad_request(
            "query",
            "a room's awards take user, since, until, before and limit",
        )));
    }
    let filter = PointsFilter {
        user: query.user.clone(),
        kind: Some(PointsKind::Award),
        room: Some(room),
        ..filter_of(&app, &query, Format::Page)?
    };
    let rows = read(&app, filter).await?;
    Ok(Json(page(rows)))
}

fn filter_of(app: &App, query: &HistoryQuery, format: Format) -> Result<PointsFilter, HttpError> {
    let kind = kind_of(query.kind.as_deref()).map_err(|e| app.refuse(e))?;
    let most = if format == Format::Page {
        MAX_PAGE
    } else {
        MAX_EXPORT
    };
    let limit = query.limit.unwrap_or(if format == Format::Page {
        DEFAULT_LIMIT
    } else {
        MAX_EXPORT
    });
    if !(1..=most).contains(&limit) {
        return Err(app.refuse(bad_request("limit", format!("must be within 1..={most}"))));
    }
    Ok(PointsFilter {
        kind,
        since: query.since.map(Stamp),
        until: query.until.map(Stamp),
        before: query.before,
        limit,
        ..PointsFilter::default()
    })
}

async fn read(app: &App, filter: PointsFilter) -> Result<Vec<(i64, PointsEntry)>, HttpError> {
    let history = app.points_history.clone();
    tokio::task::spawn_blocking(move || history.list(&filter))
        .await
        .map_err(|_| app.refuse(unavailable()))?
        .map_err(|err| {
            tracing::error!(error = %err, "reading the points history failed");
            app.refuse(unavailable())
        })
}

fn page(rows: Vec<(i64, PointsEntry)>) -> PointsPage {
    let entries: Vec<PointsRow> = rows
        .into_iter()
        .map(|(id, entry)| PointsRow { id, entry })
        .collect();
    PointsPage {
        next_before: entries.last().map(|row| row.id),
        entries,
    }
}

fn answer(rows: Vec<(i64, PointsEntry)>, format: Format) -> Response {
    match format {
        Format::Page => Json(page(rows)).into_response(),
        Format::JsonLines => {
            let mut text = String::new();
            for (id, entry) in rows {
                let row = PointsRow { id, entry };
                if let Ok(line) = serde_json::to_string(&row) {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
            ([(header::CONTENT_TYPE, "application/x-ndjson")], text).into_response()
        }
        Format::Csv => ([(header::CONTENT_TYPE, "text/csv")], csv_of(&rows)).into_response(),
    }
}

/// The export's columns, one row per entry.
const CSV_HEADER: [&str; 15] = [
    "id",
    "at",
    "kind",
    "user",
    "performer",
    "room",
    "item",
    "amount",
    "source",
    "reason",
    "sourceEvent",
    "ticket",
    "idempotencyKey",
    "byRole",
    "byId",
];

fn csv_of(rows: &[(i64, PointsEntry)]) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let _ = out.write_record(CSV_HEADER);
    for (id, e) in rows {
        let text = |v: Option<&str>| v.unwrap_or_default().to_string();
        let record = [
            id.to_string(),
            e.at.to_string(),
            e.kind.as_str().to_string(),
            text(e.user.as_ref().map(|u| u.as_str())),
            text(e.performer.as_ref().map(|p| p.as_str())),
            text(e.room.as_ref().map(|r| r.as_str())),
            e.item.map(|i| i.0.to_string()).unwrap_or_default(),
            e.amount.to_string(),
            e.source.to_string(),
            e.reason.to_string(),
            text(e.source_event.as_deref()),
            text(e.ticket.as_deref()),
            text(e.key.as_ref().map(|k| k.as_str())),
            e.by.role.as_str().to_string(),
            e.by.id.to_string(),
        ];
        let _ = out.write_record(&record);
    }
    String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
}
