//! One check for every endpoint under `/api/v1/rooms/{room}`: a room that
//! does not exist is `unknown_room` (404) before anything else is read, so
//! no handler has to remember it. Rooms are never deleted, so the rooms
//! seen once are remembered; only a miss asks the core.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::http::App;
use crate::domain::RoomId;
use crate::protocol::{ApiError, ErrorCode};

#[derive(Clone)]
pub(super) struct RoomGuard {
    app: App,
    known: Arc<RwLock<HashSet<String>>>,
}

impl RoomGuard {
    pub(super) fn new(app: App) -> Self {
        RoomGuard {
            app,
            known: Arc::default(),
        }
    }

    async fn exists(&self, room: &str) -> Result<bool, ApiError> {
        let known = |set: &HashSet<String>| set.contains(room);
        if known(&self.known.read().unwrap_or_else(|e| e.into_inner())) {
            return Ok(true);
        }
        let wanted = RoomId::from(room);
        let exists = self
            .app
            .core
            .query(move |engine| engine.room_info(&wanted).is_some())
            .await?;
        if exists {
            self.known
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(room.to_string());
        }
        Ok(exists)
    }
}

/// The room segment of a path under `/api/v1/rooms/`, when it is one a
/// room id could be (anything else is left to the path's own parser,
/// which names the parameter).
fn room_segment(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/api/v1/rooms/")?;
    let room = rest.split('/').next()?;
    let plain = !room.is_empty()
        && room
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    plain.then_some(room)
}

pub(super) async fn unknown_room(
    State(guard): State<RoomGuard>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(room) = room_segment(request.uri().path()) {
        match guard.exists(room).await {
            Ok(true) => {}
            Ok(false) => {
                let err = ApiError::new(
                    ErrorCode::UnknownRoom,
                    format!("room `{room}` does not exist"),
                );
                return guard.app.refuse(err).into_response();
            }
            Err(err) => return guard.app.refuse(err).into_response(),
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::room_segment;

    #[test]
    fn only_paths_under_a_room_are_checked() {
        assert_eq!(room_segment("/api/v1/rooms/r1"), Some("r1"));
        assert_eq!(
            room_segment("/api/v1/rooms/r1/games/slot/fairness"),
            Some("r1")
        );
        assert_eq!(room_segment("/api/v1/rooms"), None);
        assert_eq!(room_segment("/api/v1/rooms/"), None);
        assert_eq!(room_segment("/api/v1/rooms/%20x/join"), None);
        assert_eq!(room_segment("/api/v1/spins/r1"), None);
    }
}
