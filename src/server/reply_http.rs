//! The performer's replies: `POST /api/v1/rooms/{room}/replies` to the
//! viewer of a queue item or any viewer of the room, a template by mood in
//! the viewer's tier wording or free text, privately (into the viewer's
//! outbox) or publicly (a `public_reply` event); and the templates rendered
//! for a target, for the console's preview. Rate limits per performer and
//! per viewer are refused by name.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::routing::{get, post};
use serde::Deserialize;

use super::auth::Permission;
use super::errors::bad_request;
use super::extract::{ApiPath, ApiQuery, parse};
use super::http::{App, Authed, Reply_, actor};
use super::postman::PostMsg;
use super::templates::escape;
use crate::domain::messages::MessageVars;
use crate::domain::outbox::reply::LimitHit;
use crate::domain::{Command, Request, RoomId, Tier, UserId};
use crate::protocol::{
    ApiError, ErrorCode, ReplyBody, ReplyCatalog, ReplyChoice, ReplyMood, ReplySent,
    ReplyVisibility,
};
use crate::store::NewMessage;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/rooms/{room}/replies", post(reply))
        .route("/api/v1/rooms/{room}/replies/templates", get(catalog))
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
