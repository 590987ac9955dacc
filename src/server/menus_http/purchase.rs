//! A viewer's purchase, whose checks and intake run in one turn of the
//! core, and what the room's menus offer a viewer.

use super::*;

pub(super) async fn purchase(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, menu, item)): ApiPath<(RoomId, String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer<PurchaseReceipt> {
    let user = viewer(&app, &who, Permission::Purchase(&room), "buys")?;
    let key = required_key(&app, &headers)?;
    let value = body_json(body).map_err(|e| refuse(&app, e))?;
    no_price(&app, &value, "the server computes it from the menu")?;
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
        pay_with: body.pay_with,
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
        Err(err) => return Err(intake_refused(&app, err)),
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

pub(super) async fn offer(
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
    who.require(Permission::SeeOffer(&room, as_user.as_ref()))
        .map_err(|e| refuse(&app, e))?;
    let user = match who.role {
        TokenRole::Viewer => who.user.clone(),
        _ => as_user,
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
