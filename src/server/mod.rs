//! `cuedeck serve`: the reference backend. HTTP (axum) and WebSocket on
//! tokio; the core task owns the queue service; the publisher fans events
//! out after commit.

pub mod auth;
pub mod config;
mod engine_task;
pub mod errors;
mod extract;
mod games_book;
mod games_http;
mod http;
mod hub;
mod inbox_frames;
mod inbox_ws;
pub mod leadership;
mod menus_http;
mod messages_http;
pub mod metrics;
mod moderation_http;
pub mod node;
mod patterns_http;
mod points_history_http;
mod points_http;
mod postman;
mod queue_http;
mod records;
mod reply_http;
mod report_http;
mod room_guard;
mod scoped_http;
mod spins_http;
pub mod templates;
mod tip_book;
mod tip_levels_http;
mod tips_http;
mod tokens;
mod tokens_http;
mod ws;

use std::net::SocketAddr;

use std::sync::Arc;

use axum::serve::ListenerExt;
use tokio::sync::watch;

pub use crate::domain::Checked;
pub use config::ServerConfig;
pub use engine_task::snapshot as snapshot_of;

use crate::service::QueueService;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Templates(#[from] templates::TemplateError),
    #[error("{0}")]
    Setup(String),
}

/// A running server.
pub struct Server {
    addr: SocketAddr,
    /// The admin token, when this start generated it (shown once).
    pub generated_admin_token: Option<String>,
    shutdown: watch::Sender<bool>,
    serve: tokio::task::JoinHandle<()>,
    core_done: tokio::sync::oneshot::Receiver<()>,
    postman: postman::PostmanHandle,
}

impl Server {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL clients take as `--server`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stop accepting, close every connection, finish pending commits and
    /// close the database.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.serve.await;
        let _ = self.core_done.await;
        self.postman.send(postman::PostMsg::Stop);
    }
}

/// Open the database, rebuild the state from it, and start serving.
pub async fn start(
    config: ServerConfig,
    db: impl Into<crate::store::Database>,
) -> Result<Server, ServeError> {
    start_node(config, db.into(), None).await
}

/// [`start`], for a node among several on one database: its role shows in
/// health and metrics.
pub async fn start_node(
    config: ServerConfig,
    db: crate::store::Database,
    node: Option<Arc<node::NodeRole>>,
) -> Result<Server, ServeError> {
    config
        .validate()
        .map_err(|(field, problem)| ServeError::Setup(format!("`{field}` {problem}")))?;
    let options = config.store_options();
    let db_for_open = db.clone();
    let service = tokio::task::spawn_blocking(move || QueueService::open(db_for_open, options))
        .await
        .map_err(|e| ServeError::Setup(e.to_string()))??;
    let epoch = service.store().epoch().to_string();
    let tokens = auth::Tokens::from_store(service.store())?;
    let menu_db = crate::store::MenuDb::open(&db, service.store().write_handle()?)?;
    let menus = Arc::new(
        crate::menus::MenuStore::open(menu_db, config.clock.clone())
            .map_err(|e| ServeError::Setup(e.to_string()))?,
    );
    let game_db = crate::store::GameDb::open(&db, service.store().write_handle()?)?;
    let games = Arc::new(games_book::GameBook::open(game_db, config.clock.clone())?);
    let tip_db = crate::store::TipLevelsDb::open(&db, service.store().write_handle()?)?;
    let tips = Arc::new(tip_book::TipBook::open(tip_db)?);
    let pattern_db = crate::store::PatternDb::open(&db, service.store().write_handle()?)?;
    let patterns = Arc::new(patterns_http::PatternBook::open(pattern_db)?);
    let generated_admin_token = tokens
        .ensure_admin(config.admin_token.as_deref(), config.clock.now())
        .map_err(|e| ServeError::Setup(e.message))?;
    let templates = Arc::new(templates::Templates::load(config.templates.as_deref())?);
    let metrics = Arc::new(metrics::Metrics::default());
    if let Some(node) = node {
        metrics.set_node(node);
    }
    let records = Arc::new(records::Records::new(db.clone()));
    let moderation_log = Arc::new(crate::store::ModerationLog::open(&db)?);
    let broadcasts = Arc::new(crate::store::BroadcastDb::open(&db)?);
    let points_history = Arc::new(crate::store::PointsHistory::open(&db)?);
    let message_db = Arc::new(crate::store::MessageDb::open(
        &db,
        service.store().write_handle()?,
    )?);
    let publisher = hub::Publisher::new(
        db,
        epoch.clone(),
        templates.clone(),
        metrics.clone(),
        config.recent_events,
        config.replay_retention_events,
    );
    let postman = postman::start(
        Some(publisher.sender()),
        crate::domain::outbox::Outbox::new(config.messages.delivery.clone()),
        message_db.clone(),
        templates.clone(),
        config.clock.clone(),
        &epoch,
    )?;
    let publisher = publisher.with_postman(postman.clone());
    let (core_done_tx, core_done) = tokio::sync::oneshot::channel();
    let (ended_tx, mut ended_rx) = tokio::sync::mpsc::unbounded_channel();
    let core = engine_task::spawn(
        service,
        publisher,
        core_done_tx,
        config.clock.clone(),
        Some(ended_tx),
    );
    let rotating = games.clone();
    tokio::spawn(async move {
        while let Some(room) = ended_rx.recv().await {
            rotating.broadcast_ended(&room).await;
        }
    });
    messages_http::tell_bans(&core, &postman)
        .await
        .map_err(|e| ServeError::Setup(format!("bans: {e}")))?;
    moderation_http::apply_configured_switches(&core, &config.kill_switches)
        .await
        .map_err(|e| ServeError::Setup(format!("kill switches: {e}")))?;
    tips_http::lane_runs_without_console(&core).await;

    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: config.listen.clone(),
            source,
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| ServeError::Setup(e.to_string()))?;
    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::debug!(error = %err, "TCP_NODELAY not set");
        }
    });

    let (shutdown, shutdown_rx) = watch::channel(false);
    let ticker_metrics = metrics.clone();
    let mut ticker_shutdown = shutdown_rx.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = every.tick() => ticker_metrics.tick_second(),
                _ = ticker_shutdown.changed() => break,
            }
        }
    });
    let config_replies = config.messages.replies.clone();
    let app = http::App {
        core,
        tokens: Arc::new(tokens),
        templates,
        metrics,
        config: Arc::new(config),
        shutdown: shutdown_rx.clone(),
        menus,
        records,
        moderation_log,
        games,
        tips,
        patterns,
        lane_consoles: Arc::default(),
        broadcasts,
        points_history,
        postman: postman.clone(),
        message_db,
        reply_rates: Arc::new(std::sync::Mutex::new(
            crate::domain::outbox::reply::ReplyRates::new(config_replies),
        )),
    };
    let router = http::routes(app);
    let serve = spawn_serving(listener, router, shutdown_rx);
    tracing::info!(%addr, "serving");
    Ok(Server {
        addr,
        generated_admin_token,
        shutdown,
        serve,
        core_done,
        postman,
    })
}

/// Serve `router` on `listener` until `stop` changes, then finish the
/// requests in flight.
pub(crate) fn spawn_serving<L>(
    listener: L,
    router: axum::Router,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()>
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    tokio::spawn(async move {
        let graceful = async move {
            let _ = stop.changed().await;
        };
        if let Err(err) = axum::serve(listener, router)
            .with_graceful_shutdown(graceful)
            .await
        {
            tracing::error!(error = %err, "server stopped with an error");
        }
    })
}
