//! What an overlay page receives: one public view per widget. These types
//! are separate from the console's own: they hold only what the room's
//! public chat shows (announced names, action titles, prizes, the timer),
//! so a user id, a balance, the escrow or a moderation note cannot be
//! serialised to a page by mistake: there is no field to put it in.

use serde::Serialize;

/// The widgets, each with its own page and token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Widget {
    Queue,
    Stage,
    Toy,
    Events,
    Wheel,
    Slot,
    Lane,
    Levels,
}

impl Widget {
    pub const ALL: [Widget; 8] = [
        Widget::Queue,
        Widget::Stage,
        Widget::Toy,
        Widget::Events,
        Widget::Wheel,
        Widget::Slot,
        Widget::Lane,
        Widget::Levels,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Widget::Queue => "queue",
            Widget::Stage => "stage",
            Widget::Toy => "toy",
            Widget::Events => "events",
            Widget::Wheel => "wheel",
            Widget::Slot => "slot",
            Widget::Lane => "lane",
            Widget::Levels => "levels",
        }
    }

    pub fn from_name(name: &str) -> Option<Widget> {
        Widget::ALL.into_iter().find(|w| w.name() == name)
    }
}

/// A game prize's mark in the queue and the events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GameMark {
    Slot,
    Wheel,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueView {
    /// Whether the console has the room now; false: show nothing.
    pub live: bool,
    /// Items in the queue, the one on stage included.
    pub count: usize,
    pub items: Vec<QueueEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueEntry {
    pub position: usize,
    /// The buyer's announced display name ("a viewer" without one; none
    /// for a private request).
    pub name: String,
    pub title: String,
    pub toy: bool,
    pub game: Option<GameMark>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StageView {
    pub live: bool,
    pub on_stage: Option<OnStage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OnStage {
    pub name: String,
    pub title: String,
    pub game: Option<GameMark>,
    /// GREEN, YELLOW, RED or OVERTIME: readable without colour.
    pub phase: &'static str,
    pub duration_ms: u64,
    pub elapsed_ms: u64,
    /// Left until D, or past D in overtime.
    pub remaining_ms: u64,
    pub overtime: bool,
    /// The toy effects still to come, e.g. "at 50 %: level 12 for 5 s".
    pub toy_next: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToyView {
    pub live: bool,
    /// Stopped by the performer's stop key.
    pub halted: bool,
    pub max: u8,
    pub toys: Vec<ToyBar>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToyBar {
    pub label: String,
    /// The strongest output, on the effects' 0..=20 scale.
    pub level: u8,
    /// Each output of a toy with more than one, in its own range.
    pub outputs: Vec<OutputBar>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputBar {
    /// A short name: `vib`, `v1`, `rot`, `air`, ...
    pub name: String,
    pub level: u8,
    pub max: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventsView {
    pub live: bool,
    /// Newest first.
    pub events: Vec<PublicEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicEvent {
    /// The room event's sequence number: a page fades each one once.
    pub seq: u64,
    /// `purchase` or `winner`.
    pub kind: &'static str,
    pub name: String,
    pub title: String,
    pub game: Option<GameMark>,
    pub age_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GameView {
    pub live: bool,
    pub game: GameMark,
    /// The visible prizes in display order: the wheel's segments, the
    /// slot's symbols.
    pub segments: Vec<Segment>,
    pub colours: GameColours,
    /// The last spin, once the server's receipt named its prize.
    pub spin: Option<SpinShow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Segment {
    pub prize: u32,
    pub title: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GameColours {
    pub primary: Option<String>,
    pub secondary: Option<String>,
    pub background: Option<String>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpinShow {
    pub spin_id: String,
    pub name: String,
    /// The prize the server drew, and its index in `segments`: the page
    /// lands there and nowhere else.
    pub prize: u32,
    pub title: String,
    pub landing: usize,
    /// SHA-256 of the server seed the draw used.
    pub commitment: String,
    pub verify: String,
    /// Under a few seconds old: animate it; older: show it landed.
    pub fresh: bool,
}

/// The toy lane: the tip the toy runs now and the ones after it, by the
/// tipper's announced name and the matched level's word (never the amount).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LaneView {
    pub live: bool,
    /// The performer paused the lane (the stop key, the lane screen).
    pub paused: bool,
    pub running: Option<LaneRunning>,
    /// Waiting tips, next first (at most [`super::feed::QUEUE_SHOWN`]).
    pub next: Vec<LaneNext>,
    /// Tips waiting, the running one not counted.
    pub waiting: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LaneRunning {
    pub name: String,
    /// The level's strength word or the special's name.
    pub label: String,
    /// The tip's whole run, for the countdown bar.
    pub duration_ms: u64,
    pub remaining_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LaneNext {
    /// 2 is the first after the running one, as the room's chat counts.
    pub position: usize,
    pub name: String,
    pub label: String,
    /// What is left of it (its level's duration, or less for a cut run).
    pub remaining_ms: u64,
}

/// The room's tip levels as a board on stream: what each tip does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LevelsView {
    pub live: bool,
    pub levels: Vec<LevelRow>,
    pub specials: Vec<SpecialRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LevelRow {
    /// `10-24` or `100+`.
    pub range: String,
    /// The strength word ("low", "max").
    pub word: String,
    /// Its strongest output, 0..=20, for a strength bar.
    pub strength: u8,
    pub duration_s: u32,
    pub pattern: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecialRow {
    pub amount: u64,
    pub label: String,
    /// What it does: "pulse for 10 s", "a random level", "5-30 s".
    pub what: String,
}
