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
}

impl Widget {
    pub const ALL: [Widget; 6] = [
        Widget::Queue,
        Widget::Stage,
        Widget::Toy,
        Widget::Events,
        Widget::Wheel,
        Widget::Slot,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Widget::Queue => "queue",
            Widget::Stage => "stage",
            Widget::Toy => "toy",
            Widget::Events => "events",
            Widget::Wheel => "wheel",
            Widget::Slot => "slot",
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
