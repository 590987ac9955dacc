//! The chip-menu API (issue 7; docs/PROTOCOL.md "Chip menus",
//! docs/MENUS.md): the performer's menus, versioned; what a viewer is
//! offered; the viewer's purchase, whose checks and intake run in one turn
//! of the core; the room's subscribers; the shipped templates.

use crate::protocol::ErrorCode;
use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::Value;

use super::auth::{Action, Principal, Role};
use super::errors::status;
use super::extract::{ApiPath, ApiQuery, QueryMap, body_error};
use super::http::{App, Authed, idempotency_key};
use crate::domain::{RoomId, UserId};
use crate::menus::api::{
    AddItem, MenuDeleted, MenuList, Offer, PurchaseBody, PurchaseReceipt, Reorder, Sort,
    SubscriberList, Subscription, Templates, UpdateItem, VersionConflict,
};
use crate::menus::model::{MenuSpec, MenuView, check_id, from_json, invalid};
use crate::menus::rules::{self, ANNOUNCE_KEY, Purchase};
use crate::menus::store::{Edit, MenuError};
use crate::protocol::ApiError;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/menu-templates", get(templates))
        .route("/api/v1/rooms/{room}/menus", get(list).post(create))
        .route(
            "/api/v1/rooms/{room}/menus/{menu}",
            get(read).put(update).delete(delete),
        )
        .route("/api/v1/rooms/{room}/menus/{menu}/items", post(add_item))
        .route(
            "/api/v1/rooms/{room}/menus/{menu}/items/{item}",
            put(update_item).delete(delete_item),
        )
        .route("/api/v1/rooms/{room}/menus/{menu}/reorder", post(reorder))
        .route("/api/v1/rooms/{room}/menus/{menu}/sort", post(sort))
        .route(
            "/api/v1/rooms/{room}/menus/{menu}/items/{item}/purchase",
            post(purchase),
        )
        .route("/api/v1/rooms/{room}/offer", get(offer))
        .route("/api/v1/rooms/{room}/subscribers", get(subscribers))
        .route(
            "/api/v1/rooms/{room}/subscribers/{user}",
            put(subscribe).delete(unsubscribe),
        )
}

/// An error as a response: `{code, message, field}`, or the whole
/// [`VersionConflict`] for `version_conflict`.
pub struct MenuHttpError(MenuError);

impl IntoResponse for MenuHttpError {
    fn into_response(self) -> Response {
        match self.0 {
            MenuError::Api(err) => (status(err.code), Json(err)).into_response(),
            MenuError::Conflict(conflict) => {
                (status(conflict.code), Json(*conflict)).into_response()
            }
        }
    }
}

type Answer<T> = Result<Json<T>, MenuHttpError>;

fn refuse(app: &App, err: impl Into<MenuError>) -> MenuHttpError {
    let err = err.into();
    app.metrics.error(err.code());
    MenuHttpError(err)
}

pub(super) fn forbidden(who: &Principal, what: &str) -> ApiError {
    tracing::warn!(token = %who.token_id, role = who.role.as_str(), what, "forbidden");
    ApiError::new(
        ErrorCode::Forbidden,
        format!("a {} token may not {what}", who.role.as_str()),
    )
}

/// Menus are edited by the room's performer and by admins.
fn require_editor(app: &App, who: &Principal, room: &RoomId) -> Result<(), MenuHttpError> {
    match who.role {
        Role::Admin => Ok(()),
        Role::Performer if who.rooms.contains(room) => Ok(()),
        _ => Err(refuse(app, forbidden(who, "edit this room's menus"))),
    }
}

/// Who made a change, for the version history: role and token id.
pub(super) fn by(who: &Principal) -> String {
    format!("{}:{}", who.role.as_str(), who.token_id)
}

async fn require_room(app: &App, room: &RoomId) -> Result<(), MenuHttpError> {
    let wanted = room.clone();
    let exists = app
        .core
        .query(move |engine| engine.room_view(&wanted).is_some())
        .await
        .map_err(|e| refuse(app, e))?;
    if exists {
        Ok(())
    } else {
        Err(refuse(
            app,
            ApiError::new(
                ErrorCode::UnknownRoom,
                format!("room `{room}` does not exist"),
            ),
        ))
    }
}

/// The body as JSON (an empty body is `{}`).
pub(super) fn body_json(body: Result<Bytes, BytesRejection>) -> Result<Value, ApiError> {
    let body = body.map_err(body_error)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    crate::domain::json::parse_value(&body).map_err(|e| ApiError::from(&e))
}

/// A request body as `T`: JSON, no computed fields, errors naming the field.
fn parse_body<T: serde::de::DeserializeOwned>(
    app: &App,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, MenuHttpError> {
    body_json(body)
        .and_then(from_json)
        .map_err(|e| refuse(app, e))
}

fn version_query(query: &HashMap<String, String>) -> Result<u64, ApiError> {
    let text = query.get("version").ok_or_else(|| {
        invalid(
            "version",
            "required: the version this change is based on (`?version=N`)",
        )
    })?;
    text.parse()
        .map_err(|_| invalid("version", format!("{text:?} is not a version number")))
}

/// Run a store call off the async threads (it writes SQLite).
async fn blocking<T: Send + 'static>(
    app: &App,
    f: impl FnOnce() -> Result<T, MenuError> + Send + 'static,
) -> Result<T, MenuHttpError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| {
            Err(MenuError::Api(ApiError::new(
                ErrorCode::Internal,
                format!("menu store task failed: {e}"),
            )))
        })
        .map_err(|e| refuse(app, e))
}

async fn templates(State(_app): State<App>, Authed(_who): Authed) -> Json<Templates> {
    Json(Templates {
        templates: crate::menus::templates(),
    })
}

async fn list(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
) -> Answer<MenuList> {
    require_editor(&app, &who, &room)?;
    require_room(&app, &room).await?;
    let menus = app.menus.list(&room).iter().map(|m| m.view()).collect();
    Ok(Json(MenuList { room, menus }))
}

async fn read(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, menu)): ApiPath<(RoomId, String)>,
) -> Answer<MenuView> {
    require_editor(&app, &who, &room)?;
    require_room(&app, &room).await?;
    app.menus
        .get(&room, &menu)
        .map(|m| Json(m.view()))
        .ok_or_else(|| refuse(&app, crate::menus::store::unknown_menu(&room, &menu)))
}

async fn create(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<MenuView> {
    require_editor(&app, &who, &room)?;
    require_room(&app, &room).await?;
    let spec: MenuSpec = parse_body(&app, body)?;
    let store = app.menus.clone();
    let by = by(&who);
    let menu = blocking(&app, move || store.create(&room, spec, &by)).await?;
    tracing::info!(room = %menu.room, menu = %menu.id, by = %who.token_id, "menu created");
    Ok(Json(menu.view()))
}

/// Apply one edit based on `version` and answer with the menu as it is now.
async fn edit(
    app: &App,
    who: &Principal,
    room: RoomId,
    menu: String,
    version: u64,
    edit: Edit,
) -> Answer<MenuView> {
    // The handlers checked the editor before reading the body.
    require_room(app, &room).await?;
    let store = app.menus.clone();
    let by = by(who);
    let kind = edit.kind();
    let menu = blocking(app, move || store.edit(&room, &menu, version, edit, &by)).await?;
    tracing::info!(room = %menu.room, menu = %menu.id, version = menu.version, kind, by = %who.token_id, "menu edited");
    Ok(Json(menu.view()))
}

async fn update(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, menu)): ApiPath<(RoomId, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<MenuView> {
    require_editor(&app, &who, &room)?;
    let spec: MenuSpec = parse_body(&app, body)?;
    let version = spec.version.ok_or_else(|| {
        refuse(
            &app,
            invalid(
                "version",
                "required: the version this edit is based on (from GET)",
            ),
        )
    })?;
    edit(&app, &who, room, menu, version, Edit::Replace(spec)).await
}

async fn delete(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, menu)): ApiPath<(RoomId, String)>,
    ApiQuery(query): ApiQuery<QueryMap>,
) -> Answer<MenuDeleted> {
    require_editor(&app, &who, &room)?;
    require_room(&app, &room).await?;
    let expected = version_query(&query).map_err(|e| refuse(&app, e))?;
    let store = app.menus.clone();
    let (r, m, b) = (room.clone(), menu.clone(), by(&who));
    let version = blocking(&app, move || store.delete(&r, &m, expected, &b)).await?;
    tracing::info!(%room, %menu, version, by = %who.token_id, "menu deleted");
    Ok(Json(MenuDeleted {
        room,
        menu,
        version,
        deleted: true,
    }))
}

async fn add_item(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, menu)): ApiPath<(RoomId, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<MenuView> {
    require_editor(&app, &who, &room)?;
    let AddItem {
        version,
        item,
        position,
    } = parse_body(&app, body)?;
    edit(
        &app,
        &who,
        room,
        menu,
        version,
        Edit::AddItem { item, position },
    )
    .await
}

async fn update_item(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, menu, id)): ApiPath<(RoomId, String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<MenuView> {
    require_editor(&app, &who, &room)?;
    let UpdateItem { version, item } = parse_body(&app, body)?;
    edit(
        &app,
        &who,
        room,
        menu,
        version,
        Edit::UpdateItem { id, item },
    )
    .await
}

async fn delete_item(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, menu, id)): ApiPath<(RoomId, String, String)>,
    ApiQuery(query): ApiQuery<QueryMap>,
) -> Answer<MenuView> {
    require_editor(&app, &who, &room)?;
    let version = version_query(&query).map_err(|e| refuse(&app, e))?;
    edit(&app, &who, room, menu, version, Edit::DeleteItem { id }).await
}

async fn reorder(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, menu)): ApiPath<(RoomId, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<MenuView> {
    require_editor(&app, &who, &room)?;
    let Reorder { version, items } = parse_body(&app, body)?;
    edit(&app, &who, room, menu, version, Edit::Reorder(items)).await
}

async fn sort(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, menu)): ApiPath<(RoomId, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<MenuView> {
    require_editor(&app, &who, &room)?;
    let Sort {
        version,
        by,
        descending,
    } = parse_body(&app, body)?;
    edit(
        &app,
        &who,
        room,
        menu,
        version,
        Edit::Sort { by, descending },
    )
    .await
}

/// Keys that would carry a price; a client never sends one.
fn price_key(key: &str) -> bool {
    let key: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    key.contains("price")
        || key.contains("cost")
        || matches!(
            key.as_str(),
            "tokens" | "amount" | "total" | "basetokens" | "multiplier" | "discount" | "charge"
        )
}

pub(super) fn find_price(value: &Value, path: &str) -> Option<String> {
    match value {
        Value::Object(map) => map.iter().find_map(|(key, child)| {
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            if price_key(key) {
                Some(here)
            } else {
                find_price(child, &here)
            }
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, child)| find_price(child, &format!("{path}[{i}]"))),
        _ => None,
    }
}

async fn purchase(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, menu, item)): ApiPath<(RoomId, String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer<PurchaseReceipt> {
    who.require(Action::Purchase(&room))
        .map_err(|e| refuse(&app, e))?;
    let user = who
        .user
        .clone()
        .ok_or_else(|| refuse(&app, forbidden(&who, "buy: only a viewer token buys")))?;
    let key = idempotency_key(&headers, true)
        .map_err(|e| refuse(&app, e))?
        .ok_or_else(|| refuse(&app, ApiError::new(ErrorCode::Internal, "no key")))?;
    let value = body_json(body).map_err(|e| refuse(&app, e))?;
    if let Some(field) = find_price(&value, "") {
        return Err(refuse(
            &app,
            ApiError {
                code: ErrorCode::ForbiddenField,
                message: format!(
                    "forbidden field `{field}`: a client never sends a price; the server computes it from the menu"
                ),
                field: Some(field),
            },
        ));
    }
    let body: PurchaseBody = from_json(value).map_err(|e| refuse(&app, e))?;
    if !app.templates.has_public(ANNOUNCE_KEY) {
        return Err(refuse(
            &app,
            ApiError::new(
                ErrorCode::Internal,
                format!("the message templates lack {ANNOUNCE_KEY:?}"),
            ),
        ));
    }
    let stored = app.menus.get(&room, &menu);
    let subscriber = app.menus.is_subscriber(&room, &user);
    let seen_version = body.menu_version;
    let request = Purchase {
        room: room.clone(),
        user,
        key,
        menu_id: menu.clone(),
        item_id: item,
        menu: stored,
        subscriber,
        seen_version,
        display_name: body.display_name,
    };
    let reply = match app
        .core
        .execute_checked(move |engine, now| request.prepare(engine, now))
        .await
    {
        Ok(reply) => reply,
        Err(err) if err.code == ErrorCode::VersionConflict => {
            // A viewer learns only that prices may have changed: hidden
            // items, whitelists and who edited stay with the performer.
            let current = app.menus.get(&room, &menu).map_or(0, |m| m.version);
            let conflict = VersionConflict {
                code: err.code,
                message: err.message,
                field: err.field,
                menu,
                your_version: seen_version.unwrap_or_default(),
                current_version: current,
                changes: Vec::new(),
                history: Vec::new(),
                current: None,
            };
            return Err(refuse(&app, MenuError::Conflict(Box::new(conflict))));
        }
        Err(mut err) => {
            if err.code == ErrorCode::InsufficientFunds {
                err.field = None;
            }
            return Err(refuse(&app, err));
        }
    };
    let Some(id) = reply.item() else {
        return Err(refuse(
            &app,
            ApiError::new(ErrorCode::Internal, "the purchase made no queue item"),
        ));
    };
    let item = app
        .records
        .item(&app.core, room, id)
        .await
        .map_err(|e| refuse(&app, e))?
        .ok_or_else(|| {
            refuse(
                &app,
                ApiError::new(ErrorCode::Internal, "the queue item vanished"),
            )
        })?;
    Ok(Json(rules::receipt(&item, reply)))
}

async fn offer(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    ApiQuery(query): ApiQuery<QueryMap>,
) -> Answer<Offer> {
    let as_user = match query.get("user") {
        Some(user) => {
            check_id("user", user).map_err(|e| refuse(&app, e))?;
            Some(UserId::new(user.as_str()))
        }
        None => None,
    };
    let user = match who.role {
        Role::Viewer => {
            if as_user.is_some() && as_user != who.user {
                return Err(refuse(&app, forbidden(&who, "see another viewer's offer")));
            }
            who.user.clone()
        }
        Role::Admin => as_user,
        Role::Performer if who.rooms.contains(&room) => as_user,
        _ => return Err(refuse(&app, forbidden(&who, "see this room's offer"))),
    };
    let menus = app.menus.list(&room);
    let subscriber = user
        .as_ref()
        .is_some_and(|u| app.menus.is_subscriber(&room, u));
    let now = app.config.clock.now();
    let wanted = room.clone();
    let found = app
        .core
        .query(move |engine| rules::offer(engine, now, &wanted, user.as_ref(), subscriber, &menus))
        .await
        .map_err(|e| refuse(&app, e))?;
    found.map(Json).ok_or_else(|| {
        refuse(
            &app,
            ApiError::new(
                ErrorCode::UnknownRoom,
                format!("room `{room}` does not exist"),
            ),
        )
    })
}

/// Subscribers are managed by the room's performer, admins, and the
/// platform (integration tokens).
fn require_subscriptions(app: &App, who: &Principal, room: &RoomId) -> Result<(), MenuHttpError> {
    match who.role {
        Role::Admin | Role::Integration => Ok(()),
        Role::Performer if who.rooms.contains(room) => Ok(()),
        _ => Err(refuse(
            app,
            forbidden(who, "manage this room's subscribers"),
        )),
    }
}

async fn subscribers(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
) -> Answer<SubscriberList> {
    require_subscriptions(&app, &who, &room)?;
    require_room(&app, &room).await?;
    let users = app.menus.subscribers(&room);
    Ok(Json(SubscriberList { room, users }))
}

async fn set_subscription(
    app: App,
    who: Principal,
    room: RoomId,
    user: String,
    subscriber: bool,
) -> Answer<Subscription> {
    require_subscriptions(&app, &who, &room)?;
    check_id("user", &user).map_err(|e| refuse(&app, e))?;
    require_room(&app, &room).await?;
    let user = UserId::new(user.as_str());
    let store: Arc<_> = app.menus.clone();
    let (r, u, b) = (room.clone(), user.clone(), by(&who));
    blocking(&app, move || store.set_subscriber(&r, &u, subscriber, &b)).await?;
    Ok(Json(Subscription {
        room,
        user,
        subscriber,
    }))
}

async fn subscribe(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, user)): ApiPath<(RoomId, String)>,
) -> Answer<Subscription> {
    set_subscription(app, who, room, user, true).await
}

async fn unsubscribe(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, user)): ApiPath<(RoomId, String)>,
) -> Answer<Subscription> {
    set_subscription(app, who, room, user, false).await
}
