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
use super::menu_editor::{MenuAnswer, MenuRequest};
use super::view;
use crate::client::{RestClient, RoomStream, StreamEvent, StreamOptions};
use crate::domain::{EventKind, Item, ItemId, RoomId, Stamp};
use crate::menus::client::{MenuClient, MenuClientError};
use crate::overlay::{self, OverlayHandle};
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
    let menus = MenuClient::new(rest.clone());
    // The toy scheduler: told what to do by the App's cues, stopped by the
    // stop keys, on exit, on panic, and when the server is lost too long.
    let toys = spawn_scheduler(SchedulerConfig {
        intensity_cap: config.toy.intensity_cap,
        server_loss_stop_ms: config.toy.stop_after_disconnect_ms,
        ..SchedulerConfig::default()
    });
    toy_panic_hook(toys.stopper());
    install_panic_hook();
    let (toy_tx, mut toy_rx) = mpsc::channel::<String>(8);
    if config.virtual_toy {
        toy_request(&toys, ToyRequest::ConnectVirtual, toy_tx.clone());
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
                        let _ = tx.send(send_menu(&menus, &room, request).await).await;
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
                Effect::Moderate(_) | Effect::FetchModerationLog => {}
            }
        }
    }
    toys.exit().await;
    drop(tui);
    stream.close();
    Ok(())
}

/// The overlay server, when the configuration wants it; the toy screen
/// shows its URLs, or why there are none.
async fn start_overlays(
    config: &Resolved,
    rest: &RestClient,
    room: &RoomId,
    app: &mut App,
) -> Option<OverlayHandle> {
    if !config.overlay.enabled {
        app.overlay = vec!["off: [overlay] enabled = false in the config file".into()];
        return None;
    }
    let t = &config.theme;
    let colours = overlay::theme_css(&[
        ("text", t.text),
        ("dim", t.dim),
        ("accent", t.accent),
        ("green", t.timer_green),
        ("yellow", t.timer_yellow),
        ("red", t.timer_red),
        ("overtime", t.overtime),
        ("toy", t.toy_active),
        ("success", t.success),
    ]);
    match OverlayHandle::start(&config.overlay, colours, rest.clone(), room.clone()).await {
        Ok(handle) => {
            app.overlay = overlay_lines(&handle);
            Some(handle)
        }
        Err(err) => {
            tracing::warn!(error = %err, "no overlays");
            app.overlay = vec![err];
            None
        }
    }
}

fn overlay_lines(handle: &OverlayHandle) -> Vec<String> {
    handle
        .urls()
        .into_iter()
        .map(|(widget, url)| format!("{:<7} {url}", widget.name()))
        .collect()
}

fn regenerate_overlays(overlays: Option<&OverlayHandle>, app: &mut App) {
    let Some(handle) = overlays else { return };
    let note = match handle.regenerate() {
        Ok(()) => "new overlay tokens: update the browser sources' URLs".to_string(),
        Err(err) => format!("overlay tokens not changed: {err}"),
    };
    app.overlay = overlay_lines(handle);
    app.toy_note(note, Stamp::now());
}

/// The console's state as the overlays see it (they keep no sockets of
/// ours and we keep none of theirs: a channel between).
fn publish(overlays: Option<&OverlayHandle>, app: &App, toys: &SchedulerHandle) {
    let Some(handle) = overlays else { return };
    handle.send(overlay::Input::State(std::sync::Arc::new(
        overlay::feed::ConsoleState {
            connected: app.connected(),
            in_progress: app.model.as_ref().and_then(|m| m.in_progress.clone()),
            waiting: app
                .model
                .as_ref()
                .map(|m| m.waiting.clone())
                .unwrap_or_default(),
            offset_us: app.offset_us,
            toy_halted: app.toy.halted,
            toys: toys
                .toys()
                .iter()
                .map(|t| (t.label().to_string(), t.status().borrow().level))
                .collect(),
        },
    )));
}

fn tell_overlays(overlays: Option<&OverlayHandle>, event: &StreamEvent) {
    if let (Some(handle), StreamEvent::Event { event, .. }) = (overlays, event) {
        handle.send(overlay::Input::Event(event.clone()));
    }
}

/// Carry out one menu change and turn the answer into the editor's terms.
async fn send_menu(menus: &MenuClient, room: &RoomId, request: MenuRequest) -> MenuAnswer {
    let result = match request {
        MenuRequest::List => {
            return match menus.list(room).await {
                Ok(list) => MenuAnswer::Menus(list.menus),
                Err(err) => MenuAnswer::Failed(err.to_string()),
            };
        }
        MenuRequest::UpdateMenu { menu, spec } => menus.update(room, &menu, &spec).await,
        MenuRequest::AddItem {
            menu,
            version,
            item,
        } => menus.add_item(room, &menu, version, &item, None).await,
        MenuRequest::UpdateItem {
            menu,
            version,
            item,
        } => menus.update_item(room, &menu, version, &item).await,
        MenuRequest::DeleteItem {
            menu,
            version,
            item,
        } => menus.delete_item(room, &menu, &item, version).await,
        MenuRequest::Reorder {
            menu,
            version,
            items,
        } => menus.reorder(room, &menu, version, &items).await,
        MenuRequest::Sort { menu, version, by } => {
            menus.sort(room, &menu, version, by, false).await
        }
    };
    match result {
        Ok(view) => MenuAnswer::Menu(Box::new(view)),
        Err(MenuClientError::Conflict(conflict)) => MenuAnswer::Conflict(conflict),
        Err(err) => MenuAnswer::Failed(err.to_string()),
    }
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
            ToyRequest::ConnectVirtual | ToyRequest::ConnectBluetooth => {
                let which = if request == ToyRequest::ConnectVirtual {
                    Which::Virtual
                } else {
                    Which::Bluetooth(None)
                };
                match connect(&which, DriverConfig::default()).await {
                    Ok(connected) => {
                        let label = connected.toy.label().to_owned();
                        toys.add_toy(connected.toy);
                        // The scheduler adds it on its own task: the note
                        // (and the strip read with it) waits until it has.
                        for _ in 0..100 {
                            if toys.toys().iter().any(|t| t.label() == label) {
                                break;
                            }
                            tokio::time::sleep(Duration::from_millis(5)).await;
                        }
                        format!("toy connected: {}", connected.description)
                    }
                    Err(err) => format!("no toy: {err}"),
                }
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
