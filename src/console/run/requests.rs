//! The editors' requests carried out through the REST client, each answer
//! turned into the editor's own terms (the runtime's side: the editors
//! themselves do no IO).

use crate::client::{GameClientError, RestClient};
use crate::console::games::{GameAnswer, GameRequest};
use crate::console::menus::{MenuAnswer, MenuRequest};
use crate::console::report::{BROADCASTS, ReportAnswer, ReportRequest};
use crate::domain::RoomId;
use crate::menus::client::{MenuClient, MenuClientError};
use crate::protocol::ErrorCode;

/// Carry out one menu change and turn the answer into the editor's terms.
pub(in crate::console) async fn send_menu(
    menus: &MenuClient,
    room: &RoomId,
    request: MenuRequest,
) -> MenuAnswer {
    let result = match request {
        MenuRequest::List => {
            return match menus.list(room).await {
                Ok(list) => MenuAnswer::Menus(list.menus),
                Err(err) => MenuAnswer::Failed(err.to_string()),
            };
        }
        MenuRequest::Create { spec } => menus.create(room, &spec).await,
        MenuRequest::UpdateMenu { menu, spec } => menus.update(room, &menu, &spec).await,
        MenuRequest::AddItem {
            menu,
            version,
            item,
        } => menus.add_item(room, &menu, version, &item, None).await,
        MenuRequest::UpdateItem {
            menu,
            version,
            item,
        } => menus.update_item(room, &menu, version, &item).await,
        MenuRequest::DeleteItem {
            menu,
            version,
            item,
        } => menus.delete_item(room, &menu, &item, version).await,
        MenuRequest::Reorder {
            menu,
            version,
            items,
        } => menus.reorder(room, &menu, version, &items).await,
        MenuRequest::Sort { menu, version, by } => {
            menus.sort(room, &menu, version, by, false).await
        }
    };
    match result {
        Ok(view) => MenuAnswer::Menu(Box::new(view)),
        Err(MenuClientError::Conflict(conflict)) => MenuAnswer::Conflict(conflict),
        Err(err) => MenuAnswer::Failed(err.to_string()),
    }
}

/// Carry out one game request and turn the answer into the editor's terms.
pub(in crate::console) async fn send_game(
    rest: &RestClient,
    room: &RoomId,
    request: GameRequest,
) -> GameAnswer {
    let result = match request {
        GameRequest::Load(game) => match rest.game(room, game).await {
            Err(err) if err.code() == Some(ErrorCode::GameUnavailable) => {
                return GameAnswer::Missing(game);
            }
            other => other,
        },
        GameRequest::Save(config) => rest.save_game(room, &config).await,
        GameRequest::Rotate(game) => {
            return match rest.rotate_seed(room, game).await {
                Ok(rotated) => GameAnswer::Rotated(Box::new(rotated)),
                Err(err) => game_failed(err),
            };
        }
    };
    match result {
        Ok(view) => GameAnswer::Loaded(Box::new(view)),
        Err(err) => game_failed(err),
    }
}

fn game_failed(err: GameClientError) -> GameAnswer {
    match err {
        GameClientError::Conflict(conflict) => GameAnswer::Conflict(conflict),
        err => GameAnswer::Failed {
            field: err.api().and_then(|e| e.field.clone()),
            message: err
                .api()
                .map_or_else(|| err.to_string(), |e| e.message.clone()),
        },
    }
}

/// Carry out one request of the report screen.
pub(in crate::console) async fn send_report(
    rest: &RestClient,
    room: &RoomId,
    request: ReportRequest,
) -> ReportAnswer {
    let answer = match request {
        ReportRequest::Broadcasts => rest
            .broadcasts(room, None, Some(BROADCASTS))
            .await
            .map(|page| ReportAnswer::Broadcasts(page.broadcasts)),
        ReportRequest::Report(id) => rest
            .report(room, id)
            .await
            .map(|report| ReportAnswer::Report(Box::new(report))),
    };
    answer.unwrap_or_else(|err| ReportAnswer::Failed(err.to_string()))
}

/// Carry out one request of the reply dialog.
pub(in crate::console) async fn send_reply(
    rest: &RestClient,
    room: &RoomId,
    request: crate::console::reply::ReplyRequest,
) -> crate::console::reply::ReplyAnswer {
    use crate::console::reply::{ReplyAnswer, ReplyRequest};
    let answer = match request {
        ReplyRequest::Catalog(item) => rest
            .reply_catalog(room, item)
            .await
            .map(ReplyAnswer::Catalog),
        ReplyRequest::Send(body) => rest
            .reply(room, &body)
            .await
            .map(|sent| ReplyAnswer::Sent(Box::new(sent))),
    };
    answer.unwrap_or_else(|err| ReplyAnswer::Failed(err.to_string()))
}
