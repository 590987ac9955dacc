//! `cuedeck serve` and `cuedeck serve token`.

use std::process::ExitCode;

use super::serve_admin;
use crate::cli::{ServeAction, ServeArgs};
use crate::paths::Paths;
use crate::server::{self, ServerConfig};

pub fn run(args: ServeArgs) -> ExitCode {
    match args.action {
        Some(ServeAction::Token(token)) => serve_admin::token(token),
        Some(ServeAction::Room(room)) => serve_admin::room(room.action, room.connection),
        Some(ServeAction::Wallet(wallet)) => serve_admin::wallet(wallet.action, wallet.connection),
        Some(ServeAction::Migrate(migrate)) => {
            super::serve_migrate::run(&migrate.from, &migrate.to)
        }
        None => serve(args),
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("cuedeck serve: {message}");
    ExitCode::from(2)
}

fn serve(args: ServeArgs) -> ExitCode {
    let paths = Paths::discover();
    let mut config = match &args.config {
        Some(path) => match ServerConfig::load(path) {
            Ok(config) => config,
            Err(err) => return fail(err),
        },
        None => ServerConfig::default(),
    };
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(db) = args.db {
        config.db = Some(db);
    }
    if let Some(advertise) = args.advertise {
        config.lease.advertise = Some(advertise);
    }
    config.admin_token = std::env::var("CUEDECK_ADMIN_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    let location = match config.store.url.clone() {
        Some(url) => url,
        None => config
            .db
            .clone()
            .unwrap_or_else(|| paths.default_db())
            .display()
            .to_string(),
    };
    if crate::store::sql::pg::is_postgres_url(&location) {
        return serve_node(config, &location, &paths);
    }
    let db = std::path::PathBuf::from(location);
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty())
        && let Err(err) = std::fs::create_dir_all(parent)
    {
        return fail(format!("cannot create {}: {err}", parent.display()));
    }
    let _log = match crate::logging::to_file(&paths.log_dir, "serve") {
        Ok(guard) => Some(guard),
        Err(err) => {
            eprintln!(
                "cuedeck serve: logging disabled, cannot write {}: {err}",
                paths.log_dir.display()
            );
            None
        }
    };
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(err) => return fail(err),
    };
    runtime.block_on(async move {
        let server = match server::start(config, db.clone()).await {
            Ok(server) => server,
            Err(err) => return fail(err),
        };
        println!("cuedeck serve: listening on {}", server.url());
        println!("  database: {}", db.display());
        println!("  logs:     {}", paths.log_dir.display());
        if let Some(token) = &server.generated_admin_token {
            println!("  admin token (shown once; the server keeps only its hash):");
            println!("  {token}");
            print!("{}", first_steps(&server.url(), token));
        }
        wait_for_stop().await;
        println!("cuedeck serve: stopping");
        server.stop().await;
        ExitCode::SUCCESS
    })
}

/// One node of several on a PostgreSQL database: standby or leader.
fn serve_node(config: ServerConfig, url: &str, paths: &Paths) -> ExitCode {
    let _log = crate::logging::to_file(&paths.log_dir, "serve").ok();
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(err) => return fail(err),
    };
    let db = match crate::store::Database::parse(url) {
        Ok(db) => db,
        Err(err) => return fail(err),
    };
    println!("cuedeck serve: database {}", db.describe());
    println!("  logs:     {}", paths.log_dir.display());
    let announce = std::sync::Arc::new(Announcer);
    let outcome = runtime.block_on(server::leadership::run(
        config,
        db,
        announce,
        wait_for_stop(),
    ));
    match outcome {
        Ok(()) => {
            println!("cuedeck serve: stopped");
            ExitCode::SUCCESS
        }
        Err(err) => fail(err),
    }
}

/// Role changes, said on the terminal as they happen.
struct Announcer;

impl server::leadership::Announce for Announcer {
    fn standing_by(&self, addr: &str, leader: Option<&str>) {
        match leader {
            Some(leader) => println!("cuedeck serve: standby on {addr}; the leader is {leader}"),
            None => println!("cuedeck serve: standby on {addr}; no leader yet"),
        }
    }

    fn leading(&self, server: &server::Server, epoch: i64) {
        println!(
            "cuedeck serve: leading (lease epoch {epoch}), listening on {}",
            server.url()
        );
        if let Some(token) = &server.generated_admin_token {
            println!("  admin token (shown once; the server keeps only its hash):");
            println!("  {token}");
            print!("{}", first_steps(&server.url(), token));
        }
    }

    fn lost(&self, epoch: i64) {
        println!("cuedeck serve: lost the lease (epoch {epoch}); standing by");
    }
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// What to type next on a first start: a room, its performer token, and
/// the console on it (the token printed by the second goes into the third).
fn first_steps(url: &str, admin: &str) -> String {
    format!(
        "\n  next, in another terminal:\n\
         \x20   export CUEDECK_SERVER={url} CUEDECK_ADMIN_TOKEN={admin}\n\
         \x20   cuedeck serve room create room-1\n\
         \x20   export CUEDECK_TOKEN=$(cuedeck serve token --role performer --room room-1)\n\
         \x20   cuedeck console --room room-1\n"
    )
}
