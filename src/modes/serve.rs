//! `cuedeck serve` and `cuedeck serve token`.

use std::process::ExitCode;

use crate::cli::{ServeAction, ServeArgs, TokenArgs};
use crate::client::{RestClient, ServerUrl};
use crate::paths::Paths;
use crate::protocol::CreateToken;
use crate::server::{self, ServerConfig};

pub fn run(args: ServeArgs) -> ExitCode {
    match args.action {
        Some(ServeAction::Token(token)) => mint_token(token),
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
    config.admin_token = std::env::var("CUEDECK_ADMIN_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    let db = config.db.clone().unwrap_or_else(|| paths.default_db());
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
        }
        wait_for_stop().await;
        println!("cuedeck serve: stopping");
        server.stop().await;
        ExitCode::SUCCESS
    })
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

fn mint_token(args: TokenArgs) -> ExitCode {
    let server = match ServerUrl::parse(&args.server) {
        Ok(server) => server,
        Err(err) => return fail(err),
    };
    let spec = CreateToken {
        role: args.role,
        room: args.room.map(|r| r.as_str().into()),
        rooms: args.rooms.iter().map(|r| r.as_str().into()).collect(),
        user: args.user.map(|u| u.as_str().into()),
        expires_at: None,
    };
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(err) => return fail(err),
    };
    let client = RestClient::new(server, args.token);
    match runtime.block_on(client.create_token(&spec)) {
        Ok(created) => {
            println!("{}", created.token);
            ExitCode::SUCCESS
        }
        Err(err) => fail(err),
    }
}
