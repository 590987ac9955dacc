//! A typed client of the chip-menu API, for `cuedeck menu` and the console's
//! menu editor. A version conflict comes back whole ([`VersionConflict`]),
//! so the caller can show what changed and offer to reload or re-apply.

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::client::RestClient;
use crate::client::versioned::{ConflictBody, VersionedError};
use crate::domain::{RoomId, UserId};
use crate::protocol::ErrorCode;

use super::api::{
    MenuDeleted, MenuList, Offer, PurchaseBody, PurchaseReceipt, SortKey, SubscriberList,
    Subscription, Templates, VersionConflict,
};
use super::model::{ItemSpec, MenuSpec, MenuView};

/// A menu call's refusal: the whole [`VersionConflict`], or another error.
pub type MenuClientError = VersionedError<VersionConflict>;

impl ConflictBody for VersionConflict {
    fn code(&self) -> ErrorCode {
        self.code
    }

    fn message(&self) -> &str {
        &self.message
    }
}

#[derive(Clone)]
pub struct MenuClient {
    rest: RestClient,
}

fn menus(room: &RoomId) -> String {
    format!("/api/v1/rooms/{room}/menus")
}

impl MenuClient {
    pub fn new(rest: RestClient) -> Self {
        MenuClient { rest }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Result<T, MenuClientError> {
        let body = body.map(|b| serde_json::to_vec(&b).unwrap_or_default());
        self.rest.versioned_call(method, path, key, body).await
    }

    pub async fn list(&self, room: &RoomId) -> Result<MenuList, MenuClientError> {
        self.call(Method::GET, &menus(room), None, None).await
    }

    pub async fn get(&self, room: &RoomId, menu: &str) -> Result<MenuView, MenuClientError> {
        let path = format!("{}/{menu}", menus(room));
        self.call(Method::GET, &path, None, None).await
    }

    /// Create a menu (`spec` without id, version or item ids).
    pub async fn create(
        &self,
        room: &RoomId,
        spec: &MenuSpec,
    ) -> Result<MenuView, MenuClientError> {
        self.call(Method::POST, &menus(room), None, Some(json!(spec)))
            .await
    }

    /// Replace menu `menu`'s content; `spec.version` is the version it is
    /// based on.
    pub async fn update(
        &self,
        room: &RoomId,
        menu: &str,
        spec: &MenuSpec,
    ) -> Result<MenuView, MenuClientError> {
        let path = format!("{}/{menu}", menus(room));
        self.call(Method::PUT, &path, None, Some(json!(spec))).await
    }

    pub async fn delete(
        &self,
        room: &RoomId,
        menu: &str,
        version: u64,
    ) -> Result<MenuDeleted, MenuClientError> {
        let path = format!("{}/{menu}?version={version}", menus(room));
        self.call(Method::DELETE, &path, None, None).await
    }

    pub async fn add_item(
        &self,
        room: &RoomId,
        menu: &str,
        version: u64,
        item: &ItemSpec,
        position: Option<usize>,
    ) -> Result<MenuView, MenuClientError> {
        let path = format!("{}/{menu}/items", menus(room));
        let body = json!({"version": version, "item": item, "position": position});
        self.call(Method::POST, &path, None, Some(body)).await
    }

    pub async fn update_item(
        &self,
        room: &RoomId,
        menu: &str,
        version: u64,
        item: &ItemSpec,
    ) -> Result<MenuView, MenuClientError> {
        let id = item.id.clone().unwrap_or_default();
        let path = format!("{}/{menu}/items/{id}", menus(room));
        let body = json!({"version": version, "item": item});
        self.call(Method::PUT, &path, None, Some(body)).await
    }

    pub async fn delete_item(
        &self,
        room: &RoomId,
        menu: &str,
        item: &str,
        version: u64,
    ) -> Result<MenuView, MenuClientError> {
        let path = format!("{}/{menu}/items/{item}?version={version}", menus(room));
        self.call(Method::DELETE, &path, None, None).await
    }

    pub async fn reorder(
        &self,
        room: &RoomId,
        menu: &str,
        version: u64,
        items: &[String],
    ) -> Result<MenuView, MenuClientError> {
        let path = format!("{}/{menu}/reorder", menus(room));
        let body = json!({"version": version, "items": items});
        self.call(Method::POST, &path, None, Some(body)).await
    }

    pub async fn sort(
        &self,
        room: &RoomId,
        menu: &str,
        version: u64,
        by: SortKey,
        descending: bool,
    ) -> Result<MenuView, MenuClientError> {
        let path = format!("{}/{menu}/sort", menus(room));
        let body = json!({"version": version, "by": by, "descending": descending});
        self.call(Method::POST, &path, None, Some(body)).await
    }

    /// What a viewer is offered (the viewer's own token; admins and the
    /// room's performer may preview as `user`).
    pub async fn offer(
        &self,
        room: &RoomId,
        user: Option<&UserId>,
    ) -> Result<Offer, MenuClientError> {
        let path = match user {
            Some(user) => format!("/api/v1/rooms/{room}/offer?user={user}"),
            None => format!("/api/v1/rooms/{room}/offer"),
        };
        self.call(Method::GET, &path, None, None).await
    }

    /// Buy one item (viewer token). `key`: one per intended purchase,
    /// reused on retry.
    pub async fn purchase(
        &self,
        room: &RoomId,
        menu: &str,
        item: &str,
        key: &str,
        body: &PurchaseBody,
    ) -> Result<PurchaseReceipt, MenuClientError> {
        let path = format!("{}/{menu}/items/{item}/purchase", menus(room));
        self.call(Method::POST, &path, Some(key), Some(json!(body)))
            .await
    }

    pub async fn subscribers(&self, room: &RoomId) -> Result<SubscriberList, MenuClientError> {
        let path = format!("/api/v1/rooms/{room}/subscribers");
        self.call(Method::GET, &path, None, None).await
    }

    pub async fn set_subscriber(
        &self,
        room: &RoomId,
        user: &UserId,
        subscriber: bool,
    ) -> Result<Subscription, MenuClientError> {
        let path = format!("/api/v1/rooms/{room}/subscribers/{user}");
        let method = if subscriber {
            Method::PUT
        } else {
            Method::DELETE
        };
        self.call(method, &path, None, None).await
    }

    pub async fn templates(&self) -> Result<Templates, MenuClientError> {
        self.call(Method::GET, "/api/v1/menu-templates", None, None)
            .await
    }
}
