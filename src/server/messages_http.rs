//! Private messages over HTTP: a viewer's pull and read marks
//! (`/api/v1/me/messages`), the performer's replies
//! (`/api/v1/rooms/{room}/replies`), a room's message history and the
//! operators' delivery figures. Delivery itself is the postman's.

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
use super::http::{App, Authed, Reply_, actor};
use super::postman::{PostMsg, PostmanHandle, inbox_message};
use super::templates::escape;
use crate::domain::messages::MessageVars;
use crate::domain::outbox::reply::LimitHit;
use crate::domain::{Command, Request, RoomId, Stamp, Tier, UserId};
use crate::protocol::{
    ApiError, DeliveryFigures, ErrorCode, InboxPage, MarkRead, MarkedRead, MessageHistory,
    ReplyBody, ReplyCatalog, ReplyChoice, ReplyMood, ReplySent, ReplyVisibility, TierDelay,
};
use crate::store::{FigureRow, MessageFilter, NewMessage};

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1_000;
/// Most ids marked read in one request.
const MAX_READ_IDS: usize = 1_000;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/me/messages", get(pull))
        .route("/api/v1/me/messages/read", post(mark_read))
        .route("/api/v1/me/inbox/ws", get(super::inbox_ws::upgrade))
        .route("/api/v1/rooms/{room}/replies", post(reply))
        .route("/api/v1/rooms/{room}/replies/templates", get(catalog))
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

/// Who a reply goes to and the variables its template may use.
struct Target {
    viewer: Option<UserId>,
    tier: Tier,
    vars: MessageVars,
    performer: String,
}

async fn target(app: &App, room: &RoomId, body: &ReplyBody) -> Result<Target, ApiError> {
    let (room, item, viewer) = (room.clone(), body.item, body.viewer.clone());
    app.core
        .query(move |engine| {
            let performer = engine
                .room_info(&room)
                .map(|info| info.performer.to_string())
                .unwrap_or_default();
            if let Some(id) = item {
                let entry = engine
                    .entry(id)
                    .filter(|e| e.room() == &room)
                    .ok_or_else(|| {
                        ApiError::new(
                            ErrorCode::UnknownItem,
                            format!("no item {} in room `{room}`", id.0),
                        )
                    })?;
                let user = entry.user_id().clone();
                let open = entry.open();
                let tier = open
                    .map(|i| i.view.tier)
                    .or_else(|| engine.member_tier(&room, &user))
                    .unwrap_or_default();
                let vars = match open {
                    Some(i) => MessageVars {
                        user: i.view.user_name.clone(),
                        item: Some(id),
                        action: Some(i.view.action.title.clone()),
                        tokens: Some(i.view.token_cost),
                        ..MessageVars::default()
                    },
                    None => MessageVars {
                        user: user.shared(),
                        item: Some(id),
                        ..MessageVars::default()
                    },
                };
                return Ok(Target {
                    viewer: Some(user),
                    tier,
                    vars,
                    performer,
                });
            }
            match viewer {
                Some(user) => {
                    let tier = engine.member_tier(&room, &user).ok_or_else(|| {
                        ApiError::with_field(
                            ErrorCode::NotInRoom,
                            "viewer",
                            format!("`{user}` is not in room `{room}`"),
                        )
                    })?;
                    Ok(Target {
                        vars: MessageVars {
                            user: user.shared(),
                            ..MessageVars::default()
                        },
                        viewer: Some(user),
                        tier,
                        performer,
                    })
                }
                None => Ok(Target {
                    viewer: None,
                    tier: Tier::Free,
                    vars: MessageVars::default(),
                    performer,
                }),
            }
        })
        .await?
}

/// The reply's text: its template in the viewer's tier wording, or the
/// free text within the length limit; both escaped.
fn reply_text(app: &App, body: &ReplyBody, target: &Target) -> Result<String, ApiError> {
    match (&body.template, &body.text) {
        (Some(key), None) => {
            let mood = body.mood.as_deref().ok_or_else(|| {
                bad_request("mood", "a template is chosen by mood: give `mood` too")
            })?;
            app.templates
                .render_reply(mood, key, target.tier, &target.vars)
                .ok_or_else(|| {
                    ApiError::with_field(
                        ErrorCode::UnknownTemplate,
                        "template",
                        format!("no reply template `{key}` under mood `{mood}`"),
                    )
                })
        }
        (None, Some(text)) => {
            let limit = app.config.messages.replies.max_chars;
            let chars = text.chars().count();
            if text.trim().is_empty() {
                return Err(bad_request("text", "must not be empty"));
            }
            if chars > limit {
                return Err(ApiError::with_field(
                    ErrorCode::ReplyTooLong,
                    "text",
                    format!("the text has {chars} characters; at most {limit}"),
                ));
            }
            Ok(escape(text))
        }
        _ => Err(bad_request(
            "template",
            "give either `template` (with `mood`) or `text`, not both",
        )),
    }
}

async fn reply(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<ReplySent> {
    who.require(Permission::Reply(&room))
        .map_err(|e| app.refuse(e))?;
    app.require_room(&room).await.map_err(|e| app.refuse(e))?;
    let body: ReplyBody = parse(body).map_err(|e| app.refuse(e))?;
    if body.item.is_some() && body.viewer.is_some() {
        return Err(app.refuse(bad_request("viewer", "give `item` or `viewer`, not both")));
    }
    if body.visibility == ReplyVisibility::Private && body.item.is_none() && body.viewer.is_none() {
        return Err(app.refuse(bad_request(
            "viewer",
            "a private reply goes to an `item`'s viewer or to a `viewer` of the room",
        )));
    }
    let target = target(&app, &room, &body)
        .await
        .map_err(|e| app.refuse(e))?;
    let text = reply_text(&app, &body, &target).map_err(|e| app.refuse(e))?;
    let now = app.config.clock.now();
    let private_to = match body.visibility {
        ReplyVisibility::Private => target.viewer.clone(),
        ReplyVisibility::Public => None,
    };
    let taken = app
        .reply_rates
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take(
            &target.performer,
            private_to.as_ref().map(|v| v.as_str()),
            now,
        );
    if let Err(hit) = taken {
        let (code, whose) = match hit {
            LimitHit::Performer => (ErrorCode::ReplyRateLimitedPerformer, "this performer"),
            LimitHit::Viewer => (ErrorCode::ReplyRateLimitedViewer, "this viewer"),
        };
        let limits = app.config.messages.replies.clone();
        let count = match hit {
            LimitHit::Performer => limits.per_performer,
            LimitHit::Viewer => limits.per_viewer,
        };
        return Err(app.refuse(ApiError::new(
            code,
            format!(
                "{whose} had {count} replies in the last {} ms; try again later",
                limits.window_ms
            ),
        )));
    }
    match private_to {
        Some(viewer) => {
            let message = NewMessage {
                room: room.to_string(),
                viewer: viewer.to_string(),
                tier: target.tier,
                kind: "reply".into(),
                key: body.template.clone(),
                mood: body.mood.clone(),
                text: text.clone(),
                created_at: now,
            };
            let message = app
                .postman
                .ask(|reply| PostMsg::Post { message, reply })
                .await
                .map_err(|e| app.refuse(e))?;
            Ok(Json(ReplySent {
                visibility: ReplyVisibility::Private,
                text,
                message: Some(message),
                seq: None,
            }))
        }
        None => {
            let command = Command::Say {
                room: room.clone(),
                text: text.as_str().into(),
                mood: body.mood.as_deref().map(Into::into),
                by: actor(&who),
            };
            let reply = app
                .core
                .execute(Request { key: None, command })
                .await
                .map_err(|e| app.refuse(e))?;
            let seq = match reply {
                crate::domain::Reply::Said { seq, .. } => Some(seq),
                _ => None,
            };
            Ok(Json(ReplySent {
                visibility: ReplyVisibility::Public,
                text,
                message: None,
                seq,
            }))
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogQuery {
    item: Option<crate::domain::ItemId>,
    viewer: Option<UserId>,
}

/// Every template by mood in the target's tier wording.
async fn catalog(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    ApiQuery(query): ApiQuery<CatalogQuery>,
) -> Reply_<ReplyCatalog> {
    who.require(Permission::Reply(&room))
        .map_err(|e| app.refuse(e))?;
    app.require_room(&room).await.map_err(|e| app.refuse(e))?;
    let asked = ReplyBody {
        item: query.item,
        viewer: query.viewer,
        visibility: ReplyVisibility::Private,
        mood: None,
        template: None,
        text: None,
    };
    let target = target(&app, &room, &asked)
        .await
        .map_err(|e| app.refuse(e))?;
    let moods = app
        .templates
        .reply_keys()
        .into_iter()
        .map(|(mood, keys)| ReplyMood {
            templates: keys
                .into_iter()
                .filter_map(|key| {
                    let text =
                        app.templates
                            .render_reply(&mood, &key, target.tier, &target.vars)?;
                    Some(ReplyChoice { key, text })
                })
                .collect(),
            mood,
        })
        .collect();
    Ok(Json(ReplyCatalog {
        viewer: target.viewer,
        tier: target.tier,
        moods,
    }))
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
