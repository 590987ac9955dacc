//! The editors' requests carried out through the REST client, each answer
//! turned into the editor's own terms (the runtime's side: the editors
//! themselves do no IO).

use std::sync::Arc;

use crate::client::versioned::{ConflictBody, VersionedError};
use crate::client::{GameClientError, RestClient};
use crate::console::games::{GameAnswer, GameRequest};
use crate::console::levels::{LevelAnswer, LevelRequest};
use crate::console::menus::{MenuAnswer, MenuRequest};
use crate::console::queue::award::{PointsAnswer, PointsRequest};
use crate::console::report::{BROADCASTS, ReportAnswer, ReportRequest};
use crate::domain::RoomId;
use crate::menus::client::{MenuClient, MenuClientError};
use crate::protocol::{AwardRequest, ErrorCode};

/// The names of the room's imported patterns, for the editors' toy
/// effects (none when they cannot be had: the built-ins stay offered).
pub(in crate::console) async fn pattern_names(rest: &RestClient, room: &RoomId) -> Arc<[Arc<str>]> {
    match rest.pattern_names(room).await {
        Ok(names) => names.into_iter().map(Arc::from).collect(),
        Err(err) => {
            tracing::warn!(%room, error = %err, "imported pattern names not had");
            Arc::from([])
        }
    }
}

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
        err => {
            let (message, field) = refusal(&err);
            GameAnswer::Failed { message, field }
        }
    }
}

/// A refusal as an editor says it: the server's message and the field it
/// names, or what went wrong on the way.
fn refusal<C: ConflictBody>(err: &VersionedError<C>) -> (String, Option<String>) {
    let field = err.api().and_then(|e| e.field.clone());
    let message = err
        .api()
        .map_or_else(|| err.to_string(), |e| e.message.clone());
    (message, field)
}

/// Carry out one request of the tip-levels editor.
pub(in crate::console) async fn send_levels(
    rest: &RestClient,
    room: &RoomId,
    request: LevelRequest,
) -> LevelAnswer {
    let result = match request {
        LevelRequest::Load => rest.tip_levels(room).await.map_err(VersionedError::from),
        LevelRequest::Save { levels, base } => rest.save_tip_levels(room, &levels, base).await,
    };
    match result {
        Ok(view) => LevelAnswer::Loaded(Box::new(view)),
        Err(VersionedError::Conflict(conflict)) => LevelAnswer::Conflict(conflict),
        Err(err) => {
            let (message, field) = refusal(&err);
            LevelAnswer::Failed { message, field }
        }
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

/// How many of the broadcast's awards the award dialog lists.
const AWARDS_SHOWN: usize = 8;

/// Carry out one points request of the award dialog.
pub(in crate::console) async fn send_points(
    rest: &RestClient,
    room: &RoomId,
    request: PointsRequest,
) -> PointsAnswer {
    let answer = match request {
        PointsRequest::Left(user) => rest.award_left(room, &user).await.map(PointsAnswer::Left),
        PointsRequest::Awards => {
            // The current (or last) broadcast's awards.
            let since = match rest.broadcasts(room, None, Some(1)).await {
                Ok(page) => page.broadcasts.first().map(|b| b.started_at),
                Err(err) => return PointsAnswer::Failed(err.to_string()),
            };
            rest.room_awards(room, None, since, AWARDS_SHOWN)
                .await
                .map(|page| PointsAnswer::Awards(page.entries))
        }
        PointsRequest::Viewer(user) => {
            let left = rest.award_left(room, &user).await;
            let awards = rest
                .room_awards(room, Some(&user), None, VIEWER_AWARDS)
                .await;
            let points = match (left, awards) {
                (Ok(left), Ok(page)) => Ok((left.balance, page.entries)),
                (Err(err), _) | (_, Err(err)) => Err(api_message(err)),
            };
            return PointsAnswer::Viewer { user, points };
        }
        PointsRequest::Award {
            user,
            amount,
            note,
            key,
        } => {
            let body = AwardRequest {
                user: user.clone(),
                amount,
                note,
            };
            rest.award(room, &body, &key)
                .await
                .map(|_| PointsAnswer::Awarded { user, amount })
        }
    };
    answer.unwrap_or_else(|err| PointsAnswer::Failed(api_message(err)))
}

/// A viewer's last awards the item details show.
const VIEWER_AWARDS: usize = 3;

fn api_message(err: crate::client::ClientError) -> String {
    match err {
        crate::client::ClientError::Api { error, .. } => error.message,
        other => other.to_string(),
    }
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
