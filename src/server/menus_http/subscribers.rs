//! The room's subscriber list: who sees its subscribers-only menus.

use super::*;

/// Subscribers are managed by the room's performer, admins, and the
/// platform (integration tokens).
fn require_subscriptions(app: &App, who: &Principal, room: &RoomId) -> Result<(), Refusal> {
    require_editor(app, who, Permission::ManageSubscribers(room))
}

pub(super) async fn subscribers(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
) -> Answer<SubscriberList> {
    require_subscriptions(&app, &who, &room)?;
    require_room(&app, &room).await?;
    let users = app.menus.subscribers(&room);
    Ok(Json(SubscriberList { room, users }))
}

pub(super) async fn set_subscription(
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
    menu_store(&app, move || store.set_subscriber(&r, &u, subscriber, &b)).await?;
    Ok(Json(Subscription {
        room,
        user,
        subscriber,
    }))
}

pub(super) async fn subscribe(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, user)): ApiPath<(RoomId, String)>,
) -> Answer<Subscription> {
    set_subscription(app, who, room, user, true).await
}

pub(super) async fn unsubscribe(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, user)): ApiPath<(RoomId, String)>,
) -> Answer<Subscription> {
    set_subscription(app, who, room, user, false).await
}
