//! What has the keys: one `Screen` at a time, each with its own section of
//! the keymap, and the global section checked before any of them. Every
//! action a screen offers is listed here once, with what the help says it
//! does and the footer's short label.

/// Whatever takes the keys now. Exactly one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Screen {
    /// The live queue, the stage and the log.
    Queue,
    /// The help overlay (over whichever screen opened it).
    Help,
    /// One item's audit record.
    Details,
    Refund,
    ConfirmQuit,
    /// Ending the broadcast: what it refunds, asked first.
    ConfirmEnd,
    /// Connect, disconnect, try a level by hand.
    Toy,
    /// The list of chip menus.
    Menus,
    /// One menu's items and settings.
    MenuItems,
    /// The item form (text fields).
    MenuForm,
    MenuDelete,
    MenuConflict,
    /// The watch grid: every room a moderator or admin watches.
    Watch,
    /// One watched room: the queue read-only, with moderation keys.
    WatchRoom,
    /// Ban the selected item's viewer.
    Ban,
    /// The moderation log.
    ModLog,
    /// The game editor: one game's prizes, odds, settings and seed.
    Games,
    /// The prize form (text fields).
    PrizeForm,
    /// Spin prices, cooldown, theme (text fields).
    GameSettings,
    PrizeDelete,
    SeedRotate,
    SeedRevealed,
    GameConflict,
    /// A broadcast's report: totals, refunds, top items, the chart.
    Report,
    /// The toy lane: every waiting tip, skip, clear, pause, resume.
    Lane,
    LaneClear,
    /// The tip-levels editor: the room's levels and specials.
    Levels,
    /// The form of one level or special (text fields).
    LevelForm,
    LevelDelete,
    LevelConflict,
    /// Award the selected viewer points (text fields).
    Award,
    /// Reply to an item's viewer: a template by mood, or free text.
    Reply,
}

impl Screen {
    pub const ALL: [Screen; 32] = [
        Screen::Queue,
        Screen::Help,
        Screen::Details,
        Screen::Refund,
        Screen::ConfirmQuit,
        Screen::ConfirmEnd,
        Screen::Toy,
        Screen::Menus,
        Screen::MenuItems,
        Screen::MenuForm,
        Screen::MenuDelete,
        Screen::MenuConflict,
        Screen::Watch,
        Screen::WatchRoom,
        Screen::Ban,
        Screen::ModLog,
        Screen::Games,
        Screen::PrizeForm,
        Screen::GameSettings,
        Screen::PrizeDelete,
        Screen::SeedRotate,
        Screen::SeedRevealed,
        Screen::GameConflict,
        Screen::Report,
        Screen::Lane,
        Screen::LaneClear,
        Screen::Levels,
        Screen::LevelForm,
        Screen::LevelDelete,
        Screen::LevelConflict,
        Screen::Award,
        Screen::Reply,
    ];

    /// Its section in the keymap file.
    pub fn section(self) -> &'static str {
        match self {
            Screen::Queue => "queue",
            Screen::Help => "help",
            Screen::Details => "details",
            Screen::Refund => "refund",
            Screen::ConfirmQuit => "confirm_quit",
            Screen::ConfirmEnd => "confirm_end",
            Screen::Toy => "toy",
            Screen::Menus => "menus",
            Screen::MenuItems => "menu_items",
            Screen::MenuForm => "menu_form",
            Screen::MenuDelete => "menu_delete",
            Screen::MenuConflict => "menu_conflict",
            Screen::Watch => "watch",
            Screen::WatchRoom => "watch_room",
            Screen::Ban => "ban",
            Screen::ModLog => "moderation_log",
            Screen::Games => "game",
            Screen::PrizeForm => "prize_form",
            Screen::GameSettings => "game_settings",
            Screen::PrizeDelete => "prize_delete",
            Screen::SeedRotate => "seed_rotate",
            Screen::SeedRevealed => "seed_revealed",
            Screen::GameConflict => "game_conflict",
            Screen::Report => "report",
            Screen::Lane => "lane",
            Screen::LaneClear => "lane_clear",
            Screen::Levels => "tip_levels",
            Screen::LevelForm => "tip_level_form",
            Screen::LevelDelete => "tip_level_delete",
            Screen::LevelConflict => "tip_level_conflict",
            Screen::Award => "award",
            Screen::Reply => "reply",
        }
    }

    /// How the help names it.
    pub fn title(self) -> &'static str {
        match self {
            Screen::Queue => "the queue",
            Screen::Help => "the help",
            Screen::Details => "item details",
            Screen::Refund => "the refund dialog",
            Screen::ConfirmQuit => "the quit question",
            Screen::ConfirmEnd => "the end-of-broadcast question",
            Screen::Toy => "the toy screen",
            Screen::Menus => "the chip menus",
            Screen::MenuItems => "a menu's items",
            Screen::MenuForm => "the item form",
            Screen::MenuDelete => "the delete question",
            Screen::MenuConflict => "a version conflict",
            Screen::Watch => "the watch grid",
            Screen::WatchRoom => "a watched room",
            Screen::Ban => "the ban dialog",
            Screen::ModLog => "the moderation log",
            Screen::Games => "the game editor",
            Screen::PrizeForm => "the prize form",
            Screen::GameSettings => "the game's settings",
            Screen::PrizeDelete => "the prize delete question",
            Screen::SeedRotate => "the seed rotation question",
            Screen::SeedRevealed => "the revealed seed",
            Screen::GameConflict => "a game's version conflict",
            Screen::Report => "the broadcast report",
            Screen::Lane => "the toy lane",
            Screen::LaneClear => "the clear-lane question",
            Screen::Levels => "the tip-levels editor",
            Screen::LevelForm => "the tip level form",
            Screen::LevelDelete => "the tip level delete question",
            Screen::LevelConflict => "the tip levels' version conflict",
            Screen::Award => "the award dialog",
            Screen::Reply => "the reply dialog",
        }
    }

    /// The actions it offers, in the order the help lists them.
    pub fn bindings(self) -> &'static [Binding] {
        match self {
            Screen::Queue => queue::keys::QUEUE,
            Screen::Help => help::keys::HELP,
            Screen::Details => queue::keys::DETAILS,
            Screen::Refund => queue::keys::REFUND,
            Screen::ConfirmQuit => queue::keys::CONFIRM_QUIT,
            Screen::ConfirmEnd => queue::keys::CONFIRM_END,
            Screen::Toy => toy::keys::TOY,
            Screen::Menus => menus::keys::MENUS,
            Screen::MenuItems => menus::keys::MENU_ITEMS,
            Screen::MenuForm => menus::keys::MENU_FORM,
            Screen::MenuDelete => menus::keys::MENU_DELETE,
            Screen::MenuConflict => menus::keys::MENU_CONFLICT,
            Screen::Watch => watch::keys::WATCH,
            Screen::WatchRoom => watch::keys::WATCH_ROOM,
            Screen::Ban => watch::keys::BAN,
            Screen::ModLog => watch::keys::MOD_LOG,
            Screen::Games => games::keys::GAME,
            Screen::PrizeForm => games::keys::PRIZE_FORM,
            Screen::GameSettings => games::keys::GAME_SETTINGS,
            Screen::PrizeDelete => games::keys::PRIZE_DELETE,
            Screen::SeedRotate => games::keys::SEED_ROTATE,
            Screen::SeedRevealed => games::keys::SEED_REVEALED,
            Screen::GameConflict => games::keys::GAME_CONFLICT,
            Screen::Report => report::keys::REPORT,
            Screen::Lane => lane::keys::LANE,
            Screen::LaneClear => lane::keys::LANE_CLEAR,
            Screen::Levels => levels::keys::LEVELS,
            Screen::LevelForm => levels::keys::LEVEL_FORM,
            Screen::LevelDelete => levels::keys::LEVEL_DELETE,
            Screen::LevelConflict => levels::keys::LEVEL_CONFLICT,
            Screen::Award => queue::keys::AWARD,
            Screen::Reply => reply::keys::REPLY,
        }
    }

    pub fn from_section(name: &str) -> Option<Screen> {
        Screen::ALL.into_iter().find(|s| s.section() == name)
    }
}

/// The global section's name: its keys work on every screen.
pub const GLOBAL: &str = "global";

/// The input section's name: its keys edit the text field that has the
/// focus, on whichever screen it is.
pub const INPUT: &str = "input";

/// What a key can ask for. One list for every screen: a screen's section
/// says which of these it offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    // global
    StopToy,
    QuitNow,
    Help,
    // the queue
    Start,
    Finish,
    Refund,
    Details,
    Quit,
    Suspend,
    LogUp,
    LogDown,
    Menus,
    Games,
    Toy,
    Broadcast,
    Report,
    Lane,
    Award,
    /// Reply to the selected item's viewer.
    Reply,
    // moving and paging
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    // dialogs
    Close,
    Confirm,
    Cancel,
    Submit,
    NextField,
    PrevField,
    Erase,
    // a text field (the input section)
    CursorLeft,
    CursorRight,
    WordLeft,
    WordRight,
    Home,
    End,
    EraseNext,
    EraseWord,
    EraseToStart,
    EraseToEnd,
    // the toy screen
    ConnectVirtual,
    ConnectBluetooth,
    Disconnect,
    Reconnect,
    Resume,
    TryLevel,
    RegenerateOverlay,
    // the menu editor
    Open,
    MoveUp,
    MoveDown,
    Edit,
    Add,
    Delete,
    Hide,
    SortPrice,
    SortTitle,
    DiscountMore,
    DiscountLess,
    QueueMode,
    Visibility,
    Save,
    Preview,
    Toggle,
    ToggleBack,
    Reload,
    Reapply,
    // the game editor
    Settings,
    RotateSeed,
    OtherGame,
    // moderation
    Ban,
    Pause,
    ModerationLog,
    FilterRoom,
    FilterAction,
    FilterActor,
    FilterTarget,
    FilterTime,
    ClearFilters,
    // the toy lane
    Skip,
    ClearLane,
    // the tip-levels editor
    Levels,
    AddSpecial,
    Template,
}

/// One action of a section: its name in the file, what the help says, and
/// the footer's short label (None: the footer leaves it out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub action: Action,
    pub name: &'static str,
    pub describe: &'static str,
    pub hint: Option<&'static str>,
}

pub(super) const fn bind(
    action: Action,
    name: &'static str,
    describe: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        action,
        name,
        describe,
        hint,
    }
}

use super::{games, help, lane, levels, menus, queue, reply, report, toy, watch};
use Action as A;

pub const GLOBAL_BINDINGS: &[Binding] = &[
    bind(
        A::StopToy,
        "stop_toy",
        "stop every toy at once, on any screen, even while typing",
        Some("stop toy"),
    ),
    bind(
        A::QuitNow,
        "quit_now",
        "quit at once (the toy stops first)",
        None,
    ),
    bind(A::Help, "help", "the keys of the screen you are on", None),
];

/// A text field's editing keys, checked after the global ones and before
/// the screen's while the focus is on a text field.
pub const INPUT_BINDINGS: &[Binding] = &[
    bind(
        A::CursorLeft,
        "cursor_left",
        "the cursor a character left",
        None,
    ),
    bind(
        A::CursorRight,
        "cursor_right",
        "the cursor a character right",
        None,
    ),
    bind(A::WordLeft, "word_left", "the cursor a word left", None),
    bind(A::WordRight, "word_right", "the cursor a word right", None),
    bind(A::Home, "home", "the cursor to the start", None),
    bind(A::End, "end", "the cursor to the end", None),
    bind(
        A::Erase,
        "erase",
        "erase the character before the cursor",
        None,
    ),
    bind(
        A::EraseNext,
        "erase_next",
        "erase the character under the cursor",
        None,
    ),
    bind(
        A::EraseWord,
        "erase_word",
        "erase the word before the cursor",
        None,
    ),
    bind(
        A::EraseToStart,
        "erase_to_start",
        "erase from the start to the cursor",
        None,
    ),
    bind(
        A::EraseToEnd,
        "erase_to_end",
        "erase from the cursor to the end",
        None,
    ),
];
