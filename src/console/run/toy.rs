//! The toy scheduler driven from the console's loops: the cues the state
//! decides, the toy screen's requests (connect, reconnect, disconnect, a
//! level by hand), and the reading shown on the strip.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::client::RestClient;
use crate::console::app::{ToyCue, ToyReading, ToyRequest};
use crate::domain::tips::PatternRef;
use crate::domain::toy_effect::ToyEffect;
use crate::domain::{EventKind, RoomId};
use crate::toy::connect::{Which, connect};
use crate::toy::device::DriverConfig;
use crate::toy::pattern_file::PatternFile;
use crate::toy::plan::Shape;
use crate::toy::reconnect::{attach, reconnect};
use crate::toy::scheduler::{SchedulerHandle, local_start};

/// Where an imported pattern comes from: the room's patterns on the
/// server, fetched when the tip or the item runs (it fixes the name, not
/// the steps).
#[derive(Clone)]
pub(super) struct PatternSource {
    pub rest: RestClient,
    pub room: RoomId,
}

impl PatternSource {
    async fn fetch(&self, name: &str) -> Option<Arc<PatternFile>> {
        let parsed = match self.rest.pattern_text(&self.room, name).await {
            Ok(text) => PatternFile::parse(name, &text).map_err(|e| e.to_string()),
            Err(err) => Err(err.to_string()),
        };
        match parsed {
            Ok(file) => Some(Arc::new(file)),
            Err(err) => {
                tracing::warn!(pattern = name, error = %err, "imported pattern not had: steady");
                None
            }
        }
    }
}

impl PatternSource {
    /// The steps of every imported pattern the effects name, fetched when
    /// the item starts (`None`: the effect's own built-in shape, or steady
    /// if its file cannot be had).
    async fn shapes(&self, effects: &[ToyEffect]) -> Vec<Option<Shape>> {
        let mut shapes = Vec::with_capacity(effects.len());
        for effect in effects {
            let file = match effect.imported_pattern() {
                Some(name) if effect.enabled => self.fetch(name).await,
                _ => None,
            };
            shapes.push(file.map(Shape::File));
        }
        shapes
    }
}

/// Whether any of the effects plays an imported pattern.
fn names_imported(effects: &[ToyEffect]) -> bool {
    effects
        .iter()
        .any(|e| e.enabled && e.imported_pattern().is_some())
}

/// Tell the scheduler what the console decided.
pub(super) fn follow(toys: &SchedulerHandle, cue: ToyCue, patterns: &PatternSource) {
    match cue {
        ToyCue::Server { up } => toys.server_connection(up),
        ToyCue::Started {
            item,
            started_at,
            duration_ms,
            effects,
            now,
        } => {
            if !names_imported(&effects) {
                let started = EventKind::ItemStarted {
                    item,
                    started_at,
                    duration_ms,
                    effects,
                };
                return toys.on_event(&started, now);
            }
            let Some(start) = local_start(started_at, duration_ms, now) else {
                tracing::info!(%item, "item heard of after its effects were over");
                return;
            };
            let (toys, patterns) = (toys.clone(), patterns.clone());
            let asked = tokio::time::Instant::now();
            tokio::spawn(async move {
                let shapes = patterns.shapes(&effects).await;
                toys.item_started_fetched(item, start, duration_ms, effects, shapes, Some(asked));
            });
        }
        ToyCue::Finished(item) => toys.item_finished(item),
        ToyCue::Refunded(item) => toys.item_refunded(item),
        ToyCue::LanePlay {
            item,
            tip,
            length_ms,
        } => {
            // Placed from now whatever the fetch takes; a stop meanwhile wins.
            let start = tokio::time::Instant::now();
            match tip.pattern.clone() {
                Some(PatternRef::Named(name)) => {
                    let (toys, patterns) = (toys.clone(), patterns.clone());
                    tokio::spawn(async move {
                        let file = patterns.fetch(&name).await;
                        toys.lane_started_with(item, tip, length_ms, start, file);
                    });
                }
                _ => toys.lane_started(item, tip, length_ms, start),
            }
        }
        ToyCue::LaneStop(item) => toys.lane_stopped(item),
        ToyCue::Play {
            item,
            effects,
            length_ms,
        } => {
            let start = tokio::time::Instant::now();
            let imported = names_imported(&effects);
            if !imported {
                toys.item_started(item, start, length_ms, effects.clone());
            }
            let (toys, patterns) = (toys.clone(), patterns.clone());
            tokio::spawn(async move {
                if imported {
                    let shapes = patterns.shapes(&effects).await;
                    toys.item_started_fetched(item, start, length_ms, effects, shapes, Some(start));
                }
                tokio::time::sleep_until(start + Duration::from_millis(length_ms)).await;
                toys.item_finished(item);
            });
        }
    }
}

/// The toys as the run loop drives them: the scheduler, the backend last
/// connected (what the reconnect key connects again) and, while that runs,
/// what the strip says instead of the scheduler's line.
#[derive(Clone)]
pub(super) struct ToyLink {
    toys: SchedulerHandle,
    last: Arc<Mutex<Option<Which>>>,
    reconnecting: Arc<Mutex<Option<String>>>,
}

impl ToyLink {
    pub fn new(toys: &SchedulerHandle) -> ToyLink {
        ToyLink {
            toys: toys.clone(),
            last: Arc::default(),
            reconnecting: Arc::default(),
        }
    }

    /// What the scheduler says about the toys now (or that the backend is
    /// being connected again).
    pub fn reading(&self) -> ToyReading {
        let status = self.toys.status().borrow().clone();
        let line = self
            .reconnecting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .unwrap_or_else(|| self.toys.strip_line());
        ToyReading {
            line,
            level: status.level,
            halted: status.halted,
            toys: self.toys.toys().len(),
        }
    }

    /// Carry out a request of the toy screen; what happened goes to `notes`.
    pub fn request(&self, request: ToyRequest, notes: mpsc::Sender<String>) {
        match request {
            ToyRequest::ConnectVirtual => return self.connect(Which::Virtual, notes),
            ToyRequest::ConnectBluetooth => return self.connect(Which::Bluetooth(None), notes),
            ToyRequest::Reconnect => return self.reconnect(notes),
            _ => {}
        }
        let toys = self.toys.clone();
        tokio::spawn(async move {
            let note = match request {
                ToyRequest::DisconnectAll => {
                    let all = toys.toys();
                    for toy in &all {
                        toys.remove_toy(toy.label());
                        toy.shutdown().await;
                    }
                    format!("{} toy(s) disconnected", all.len())
                }
                ToyRequest::Try(level) => {
                    let all = toys.toys();
                    let level = crate::toy::codec::Level::new(level.min(20))
                        .unwrap_or(crate::toy::codec::Level::OFF);
                    for toy in &all {
                        toy.set_level(level);
                    }
                    if all.is_empty() {
                        "no toy connected".into()
                    } else {
                        "trying a level by hand (the next effect overrides it)".into()
                    }
                }
                ToyRequest::Resume => {
                    toys.resume();
                    "toys resumed after the stop key".into()
                }
                ToyRequest::ConnectVirtual
                | ToyRequest::ConnectBluetooth
                | ToyRequest::Reconnect => return,
            };
            let _ = notes.send(note).await;
        });
    }

    /// Connect to a toy through any backend and hand it to the scheduler;
    /// what happened goes to `notes`.
    pub fn connect(&self, which: Which, notes: mpsc::Sender<String>) {
        *self.last.lock().unwrap_or_else(PoisonError::into_inner) = Some(which.clone());
        let toys = self.toys.clone();
        tokio::spawn(async move {
            let note = match connect(&which, DriverConfig::default()).await {
                Ok(connected) => {
                    attach(&toys, &connected).await;
                    format!("toy connected: {}", connected.description)
                }
                Err(err) => format!("no toy ({}): {err}", which.backend().name()),
            };
            let _ = notes.send(note).await;
        });
    }

    /// The reconnect key: the last backend connected (or tried) is stopped,
    /// closed and connected again; the strip says so meanwhile.
    fn reconnect(&self, notes: mpsc::Sender<String>) {
        let Some(which) = self
            .last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
        else {
            let _ = notes.try_send("no toy backend to reconnect: connect one first (v, b)".into());
            return;
        };
        let name = which.backend().name();
        *self
            .reconnecting
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(format!(
            "reconnecting the toy ({name}): stopped; effects resume once it is back"
        ));
        let link = self.clone();
        tokio::spawn(async move {
            let note = match reconnect(&link.toys, &which, DriverConfig::default()).await {
                Ok(connected) => format!("toy reconnected: {}", connected.description),
                Err(err) => format!("toy not reconnected ({name}): {err}"),
            };
            *link
                .reconnecting
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = None;
            let _ = notes.send(note).await;
        });
    }
}
