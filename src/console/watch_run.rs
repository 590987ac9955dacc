//! The watch grid's loop: the rooms in the token's scope from the server,
//! one WebSocket subscribed to all of them, their events fed to the App,
//! a redraw when something changed and once a second for timers and ages.

use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures_util::StreamExt;

use super::app::{App, Effect};
use super::config::Resolved;
use super::run::{Tui, install_panic_hook, signals};
use super::watch::WatchGrid;
use crate::client::{RestClient, StreamOptions, WatchStream};
use crate::domain::Stamp;

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
            event = input.next() => match event {
                Some(Ok(TermEvent::Key(key))) if key.kind == KeyEventKind::Press => {
                    effects = app.on_key(key, Stamp::now());
                    dirty = true;
                }
                Some(Ok(TermEvent::Resize(width, height))) => {
                    app.size = (width, height);
                    dirty = true;
                }
                Some(Ok(_)) => {}
                Some(Err(err)) => return Err(format!("the terminal failed: {err}")),
                None => break,
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
            () = tokio::time::sleep(next_second()) => dirty = true,
            _ = hangup.recv() => break,
        }
        for effect in effects {
            if effect == Effect::Quit {
                app.quitting = true;
            }
        }
    }
    drop(tui);
    stream.close();
    Ok(())
}

/// Until the next whole second of the clock, when ages and timers change.
fn next_second() -> Duration {
    let into = Stamp::now().0.rem_euclid(1_000_000);
    Duration::from_micros((1_000_000 - into) as u64 + 500)
}
