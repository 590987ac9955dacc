//! `cuedeck` with no arguments, or `cuedeck demo`: a live simulated show on
//! this machine. An embedded server on a free loopback port (its database
//! in a temporary directory, or `--db`), a performer with seed 002's three
//! menus and both games (the shipped templates), live; the `quiet` audience
//! buying and a few viewers spinning in the background; the console
//! open as the performer. Quitting stops everything and removes what it made.

use std::process::ExitCode;
use std::time::Duration;

use crate::cli::DemoArgs;
use crate::client::{ClientError, RestClient, ServerUrl};
use crate::console::config::{ConsolePaths, for_embedded};
use crate::console::theme::no_color_requested;
use crate::menus::client::MenuClient;
use crate::paths::Paths;
use crate::protocol::CreateToken;
use crate::protocol::ErrorCode;
use crate::server::{self, ServerConfig};
use crate::sim::{self, SimOptions};

pub const ROOM: &str = "demo-room";
pub const PERFORMER: &str = "demo-performer";

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("cuedeck demo: {message}");
    ExitCode::FAILURE
}

/// Accept "already so" answers: a kept `--db` already has the room.
fn tolerate(
    result: Result<impl Sized, ClientError>,
    already: ErrorCode,
) -> Result<(), ClientError> {
    match result {
        Ok(_) => Ok(()),
        Err(err) if err.code() == Some(already) => Ok(()),
        Err(err) => Err(err),
    }
}

pub fn run(args: DemoArgs) -> ExitCode {
    let paths = Paths::discover();
    let _log = crate::logging::to_file(&paths.log_dir, "demo").ok();
    let temp = match &args.db {
        Some(_) => None,
        None => match tempfile::Builder::new().prefix("cuedeck-demo-").tempdir() {
            Ok(dir) => Some(dir),
            Err(err) => return fail(format!("cannot make a temporary directory: {err}")),
        },
    };
    let db = match (&args.db, &temp) {
        (Some(db), _) => db.clone(),
        (None, Some(dir)) => dir.path().join("demo.db"),
        (None, None) => unreachable!("a temporary directory exists when --db is absent"),
    };
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(err) => return fail(err),
    };
    let code = runtime.block_on(show(db, &paths, args.overlay_port));
    // The runtime's tasks end before the temporary directory goes.
    drop(runtime);
    drop(temp);
    code
}

async fn show(db: std::path::PathBuf, paths: &Paths, overlay_port: Option<u16>) -> ExitCode {
    let admin_token = format!("demo-admin-{}", uuid::Uuid::new_v4().simple());
    let config = ServerConfig {
        listen: "127.0.0.1:0".into(),
        admin_token: Some(admin_token.clone()),
        ..ServerConfig::default()
    };
    let server = match server::start(config, db).await {
        Ok(server) => server,
        Err(err) => return fail(err),
    };
    let url = match ServerUrl::parse(&server.url()) {
        Ok(url) => url,
        Err(err) => return fail(err),
    };
    let performer = match prepare(&url, &admin_token).await {
        Ok(token) => token,
        Err(err) => {
            server.stop().await;
            return fail(format!("setting up the show failed: {err}"));
        }
    };
    let console = match for_embedded(
        url.clone(),
        ROOM.into(),
        performer,
        &ConsolePaths::from(paths),
        no_color_requested(),
        overlay_port,
    ) {
        Ok(console) => console,
        Err(err) => {
            server.stop().await;
            return fail(err);
        }
    };

    // The audience buys in the background until the console closes.
    let (cancel, cancelled) = tokio::sync::watch::channel(false);
    let audience = tokio::spawn(sim::run(
        SimOptions::for_demo(url.clone(), ROOM, admin_token.clone()),
        cancelled,
    ));

    // A few viewers spin the slot machine and the wheel.
    let spinners = tokio::spawn(sim::spins::run(
        sim::spins::SpinOptions {
            server: url.clone().into(),
            room: ROOM.into(),
            token: admin_token.clone(),
            viewers: 4,
            spins: None,
            seed: 7,
            pause_ms: 6_000,
            tag: format!(
                "demo{}",
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs())
            ),
        },
        cancel.subscribe(),
    ));

    let result = crate::console::run(console).await;

    let _ = cancel.send(true);
    match tokio::time::timeout(Duration::from_secs(3), spinners).await {
        Ok(Ok(Ok(summary))) => tracing::info!(summary = %summary.line(), "spinners done"),
        Ok(Ok(Err(err))) => tracing::warn!(error = %err, "the spinners stopped with an error"),
        _ => tracing::warn!("the spinners did not stop in time"),
    }
    match tokio::time::timeout(Duration::from_secs(3), audience).await {
        Ok(Ok(Ok(summary))) => tracing::info!(summary = %summary.line(), "audience done"),
        Ok(Ok(Err(err))) => tracing::warn!(error = %err, "the audience stopped with an error"),
        _ => tracing::warn!("the audience did not stop in time"),
    }
    server.stop().await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(err),
    }
}

/// The points the demo's performer may award.
const DEMO_ALLOWANCE: u64 = 5_000;

/// The room, live, with the three template menus, both games, the
/// classic tip levels and an award allowance; returns the performer's token.
async fn prepare(url: &ServerUrl, admin_token: &str) -> Result<String, ClientError> {
    let admin = RestClient::new(url.clone(), admin_token);
    tolerate(
        admin.create_room(ROOM, PERFORMER).await,
        ErrorCode::RoomExists,
    )?;
    tolerate(
        admin.broadcast(&ROOM.into(), true).await,
        ErrorCode::AlreadyLive,
    )?;
    let menus = MenuClient::new(admin.clone());
    let existing = menus.list(&ROOM.into()).await.map_err(menu_error)?;
    if existing.menus.is_empty() {
        for template in crate::menus::file::templates() {
            menus
                .create(&ROOM.into(), &template)
                .await
                .map_err(menu_error)?;
        }
    }
    // The classic ladder, unless the room has levels already.
    if admin.tip_levels(&ROOM.into()).await?.version == 0 {
        admin
            .tip_levels_from_template(&ROOM.into(), "classic", 0)
            .await?;
    }
    // Points to award from the queue; once per demo database.
    let grant = crate::protocol::GrantRequest {
        performer: PERFORMER.into(),
        amount: DEMO_ALLOWANCE,
    };
    admin.grant_allowance(&grant, "demo-allowance").await?;
    for game in crate::games::GameKind::ALL {
        crate::sim::spins::ensure_game(&admin, ROOM, game)
            .await
            .map_err(|e| ClientError::Decode(e.to_string()))?;
    }
    let spec = CreateToken {
        role: "performer".into(),
        room: Some(ROOM.into()),
        rooms: vec![],
        user: None,
        expires_at: None,
    };
    Ok(admin.create_token(&spec).await?.token)
}

fn menu_error(err: crate::menus::client::MenuClientError) -> ClientError {
    match err {
        crate::menus::client::MenuClientError::Client(err) => err,
        other => ClientError::Decode(other.to_string()),
    }
}
