//! The chip-menu API (docs/PROTOCOL.md "Chip menus",
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

use super::auth::{Permission, Principal, TokenRole};
use super::errors::status;
use super::extract::{ApiPath, ApiQuery, QueryMap, body_error};
use super::http::{App, Authed, idempotency_key};
use crate::domain::{RoomId, UserId};
use crate::menus::api::{
    AddItem, MenuDeleted, MenuList, Offer, PurchaseBody, PurchaseReceipt, Reorder, Sort,
    SubscriberList, Subscription, Templates, UpdateItem, VersionConflict,
};
use crate::menus::edit::{Edit, MenuError};
use crate::menus::model::{MenuSpec, MenuView, check_id, from_json, invalid};
use crate::menus::rules::{self, ANNOUNCE_KEY, Purchase};
use crate::protocol::ApiError;

mod purchase;
mod subscribers;

use purchase::{offer, purchase};
use subscribers::{subscribe, subscribers, unsubscribe};

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

pub(super) type Answer<T> = Result<Json<T>, MenuHttpError>;

pub(super) fn refuse(app: &App, err: impl Into<MenuError>) -> MenuHttpError {
    let err = err.into();
    app.metrics.error(err.code());
    MenuHttpError(err)
}

/// Menus are edited by the room's performer and by admins.
fn require_editor(app: &App, who: &Principal, room: &RoomId) -> Result<(), MenuHttpError> {
    who.require(Permission::EditMenus(room))
        .map_err(|e| refuse(app, e))
}

/// Who made a change, for the version history: role and token id.
pub(super) fn by(who: &Principal) -> String {
    format!("{}:{}", who.role.as_str(), who.token_id)
}

pub(super) async fn require_room(app: &App, room: &RoomId) -> Result<(), MenuHttpError> {
    app.require_room(room).await.map_err(|e| refuse(app, e))
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
pub(super) fn parse_body<T: serde::de::DeserializeOwned>(
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
        .ok_or_else(|| refuse(&app, crate::menus::edit::unknown_menu(&room, &menu)))
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
