//! Private messages over HTTP: a viewer's pull and read marks
//! (`/api/v1/me/messages`), a room's message history and the operators'
//! delivery figures. Delivery itself is the postman's; the performer's
//! replies are `reply_http.rs`.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::routing::{get, post};
use serde::Deserialize;

use super::auth::{Permission, Principal, TokenRole};
use super::engine_task::CoreHandle;
use super::errors::{bad_request, unavailable};
use super::extract::{ApiPath, ApiQuery, parse};
use super::http::{App, Authed, Reply_};
use super::inbox_frames::inbox_message;
use super::postman::{PostMsg, PostmanHandle};
use crate::domain::{RoomId, Stamp, Tier, UserId};
use crate::protocol::{
    ApiError, DeliveryFigures, ErrorCode, InboxPage, MarkRead, MarkedRead, MessageHistory,
    TierDelay,
};
use crate::store::{FigureRow, MessageFilter};

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1_000;
/// Most ids marked read in one request.
const MAX_READ_IDS: usize = 1_000;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/me/messages", get(pull))
        .route("/api/v1/me/messages/read", post(mark_read))
        .route("/api/v1/me/inbox/ws", get(super::inbox_ws::upgrade))
        .route("/api/v1/rooms/{room}/messages", get(history))
        .route("/api/v1/messages/figures", get(figures))
}

/// The viewer whose inbox this is: only a viewer token has one.
pub(super) fn inbox_owner(who: &Principal) -> Result<UserId, ApiError> {
    who.require(Permission::ReadInbox)?;
    match (&who.role, &who.user) {
        (TokenRole::Viewer, Some(user)) => Ok(user.clone()),
        _ => Err(ApiError::new(
            ErrorCode::Forbidden,
            "only a viewer token has an inbox",
        )),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PullQuery {
    after: Option<u64>,
}

async fn pull(
    State(app): State<App>,
    Authed(who): Authed,
    ApiQuery(query): ApiQuery<PullQuery>,
) -> Reply_<InboxPage> {
    let viewer = inbox_owner(&who).map_err(|e| app.refuse(e))?;
    let after = query.after.unwrap_or(0);
    let wanted = viewer.clone();
    let messages = app
        .postman
        .ask(|reply| PostMsg::Fetch {
            viewer: wanted,
            after,
            reply,
        })
        .await
        .map_err(|e| app.refuse(e))?;
    let seq = messages.iter().filter_map(|m| m.seq).max().unwrap_or(after);
    Ok(Json(InboxPage {
        viewer,
        messages,
        seq,
    }))
}

async fn mark_read(
    State(app): State<App>,
    Authed(who): Authed,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<MarkedRead> {
    let viewer = inbox_owner(&who).map_err(|e| app.refuse(e))?;
    let MarkRead { ids } = parse(body).map_err(|e| app.refuse(e))?;
    if ids.is_empty() || ids.len() > MAX_READ_IDS {
        return Err(app.refuse(bad_request(
            "ids",
            format!("must list 1..={MAX_READ_IDS} message ids"),
        )));
    }
    let read = app
        .postman
        .ask(|reply| PostMsg::Read { viewer, ids, reply })
        .await
        .map_err(|e| app.refuse(e))?;
    Ok(Json(MarkedRead { read }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryQuery {
    viewer: Option<String>,
    kind: Option<String>,
    tier: Option<String>,
    mood: Option<String>,
    status: Option<String>,
    from: Option<Stamp>,
    to: Option<Stamp>,
    limit: Option<usize>,
}

async fn history(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> Reply_<MessageHistory> {
    who.require(Permission::ReadMessages(&room))
        .map_err(|e| app.refuse(e))?;
    app.require_room(&room).await.map_err(|e| app.refuse(e))?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(app.refuse(bad_request(
            "limit",
            format!("must be within 1..={MAX_LIMIT}"),
        )));
    }
    if let Some(tier) = &query.tier
        && Tier::parse(tier).is_none()
    {
        return Err(app.refuse(bad_request("tier", "must be free, basic, premium or vip")));
    }
    if let Some(status) = &query.status
        && crate::domain::outbox::Status::parse(status).is_none()
    {
        return Err(app.refuse(bad_request(
            "status",
            "must be pending, sent, delivered, read or failed",
        )));
    }
    let filter = MessageFilter {
        room: Some(room.to_string()),
        viewer: query.viewer,
        kind: query.kind,
        tier: query.tier,
        mood: query.mood,
        status: query.status,
        from: query.from.map(|s| s.0),
        to: query.to.map(|s| s.0),
        limit,
    };
    let db = app.message_db.clone();
    let rows = tokio::task::spawn_blocking(move || db.history(&filter))
        .await
        .map_err(|_| app.refuse(unavailable()))?
        .map_err(|_| app.refuse(unavailable()))?;
    let messages = rows
        .iter()
        .map(|r| inbox_message(r, &app.templates))
        .collect();
    Ok(Json(MessageHistory { messages }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FiguresQuery {
    room: Option<RoomId>,
    from: Option<Stamp>,
    to: Option<Stamp>,
}

async fn figures(
    State(app): State<App>,
    Authed(who): Authed,
    ApiQuery(query): ApiQuery<FiguresQuery>,
) -> Reply_<DeliveryFigures> {
    who.require(Permission::ReadDeliveryFigures)
        .map_err(|e| app.refuse(e))?;
    let db = app.message_db.clone();
    let rows = tokio::task::spawn_blocking(move || {
        db.figure_rows(
            query.room.as_ref().map(|r| r.as_str()),
            query.from.map(|s| s.0),
            query.to.map(|s| s.0),
        )
    })
    .await
    .map_err(|_| app.refuse(unavailable()))?
    .map_err(|_| app.refuse(unavailable()))?;
    Ok(Json(figures_of(&rows)))
}

/// Counts by tier, status and mood; the success rate; each tier's delay
/// from its time to delivery (median and p99, nearest rank).
pub fn figures_of(rows: &[FigureRow]) -> DeliveryFigures {
    let mut figures = DeliveryFigures {
        total: rows.len() as u64,
        ..DeliveryFigures::default()
    };
    let mut delays: std::collections::BTreeMap<Tier, Vec<u64>> = Default::default();
    let (mut good, mut failed) = (0u64, 0u64);
    for row in rows {
        *figures.by_tier.entry(row.tier.clone()).or_default() += 1;
        *figures.by_status.entry(row.status.clone()).or_default() += 1;
        let mood = row.mood.clone().unwrap_or_else(|| "none".into());
        *figures.by_mood.entry(mood).or_default() += 1;
        match row.status.as_str() {
            "delivered" | "read" => good += 1,
            "failed" => failed += 1,
            _ => {}
        }
        if let (Some(due), Some(delivered)) = (row.due_at, row.delivered_at) {
            let tier = Tier::parse(&row.tier).unwrap_or_default();
            let ms = (delivered.saturating_sub(due)).max(0) as u64 / 1000;
            delays.entry(tier).or_default().push(ms);
        }
    }
    if good + failed > 0 {
        figures.success_rate_percent = Some(100.0 * good as f64 / (good + failed) as f64);
    }
    for tier in Tier::ALL {
        let mut list = delays.remove(&tier).unwrap_or_default();
        list.sort_unstable();
        figures.delays.push(TierDelay {
            tier,
            delivered: list.len() as u64,
            median_ms: rank(&list, 50),
            p99_ms: rank(&list, 99),
        });
    }
    figures
}

/// The nearest-rank percentile of a sorted list.
pub fn rank(sorted: &[u64], percent: usize) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let index = (sorted.len() * percent).div_ceil(100).max(1) - 1;
    sorted.get(index.min(sorted.len() - 1)).copied()
}

/// Tell the delivery service of every ban in force (at start).
pub async fn tell_bans(core: &CoreHandle, postman: &PostmanHandle) -> Result<(), ApiError> {
    let bans = core
        .query(|engine| {
            let now = engine.clock();
            engine
                .room_ids()
                .flat_map(|room| {
                    engine
                        .bans(room)
                        .into_iter()
                        .filter(|ban| ban.active_at(now))
                        .map(|ban| (room.clone(), ban))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
        .await?;
    for (room, ban) in bans {
        postman.send(PostMsg::Ban {
            viewer: ban.user,
            room,
            at: ban.at,
            until: ban.expires_at,
        });
    }
    Ok(())
}
