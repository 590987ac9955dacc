//! The console's IO: the loops that own the terminal and the sockets.
//! Keys, stream events, answers and ticks arrive on one loop; the state is
//! updated, effects are carried out, and the screen is drawn only when
//! something changed (plus one tick a second while a timer runs). The
//! terminal is restored on every way out.

mod headless;
mod overlay;
mod requests;
mod terminal;
mod toy;
mod watch;

use std::time::Duration;

use crossterm::event::EventStream;
use futures_util::StreamExt;
use tokio::sync::mpsc;

pub use self::headless::run_lane;
use self::overlay::{publish, regenerate_overlays, start_overlays, tell_overlays};
use self::terminal::{TermOutcome, Tui, install_panic_hook, on_terminal, signals};
use self::toy::{ToyLink, follow};
use crate::client::{RestClient, RoomStream, StreamEvent, StreamOptions};
use crate::console::app::{App, Effect, ToyRequest};
use crate::console::config::Resolved;
use crate::console::games::{GameAnswer, GameRequest};
use crate::console::levels::LevelAnswer;
use crate::console::menus::{MenuAnswer, MenuRequest};
use crate::console::queue::award::PointsAnswer;
use crate::console::reply::ReplyAnswer;
use crate::console::report::ReportAnswer;
use crate::domain::{Item, ItemId, RoomId, Stamp};
use crate::menus::client::MenuClient;
use crate::toy::scheduler::{
    SchedulerConfig, install_panic_hook as toy_panic_hook, spawn_scheduler,
};

/// How long until the display next changes by itself: the next whole
/// second of the running timer (or of the disconnected banner).
/// How long a console waits before asking again for a room the server
/// does not know yet.
const ROOM_RETRY: Duration = Duration::from_secs(2);

fn next_tick(app: &App) -> Duration {
    let display = display_tick(app);
    // The lane runner reports a tip's run the moment it is over.
    match app.lane_deadline() {
        Some(end) => {
            let until = end.micros_since(Stamp::now()).max(0) as u64;
            display.min(Duration::from_micros(until))
        }
        None => display,
    }
}

fn display_tick(app: &App) -> Duration {
    if !app.ticking() {
        return Duration::from_secs(3600);
    }
    let now = app.server_now(Stamp::now()).0;
    let into_second = match app.model.as_ref().and_then(|m| m.in_progress.as_ref()) {
        Some(running) => (now - running.started_at.0).rem_euclid(1_000_000),
        None => now.rem_euclid(1_000_000),
    };
    Duration::from_micros((1_000_000 - into_second) as u64 + 500)
}

pub async fn run(config: Resolved) -> Result<(), String> {
    match config.room.clone() {
        Some(room) => run_room(config, room).await,
        None => watch::run(config).await,
    }
}

async fn run_room(config: Resolved, room: RoomId) -> Result<(), String> {
    let mut app = App::new(room.clone(), config.keymap.clone(), config.theme);
    // Ping twice a second so a dead link shows within two seconds.
    let options = StreamOptions {
        ping_every: Duration::from_millis(500),
        silence_timeout: Duration::from_millis(1500),
        ..StreamOptions::default()
    };
    let mut stream =
        RoomStream::connect(&config.server, &config.token, room.clone(), None, options);
    let rest = RestClient::new(config.server.clone(), config.token.clone());
    let patterns = toy::PatternSource {
        rest: rest.clone(),
        room: room.clone(),
    };
    let (audit_tx, mut audit_rx) = mpsc::channel::<(ItemId, Result<Item, String>)>(8);
    let (menu_tx, mut menu_rx) = mpsc::channel::<MenuAnswer>(8);
    let (game_tx, mut game_rx) = mpsc::channel::<GameAnswer>(8);
    let (level_tx, mut level_rx) = mpsc::channel::<LevelAnswer>(8);
    let (live_tx, mut live_rx) = mpsc::channel::<Result<bool, String>>(4);
    // A room that does not exist yet is asked for again after a moment.
    let (retry_tx, mut retry_rx) = mpsc::channel::<()>(1);
    let (report_tx, mut report_rx) = mpsc::channel::<ReportAnswer>(8);
    let (points_tx, mut points_rx) = mpsc::channel::<PointsAnswer>(8);
    let (reply_tx, mut reply_rx) = mpsc::channel::<ReplyAnswer>(8);
    let menus = MenuClient::new(rest.clone());
    // The toy scheduler: told what to do by the App's cues, stopped by the
    // stop keys, on exit, on panic, and when the server is lost too long.
    let toys = spawn_scheduler(SchedulerConfig {
        intensity_cap: config.toy.intensity_cap,
        server_loss_stop_ms: config.toy.stop_after_disconnect_ms,
        models: config.toy.models.clone(),
        ..SchedulerConfig::default()
    });
    toy_panic_hook(toys.stopper());
    install_panic_hook();
    let (toy_tx, mut toy_rx) = mpsc::channel::<String>(8);
    let link = ToyLink::new(&toys);
    if config.virtual_toy {
        link.request(ToyRequest::ConnectVirtual, toy_tx.clone());
    } else if let Some(which) = config.toy_backend.clone() {
        link.connect(which, toy_tx.clone());
    }
    let mut toy_status = toys.status();
    app.on_toy_reading(link.reading());
    if let Ok((width, height)) = crossterm::terminal::size() {
        app.size = (width, height);
    }
    let overlays = start_overlays(&config, &rest, &room, &mut app).await;
    let mut tui = Tui::enter().map_err(|e| format!("cannot take over the terminal: {e}"))?;
    let mut input = EventStream::new();
    let mut hangup = signals();
    let mut dirty = true;

    while !app.quitting {
        if dirty {
            publish(overlays.as_ref(), &app, &toys);
            tui.draw(&app).map_err(|e| format!("cannot draw: {e}"))?;
            dirty = false;
        }
        let mut effects = Vec::new();
        tokio::select! {
            event = input.next() => match on_terminal(&mut app, event)? {
                TermOutcome::Changed(more) => {
                    effects = more;
                    dirty = true;
                }
                TermOutcome::Unchanged => {}
                TermOutcome::Closed => break,
            },
            event = stream.next() => {
                let Some(event) = event else { break };
                tell_overlays(overlays.as_ref(), &event);
                dirty |= on_stream(&mut app, event, &mut effects);
                // Take everything already waiting before drawing once.
                while let Some(event) = stream.try_next() {
                    tell_overlays(overlays.as_ref(), &event);
                    dirty |= on_stream(&mut app, event, &mut effects);
                }
            }
            Some((item, record)) = audit_rx.recv() => {
                app.on_audit(item, record);
                dirty = true;
            }
            Some(answer) = menu_rx.recv() => {
                app.on_menu_answer(answer);
                dirty = true;
            }
            Some(answer) = game_rx.recv() => {
                app.on_game_answer(answer);
                dirty = true;
            }
            Some(answer) = level_rx.recv() => {
                app.on_level_answer(answer);
                dirty = true;
            }
            Some(answer) = live_rx.recv() => {
                app.on_broadcast_answer(answer, Stamp::now());
                dirty = true;
            }
            Some(()) = retry_rx.recv() => stream.resubscribe().await,
            Some(answer) = report_rx.recv() => {
                effects = app.on_report_answer(answer);
                dirty = true;
            }
            Some(answer) = points_rx.recv() => {
                app.on_points_answer(answer);
                dirty = true;
            }
            Some(answer) = reply_rx.recv() => {
                effects = app.on_reply_answer(answer);
                dirty = true;
            }
            Some(note) = toy_rx.recv() => {
                app.toy_note(note, Stamp::now());
                app.on_toy_reading(link.reading());
                dirty = true;
            }
            Ok(()) = toy_status.changed() => {
                dirty |= app.on_toy_reading(link.reading());
            }
            () = tokio::time::sleep(next_tick(&app)) => {
                // The strip counts down to the next effect with the timer.
                app.on_toy_reading(link.reading());
                dirty = true;
            }
            _ = hangup.recv() => {
                tracing::info!("terminal hung up or asked to stop");
                break;
            }
        }
        // The lane runner acts on whatever just changed (a toy, a tick).
        effects.extend(app.drive_lane(Stamp::now()));
        for effect in effects {
            match effect {
                Effect::Send {
                    request_id,
                    key,
                    command,
                } => send(&stream, &request_id, &key, command).await,
                Effect::FetchAudit(item) => {
                    let (rest, room, tx) = (rest.clone(), room.clone(), audit_tx.clone());
                    tokio::spawn(async move {
                        let record = rest.audit(&room, item).await.map_err(|e| e.to_string());
                        let _ = tx.send((item, record)).await;
                    });
                }
                Effect::Menu(request) => {
                    if matches!(request, MenuRequest::List) {
                        let (rest, room) = (rest.clone(), room.clone());
                        answer_later(&menu_tx, async move {
                            MenuAnswer::Patterns(requests::pattern_names(&rest, &room).await)
                        });
                    }
                    let (menus, room) = (menus.clone(), room.clone());
                    answer_later(&menu_tx, async move {
                        requests::send_menu(&menus, &room, request).await
                    });
                }
                Effect::Game(request) => {
                    if matches!(request, GameRequest::Load(_)) {
                        let (rest, room) = (rest.clone(), room.clone());
                        answer_later(&game_tx, async move {
                            GameAnswer::Patterns(requests::pattern_names(&rest, &room).await)
                        });
                    }
                    let (rest, room) = (rest.clone(), room.clone());
                    answer_later(&game_tx, async move {
                        requests::send_game(&rest, &room, request).await
                    });
                }
                Effect::Levels(request) => {
                    let (rest, room) = (rest.clone(), room.clone());
                    answer_later(&level_tx, async move {
                        requests::send_levels(&rest, &room, request).await
                    });
                }
                Effect::Broadcast(live) => {
                    let (rest, room, tx) = (rest.clone(), room.clone(), live_tx.clone());
                    tokio::spawn(async move {
                        let answer = rest.broadcast(&room, live).await;
                        let _ = tx
                            .send(answer.map(|_| live).map_err(|e| e.to_string()))
                            .await;
                    });
                }
                Effect::RetryRoom => {
                    let tx = retry_tx.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(ROOM_RETRY).await;
                        let _ = tx.try_send(());
                    });
                }
                Effect::Points(request) => {
                    let (rest, room, tx) = (rest.clone(), room.clone(), points_tx.clone());
                    tokio::spawn(async move {
                        let _ = tx
                            .send(requests::send_points(&rest, &room, request).await)
                            .await;
                    });
                }
                Effect::Report(request) => {
                    let (rest, room) = (rest.clone(), room.clone());
                    answer_later(&report_tx, async move {
                        requests::send_report(&rest, &room, request).await
                    });
                }
                Effect::ToyCue(cue) => follow(&toys, cue, &patterns),
                Effect::Toy(request) => {
                    link.request(request, toy_tx.clone());
                    // The strip says at once what the request started.
                    app.on_toy_reading(link.reading());
                }
                Effect::Reply(request) => {
                    let (rest, room, tx) = (rest.clone(), room.clone(), reply_tx.clone());
                    tokio::spawn(async move {
                        let _ = tx
                            .send(requests::send_reply(&rest, &room, request).await)
                            .await;
                    });
                }
                Effect::StopToy => {
                    toys.panic_stop();
                    app.on_toy_reading(link.reading());
                }
                Effect::Suspend => {
                    tui.suspend()
                        .map_err(|e| format!("cannot resume the terminal: {e}"))?;
                    dirty = true;
                }
                Effect::Quit => app.quitting = true,
                Effect::RegenerateOverlay => regenerate_overlays(overlays.as_ref(), &mut app),
                // Only the watch grid's rooms offer these.
                Effect::Moderate(_) | Effect::FetchModerationLog(_) => {}
            }
        }
    }
    toys.exit().await;
    drop(tui);
    stream.close();
    Ok(())
}

/// Carry a request out beside the loop; its answer comes back on `tx`.
fn answer_later<T: Send + 'static>(
    tx: &mpsc::Sender<T>,
    answer: impl Future<Output = T> + Send + 'static,
) {
    let tx = tx.clone();
    tokio::spawn(async move {
        let _ = tx.send(answer.await).await;
    });
}

/// Send a command on the room's socket. One that cannot go now is kept as
/// pending by the state: it is resent with the same key on reconnect.
async fn send(
    stream: &RoomStream,
    request_id: &str,
    key: &str,
    command: crate::protocol::RoomCommand,
) {
    if let Err(err) = stream.command(request_id, key, command).await {
        tracing::warn!(request = %request_id, error = %err, "command not sent yet");
    }
}

/// Feed one stream event to the state; whether the screen changed.
fn on_stream(app: &mut App, event: StreamEvent, effects: &mut Vec<Effect>) -> bool {
    // A clock reading changes the screen only when the shown rtt changes.
    let rtt_before = app.rtt_ms;
    let is_clock = matches!(event, StreamEvent::Clock { .. });
    effects.extend(app.on_stream(event, Stamp::now()));
    !is_clock || app.rtt_ms != rtt_before
}
