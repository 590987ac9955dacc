//! The slot machine and the spin wheel over HTTP (docs/PROTOCOL.md "Slot
//! machine and spin wheel", docs/GAMES.md): the performer's configuration,
//! versioned, and seed rotation; the public commitment and revealed seeds;
//! the viewer's spin, whose checks and intake run in one turn of the core;
//! client seeds; receipts.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};

use super::auth::{Permission, Principal};
use super::engine_task::Decision;
use super::extract::ApiPath;
use super::games_book::GameBook;
use super::http::{App, Authed};
use super::scoped_http::{
    Answer, Refusal, body_json, by, intake_refused, no_price, parse_config, parse_plain, refuse,
    require_editor, require_room, required_key, viewer,
};
use crate::domain::Checked;
use crate::domain::{Reply, RoomId};
use crate::games::api::{
    ClientSeedBody, ClientSeedView, GameConflict, GameTemplates, GameView, Rotated, SpinBody,
    SpinResult,
};
use crate::games::spin::{Prepared, SpinRequest};
use crate::games::{ClientSeed, GameConfig, GameKind, Receipt};
use crate::protocol::{ApiError, ErrorCode};
use crate::scoped::conflict::{changes_since, message};
use crate::scoped::templates::{TemplateChoice, choose};
use crate::scoped::{ScopedConfig, Stale};
use crate::store::{Attachment, StoreError};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/game-templates", get(templates))
        .route("/api/v1/rooms/{room}/games/{game}", get(read).put(save))
        .route("/api/v1/rooms/{room}/games/{game}/rotate", post(rotate))
        .route(
            "/api/v1/rooms/{room}/games/{game}/template",
            post(from_template),
        )
        .route("/api/v1/rooms/{room}/games/{game}/spin", post(spin))
        .route(
            "/api/v1/rooms/{room}/games/{game}/client-seed",
            get(client_seed).put(set_client_seed),
        )
        .route("/api/v1/spins/{spin}", get(receipt))
}

fn store_failed(app: &App, err: StoreError) -> Refusal {
    tracing::error!(error = %err, "games store");
    refuse(
        app,
        ApiError::new(ErrorCode::Unavailable, format!("games store: {err}")),
    )
}

fn no_game(room: &RoomId, game: GameKind) -> ApiError {
    ApiError::new(
        ErrorCode::GameUnavailable,
        format!("room `{room}` has no {game} configured"),
    )
}

fn books(app: &App) -> &Arc<GameBook> {
    &app.games
}

/// Games are configured by the room's performer and by admins.
fn require_game_editor(app: &App, who: &Principal, room: &RoomId) -> Result<(), Refusal> {
    require_editor(app, who, Permission::EditGames(room))
}

async fn templates(State(_app): State<App>, Authed(_who): Authed) -> Json<GameTemplates> {
    Json(GameTemplates {
        templates: crate::games::templates::templates(),
    })
}

fn view_of(app: &App, room: &RoomId, game: GameKind) -> Result<GameView, Refusal> {
    books(app)
        .with(room, game, |g| g.map(|g| g.view(room)))
        .ok_or_else(|| refuse(app, no_game(room, game)))
}

async fn read(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, game)): ApiPath<(RoomId, GameKind)>,
) -> Answer<GameView> {
    require_game_editor(&app, &who, &room)?;
    require_room(&app, &room).await?;
    view_of(&app, &room, game).map(Json)
}

/// Replace the configuration: the body's `version` is the version it is
/// based on (0 for a game's first), and the saved one is the next.
async fn save(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, game)): ApiPath<(RoomId, GameKind)>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<GameView> {
    require_game_editor(&app, &who, &room)?;
    require_room(&app, &room).await?;
    let config: GameConfig = parse_config(&app, body)?;
    store_config(&app, &who, room, game, config).await
}

/// Replace the configuration with a shipped template: `{name, version}`,
/// `version` being the one the change is based on.
async fn from_template(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, game)): ApiPath<(RoomId, GameKind)>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<GameView> {
    require_game_editor(&app, &who, &room)?;
    require_room(&app, &room).await?;
    let TemplateChoice { name, version } = parse_plain(&app, body)?;
    let mut config =
        choose(crate::games::templates::templates(), &name).map_err(|e| refuse(&app, e))?;
    config.version = version;
    store_config(&app, &who, room, game, config).await
}

async fn store_config(
    app: &App,
    who: &Principal,
    room: RoomId,
    game: GameKind,
    mut config: GameConfig,
) -> Answer<GameView> {
    let app = app.clone();
    let who = who.clone();
    if config.game != game {
        return Err(refuse(
            &app,
            ApiError::invalid(
                "game",
                format!(
                    "the body configures a {}, the path names the {game}",
                    config.game
                ),
            ),
        ));
    }
    let base = config.version;
    config.version = base + 1;
    config.check().map_err(|e| refuse(&app, e))?;
    config
        .check_patterns(&app.patterns.names(&room))
        .map_err(|e| refuse(&app, e))?;
    let saved = books(&app)
        .save(&room, config, base, &by(&who))
        .await
        .map_err(|e| store_failed(&app, e))?;
    if let Err(stale) = saved {
        return Err(refuse(&app, game_conflict(&app, &room, game, stale)));
    }
    tracing::info!(%room, %game, version = base + 1, by = %who.token_id, "game saved");
    view_of(&app, &room, game).map(Json)
}

async fn rotate(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, game)): ApiPath<(RoomId, GameKind)>,
) -> Answer<Rotated> {
    require_game_editor(&app, &who, &room)?;
    require_room(&app, &room).await?;
    let rotated = books(&app)
        .rotate(&room, game)
        .await
        .map_err(|e| store_failed(&app, e))?
        .ok_or_else(|| refuse(&app, no_game(&room, game)))?;
    tracing::info!(%room, %game, by = %who.token_id, "seed rotated");
    Ok(Json(rotated))
}

/// No token: a receipt holds no personal data, and the spin id is the
/// viewer's to share.
async fn receipt(State(app): State<App>, ApiPath(spin): ApiPath<String>) -> Answer<Receipt> {
    let found = load_receipt(&app, &spin).await?;
    found.map(Json).ok_or_else(|| {
        refuse(
            &app,
            ApiError::new(ErrorCode::UnknownSpin, format!("no spin `{spin}`")),
        )
    })
}

/// A receipt from memory when recent, else from the store.
async fn load_receipt(app: &App, spin_id: &str) -> Result<Option<Receipt>, Refusal> {
    if let Some(found) = books(app).recent_receipt(spin_id) {
        return Ok(Some(found));
    }
    let book = books(app).clone();
    let wanted = spin_id.to_string();
    tokio::task::spawn_blocking(move || book.receipt(&wanted))
        .await
        .map_err(|e| store_failed(app, StoreError::Sqlite(e.to_string())))?
        .map_err(|e| store_failed(app, e))
}

fn viewer_of(app: &App, who: &Principal, room: &RoomId) -> Result<crate::domain::UserId, Refusal> {
    viewer(app, who, Permission::Spin(room), "spins")
}

/// The `409` for a save based on an old version: what the game is now,
/// what changed and who saved since, as for menus.
fn game_conflict(app: &App, room: &RoomId, game: GameKind, stale: Stale) -> Refusal {
    let (history, view, changes) = books(app).with(room, game, |g| match g {
        Some(g) => {
            let base = g.version(stale.yours).map(|v| v.value.config().clone());
            let changes = changes_since(stale, base.as_ref(), g.game().config());
            let history = g.history_after(stale.yours.min(stale.current));
            (history, Some(Box::new(g.view(room))), changes)
        }
        None => (Vec::new(), None, Vec::new()),
    });
    Refusal::body(
        ErrorCode::VersionConflict,
        GameConflict {
            code: ErrorCode::VersionConflict,
            message: message(&format!("the {game}"), stale, &changes),
            field: Some("version".into()),
            game,
            your_version: stale.yours,
            current_version: stale.current,
            history,
            current: view,
        },
    )
}

fn parse_client_seed(text: &str) -> Result<ClientSeed, ApiError> {
    let seed = ClientSeed::new(text).map_err(|e| ApiError::invalid("clientSeed", e.to_string()))?;
    if let Some(kind) = crate::domain::pii::pii_in_value(text) {
        return Err(ApiError {
            code: ErrorCode::ForbiddenField,
            message: format!("forbidden field `clientSeed`: looks like {kind}"),
            field: Some("clientSeed".into()),
            leader: None,
        });
    }
    Ok(seed)
}

async fn client_seed(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, game)): ApiPath<(RoomId, GameKind)>,
) -> Answer<ClientSeedView> {
    let user = viewer_of(&app, &who, &room)?;
    seed_view(&app, &room, game, &user).map(Json)
}

fn seed_view(
    app: &App,
    room: &RoomId,
    game: GameKind,
    user: &crate::domain::UserId,
) -> Result<ClientSeedView, Refusal> {
    books(app)
        .with(room, game, |g| {
            let g = g?;
            Some(ClientSeedView {
                room: room.clone(),
                game,
                client_seed: g
                    .client_seed(user)
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                next_nonce: g.seeds.next_nonce(user),
                commitment: g.seeds.commitment(),
            })
        })
        .ok_or_else(|| refuse(app, no_game(room, game)))
}

async fn set_client_seed(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, game)): ApiPath<(RoomId, GameKind)>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<ClientSeedView> {
    let user = viewer_of(&app, &who, &room)?;
    let ClientSeedBody { client_seed } = parse_plain(&app, body)?;
    let seed = parse_client_seed(&client_seed).map_err(|e| refuse(&app, e))?;
    let known = books(&app)
        .set_client_seed(&room, game, &user, seed)
        .await
        .map_err(|e| store_failed(&app, e))?;
    if !known {
        return Err(refuse(&app, no_game(&room, game)));
    }
    seed_view(&app, &room, game, &user).map(Json)
}

async fn spin(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, game)): ApiPath<(RoomId, GameKind)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer<SpinResult> {
    let user = viewer_of(&app, &who, &room)?;
    let key = required_key(&app, &headers)?;
    let value = body_json(body).map_err(|e| refuse(&app, e))?;
    no_price(
        &app,
        &value,
        "the server takes the tier's cost from the game",
    )?;
    let body: SpinBody =
        crate::scoped::fields::from_json_plain(value).map_err(|e| refuse(&app, e))?;
    let client_seed = body
        .client_seed
        .as_deref()
        .map(parse_client_seed)
        .transpose()
        .map_err(|e| refuse(&app, e))?;
    if let Some(c) = &body.expected_commitment
        && !(c.len() == 64 && c.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
    {
        return Err(refuse(
            &app,
            ApiError::invalid(
                "expectedCommitment",
                format!("{c:?} is not a commitment (64 lowercase hex digits)"),
            ),
        ));
    }
    let request = SpinRequest {
        room: room.clone(),
        game,
        user: user.clone(),
        key: crate::games::spin::viewer_key(&room, &user, &key),
        tier: body.tier,
        client_seed,
        display_name: body.display_name,
        expected_commitment: body.expected_commitment,
    };
    let spin_id = request.spin_id();
    let book = books(&app).clone();
    // The cooldown's wait, from the check that refused the spin.
    let wait = Arc::new(AtomicU64::new(0));
    let wait_here = wait.clone();
    let outcome = app
        .core
        .execute_decided(move |engine, now| {
            let (r, g) = (request.room.clone(), request.game);
            let prepared = book
                .with(&r, g, |g| request.prepare(engine, now, g.as_deref()))
                .map_err(|refused| {
                    if let Some(secs) = refused.retry_after_secs {
                        wait_here.store(secs, Ordering::Relaxed);
                    }
                    refused.error
                })?;
            Ok(match prepared {
                Prepared::Retry(reply) => Decision::Checked(Checked::Answer(reply)),
                Prepared::Spin { request, record } => Decision::Keeping {
                    request: *request,
                    attachment: Attachment::Spin(record.clone()),
                    accepted: Box::new(move |_reply: &Reply, at| book.accepted(&user, record, at)),
                },
            })
        })
        .await;
    let reply = match outcome {
        Ok(reply) => reply,
        Err(err) if err.code == ErrorCode::Cooldown => {
            let secs = wait.load(Ordering::Relaxed);
            return Err(refuse(&app, err).retry_after(secs));
        }
        Err(err) => return Err(intake_refused(&app, err)),
    };
    spin_result(&app, room, spin_id, reply).await.map(Json)
}

/// The answer to a spin or its retry: `position` is where the spin
/// entered the queue (its reply's), `state` the item's state now, which a
/// later command in the same turn of the core (a ban's refund) may already
/// have changed.
async fn spin_result(
    app: &App,
    room: RoomId,
    spin_id: String,
    reply: Reply,
) -> Result<SpinResult, Refusal> {
    let internal = |what: &str| refuse(app, ApiError::new(ErrorCode::Internal, what.to_string()));
    let id = reply
        .item()
        .ok_or_else(|| internal("the spin made no queue item"))?;
    let item = app
        .records
        .item(&app.core, room.clone(), id)
        .await
        .map_err(|e| refuse(app, e))?
        .ok_or_else(|| internal("the spin's queue item is missing"))?;
    let (instant, state) = (item.view.instant, item.state);
    let receipt = load_receipt(app, &spin_id)
        .await?
        .ok_or_else(|| internal("the spin's record is missing"))?;
    Ok(SpinResult {
        spin_id,
        room,
        game: receipt.game,
        tier: receipt.tier,
        cost: receipt.cost,
        prize: receipt.prize.clone(),
        mode: if instant {
            crate::domain::IntakeMode::Instant
        } else {
            crate::domain::IntakeMode::Queued
        },
        queue_item: id,
        position: match reply {
            Reply::Queued { position, .. } => Some(position),
            _ => None,
        },
        state,
        reply,
        receipt,
    })
}
