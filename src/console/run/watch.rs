//! The watch grid's loop: the rooms in the token's scope from the server,
//! one WebSocket subscribed to all of them, their events fed to the App,
//! a redraw when something changed and once a second for timers and ages.

use std::time::Duration;

use crossterm::event::EventStream;
use futures_util::StreamExt;

use super::terminal::{TermOutcome, Tui, install_panic_hook, on_terminal, signals};
use crate::client::{LogQuery, RestClient, StreamOptions, WatchStream};
use crate::console::app::{App, Effect};
use crate::console::config::Resolved;
use crate::console::watch::grid::WatchGrid;
use tokio::sync::mpsc;

use crate::console::watch::ModerationRequest;
use crate::domain::{Item, ItemId, RoomId, Stamp};
use crate::protocol::{BanRequest, BanScope, ModerationRow};

pub async fn run(config: Resolved) -> Result<(), String> {
    let rest = RestClient::new(config.server.clone(), config.token.clone());
    let rooms = rest.rooms().await.map_err(|e| {
        format!("cannot list the rooms to watch (a token without --room must be a moderator's or an admin's): {e}")
    })?;
    let mut app = App::new("watch".into(), config.keymap.clone(), config.theme);
    app.watch = Some(WatchGrid::default());
    let options = StreamOptions {
        ping_every: Duration::from_millis(500),
        silence_timeout: Duration::from_millis(1500),
        ..StreamOptions::default()
    };
    let subscriptions = rooms.into_iter().map(|room| (room, None)).collect();
    let mut stream = WatchStream::connect(&config.server, &config.token, subscriptions, options);
    let (audit_tx, mut audit_rx) = mpsc::channel::<(ItemId, Result<Item, String>)>(8);
    let (note_tx, mut note_rx) = mpsc::channel::<String>(8);
    let (rooms_tx, mut rooms_rx) = mpsc::channel::<Vec<RoomId>>(1);
    let mut relist = tokio::time::interval(RELIST_EVERY);
    relist.tick().await; // the first tick is now: the rooms were just listed
    let (log_tx, mut log_rx) = mpsc::channel::<(LogQuery, Result<Vec<ModerationRow>, String>)>(2);
    install_panic_hook();
    if let Ok(size) = crossterm::terminal::size() {
        app.size = size;
    }
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
            event = input.next() => match on_terminal(&mut app, event)? {
                TermOutcome::Changed(more) => {
                    effects = more;
                    dirty = true;
                }
                TermOutcome::Unchanged => {}
                TermOutcome::Closed => break,
            },
            event = stream.next() => {
                let Some(first) = event else { break };
                let mut next = Some(first);
                // Take everything already waiting before drawing once.
                while let Some(watched) = next {
                    let is_clock = matches!(watched.event, crate::client::StreamEvent::Clock { .. });
                    effects.extend(app.on_watch(watched.room, watched.event, Stamp::now()));
                    dirty |= !is_clock;
                    next = stream.try_next();
                }
            }
            Some((item, record)) = audit_rx.recv() => {
                app.on_audit(item, record);
                dirty = true;
            }
            Some((query, rows)) = log_rx.recv() => {
                app.on_moderation_log(query, rows);
                dirty = true;
            }
            Some(note) = note_rx.recv() => {
                app.toy_note(note, Stamp::now());
                dirty = true;
            }
            _ = relist.tick() => {
                let (rest, tx) = (rest.clone(), rooms_tx.clone());
                tokio::spawn(async move {
                    if let Ok(rooms) = rest.rooms().await {
                        let _ = tx.try_send(rooms);
                    }
                });
            }
            Some(rooms) = rooms_rx.recv() => {
                for room in rooms {
                    stream.subscribe(room).await;
                }
            }
            () = tokio::time::sleep(next_second()) => dirty = true,
            _ = hangup.recv() => break,
        }
        for effect in effects {
            match effect {
                Effect::Send {
                    request_id,
                    key,
                    command,
                } => {
                    let room = app.room.clone();
                    if let Err(err) = stream.command(&room, &request_id, &key, command).await {
                        // Kept as pending: resent with the same key on reconnect.
                        tracing::warn!(request = %request_id, error = %err, "command not sent yet");
                    }
                }
                Effect::FetchAudit(item) => {
                    let (rest, room, tx) = (rest.clone(), app.room.clone(), audit_tx.clone());
                    tokio::spawn(async move {
                        let record = rest.audit(&room, item).await.map_err(|e| e.to_string());
                        let _ = tx.send((item, record)).await;
                    });
                }
                Effect::Moderate(request) => {
                    let (rest, tx) = (rest.clone(), note_tx.clone());
                    tokio::spawn(async move {
                        let _ = tx.send(moderate(&rest, request).await).await;
                    });
                }
                Effect::FetchModerationLog(query) => {
                    let (rest, tx) = (rest.clone(), log_tx.clone());
                    tokio::spawn(async move {
                        let page = rest.moderation_log(&query).await;
                        let rows = page.map(|p| p.entries).map_err(|e| e.to_string());
                        let _ = tx.send((query, rows)).await;
                    });
                }
                Effect::Quit => app.quitting = true,
                _ => {}
            }
        }
    }
    drop(tui);
    stream.close();
    Ok(())
}

/// How often the rooms in scope are listed again, so a room made while
/// watching gets its card.
const RELIST_EVERY: Duration = Duration::from_secs(30);

/// Until the next whole second of the clock, when ages and timers change.
fn next_second() -> Duration {
    let into = Stamp::now().0.rem_euclid(1_000_000);
    Duration::from_micros((1_000_000 - into) as u64 + 500)
}

/// Carry out a ban, pause or resume; what the log should say.
async fn moderate(rest: &RestClient, request: ModerationRequest) -> String {
    match request {
        ModerationRequest::Ban {
            room,
            user,
            reason,
            all,
            note,
            expires_in_secs,
        } => {
            let ban = BanRequest {
                user: user.clone(),
                scope: if all { BanScope::All } else { BanScope::Room },
                reason,
                note,
                expires_at: None,
                expires_in_secs,
            };
            match rest.ban(&room, &ban, None).await {
                Ok(_) => format!("banned {user} ({})", reason.as_str()),
                Err(err) => format!("ban refused: {err}"),
            }
        }
        ModerationRequest::Pause(room) => match rest.pause(&room, None).await {
            Ok(_) => format!("{room} paused"),
            Err(err) => format!("pause refused: {err}"),
        },
        ModerationRequest::Resume(room) => match rest.resume(&room).await {
            Ok(_) => format!("{room} resumed"),
            Err(err) => format!("resume refused: {err}"),
        },
    }
}
