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

use super::app::{App, Effect};
use super::config::Resolved;
use super::view;
use crate::client::{RestClient, RoomStream, StreamEvent, StreamOptions};
use crate::domain::{Item, ItemId, Stamp};

/// Called to stop every toy when the console leaves, however it leaves.
pub type StopToy = std::sync::Arc<dyn Fn() + Send + Sync>;

fn leave_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
}

/// Raw mode and the alternate screen, undone on drop and on panic.
struct Tui {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl Tui {
    fn enter() -> io::Result<Tui> {
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

    fn draw(&mut self, app: &App) -> io::Result<()> {
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

/// Restore the terminal and stop the toy before a panic message prints.
fn install_panic_hook(stop_toy: StopToy) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        stop_toy();
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

pub async fn run(config: Resolved, stop_toy: StopToy) -> Result<(), String> {
    let mut app = App::new(config.room.clone(), config.keymap.clone(), config.theme);
    // Ping twice a second so a dead link shows within two seconds.
    let options = StreamOptions {
        ping_every: Duration::from_millis(500),
        silence_timeout: Duration::from_millis(1500),
        ..StreamOptions::default()
    };
    let mut stream = RoomStream::connect(
        &config.server,
        &config.token,
        config.room.clone(),
        None,
        options,
    );
    let rest = RestClient::new(config.server.clone(), config.token.clone());
    let (audit_tx, mut audit_rx) = mpsc::channel::<(ItemId, Result<Item, String>)>(8);
    install_panic_hook(stop_toy.clone());
    let mut tui = Tui::enter().map_err(|e| format!("cannot take over the terminal: {e}"))?;
    let mut input = EventStream::new();
    let mut hangup = signals();
    let mut dirty = true;

    while !app.quitting {
        if dirty {
            tui.draw(&app).map_err(|e| format!("cannot draw: {e}"))?;
            dirty = false;
        }
        let mut effects = Vec::new();
        tokio::select! {
            event = input.next() => match event {
                Some(Ok(TermEvent::Key(key))) if key.kind == KeyEventKind::Press => {
                    effects = app.on_key(key, Stamp::now());
                    dirty = true;
                }
                Some(Ok(TermEvent::Resize(..))) => dirty = true,
                Some(Ok(_)) => {}
                Some(Err(err)) => return Err(format!("the terminal failed: {err}")),
                None => break,
            },
            event = stream.next() => {
                let Some(event) = event else { break };
                dirty |= on_stream(&mut app, event, &mut effects);
                // Take everything already waiting before drawing once.
                while let Some(event) = stream.try_next() {
                    dirty |= on_stream(&mut app, event, &mut effects);
                }
            }
            Some((item, record)) = audit_rx.recv() => {
                app.on_audit(item, record);
                dirty = true;
            }
            () = tokio::time::sleep(next_tick(&app)) => dirty = true,
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
                    let (rest, room, tx) = (rest.clone(), config.room.clone(), audit_tx.clone());
                    tokio::spawn(async move {
                        let record = rest.audit(&room, item).await.map_err(|e| e.to_string());
                        let _ = tx.send((item, record)).await;
                    });
                }
                Effect::StopToy => stop_toy(),
                Effect::Suspend => {
                    tui.suspend()
                        .map_err(|e| format!("cannot resume the terminal: {e}"))?;
                    dirty = true;
                }
                Effect::Quit => app.quitting = true,
            }
        }
    }
    stop_toy();
    drop(tui);
    stream.close();
    Ok(())
}

/// Feed one stream event; whether the screen changed.
fn on_stream(app: &mut App, event: StreamEvent, effects: &mut Vec<Effect>) -> bool {
    // A clock reading changes the screen only when the shown rtt changes.
    let rtt_before = app.rtt_ms;
    let is_clock = matches!(event, StreamEvent::Clock { .. });
    effects.extend(app.on_stream(event, Stamp::now()));
    !is_clock || app.rtt_ms != rtt_before
}

/// SIGHUP and SIGTERM end the console cleanly (terminal restored, toy stopped).
fn signals() -> mpsc::Receiver<()> {
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
