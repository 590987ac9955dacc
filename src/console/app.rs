//! The console's state and how it changes: stream events, keys and answers
//! in; effects (commands to send, the toy to stop) out. Nothing here does
//! IO, so every behaviour is tested with plain values and a fixed clock.

use std::collections::{BTreeMap, VecDeque};

use super::game_editor::{GameAnswer, GameEditor, GameEffect, GameRequest};
use super::keymap::Keymap;
use super::menu_editor::{MenuAnswer, MenuEditor, MenuEffect, MenuRequest};
use super::model::{Notice, RoomModel};
pub use super::refund::{RefundField, RefundForm};
use super::screen::Screen;
use super::theme::Theme;
pub use super::toy_state::{ToyCue, ToyReading, ToyState};
use super::watch::WatchGrid;
use crate::client::StreamEvent;
use crate::domain::{Item, ItemId, Reply, RoomId, Stamp};
use crate::protocol::{ApiError, RoomCommand};

/// How many log lines are kept.
const LOG_LINES: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Connected,
    /// Lost since `since`; `attempt` retries so far.
    Lost {
        since: Stamp,
        attempt: u32,
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    Public,
    Private,
    Refund,
    Error,
    Info,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub at: Stamp,
    pub kind: LogKind,
    pub text: String,
}

/// A money command sent and not yet answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub command: RoomCommand,
    /// One key per intended action: a resend after a reconnect reuses it.
    pub key: String,
}

impl Pending {
    pub fn item(&self) -> Option<ItemId> {
        self.command.item()
    }

    pub(super) fn verb(&self) -> &'static str {
        self.command.verb()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    Refund(RefundForm),
    Details {
        item: ItemId,
        record: Option<Result<Box<Item>, String>>,
    },
    ConfirmQuit,
    Toy,
    Ban(super::ban_form::BanForm),
    ModLog(super::mod_log::ModLog),
}

/// What the toy screen asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToyRequest {
    ConnectVirtual,
    ConnectBluetooth,
    DisconnectAll,
    /// Try an intensity by hand (0..=20).
    Try(u8),
    /// Undo a stop key.
    Resume,
}

/// What the runtime must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Send {
        request_id: String,
        key: String,
        command: RoomCommand,
    },
    FetchAudit(ItemId),
    Menu(MenuRequest),
    Game(GameRequest),
    /// A ban, pause or resume of a watched room (REST).
    Moderate(super::ban_form::ModerationRequest),
    /// The moderation log's rows for these filters.
    FetchModerationLog(crate::client::LogQuery),
    /// What the toy scheduler is told (it follows the stage).
    ToyCue(ToyCue),
    /// A request of the toy screen.
    Toy(ToyRequest),
    /// New tokens for the stream overlays.
    RegenerateOverlay,
    /// Stop every toy now and keep it at 0 (a stop key, quit).
    StopToy,
    Suspend,
    Quit,
}

/// The help overlay: whose keys it lists and how far it is scrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelpView {
    pub of: Screen,
    pub scroll: usize,
}

pub struct App {
    pub room: RoomId,
    pub model: Option<RoomModel>,
    pub role: Option<String>,
    pub connection: Connection,
    pub rtt_ms: Option<u64>,
    /// Server clock minus ours, from pings.
    pub offset_us: i64,
    pub log: VecDeque<LogLine>,
    /// Lines scrolled back from the newest.
    pub log_back: usize,
    /// The selected item, kept by identity as the queue moves.
    pub selected: Option<ItemId>,
    pub pending: BTreeMap<String, Pending>,
    pub dialog: Option<Dialog>,
    /// The menu editor, while it is open (it takes the screen and the keys).
    pub menus: Option<MenuEditor>,
    /// The game editor, while it is open.
    pub games: Option<GameEditor>,
    /// The help overlay, over the screen that opened it.
    pub help: Option<HelpView>,
    pub status: Option<(LogKind, String)>,
    pub keymap: Keymap,
    pub theme: Theme,
    pub toy: ToyState,
    /// The stream overlays' URLs (or why there are none), for the toy screen.
    pub overlay: Vec<String>,
    /// The terminal's size, for the help's scrolling.
    pub size: (u16, u16),
    /// The watch grid, when the console watches many rooms.
    pub watch: Option<WatchGrid>,
    pub(super) next_request: u64,
    pub quitting: bool,
}

impl App {
    pub fn new(room: RoomId, keymap: Keymap, theme: Theme) -> Self {
        App {
            room,
            model: None,
            role: None,
            connection: Connection::Connecting,
            rtt_ms: None,
            offset_us: 0,
            log: VecDeque::new(),
            log_back: 0,
            selected: None,
            pending: BTreeMap::new(),
            dialog: None,
            menus: None,
            games: None,
            help: None,
            status: None,
            keymap,
            theme,
            toy: ToyState::default(),
            overlay: Vec::new(),
            size: (80, 24),
            watch: None,
            next_request: 0,
            quitting: false,
        }
    }

    /// The server's clock now, from ours and the measured offset.
    pub fn server_now(&self, now: Stamp) -> Stamp {
        Stamp(now.0 + self.offset_us)
    }

    pub fn read_only(&self) -> bool {
        self.role.as_deref() == Some("moderator")
    }

    pub fn connected(&self) -> bool {
        self.connection == Connection::Connected && self.model.is_some()
    }

    /// Whatever has the keys now.
    pub fn screen(&self) -> Screen {
        if self.help.is_some() {
            return Screen::Help;
        }
        match (&self.dialog, &self.menus) {
            (Some(Dialog::Refund(_)), _) => Screen::Refund,
            (Some(Dialog::Details { .. }), _) => Screen::Details,
            (Some(Dialog::ConfirmQuit), _) => Screen::ConfirmQuit,
            (Some(Dialog::Toy), _) => Screen::Toy,
            (Some(Dialog::Ban(_)), _) => Screen::Ban,
            (Some(Dialog::ModLog(_)), _) => Screen::ModLog,
            (None, Some(editor)) => editor.screen(),
            (None, None) if let Some(editor) = &self.games => editor.screen(),
            (None, None) => match &self.watch {
                Some(grid) if grid.open.is_some() => Screen::WatchRoom,
                Some(_) => Screen::Watch,
                None => Screen::Queue,
            },
        }
    }

    pub(super) fn note(&mut self, at: Stamp, kind: LogKind, text: String) {
        if self.log.len() == LOG_LINES {
            self.log.pop_front();
        }
        self.log.push_back(LogLine { at, kind, text });
    }

    pub(super) fn say(&mut self, kind: LogKind, text: impl Into<String>) {
        self.status = Some((kind, text.into()));
    }

    /// The rows of the queue as shown: the item on stage first.
    pub fn rows(&self) -> Vec<ItemId> {
        self.model
            .as_ref()
            .map(|m| {
                m.in_progress
                    .iter()
                    .map(|r| r.item.id)
                    .chain(m.waiting.iter().map(|w| w.id))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Index of the selected row (clamped when the item left).
    pub fn selected_index(&self) -> Option<usize> {
        let rows = self.rows();
        if rows.is_empty() {
            return None;
        }
        Some(
            self.selected
                .and_then(|id| rows.iter().position(|r| *r == id))
                .unwrap_or(0),
        )
    }

    pub fn pending_for(&self, item: ItemId) -> Option<&Pending> {
        self.pending.values().find(|p| p.item() == Some(item))
    }

    // ---- stream --------------------------------------------------------

    /// An event of the many-room stream: a room's own events go to its card,
    /// the connection's (hello, acks, clock, drops) to the console.
    pub fn on_watch(
        &mut self,
        room: Option<RoomId>,
        event: StreamEvent,
        now: Stamp,
    ) -> Vec<Effect> {
        match (room, self.watch.as_mut()) {
            (Some(room), Some(grid)) => {
                grid.on_event(&room, &event);
                if grid.open.as_ref() == Some(&room) {
                    return self.on_stream(event, now);
                }
                Vec::new()
            }
            _ => self.on_stream(event, now),
        }
    }

    pub fn on_stream(&mut self, event: StreamEvent, now: Stamp) -> Vec<Effect> {
        let mut effects = self.toy_cues(&event, now);
        match event {
            StreamEvent::Connected { role, .. } => {
                self.role = Some(role);
                self.connection = Connection::Connected;
                self.note(now, LogKind::Info, "connected".into());
            }
            StreamEvent::Snapshot(snapshot) => {
                let rows_before = self.rows();
                self.model = Some(RoomModel::from_snapshot(&snapshot));
                self.keep_selection(&rows_before);
                // Commands sent before a drop may not have arrived: resend
                // them with their own keys, which makes that safe.
                effects.extend(self.resend());
            }
            StreamEvent::Resumed { from, to } => {
                if to > from {
                    self.note(
                        now,
                        LogKind::Info,
                        format!("caught up: {} missed events", to - from),
                    );
                }
                effects.extend(self.resend());
            }
            StreamEvent::Event { event, text } => {
                let rows_before = self.rows();
                if let Some(model) = self.model.as_mut()
                    && let Some(notice) = model.apply(&event, text.as_deref())
                {
                    let (kind, line) = match notice {
                        Notice::Public(text) => (LogKind::Public, text),
                        Notice::Private { user, text } => {
                            (LogKind::Private, format!("to {user}: {text}"))
                        }
                        Notice::Refund {
                            item,
                            amount,
                            reason,
                        } => (
                            LogKind::Refund,
                            format!("refunded {amount} tk of {item} ({reason})"),
                        ),
                        Notice::Info(text) => (LogKind::Info, text),
                    };
                    self.note(event.at, kind, line);
                }
                self.keep_selection(&rows_before);
            }
            StreamEvent::Ack { request_id, result } => {
                if let Some(pending) = self.pending.remove(&request_id) {
                    self.acknowledged(&pending, result, now);
                }
            }
            StreamEvent::Clock { rtt_us, offset_us } => {
                self.rtt_ms = Some((rtt_us.max(0) as u64).div_ceil(1000));
                self.offset_us = offset_us;
            }
            StreamEvent::Disconnected {
                attempt, reason, ..
            } => {
                let since = match &self.connection {
                    Connection::Lost { since, .. } => *since,
                    _ => now,
                };
                if attempt == 1 {
                    self.note(now, LogKind::Error, format!("connection lost: {reason}"));
                }
                self.connection = Connection::Lost {
                    since,
                    attempt,
                    reason,
                };
            }
            StreamEvent::Error(error) => {
                self.note(now, LogKind::Error, format!("server: {}", error.message))
            }
        }
        effects
    }

    fn acknowledged(&mut self, pending: &Pending, result: Result<Reply, ApiError>, now: Stamp) {
        match result {
            Ok(_) => {
                if let Some(Dialog::Refund(form)) = &self.dialog
                    && Some(form.item) == pending.item()
                {
                    self.dialog = None;
                }
            }
            Err(error) => {
                let line = format!("{} refused: {}", pending.verb(), error.message);
                self.note(now, LogKind::Error, line.clone());
                self.say(LogKind::Error, line);
            }
        }
    }

    fn resend(&mut self) -> Vec<Effect> {
        self.pending
            .iter()
            .map(|(request_id, p)| Effect::Send {
                request_id: request_id.clone(),
                key: p.key.clone(),
                command: p.command.clone(),
            })
            .collect()
    }

    /// Keep the selection on the same item; if it left, on the same row.
    fn keep_selection(&mut self, rows_before: &[ItemId]) {
        let rows = self.rows();
        if let Some(id) = self.selected
            && !rows.contains(&id)
        {
            let index = rows_before.iter().position(|r| *r == id).unwrap_or(0);
            self.selected = rows.get(index.min(rows.len().saturating_sub(1))).copied();
        }
        if self.selected.is_none() {
            self.selected = rows.first().copied();
        }
    }

    pub(super) fn menu_effects(&mut self, effects: Vec<MenuEffect>) -> Vec<Effect> {
        let mut out = Vec::new();
        for effect in effects {
            match effect {
                MenuEffect::Send(request) => out.push(Effect::Menu(request)),
                MenuEffect::Preview(toy) => out.extend(self.preview_toy(toy)),
                MenuEffect::Close => self.menus = None,
            }
        }
        out
    }

    pub(super) fn game_effects(&mut self, effects: Vec<GameEffect>) -> Vec<Effect> {
        let mut out = Vec::new();
        for effect in effects {
            match effect {
                GameEffect::Send(request) => out.push(Effect::Game(request)),
                GameEffect::Preview(toy) => out.extend(self.preview_toy(toy)),
                GameEffect::Close => self.games = None,
            }
        }
        out
    }

    pub fn on_game_answer(&mut self, answer: GameAnswer) {
        if let Some(editor) = self.games.as_mut() {
            editor.on_answer(answer);
        }
    }

    /// Something the toy screen's request led to.
    pub fn toy_note(&mut self, note: String, now: Stamp) {
        self.note(now, LogKind::Info, note.clone());
        self.say(LogKind::Info, note);
    }

    pub fn on_menu_answer(&mut self, answer: MenuAnswer) {
        if let Some(editor) = self.menus.as_mut() {
            editor.on_answer(answer);
        }
    }

    pub fn on_audit(&mut self, item: ItemId, record: Result<Item, String>) {
        if let Some(Dialog::Details {
            item: shown,
            record: slot,
        }) = &mut self.dialog
            && *shown == item
        {
            *slot = Some(record.map(Box::new));
        }
    }

    // ---- keys ----------------------------------------------------------

    pub(super) fn quit_now(&mut self) -> Vec<Effect> {
        self.quitting = true;
        self.toy.level = 0;
        vec![Effect::StopToy, Effect::Quit]
    }

    /// Whether a second-by-second redraw is needed (a timer is running, or
    /// the connection is down and the banner counts).
    pub fn ticking(&self) -> bool {
        self.model.as_ref().is_some_and(|m| m.in_progress.is_some())
            || matches!(self.connection, Connection::Lost { .. })
    }
}
