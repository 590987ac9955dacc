//! What a verifier reads (docs/FAIRNESS.md "Finding and ordering the
//! spins"): a game's fairness page with its paged commitment history, a
//! room's spins (all, or one server seed's) with their receipts and no
//! user ids, and a viewer's own spins with their nonces per server seed.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::auth::{Principal, TokenRole};
use super::extract::{ApiPath, ApiQuery};
use super::games_book::GameBook;
use super::http::{App, Authed};
use super::scoped_http::{Answer, Refusal, refuse};
use crate::domain::time::Stamp;
use crate::domain::{RoomId, UserId};
use crate::games::api::Fairness;
use crate::games::listing::{NonceSequence, SpinEntry, SpinPage, ViewerSpins};
use crate::games::{GameKind, SpinRecord};
use crate::protocol::{ApiError, ErrorCode};
use crate::store::{SequenceRow, SpinRows, SpinScope, StoreError};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/rooms/{room}/games/{game}/fairness", get(fairness))
        .route("/api/v1/rooms/{room}/games/{game}/spins", get(room_spins))
        .route("/api/v1/me/spins", get(my_spins))
}

const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 500;

/// `?after=N&limit=M`: the cursor of the page before (0 or absent for
/// the first) and the page's size.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    after: Option<u64>,
    limit: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoomSpinsQuery {
    after: Option<u64>,
    limit: Option<u32>,
    /// Only the spins under this server seed.
    commitment: Option<String>,
}

fn page(app: &App, after: Option<u64>, limit: Option<u32>) -> Result<(u64, u32), Refusal> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(refuse(
            app,
            ApiError::invalid("limit", format!("`limit` must be within 1..={MAX_LIMIT}")),
        ));
    }
    Ok((after.unwrap_or(0), limit))
}

fn no_game(app: &App, room: &RoomId, game: GameKind) -> Refusal {
    refuse(
        app,
        ApiError::new(
            ErrorCode::GameUnavailable,
            format!("room `{room}` has no {game} configured"),
        ),
    )
}

fn store_failed(app: &App, err: StoreError) -> Refusal {
    tracing::error!(error = %err, "spin listing");
    refuse(
        app,
        ApiError::new(ErrorCode::Unavailable, format!("games store: {err}")),
    )
}

fn books(app: &App) -> Arc<GameBook> {
    app.games.clone()
}

/// No token: anyone may check spins against what was committed.
async fn fairness(
    State(app): State<App>,
    ApiPath((room, game)): ApiPath<(RoomId, GameKind)>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Answer<Fairness> {
    let (after, limit) = page(&app, query.after, query.limit)?;
    books(&app)
        .with(&room, game, |g| {
            g.map(|g| g.fairness(&room, after, limit as usize))
        })
        .map(Json)
        .ok_or_else(|| no_game(&app, &room, game))
}

/// No token: receipts hold no personal data, and listing them is what
/// lets anyone check every spin.
async fn room_spins(
    State(app): State<App>,
    ApiPath((room, game)): ApiPath<(RoomId, GameKind)>,
    ApiQuery(query): ApiQuery<RoomSpinsQuery>,
) -> Answer<SpinPage> {
    let (after, limit) = page(&app, query.after, query.limit)?;
    if let Some(c) = &query.commitment
        && !is_hex64(c)
    {
        return Err(refuse(
            &app,
            ApiError::invalid(
                "commitment",
                format!("{c:?} is not a commitment (64 lowercase hex digits)"),
            ),
        ));
    }
    if books(&app).with(&room, game, |g| g.is_none()) {
        return Err(no_game(&app, &room, game));
    }
    let (r, g) = (room.to_string(), game.as_str().to_string());
    let rows = read(&app, move |book| {
        book.db().spin_page(
            SpinScope::Room {
                room: &r,
                game: &g,
                commitment: query.commitment.as_deref(),
            },
            after,
            limit,
        )
    })
    .await?;
    let (spins, next) = entries(&app, rows)?;
    Ok(Json(SpinPage {
        room,
        game,
        spins,
        next,
    }))
}

/// A viewer token only: that viewer's spins, in every room and game.
async fn my_spins(
    State(app): State<App>,
    Authed(who): Authed,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Answer<ViewerSpins> {
    let user = own_user(&app, &who)?;
    let (after, limit) = page(&app, query.after, query.limit)?;
    let id = user.to_string();
    let (rows, sequences) = read(&app, move |book| {
        let rows = book.db().spin_page(SpinScope::Viewer(&id), after, limit)?;
        Ok((rows, book.db().sequences(&id)?))
    })
    .await?;
    let (spins, next) = entries(&app, rows)?;
    let sequences = sequences
        .into_iter()
        .filter_map(|row| sequence(&books(&app), &user, row))
        .collect();
    Ok(Json(ViewerSpins {
        user,
        sequences,
        spins,
        next,
    }))
}

fn own_user(app: &App, who: &Principal) -> Result<UserId, Refusal> {
    match (&who.role, &who.user) {
        (TokenRole::Viewer, Some(user)) => Ok(user.clone()),
        _ => Err(refuse(
            app,
            ApiError::new(
                ErrorCode::Forbidden,
                "only a viewer token lists its own spins",
            ),
        )),
    }
}

async fn read<T: Send + 'static>(
    app: &App,
    f: impl FnOnce(&GameBook) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Refusal> {
    let book = books(app);
    tokio::task::spawn_blocking(move || f(&book))
        .await
        .map_err(|e| store_failed(app, StoreError::Sqlite(e.to_string())))?
        .map_err(|e| store_failed(app, e))
}

/// Each row as a listed spin with its receipt, and the next page's cursor.
fn entries(app: &App, rows: SpinRows) -> Result<(Vec<SpinEntry>, Option<u64>), Refusal> {
    let book = books(app);
    let next = rows
        .more
        .then(|| rows.spins.last().map(|(cursor, _)| *cursor))
        .flatten();
    let spins = rows
        .spins
        .into_iter()
        .map(|(_, record)| entry(&book, record))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| {
            refuse(
                app,
                ApiError::new(
                    ErrorCode::Internal,
                    "a listed spin names a game or version the server does not have",
                ),
            )
        })?;
    Ok((spins, next))
}

fn entry(book: &GameBook, record: SpinRecord) -> Option<SpinEntry> {
    let room = RoomId::new(record.room.as_str());
    let receipt = book.with(&room, record.game, |g| g?.receipt(&record))?;
    Some(SpinEntry {
        spin_id: record.spin_id,
        spun_at: record.spun_at,
        room,
        game: record.game,
        commitment: record.commitment,
        client_seed: record.client_seed,
        nonce: record.nonce,
        receipt,
    })
}

fn sequence(book: &GameBook, user: &UserId, row: SequenceRow) -> Option<NonceSequence> {
    let game = GameKind::from_name(&row.game)?;
    let room = RoomId::new(row.room.as_str());
    let next_nonce = book.with(&room, game, |g| {
        g.filter(|g| g.seeds.commitment() == row.commitment)
            .map(|g| g.seeds.next_nonce(user))
    });
    let mut client_seeds = row.client_seeds;
    client_seeds.sort();
    Some(NonceSequence {
        room,
        game,
        commitment: row.commitment,
        client_seeds,
        spins: row.spins,
        first_nonce: row.first_nonce,
        last_nonce: row.last_nonce,
        gaps: (row.last_nonce + 1).saturating_sub(row.distinct_nonces),
        repeats: row.spins - row.distinct_nonces,
        first_at: Stamp(row.first_at),
        last_at: Stamp(row.last_at),
        next_nonce,
    })
}

fn is_hex64(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
