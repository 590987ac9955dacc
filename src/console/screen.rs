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
}

impl Screen {
    pub const ALL: [Screen; 22] = [
        Screen::Queue,
        Screen::Help,
        Screen::Details,
        Screen::Refund,
        Screen::ConfirmQuit,
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
    ];

    /// Its section in the keymap file.
    pub fn section(self) -> &'static str {
        match self {
            Screen::Queue => "queue",
            Screen::Help => "help",
            Screen::Details => "details",
            Screen::Refund => "refund",
            Screen::ConfirmQuit => "confirm_quit",
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
        }
    }

    /// The actions it offers, in the order the help lists them.
    pub fn bindings(self) -> &'static [Binding] {
        match self {
            Screen::Queue => QUEUE,
            Screen::Help => HELP,
            Screen::Details => DETAILS,
            Screen::Refund => REFUND,
            Screen::ConfirmQuit => CONFIRM_QUIT,
            Screen::Toy => TOY,
            Screen::Menus => menus::MENUS,
            Screen::MenuItems => menus::MENU_ITEMS,
            Screen::MenuForm => menus::MENU_FORM,
            Screen::MenuDelete => menus::MENU_DELETE,
            Screen::MenuConflict => menus::MENU_CONFLICT,
            Screen::Watch => WATCH,
            Screen::WatchRoom => WATCH_ROOM,
            Screen::Ban => BAN,
            Screen::ModLog => MOD_LOG,
            Screen::Games => games::GAME,
            Screen::PrizeForm => games::PRIZE_FORM,
            Screen::GameSettings => games::GAME_SETTINGS,
            Screen::PrizeDelete => games::PRIZE_DELETE,
            Screen::SeedRotate => games::SEED_ROTATE,
            Screen::SeedRevealed => games::SEED_REVEALED,
            Screen::GameConflict => games::GAME_CONFLICT,
        }
    }

    pub fn from_section(name: &str) -> Option<Screen> {
        Screen::ALL.into_iter().find(|s| s.section() == name)
    }
}

/// The global section's name: its keys work on every screen.
pub const GLOBAL: &str = "global";

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
    // the toy screen
    ConnectVirtual,
    ConnectBluetooth,
    Disconnect,
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

use super::game_bindings as games;
use super::menu_bindings as menus;
use super::watch_bindings::{BAN, MOD_LOG, WATCH, WATCH_ROOM};
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

// The footer shows the labelled ones in this order, as many as fit.
const QUEUE: &[Binding] = &[
    bind(A::Start, "start", "start the next item", Some("start")),
    bind(
        A::Finish,
        "finish",
        "finish the item on stage (settles its tokens)",
        Some("finish"),
    ),
    bind(
        A::Refund,
        "refund",
        "refund the selected item",
        Some("refund"),
    ),
    bind(A::Up, "up", "select the item above", None),
    bind(A::Down, "down", "select the item below", None),
    bind(A::Help, "help", "show this help", Some("help")),
    bind(
        A::Quit,
        "quit",
        "quit (asks first while an item is on stage)",
        Some("quit"),
    ),
    bind(A::Menus, "menus", "edit the chip menus", Some("menus")),
    bind(
        A::Games,
        "games",
        "edit the slot machine and the spin wheel",
        Some("games"),
    ),
    bind(
        A::Toy,
        "toy",
        "the toy screen: connect, disconnect, try a level",
        Some("toy"),
    ),
    bind(
        A::Details,
        "details",
        "show the selected item's audit record",
        Some("details"),
    ),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::LogUp, "log_up", "scroll the event log back", None),
    bind(A::LogDown, "log_down", "scroll the event log forward", None),
    bind(
        A::Suspend,
        "suspend",
        "suspend to the shell; the toy stops (fg to come back)",
        None,
    ),
];

const HELP: &[Binding] = &[
    bind(A::Up, "up", "scroll up a line", None),
    bind(A::Down, "down", "scroll down a line", None),
    bind(A::PageUp, "page_up", "scroll up a page", None),
    bind(A::PageDown, "page_down", "scroll down a page", None),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Close, "close", "close the help", Some("close")),
];

const DETAILS: &[Binding] = &[
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Help, "help", "show this help", Some("help")),
    bind(A::Close, "close", "close the record", Some("close")),
];

const REFUND: &[Binding] = &[
    bind(A::Submit, "submit", "refund as filled in", Some("refund")),
    bind(A::NextField, "next_field", "the next field", Some("next")),
    bind(A::PrevField, "prev_field", "the previous field", None),
    bind(A::Up, "up", "the reason above", None),
    bind(A::Down, "down", "the reason below", None),
    bind(A::Erase, "erase", "erase a character", None),
    bind(A::Close, "close", "cancel: refund nothing", Some("cancel")),
];

const CONFIRM_QUIT: &[Binding] = &[
    bind(A::Confirm, "confirm", "quit (the toy stops)", Some("quit")),
    bind(A::Cancel, "cancel", "stay", Some("stay")),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
];

const TOY: &[Binding] = &[
    bind(
        A::ConnectVirtual,
        "connect_virtual",
        "connect the virtual toy",
        Some("virtual"),
    ),
    bind(
        A::ConnectBluetooth,
        "connect_bluetooth",
        "connect the first Bluetooth toy (LVS-…) found",
        Some("bluetooth"),
    ),
    bind(
        A::Disconnect,
        "disconnect",
        "disconnect every toy",
        Some("disconnect"),
    ),
    bind(
        A::TryLevel,
        "try_level",
        "try a level by hand: 0 off … 9 is 18 of 20",
        None,
    ),
    bind(
        A::Resume,
        "resume",
        "resume after a stop key",
        Some("resume"),
    ),
    bind(
        A::RegenerateOverlay,
        "regenerate_overlay",
        "new overlay tokens: the old overlay URLs stop working",
        None,
    ),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Help, "help", "show this help", None),
    bind(A::Close, "close", "close the toy screen", Some("close")),
];
