//! The console's state and how it changes: stream events, keys and answers
//! in; effects (commands to send, the toy to stop) out. Nothing here does
//! IO, so every behaviour is tested with plain values and a fixed clock.

use std::collections::{BTreeMap, VecDeque};

use super::editor::EditorEffect;
use super::games::{GameAnswer, GameEditor, GameRequest};
use super::keymap::Keymap;
use super::lane::LaneState;
use super::levels::{LevelAnswer, LevelEditor, LevelRequest};
use super::menus::{MenuAnswer, MenuEditor, MenuRequest};
use super::model::RoomModel;
pub use super::queue::refund::{RefundField, RefundForm};
use super::screen::{Action, Screen};
use super::theme::Theme;
pub use super::toy::state::{ToyCue, ToyReading, ToyState};
use super::watch::grid::WatchGrid;
use crate::domain::{Item, ItemId, RoomId, Stamp};
use crate::protocol::RoomCommand;

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
    ConfirmEnd,
    Toy,
    Ban(super::watch::ban::BanForm),
    ModLog(super::watch::log::ModLog),
    Report(super::report::ReportScreen),
    /// The lane screen, its selected row.
    Lane {
        selected: usize,
    },
    LaneClear,
    /// Award the selected item's viewer points.
    Award(Box<super::queue::award::AwardForm>),
    Reply(Box<super::reply::ReplyForm>),
}

/// What the toy screen asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToyRequest {
    ConnectVirtual,
    ConnectBluetooth,
    DisconnectAll,
    /// Stop and close the toy's backend, then connect it again.
    Reconnect,
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
    /// A request of the tip-levels editor (REST).
    Levels(LevelRequest),
    /// A ban, pause or resume of a watched room (REST).
    Moderate(super::watch::ban::ModerationRequest),
    /// The moderation log's rows for these filters.
    FetchModerationLog(crate::client::LogQuery),
    /// What the report screen asks for (REST).
    Report(super::report::ReportRequest),
    /// What the award dialog asks for (REST).
    Points(super::queue::award::PointsRequest),
    /// What the reply dialog asks for (REST).
    Reply(super::reply::ReplyRequest),
    /// What the toy scheduler is told (it follows the stage).
    ToyCue(ToyCue),
    /// A request of the toy screen.
    Toy(ToyRequest),
    /// New tokens for the stream overlays.
    RegenerateOverlay,
    /// Stop every toy now and keep it at 0 (a stop key, quit).
    StopToy,
    /// Ask for the room again in a moment: the server did not know it yet.
    RetryRoom,
    /// Start (true) or end the room's broadcast.
    Broadcast(bool),
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
    /// The server said the room does not exist (yet): the console asks
    /// again until it does.
    pub room_missing: bool,
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
    /// The tip-levels editor, while it is open.
    pub levels: Option<LevelEditor>,
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
    /// The room's toy lane and its runner.
    pub lane: LaneState,
    /// The item details' viewer: their points and last awards here.
    pub viewer_points: Option<super::queue::award::ViewerPoints>,
    pub(super) next_request: u64,
    pub quitting: bool,
}

impl App {
    pub fn new(room: RoomId, keymap: Keymap, theme: Theme) -> Self {
        App {
            room,
            model: None,
            room_missing: false,
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
            levels: None,
            help: None,
            viewer_points: None,
            status: None,
            keymap,
            theme,
            toy: ToyState::default(),
            overlay: Vec::new(),
            size: (80, 24),
            watch: None,
            lane: LaneState::default(),
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
            (Some(Dialog::Award(_)), _) => Screen::Award,
            (Some(Dialog::Details { .. }), _) => Screen::Details,
            (Some(Dialog::ConfirmQuit), _) => Screen::ConfirmQuit,
            (Some(Dialog::ConfirmEnd), _) => Screen::ConfirmEnd,
            (Some(Dialog::Toy), _) => Screen::Toy,
            (Some(Dialog::Ban(_)), _) => Screen::Ban,
            (Some(Dialog::ModLog(_)), _) => Screen::ModLog,
            (Some(Dialog::Report(_)), _) => Screen::Report,
            (Some(Dialog::Lane { .. }), _) => Screen::Lane,
            (Some(Dialog::LaneClear), _) => Screen::LaneClear,
            (Some(Dialog::Reply(_)), _) => Screen::Reply,
            (None, Some(editor)) => editor.screen(),
            (None, None) if let Some(editor) = &self.games => editor.screen(),
            (None, None) if let Some(editor) = &self.levels => editor.screen(),
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

    /// An editor's effects as the console's: requests to send, a toy
    /// effect to try, leaving the editor (`close` drops it).
    pub(super) fn editor_effects<R>(
        &mut self,
        effects: Vec<EditorEffect<R>>,
        send: fn(R) -> Effect,
        close: fn(&mut App),
    ) -> Vec<Effect> {
        let mut out = Vec::new();
        for effect in effects {
            match effect {
                EditorEffect::Send(request) => out.push(send(request)),
                EditorEffect::Preview(toy) => out.extend(self.preview_toy(toy)),
                EditorEffect::Close => close(self),
            }
        }
        out
    }

    /// The menu editor opens over the queue and loads the menus.
    pub(super) fn open_menus(&mut self) -> Vec<Effect> {
        let (editor, effect) = MenuEditor::open();
        self.menus = Some(editor);
        self.editor_effects(vec![effect], Effect::Menu, |app| app.menus = None)
    }

    /// The game editor opens over the queue and loads the slot machine.
    pub(super) fn open_games(&mut self) -> Vec<Effect> {
        let (editor, effect) = GameEditor::open();
        self.games = Some(editor);
        self.editor_effects(vec![effect], Effect::Game, |app| app.games = None)
    }

    /// The tip-levels editor opens over the queue (or the lane screen,
    /// `from_lane`) and loads the levels.
    pub(super) fn open_levels(&mut self, from_lane: bool) -> Vec<Effect> {
        let (mut editor, effect) = LevelEditor::open();
        editor.from_lane = from_lane;
        self.dialog = None;
        self.levels = Some(editor);
        self.editor_effects(vec![effect], Effect::Levels, App::close_levels)
    }

    /// The tip-levels editor closes, back to where it was opened.
    fn close_levels(app: &mut App) {
        if app.levels.take().is_some_and(|e| e.from_lane) {
            app.dialog = Some(Dialog::Lane { selected: 0 });
        }
    }

    /// An action of one of the tip-levels editor's screens.
    pub(super) fn levels_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(editor) = self.levels.as_mut() else {
            return Vec::new();
        };
        let effects = editor.on_action(action);
        self.editor_effects(effects, Effect::Levels, App::close_levels)
    }

    pub fn on_level_answer(&mut self, answer: LevelAnswer) {
        if let Some(editor) = self.levels.as_mut() {
            editor.on_answer(answer);
        }
    }

    /// Whether an editor has the screen (it takes the stage and the queue).
    pub fn editing(&self) -> bool {
        self.menus.is_some() || self.games.is_some() || self.levels.is_some()
    }

    /// An action of one of the menu editor's screens.
    pub(super) fn menus_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(editor) = self.menus.as_mut() else {
            return Vec::new();
        };
        let effects = editor.on_action(action);
        self.editor_effects(effects, Effect::Menu, |app| app.menus = None)
    }

    /// An action of one of the game editor's screens.
    pub(super) fn games_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(editor) = self.games.as_mut() else {
            return Vec::new();
        };
        let effects = editor.on_action(action);
        self.editor_effects(effects, Effect::Game, |app| app.games = None)
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
            || self.lane.running.is_some()
            || matches!(self.connection, Connection::Lost { .. })
    }
}
