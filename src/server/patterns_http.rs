//! A room's imported patterns: Lovense pattern files saved on the server
//! under a name, so that the room's tip levels and specials can name them
//! beside the built-ins and every console of the room plays the same
//! steps. `PUT /api/v1/rooms/{room}/patterns/{name}` with `{"text": ...}`
//! (the file, checked by the same parser as `cuedeck toy test
//! --pattern-file`), `GET` the list or one with its text, `DELETE` one
//! that the current levels do not name.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::auth::Permission;
use super::extract::ApiPath;
use super::http::{App, Authed};
use super::scoped_http::{Answer, by, parse_plain, refuse, require_editor, require_room};
use crate::domain::tips::{PatternRef, TipLevels, pattern_name_problem};
use crate::domain::{RoomId, Stamp};
use crate::protocol::{ApiError, ErrorCode};
use crate::store::{PatternDb, PatternRow, StoreError};
use crate::toy::pattern_file::PatternFile;

/// A pattern as listed: its shape, not its steps.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatternView {
    pub name: String,
    pub steps: usize,
    pub step_ms: u64,
    pub length_ms: u64,
    pub saved_at: Stamp,
    pub changed_by: String,
    /// The file's text (only when one pattern is asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternBody {
    text: String,
}

struct Stored {
    text: Arc<str>,
    parsed: PatternFile,
    at: Stamp,
    by: String,
}

impl Stored {
    fn view(&self, name: &str, with_text: bool) -> PatternView {
        PatternView {
            name: name.to_string(),
            steps: self.parsed.steps.len(),
            step_ms: self.parsed.step_ms,
            length_ms: self.parsed.length_ms(),
            saved_at: self.at,
            changed_by: self.by.clone(),
            text: with_text.then(|| self.text.to_string()),
        }
    }
}

/// Every room's imported patterns, on disk before they are usable.
pub struct PatternBook {
    db: Arc<PatternDb>,
    rooms: RwLock<HashMap<RoomId, BTreeMap<String, Stored>>>,
}

impl PatternBook {
    pub fn open(db: PatternDb) -> Result<PatternBook, StoreError> {
        let mut rooms: HashMap<RoomId, BTreeMap<String, Stored>> = HashMap::new();
        for row in db.all()? {
            let parsed = PatternFile::parse(&row.name, &row.text)
                .map_err(|e| StoreError::Mismatch(format!("room {} pattern: {e}", row.room)))?;
            rooms
                .entry(RoomId::new(row.room.as_str()))
                .or_default()
                .insert(
                    row.name,
                    Stored {
                        text: row.text.into(),
                        parsed,
                        at: Stamp(row.at),
                        by: row.changed_by,
                    },
                );
        }
        Ok(PatternBook {
            db: Arc::new(db),
            rooms: RwLock::new(rooms),
        })
    }

    /// The names a room's configuration may use beside the built-ins.
    pub fn names(&self, room: &RoomId) -> BTreeSet<String> {
        let rooms = self.rooms.read().unwrap_or_else(|e| e.into_inner());
        rooms
            .get(room)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn views(&self, room: &RoomId) -> Vec<PatternView> {
        let rooms = self.rooms.read().unwrap_or_else(|e| e.into_inner());
        rooms
            .get(room)
            .map(|p| p.iter().map(|(n, s)| s.view(n, false)).collect())
            .unwrap_or_default()
    }

    fn view(&self, room: &RoomId, name: &str) -> Option<PatternView> {
        let rooms = self.rooms.read().unwrap_or_else(|e| e.into_inner());
        Some(rooms.get(room)?.get(name)?.view(name, true))
    }
}

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/rooms/{room}/patterns", get(list))
        .route(
            "/api/v1/rooms/{room}/patterns/{name}",
            get(one).put(save).delete(remove),
        )
}

fn unknown(room: &RoomId, name: &str) -> ApiError {
    ApiError::with_field(
        ErrorCode::NotFound,
        "name",
        format!("room `{room}` has no pattern {name:?}"),
    )
}

fn store_failed(app: &App, err: StoreError) -> super::scoped_http::Refusal {
    tracing::error!(error = %err, "patterns store");
    refuse(
        app,
        ApiError::new(ErrorCode::Unavailable, format!("patterns store: {err}")),
    )
}

async fn list(
    State(app): State<App>,
    Authed(_who): Authed,
    ApiPath(room): ApiPath<RoomId>,
) -> Answer<Vec<PatternView>> {
    require_room(&app, &room).await?;
    Ok(Json(app.patterns.views(&room)))
}

async fn one(
    State(app): State<App>,
    Authed(_who): Authed,
    ApiPath((room, name)): ApiPath<(RoomId, String)>,
) -> Answer<PatternView> {
    require_room(&app, &room).await?;
    app.patterns
        .view(&room, &name)
        .map(Json)
        .ok_or_else(|| refuse(&app, unknown(&room, &name)))
}

async fn save(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, name)): ApiPath<(RoomId, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<PatternView> {
    require_editor(&app, &who, Permission::RunLane(&room))?;
    require_room(&app, &room).await?;
    if let Some(problem) = pattern_name_problem(&name) {
        let problem = format!("pattern name {name:?} {problem}");
        return Err(refuse(&app, ApiError::invalid("name", problem)));
    }
    let PatternBody { text } = parse_plain(&app, body)?;
    let parsed = PatternFile::parse(&name, &text)
        .map_err(|e| refuse(&app, ApiError::invalid("text", e.to_string())))?;
    let at = app.config.clock.now();
    let row = PatternRow {
        room: room.to_string(),
        name: name.clone(),
        text: text.clone(),
        at: at.0,
        changed_by: by(&who),
    };
    let db = app.patterns.db.clone();
    tokio::task::spawn_blocking(move || db.put(row))
        .await
        .map_err(|e| store_failed(&app, StoreError::Sqlite(e.to_string())))?
        .map_err(|e| store_failed(&app, e))?;
    let stored = Stored {
        text: text.into(),
        parsed,
        at,
        by: by(&who),
    };
    let view = stored.view(&name, false);
    let mut rooms = app
        .patterns
        .rooms
        .write()
        .unwrap_or_else(|e| e.into_inner());
    rooms.entry(room.clone()).or_default().insert(name, stored);
    tracing::info!(%room, pattern = %view.name, "pattern saved");
    Ok(Json(view))
}

/// Where the levels name `name`, if they do.
fn named_in(levels: &TipLevels, name: &str) -> Option<String> {
    let is = |p: &Option<PatternRef>| p.as_ref().is_some_and(|p| p.name() == name);
    if let Some(i) = levels.levels.iter().position(|l| is(&l.pattern)) {
        return Some(format!("levels[{i}].pattern"));
    }
    levels.specials.iter().enumerate().find_map(|(i, s)| {
        let pattern = match &s.action {
            crate::domain::tips::SpecialAction::Preset { pattern, .. } => Some(pattern.clone()),
            crate::domain::tips::SpecialAction::RandomDuration { pattern, .. } => pattern.clone(),
            crate::domain::tips::SpecialAction::RandomLevel {} => None,
        };
        is(&pattern).then(|| format!("specials[{i}].action.pattern"))
    })
}

async fn remove(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, name)): ApiPath<(RoomId, String)>,
) -> Answer<serde_json::Value> {
    require_editor(&app, &who, Permission::RunLane(&room))?;
    if let Some(field) = named_in(&app.tips.current(&room), &name) {
        return Err(refuse(
            &app,
            ApiError::with_field(
                ErrorCode::InvalidField,
                "name",
                format!("the tip levels still use {name:?} ({field}): change them first"),
            ),
        ));
    }
    let db = app.patterns.db.clone();
    let (r, n) = (room.to_string(), name.clone());
    let gone = tokio::task::spawn_blocking(move || db.delete(r, n))
        .await
        .map_err(|e| store_failed(&app, StoreError::Sqlite(e.to_string())))?
        .map_err(|e| store_failed(&app, e))?;
    if !gone {
        return Err(refuse(&app, unknown(&room, &name)));
    }
    let mut rooms = app
        .patterns
        .rooms
        .write()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(patterns) = rooms.get_mut(&room) {
        patterns.remove(&name);
    }
    Ok(Json(serde_json::json!({ "deleted": name })))
}
