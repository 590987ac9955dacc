//! One node of several on a PostgreSQL database: stand by until the lease
//! is free, take it, rebuild and serve under its epoch, renew it, and stand
//! by again the moment it is lost. The writer's fencing makes a node that
//! lost the lease (paused, cut off) commit nothing; this loop makes it stop
//! answering as the leader too.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::node::{NodeRole, standby_routes};
use super::{ServeError, Server, ServerConfig, start_node};
use crate::store::{Database, Lease, StoreError};

/// What the node tells its operator as it changes role.
pub trait Announce: Send + Sync {
    fn standing_by(&self, addr: &str, leader: Option<&str>);
    fn leading(&self, server: &Server, epoch: i64);
    fn lost(&self, epoch: i64);
}

/// Serve `db` as one node until `stop` resolves; the lease is released on
/// the way out so a standby takes over at once.
pub async fn run(
    config: ServerConfig,
    db: Database,
    announce: Arc<dyn Announce>,
    stop: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let Database::Postgres(pg) = &db else {
        return Err(ServeError::Setup(
            "standbys need a PostgreSQL database (--db postgres://…)".into(),
        ));
    };
    let settings = config.lease.clone();
    let (lease, epoch_name) = {
        let (db, pg) = (db.clone(), pg.clone());
        let listen = config.listen.clone();
        let advertise = settings
            .advertise
            .clone()
            .unwrap_or_else(|| format!("http://{listen}"));
        blocking(move || {
            let conn = db.conn()?;
            let epoch = crate::store::schema::epoch(&*conn)?;
            let holder = uuid::Uuid::new_v4().simple().to_string();
            Ok((Lease::new(&pg, &holder, &advertise)?, epoch))
        })
        .await?
    };
    let lease = Arc::new(lease);
    let node = Arc::new(NodeRole::default());
    tokio::pin!(stop);
    loop {
        let standby = Standby::start(&config.listen, node.clone(), &epoch_name).await?;
        let epoch = loop {
            let holder = blocking({
                let lease = lease.clone();
                let duration = settings.duration_ms;
                move || {
                    Ok(match lease.try_acquire(duration)? {
                        Some(epoch) => Ok(epoch),
                        None => Err(lease.holder()?),
                    })
                }
            })
            .await;
            match holder {
                Ok(Ok(epoch)) => break epoch,
                Ok(Err(holder)) => {
                    let leader = holder.map(|h| (h.epoch, h.advertise));
                    let changed = node.leader_url() != leader.as_ref().map(|l| l.1.clone());
                    node.stand_by(leader);
                    if changed {
                        announce.standing_by(&standby.addr, node.leader_url().as_deref());
                    }
                }
                Err(err) => tracing::warn!(error = %err, "cannot reach the lease"),
            }
            tokio::select! {
                _ = &mut stop => {
                    standby.stop().await;
                    return Ok(());
                }
                _ = tokio::time::sleep(Duration::from_millis(settings.poll_ms)) => {}
            }
        };
        standby.stop().await;
        let advertise = settings
            .advertise
            .clone()
            .unwrap_or_else(|| format!("http://{}", config.listen));
        node.lead(epoch, &advertise);
        let mut fenced = config.clone();
        fenced.fence = Some(epoch);
        let server = match start_node(fenced, db.clone(), Some(node.clone())).await {
            Ok(server) => server,
            Err(err) => {
                let lease = lease.clone();
                let _ = blocking(move || lease.release(epoch)).await;
                return Err(err);
            }
        };
        tracing::info!(epoch, "leading");
        announce.leading(&server, epoch);
        let lost = keep(&lease, epoch, &settings, &mut stop).await;
        server.stop().await;
        if !lost {
            let lease = lease.clone();
            let _ = blocking(move || lease.release(epoch)).await;
            return Ok(());
        }
        tracing::warn!(epoch, "lost the lease; standing by");
        announce.lost(epoch);
        node.stand_by(None);
    }
}

/// Renew the lease until `stop` (false) or until it is lost (true): taken
/// by another node, or not renewed for so long that it may have expired.
async fn keep(
    lease: &Arc<Lease>,
    epoch: i64,
    settings: &super::config::LeaseSettings,
    stop: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
) -> bool {
    let mut renewed_at = Instant::now();
    // Stop leading before the lease can expire unrenewed, not after.
    let give_up = Duration::from_millis(settings.duration_ms - settings.renew_ms / 2);
    loop {
        tokio::select! {
            _ = stop.as_mut() => return false,
            _ = tokio::time::sleep(Duration::from_millis(settings.renew_ms)) => {}
        }
        let started = Instant::now();
        let renewal = blocking({
            let lease = lease.clone();
            let duration = settings.duration_ms;
            move || lease.renew(epoch, duration)
        })
        .await;
        match renewal {
            Ok(true) => renewed_at = started,
            Ok(false) => return true,
            Err(err) => {
                tracing::warn!(error = %err, "cannot renew the lease");
                if renewed_at.elapsed() >= give_up {
                    return true;
                }
            }
        }
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ServeError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServeError::Setup(e.to_string()))?
        .map_err(ServeError::from)
}

/// The standby's listener: health, metrics and `not_leader`.
struct Standby {
    addr: String,
    shutdown: watch::Sender<bool>,
    serve: tokio::task::JoinHandle<()>,
}

impl Standby {
    async fn start(listen: &str, node: Arc<NodeRole>, epoch: &str) -> Result<Standby, ServeError> {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| ServeError::Bind {
                addr: listen.to_string(),
                source,
            })?;
        let addr = listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| listen.to_string());
        let (shutdown, stop) = watch::channel(false);
        let serve = super::spawn_serving(listener, standby_routes(node, epoch.to_string()), stop);
        Ok(Standby {
            addr,
            shutdown,
            serve,
        })
    }

    async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.serve.await;
    }
}
