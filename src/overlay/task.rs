//! The overlay task: owns the feed, takes the console's state and events
//! from the run loop over a channel, fetches spins' receipts, the games'
//! prize lists, the lane's snapshot and the tip levels from the server, and
//! publishes each widget's frame (its view as JSON) on a watch that the
//! pages' streams follow. A frame is sent only when its text changes.
//!
//! No event announces a save of the tip levels, so the board asks for them
//! when the console gains the room and then every [`LEVELS_EVERY`] while
//! it holds it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde::de::DeserializeOwned;
use tokio::sync::{mpsc, watch};

use super::feed::{ConsoleState, Feed, SpinHeard, SpinReceipt};
use super::views::{GameMark, Widget};
use crate::client::RestClient;
use crate::domain::{Event, RoomId, Stamp};
use crate::games::api::GameView as ServerGame;
use crate::games::config::GameKind;
use crate::games::receipt::Receipt;
use crate::protocol::{RoomSnapshot, TipLevelsView};

/// How often the levels board asks for the room's tip levels.
pub const LEVELS_EVERY: Duration = Duration::from_secs(10);

/// What the run loop tells the overlays.
#[derive(Debug)]
pub enum Input {
    State(Arc<ConsoleState>),
    Event(Box<Event>),
}

/// What a fetch brought back.
enum Fetched {
    Game(Box<ServerGame>),
    /// A receipt, with the config hash its spin was drawn under.
    Receipt(GameMark, SpinReceipt, String),
    Snapshot(Box<RoomSnapshot>),
    Levels(Box<TipLevelsView>),
}

/// Each widget's latest frame.
pub type Frames = BTreeMap<Widget, watch::Receiver<Arc<str>>>;

fn kind_of(game: GameMark) -> GameKind {
    match game {
        GameMark::Wheel => GameKind::SpinWheel,
        GameMark::Slot => GameKind::SlotMachine,
    }
}

fn frame_of(feed: &Feed, widget: Widget, now: Stamp) -> Arc<str> {
    let text = match widget {
        Widget::Queue => serde_json::to_string(&feed.queue()),
        Widget::Stage => serde_json::to_string(&feed.stage(now)),
        Widget::Toy => serde_json::to_string(&feed.toy()),
        Widget::Events => serde_json::to_string(&feed.events(now)),
        Widget::Wheel => serde_json::to_string(&feed.game(GameMark::Wheel, now)),
        Widget::Slot => serde_json::to_string(&feed.game(GameMark::Slot, now)),
        Widget::Lane => serde_json::to_string(&feed.lane(now)),
        Widget::Levels => serde_json::to_string(&feed.levels()),
    };
    // Plain structs of strings and numbers always serialise.
    Arc::from(text.unwrap_or_default())
}

/// Start the task; the frames it publishes and the channel that feeds it.
pub fn spawn(rest: RestClient, room: RoomId) -> (mpsc::UnboundedSender<Input>, Frames) {
    let (tx, rx) = mpsc::unbounded_channel();
    let feed = Feed::new();
    let now = Stamp::now();
    let mut senders = BTreeMap::new();
    let mut frames = BTreeMap::new();
    for widget in Widget::ALL {
        let (sender, receiver) = watch::channel(frame_of(&feed, widget, now));
        senders.insert(widget, sender);
        frames.insert(widget, receiver);
    }
    tokio::spawn(run(feed, rx, senders, rest, room));
    (tx, frames)
}

async fn run(
    mut feed: Feed,
    mut rx: mpsc::UnboundedReceiver<Input>,
    senders: BTreeMap<Widget, watch::Sender<Arc<str>>>,
    rest: RestClient,
    room: RoomId,
) {
    let (fetched_tx, mut fetched) = mpsc::unbounded_channel::<Fetched>();
    for game in [GameMark::Wheel, GameMark::Slot] {
        fetch_game(&rest, &room, game, &fetched_tx);
    }
    // The config hash each game's prize list is from.
    let mut known: BTreeMap<GameKind, String> = BTreeMap::new();
    let mut waiting: Vec<(GameMark, SpinReceipt)> = Vec::new();
    let mut levels_poll = tokio::time::interval(LEVELS_EVERY);
    levels_poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let wait = feed
            .next_change_ms(Stamp::now())
            .map_or(Duration::from_secs(3600), Duration::from_millis);
        tokio::select! {
            input = rx.recv() => match input {
                None => break,
                Some(Input::State(state)) => feed.on_state(state),
                Some(Input::Event(event)) => {
                    if let Some(heard) = feed.on_event(&event) {
                        fetch_receipt(&rest, heard, &fetched_tx);
                    }
                }
            },
            Some(got) = fetched.recv() => match got {
                Fetched::Game(game) => {
                    known.insert(game.game, game.config_hash.clone());
                    feed.on_game(&game.config);
                    let (ready, later) = waiting
                        .into_iter()
                        .partition(|(mark, _)| kind_of(*mark) == game.game);
                    waiting = later;
                    for (mark, receipt) in ready {
                        feed.on_receipt(mark, receipt);
                    }
                }
                Fetched::Receipt(mark, receipt, hash) => {
                    if known.get(&kind_of(mark)) == Some(&hash) {
                        feed.on_receipt(mark, receipt);
                    } else {
                        // Drawn under a configuration not seen yet: its
                        // prize list first, so the landing is on it.
                        waiting.push((mark, receipt));
                        fetch_game(&rest, &room, mark, &fetched_tx);
                    }
                }
                Fetched::Snapshot(snapshot) => feed.on_lane(&snapshot.lane, snapshot.seq),
                Fetched::Levels(view) => feed.on_levels(view.levels),
            },
            _ = levels_poll.tick() => {
                // Only while the console has the room: no polling a lost server.
                if feed.is_live() {
                    fetch_levels(&rest, &room, &fetched_tx);
                }
            }
            () = tokio::time::sleep(wait) => {}
        }
        // Take what else is waiting before publishing once.
        while let Ok(input) = rx.try_recv() {
            match input {
                Input::State(state) => feed.on_state(state),
                Input::Event(event) => {
                    if let Some(heard) = feed.on_event(&event) {
                        fetch_receipt(&rest, heard, &fetched_tx);
                    }
                }
            }
        }
        if feed.take_resync() {
            let path = format!("/api/v1/rooms/{room}");
            fetch(&rest, path, &fetched_tx, |s| Fetched::Snapshot(Box::new(s)));
            fetch_levels(&rest, &room, &fetched_tx);
        }
        let now = Stamp::now();
        for (widget, sender) in &senders {
            let frame = frame_of(&feed, *widget, now);
            sender.send_if_modified(|current| {
                let changed = **current != *frame;
                if changed {
                    *current = frame;
                }
                changed
            });
        }
    }
}

/// GET `path` in the background and hand its parsed answer back to the
/// task; a refusal or a bad answer is logged and nothing is sent.
fn fetch<T, F>(rest: &RestClient, path: String, tx: &mpsc::UnboundedSender<Fetched>, wrap: F)
where
    T: DeserializeOwned,
    F: FnOnce(T) -> Fetched + Send + 'static,
{
    let (rest, tx) = (rest.clone(), tx.clone());
    tokio::spawn(async move {
        if let Some(value) = get::<T>(&rest, &path).await {
            let _ = tx.send(wrap(value));
        }
    });
}

async fn get<T: DeserializeOwned>(rest: &RestClient, path: &str) -> Option<T> {
    match rest.raw(Method::GET, path, None, None).await {
        Ok((status, body)) if status.is_success() => match serde_json::from_value::<T>(body) {
            Ok(value) => Some(value),
            Err(err) => {
                tracing::warn!(error = %err, path, "overlay: an answer did not parse");
                None
            }
        },
        Ok((status, _)) => {
            tracing::info!(%status, path, "overlay: refused");
            None
        }
        Err(err) => {
            tracing::warn!(error = %err, path, "overlay: cannot fetch");
            None
        }
    }
}

fn fetch_game(
    rest: &RestClient,
    room: &RoomId,
    game: GameMark,
    tx: &mpsc::UnboundedSender<Fetched>,
) {
    let path = format!("/api/v1/rooms/{room}/games/{}", kind_of(game));
    fetch(rest, path, tx, |view: ServerGame| {
        Fetched::Game(Box::new(view))
    });
}

fn fetch_levels(rest: &RestClient, room: &RoomId, tx: &mpsc::UnboundedSender<Fetched>) {
    let path = format!("/api/v1/rooms/{room}/tips/levels");
    fetch(rest, path, tx, |view: TipLevelsView| {
        Fetched::Levels(Box::new(view))
    });
}

/// The spin's receipt (public: no token needed), and before it the game's
/// prize list when the spin was drawn under another configuration.
fn fetch_receipt(rest: &RestClient, heard: SpinHeard, tx: &mpsc::UnboundedSender<Fetched>) {
    let path = format!("/api/v1/spins/{}", heard.spin_id);
    fetch(rest, path, tx, move |receipt: Receipt| {
        Fetched::Receipt(
            heard.game,
            SpinReceipt {
                spin_id: receipt.spin_id,
                prize: receipt.prize.id,
                title: receipt.prize.title,
                commitment: receipt.server_seed_commitment,
            },
            receipt.config_hash,
        )
    });
}
