//! The console's event loop and terminal. Keys, stream events, answers and
//! ticks arrive on one loop; the state is updated, effects are carried out,
//! and the screen is drawn only when something changed (plus one tick a
//! second while a timer runs). The terminal is restored on every way out.

use std::io::{self, Stdout, Write};
use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute, queue};
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;

use super::app::{App, Effect, ToyCue, ToyReading, ToyRequest};
use super::config::Resolved;
use super::editor_requests;
use super::game_editor::GameAnswer;
use super::menu_editor::MenuAnswer;
use super::overlay_link::{publish, regenerate_overlays, start_overlays, tell_overlays};
use super::view;
use crate::client::{RestClient, RoomStream, StreamEvent, StreamOptions};
use crate::domain::{EventKind, Item, ItemId, RoomId, Stamp};
use crate::menus::client::MenuClient;
use crate::toy::connect::{Which, connect};
use crate::toy::device::DriverConfig;
use crate::toy::scheduler::{
    SchedulerConfig, SchedulerHandle, install_panic_hook as toy_panic_hook, spawn_scheduler,
};

fn leave_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
}

/// Raw mode and the alternate screen, undone on drop and on panic.
pub(super) struct Tui {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl Tui {
    pub(super) fn enter() -> io::Result<Tui> {
        Ok(Tui {
            terminal: Self::fresh()?,
        })
    }

    /// A cleared alternate screen and a terminal with empty buffers, so the
    /// next draw paints everything. (ratatui's own clear asks the terminal
    /// for the cursor position, which not every terminal answers.)
    fn fresh() -> io::Result<Terminal<CrosstermBackend<Stdout>>> {
        enable_raw_mode()?;
        execute!(
            io::stdout(),
            EnterAlternateScreen,
            cursor::Hide,
            Clear(ClearType::All)
        )?;
        Terminal::new(CrosstermBackend::new(io::stdout()))
    }

    pub(super) fn draw(&mut self, app: &App) -> io::Result<()> {
        // Synchronized output: the terminal shows the frame whole, never half.
        queue!(io::stdout(), crossterm::terminal::BeginSynchronizedUpdate)?;
        self.terminal
            .draw(|frame| view::draw(frame, app, Stamp::now()))?;
        queue!(io::stdout(), crossterm::terminal::EndSynchronizedUpdate)?;
        io::stdout().flush()
    }

    /// Ctrl-Z: give the terminal back, stop, and take it again on `fg`.
    fn suspend(&mut self) -> io::Result<()> {
        leave_terminal();
        #[cfg(unix)]
        // SAFETY: raising a signal on our own process has no memory effects.
        unsafe {
            libc::raise(libc::SIGTSTP);
        }
        self.terminal = Self::fresh()?;
        Ok(())
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        leave_terminal();
    }
}

/// Restore the terminal before a panic message prints (the toy module's
/// own hook, installed first, stops every toy).
pub(super) fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave_terminal();
        previous(info);
    }));
}

/// How long until the display next changes by itself: the next whole
/// second of the running timer (or of the disconnected banner).
fn next_tick(app: &App) -> Duration {
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
        None => super::watch_run::run(config).await,
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
    let (audit_tx, mut audit_rx) = mpsc::channel::<(ItemId, Result<Item, String>)>(8);
    let (menu_tx, mut menu_rx) = mpsc::channel::<MenuAnswer>(8);
    let (game_tx, mut game_rx) = mpsc::channel::<GameAnswer>(8);
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
    if config.virtual_toy {
        toy_request(&toys, ToyRequest::ConnectVirtual, toy_tx.clone());
    } else if let Some(which) = config.toy_backend.clone() {
        connect_toy(&toys, which, toy_tx.clone());
    }
    let mut toy_status = toys.status();
    app.on_toy_reading(reading(&toys));
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
            Some(note) = toy_rx.recv() => {
                app.toy_note(note, Stamp::now());
                app.on_toy_reading(reading(&toys));
                dirty = true;
            }
            Ok(()) = toy_status.changed() => {
                dirty |= app.on_toy_reading(reading(&toys));
            }
            () = tokio::time::sleep(next_tick(&app)) => {
                // The strip counts down to the next effect with the timer.
                app.on_toy_reading(reading(&toys));
                dirty = true;
            }
            _ = hangup.recv() => {
                tracing::info!("terminal hung up or asked to stop");
                break;
            }
        }
        for effect in effects {
            match effect {
                Effect::Send {
                    request_id,
                    key,
                    command,
                } => {
                    if let Err(err) = stream.command(&request_id, &key, command).await {
                        // Kept as pending: it is resent with the same key on reconnect.
                        tracing::warn!(request = %request_id, error = %err, "command not sent yet");
                    }
                }
                Effect::FetchAudit(item) => {
                    let (rest, room, tx) = (rest.clone(), room.clone(), audit_tx.clone());
                    tokio::spawn(async move {
                        let record = rest.audit(&room, item).await.map_err(|e| e.to_string());
                        let _ = tx.send((item, record)).await;
                    });
                }
                Effect::Menu(request) => {
                    let (menus, room, tx) = (menus.clone(), room.clone(), menu_tx.clone());
                    tokio::spawn(async move {
                        let _ = tx
                            .send(editor_requests::send_menu(&menus, &room, request).await)
                            .await;
                    });
                }
                Effect::Game(request) => {
                    let (rest, room, tx) = (rest.clone(), room.clone(), game_tx.clone());
                    tokio::spawn(async move {
                        let _ = tx
                            .send(editor_requests::send_game(&rest, &room, request).await)
                            .await;
                    });
                }
                Effect::ToyCue(cue) => follow(&toys, cue),
                Effect::Toy(request) => toy_request(&toys, request, toy_tx.clone()),
                Effect::StopToy => {
                    toys.panic_stop();
                    app.on_toy_reading(reading(&toys));
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

/// Tell the scheduler what the console decided.
fn follow(toys: &SchedulerHandle, cue: ToyCue) {
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
fn reading(toys: &SchedulerHandle) -> ToyReading {
    let status = toys.status().borrow().clone();
    ToyReading {
        line: toys.strip_line(),
        level: status.level,
        halted: status.halted,
    }
}

/// Carry out a request of the toy screen; what happened goes to `notes`.
fn toy_request(toys: &SchedulerHandle, request: ToyRequest, notes: mpsc::Sender<String>) {
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
fn connect_toy(toys: &SchedulerHandle, which: Which, notes: mpsc::Sender<String>) {
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

/// Feed one stream event to the state; whether the screen changed.
fn on_stream(app: &mut App, event: StreamEvent, effects: &mut Vec<Effect>) -> bool {
    // A clock reading changes the screen only when the shown rtt changes.
    let rtt_before = app.rtt_ms;
    let is_clock = matches!(event, StreamEvent::Clock { .. });
    effects.extend(app.on_stream(event, Stamp::now()));
    !is_clock || app.rtt_ms != rtt_before
}

/// SIGHUP and SIGTERM end the console cleanly (terminal restored, toy stopped).
pub(super) fn signals() -> mpsc::Receiver<()> {
    let (tx, rx) = mpsc::channel(1);
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut hup), Ok(mut term)) = (
            signal(SignalKind::hangup()),
            signal(SignalKind::terminate()),
        ) else {
            return;
        };
        tokio::select! {
            _ = hup.recv() => {}
            _ = term.recv() => {}
        }
        let _ = tx.send(()).await;
    });
    rx
}

/// What one terminal event did to the state.
pub(super) enum TermOutcome {
    /// The state changed (a key, a resize); these effects follow.
    Changed(Vec<Effect>),
    Unchanged,
    /// The terminal's input ended.
    Closed,
}

/// A terminal event, the same for every console loop: key presses go to
/// the input layer, resizes to the layout; a failed terminal is an error.
pub(super) fn on_terminal(
    app: &mut App,
    event: Option<std::io::Result<TermEvent>>,
) -> Result<TermOutcome, String> {
    match event {
        Some(Ok(TermEvent::Key(key))) if key.kind == KeyEventKind::Press => {
            Ok(TermOutcome::Changed(app.on_key(key, Stamp::now())))
        }
        Some(Ok(TermEvent::Resize(width, height))) => {
            app.size = (width, height);
            Ok(TermOutcome::Changed(Vec::new()))
        }
        Some(Ok(_)) => Ok(TermOutcome::Unchanged),
        Some(Err(err)) => Err(format!("the terminal failed: {err}")),
        None => Ok(TermOutcome::Closed),
    }
}
