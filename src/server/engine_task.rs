//! The core: one task owns the queue service (engine + store), the only
//! writer of money for every room. Commands pipeline through it: the engine
//! applies one, hands its ack to the publisher and takes the next, while the
//! store group-commits. The publisher answers each caller and fans the
//! events out only after their commit, in commit order.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::{mpsc, oneshot};

use super::errors::{domain_error, unavailable};
use super::hub::{Publisher, PublisherMsg, Sink};
use crate::domain::time::Clock;
use crate::domain::{Checked, Engine, ItemId, Reply, Request, RoomId, Stamp};
use crate::protocol::{ApiError, LaneSnapshot, LaneTip, ResumePoint, RoomSnapshot, RunningItem};
use crate::service::QueueService;
use crate::store::Attachment;

type Query = Box<dyn FnOnce(&Engine) + Send>;

/// Checks that read the engine's state and decide the command, run in the
/// same turn of the core loop as the command itself, so no other command can come between them (two purchases cannot
/// both pass a daily limit of 1). Called with the engine and the stamp the
/// command will run at.
pub type Prepare = Box<dyn FnOnce(&Engine, Stamp) -> Result<Decision, ApiError> + Send>;

/// What a [`Prepare`] decided: as [`Checked`], or run a command whose
/// commit keeps `attachment` with it and, only if the engine accepts it,
/// call `accepted` with its reply in the same turn (a game's nonce and
/// cooldown are used up by accepted spins only).
pub enum Decision {
    Checked(Checked),
    Keeping {
        request: Request,
        attachment: Attachment,
        accepted: Accepted,
    },
}

/// Called with an accepted command's reply and the engine's stamp.
pub type Accepted = Box<dyn FnOnce(&Reply, Stamp) + Send>;

/// Told the room of every broadcast that ended (the games rotate their
/// seeds then).
pub type BroadcastEnded = mpsc::UnboundedSender<RoomId>;

enum CoreMsg {
    Execute {
        request: Request,
        reply: oneshot::Sender<Result<Reply, ApiError>>,
    },
    Subscribe {
        room: RoomId,
        resume: Option<ResumePoint>,
        sink: Sink,
        reply: oneshot::Sender<Result<(), ApiError>>,
    },
    Query(Query),
    /// Answered once every commit the engine has handed on is durable.
    Durable(oneshot::Sender<()>),
    /// See [`Prepare`].
    ExecuteChecked {
        prepare: Prepare,
        reply: oneshot::Sender<Result<Reply, ApiError>>,
    },
}

/// A cheap, cloneable handle to the core task.
#[derive(Clone)]
pub struct CoreHandle {
    tx: mpsc::Sender<CoreMsg>,
    epoch: Arc<str>,
}

impl CoreHandle {
    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    /// Run a command; the reply comes once it is durable.
    pub async fn execute(&self, request: Request) -> Result<Reply, ApiError> {
        self.submit(request)
            .await?
            .await
            .map_err(|_| unavailable())?
    }

    /// Queue a command and return where its reply will arrive. Commands
    /// submitted one after another run in that order.
    pub async fn submit(
        &self,
        request: Request,
    ) -> Result<oneshot::Receiver<Result<Reply, ApiError>>, ApiError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(CoreMsg::Execute { request, reply })
            .await
            .map_err(|_| unavailable())?;
        Ok(rx)
    }

    /// Check the engine's state and run the command the checks lead to, in
    /// one turn of the core (see [`Prepare`]); the reply comes once durable.
    pub async fn execute_checked(
        &self,
        prepare: impl FnOnce(&Engine, Stamp) -> Result<Checked, ApiError> + Send + 'static,
    ) -> Result<Reply, ApiError> {
        self.execute_decided(move |engine, now| prepare(engine, now).map(Decision::Checked))
            .await
    }

    /// As [`Self::execute_checked`], for checks that may keep rows with
    /// their command ([`Decision::Keeping`]).
    pub async fn execute_decided(
        &self,
        prepare: impl FnOnce(&Engine, Stamp) -> Result<Decision, ApiError> + Send + 'static,
    ) -> Result<Reply, ApiError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(CoreMsg::ExecuteChecked {
                prepare: Box::new(prepare),
                reply,
            })
            .await
            .map_err(|_| unavailable())?;
        rx.await.map_err(|_| unavailable())?
    }

    /// Read the engine's state (a snapshot, a balance, an audit record).
    pub async fn query<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Engine) -> R + Send + 'static,
    ) -> Result<R, ApiError> {
        let (tx, rx) = oneshot::channel();
        let query: Query = Box::new(move |engine| {
            let _ = tx.send(f(engine));
        });
        self.tx
            .send(CoreMsg::Query(query))
            .await
            .map_err(|_| unavailable())?;
        rx.await.map_err(|_| unavailable())
    }

    /// Wait until the store holds everything the engine has applied so far:
    /// a reader that saw an item closed in the engine then finds its record
    /// in the store, even when the command that closed it (a ban's refund
    /// racing the purchase) is still being committed.
    pub async fn durable(&self) -> Result<(), ApiError> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(CoreMsg::Durable(tx))
            .await
            .map_err(|_| unavailable())?;
        rx.await.map_err(|_| unavailable())
    }

    /// Attach `sink` to a room's stream, replaying from `resume` or
    /// starting from a snapshot.
    pub async fn subscribe(
        &self,
        room: RoomId,
        resume: Option<ResumePoint>,
        sink: Sink,
    ) -> Result<(), ApiError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(CoreMsg::Subscribe {
                room,
                resume,
                sink,
                reply,
            })
            .await
            .map_err(|_| unavailable())?;
        rx.await.map_err(|_| unavailable())?
    }
}

/// A room's state as the engine has it now.
pub fn snapshot(engine: &Engine, room: &RoomId, epoch: &str) -> Option<RoomSnapshot> {
    let view = engine.room_view(room)?;
    let in_progress = view.in_progress.and_then(|id| {
        let item = engine.item(id)?;
        Some(RunningItem {
            item: item.view.clone(),
            started_at: item.started_at?,
        })
    });
    let waiting = view
        .waiting
        .iter()
        .filter_map(|id| engine.item(*id).map(|i| i.view.clone()))
        .collect();
    Some(RoomSnapshot {
        room: view.id,
        performer: view.performer.to_string(),
        live: view.live,
        epoch: epoch.to_string(),
        seq: view.last_seq,
        in_progress,
        waiting,
        totals: view.totals,
        paused: engine.pause_of(room).is_some(),
        lane: lane_snapshot(engine, &view.lane),
    })
}

fn lane_snapshot(engine: &Engine, lane: &crate::domain::lane::LaneView) -> LaneSnapshot {
    let tip = |item: ItemId, remaining_ms: u64, started_at: Option<Stamp>| {
        engine.item(item).map(|i| LaneTip {
            item: i.view.clone(),
            remaining_ms,
            started_at,
        })
    };
    LaneSnapshot {
        paused: lane.paused,
        running: lane
            .running
            .and_then(|r| tip(r.item, r.remaining_ms, Some(r.started_at))),
        waiting: lane
            .waiting
            .iter()
            .filter_map(|e| tip(e.item, e.remaining_ms, None))
            .collect(),
    }
}

/// Start the core task and its publisher thread.
pub fn spawn(
    service: QueueService,
    publisher: Publisher,
    done: oneshot::Sender<()>,
    clock: Clock,
    ended: Option<BroadcastEnded>,
) -> CoreHandle {
    let epoch: Arc<str> = Arc::from(service.store().epoch());
    let (tx, rx) = mpsc::channel(4096);
    let failed = publisher.failed_flag();
    let publisher = publisher.start();
    let epoch_for_task = epoch.clone();
    tokio::spawn(async move {
        let core = Core { publisher, ended };
        run(service, rx, core, failed, epoch_for_task, clock).await;
        let _ = done.send(());
    });
    CoreHandle { tx, epoch }
}

/// Where the core's results go: the publisher, and who hears of ended
/// broadcasts.
struct Core {
    publisher: std::sync::mpsc::Sender<PublisherMsg>,
    ended: Option<BroadcastEnded>,
}

async fn run(
    mut service: QueueService,
    mut rx: mpsc::Receiver<CoreMsg>,
    core: Core,
    failed: Arc<AtomicBool>,
    epoch: Arc<str>,
    clock: Clock,
) {
    loop {
        // Sleep until the next grace period ends (or an hour, to look again).
        let wait = service
            .engine()
            .next_deadline()
            .map_or(3_600_000_000, |at| {
                at.micros_since(clock.now()).max(0) as u64
            });
        let msg = tokio::select! {
            msg = rx.recv() => msg,
            () = tokio::time::sleep(std::time::Duration::from_micros(wait)) => {
                tick(&mut service, &core.publisher, &clock);
                continue;
            }
        };
        let Some(msg) = msg else { break };
        match msg {
            CoreMsg::Execute { request, reply } => {
                if failed.load(Ordering::Relaxed) {
                    let _ = reply.send(Err(unavailable()));
                    continue;
                }
                tick(&mut service, &core.publisher, &clock);
                execute(&mut service, &core, clock.now(), request, None, reply);
            }
            CoreMsg::ExecuteChecked { prepare, reply } => {
                if failed.load(Ordering::Relaxed) {
                    let _ = reply.send(Err(unavailable()));
                    continue;
                }
                tick(&mut service, &core.publisher, &clock);
                let now = clock.now();
                match prepare(service.engine(), now) {
                    Ok(Decision::Checked(Checked::Execute(request))) => {
                        execute(&mut service, &core, now, request, None, reply);
                    }
                    Ok(Decision::Keeping {
                        request,
                        attachment,
                        accepted,
                    }) => {
                        let key = request.idempotency_key().cloned();
                        if execute(&mut service, &core, now, request, Some(attachment), reply) {
                            let engine = service.engine();
                            if let Some(done) = key.and_then(|k| engine.remembered_reply(&k)) {
                                accepted(done, engine.clock());
                            }
                        }
                    }
                    Ok(Decision::Checked(Checked::Answer(answer))) => {
                        let _ = reply.send(Ok(answer));
                    }
                    Err(err) => {
                        let _ = reply.send(Err(err));
                    }
                }
            }
            // After a failed commit the engine is ahead of the disk: serve
            // none of it (a dropped reply answers `unavailable`).
            CoreMsg::Subscribe { .. } | CoreMsg::Query(_) | CoreMsg::Durable(_)
                if failed.load(Ordering::Relaxed) => {}
            CoreMsg::Subscribe {
                room,
                resume,
                sink,
                reply,
            } => match snapshot(service.engine(), &room, &epoch) {
                Some(snapshot) => {
                    let _ = core.publisher.send(PublisherMsg::Subscribe {
                        resume,
                        snapshot: Box::new(snapshot),
                        sink,
                        reply,
                    });
                }
                None => {
                    let _ = reply.send(Err(domain_error(
                        &crate::domain::DomainError::UnknownRoom { room },
                    )));
                }
            },
            CoreMsg::Query(query) => query(service.engine()),
            // The publisher answers after the commits sent before it.
            CoreMsg::Durable(done) => {
                let _ = core.publisher.send(PublisherMsg::Durable(done));
            }
        }
    }
    drop(core);
    service.close();
}

/// Run one command, keeping `attachment` in its commit; whether the engine
/// accepted it.
fn execute(
    service: &mut QueueService,
    core: &Core,
    now: Stamp,
    request: Request,
    attachment: Option<Attachment>,
    reply: oneshot::Sender<Result<Reply, ApiError>>,
) -> bool {
    let ended = match &request.command {
        crate::domain::Command::BroadcastEnd { room } => Some(room.clone()),
        _ => None,
    };
    match service.execute_with(now, request, attachment) {
        Ok(ack) => {
            let _ = core.publisher.send(PublisherMsg::Commit {
                ack,
                reply: Some(reply),
            });
            if let (Some(room), Some(tx)) = (ended, &core.ended) {
                let _ = tx.send(room);
            }
            true
        }
        Err(err) => {
            let _ = reply.send(Err(domain_error(&err)));
            false
        }
    }
}

fn tick(
    service: &mut QueueService,
    publisher: &std::sync::mpsc::Sender<PublisherMsg>,
    clock: &Clock,
) {
    if let Some(ack) = service.tick_if_due(clock.now()) {
        let _ = publisher.send(PublisherMsg::Commit { ack, reply: None });
    }
}
