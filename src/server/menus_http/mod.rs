//! The chip-menu API (docs/PROTOCOL.md "Chip menus",
//! docs/MENUS.md): the performer's menus, versioned; what a viewer is
//! offered; the viewer's purchase, whose checks and intake run in one turn
//! of the core; the room's subscribers; the shipped templates.

use crate::protocol::ErrorCode;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::routing::{get, post, put};
use axum::{Json, Router};

use super::auth::{Permission, Principal, TokenRole};
use super::extract::{ApiPath, ApiQuery, QueryMap};
use super::http::{App, Authed};
use super::scoped_http::parse_config;
use super::scoped_http::{
    Answer, Refusal, blocking, body_json, by, intake_refused, no_price, parse_body, refuse,
    require_editor, require_room, required_key, version_query, viewer,
};
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

impl From<MenuError> for Refusal {
    /// `{code, message, field}`, or the whole [`VersionConflict`].
    fn from(err: MenuError) -> Self {
        match err {
            MenuError::Api(err) => err.into(),
            MenuError::Conflict(conflict) => Refusal::body(conflict.code, *conflict),
        }
    }
}

/// Menus are edited by the room's performer and by admins.
fn require_menu_editor(app: &App, who: &Principal, room: &RoomId) -> Result<(), Refusal> {
    require_editor(app, who, Permission::EditMenus(room))
}

/// A menu store call off the async threads.
pub(super) async fn menu_store<T: Send + 'static>(
    app: &App,
    f: impl FnOnce() -> Result<T, MenuError> + Send + 'static,
) -> Result<T, Refusal> {
    blocking(app, "menu store", f).await
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
    require_menu_editor(&app, &who, &room)?;
    require_room(&app, &room).await?;
    let menus = app.menus.list(&room).iter().map(|m| m.view()).collect();
    Ok(Json(MenuList { room, menus }))
}

async fn read(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, menu)): ApiPath<(RoomId, String)>,
) -> Answer<MenuView> {
    require_menu_editor(&app, &who, &room)?;
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
    require_menu_editor(&app, &who, &room)?;
    require_room(&app, &room).await?;
    let spec: MenuSpec = parse_config(&app, body)?;
    spec.check_patterns(&app.patterns.names(&room))
        .map_err(|e| refuse(&app, e))?;
    let store = app.menus.clone();
    let by = by(&who);
    let menu = menu_store(&app, move || store.create(&room, spec, &by)).await?;
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
    let known = app.patterns.names(&room);
    match &edit {
        Edit::Replace(spec) => spec.check_patterns(&known),
        Edit::AddItem { item, .. } | Edit::UpdateItem { item, .. } => {
            item.check_patterns("item", &known)
        }
        _ => Ok(()),
    }
    .map_err(|e| refuse(app, e))?;
    let store = app.menus.clone();
    let by = by(who);
    let kind = edit.kind();
    let menu = menu_store(app, move || store.edit(&room, &menu, version, edit, &by)).await?;
    tracing::info!(room = %menu.room, menu = %menu.id, version = menu.version, kind, by = %who.token_id, "menu edited");
    Ok(Json(menu.view()))
}

async fn update(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, menu)): ApiPath<(RoomId, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<MenuView> {
    require_menu_editor(&app, &who, &room)?;
    let spec: MenuSpec = parse_config(&app, body)?;
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
    require_menu_editor(&app, &who, &room)?;
    require_room(&app, &room).await?;
    let expected = version_query(&query).map_err(|e| refuse(&app, e))?;
    let store = app.menus.clone();
    let (r, m, b) = (room.clone(), menu.clone(), by(&who));
    let version = menu_store(&app, move || store.delete(&r, &m, expected, &b)).await?;
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
    require_menu_editor(&app, &who, &room)?;
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
    require_menu_editor(&app, &who, &room)?;
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
    require_menu_editor(&app, &who, &room)?;
    let version = version_query(&query).map_err(|e| refuse(&app, e))?;
    edit(&app, &who, room, menu, version, Edit::DeleteItem { id }).await
}

async fn reorder(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, menu)): ApiPath<(RoomId, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<MenuView> {
    require_menu_editor(&app, &who, &room)?;
    let Reorder { version, items } = parse_body(&app, body)?;
    edit(&app, &who, room, menu, version, Edit::Reorder(items)).await
}

async fn sort(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, menu)): ApiPath<(RoomId, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<MenuView> {
    require_menu_editor(&app, &who, &room)?;
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
