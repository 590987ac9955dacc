//! The toy scheduler driven from the console's loops: the cues the state
//! decides, the toy screen's requests, and the reading shown on the strip.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::client::RestClient;
use crate::console::app::{ToyCue, ToyReading, ToyRequest};
use crate::domain::tips::PatternRef;
use crate::domain::{EventKind, RoomId};
use crate::toy::connect::{Which, connect};
use crate::toy::device::DriverConfig;
use crate::toy::pattern_file::PatternFile;
use crate::toy::scheduler::SchedulerHandle;

/// Where a tip's imported pattern comes from: the room's patterns on the
/// server, fetched when the tip runs (a tip fixes the name, not the steps).
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
        } => toys.on_event(
            &EventKind::ItemStarted {
                item,
                started_at,
                duration_ms,
                effects,
            },
            now,
        ),
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
            toys.item_started(item, tokio::time::Instant::now(), length_ms, effects);
            let toys = toys.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(length_ms)).await;
                toys.item_finished(item);
            });
        }
    }
}

/// What the scheduler says about the toys now.
pub(super) fn reading(toys: &SchedulerHandle) -> ToyReading {
    let status = toys.status().borrow().clone();
    ToyReading {
        line: toys.strip_line(),
        level: status.level,
        halted: status.halted,
        toys: toys.toys().len(),
    }
}

/// Carry out a request of the toy screen; what happened goes to `notes`.
pub(super) fn toy_request(
    toys: &SchedulerHandle,
    request: ToyRequest,
    notes: mpsc::Sender<String>,
) {
    let toys = toys.clone();
    tokio::spawn(async move {
        let note = match request {
            ToyRequest::ConnectVirtual => return connect_toy(&toys, Which::Virtual, notes),
            ToyRequest::ConnectBluetooth => {
                return connect_toy(&toys, Which::Bluetooth(None), notes);
            }
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
        };
        let _ = notes.send(note).await;
    });
}

/// Connect to a toy through any backend and hand it to the scheduler; what
/// happened goes to `notes`.
pub(super) fn connect_toy(toys: &SchedulerHandle, which: Which, notes: mpsc::Sender<String>) {
    let toys = toys.clone();
    tokio::spawn(async move {
        let note = match connect(&which, DriverConfig::default()).await {
            Ok(connected) => {
                let label = connected.toy.label().to_owned();
                toys.add_toy(connected.toy);
                // The scheduler adds it on its own task: the note (and the
                // strip read with it) waits until it has.
                for _ in 0..100 {
                    if toys.toys().iter().any(|t| t.label() == label) {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                format!("toy connected: {}", connected.description)
            }
            Err(err) => format!("no toy ({}): {err}", which.backend().name()),
        };
        let _ = notes.send(note).await;
    });
}
