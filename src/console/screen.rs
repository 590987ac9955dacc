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
}

impl Screen {
    pub const ALL: [Screen; 15] = [
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
            Screen::Menus => MENUS,
            Screen::MenuItems => MENU_ITEMS,
            Screen::MenuForm => MENU_FORM,
            Screen::MenuDelete => MENU_DELETE,
            Screen::MenuConflict => MENU_CONFLICT,
            Screen::Watch => WATCH,
            Screen::WatchRoom => WATCH_ROOM,
            Screen::Ban => BAN,
            Screen::ModLog => MOD_LOG,
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
    Toy,
    // moving and paging
    Up,
    Down,
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
    // moderation
    Ban,
    Pause,
    ModerationLog,
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

const fn bind(
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

const MENUS: &[Binding] = &[
    bind(A::Up, "up", "select the menu above", None),
    bind(A::Down, "down", "select the menu below", None),
    bind(A::Open, "open", "open the menu's items", Some("items")),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Help, "help", "show this help", Some("help")),
    bind(A::Close, "close", "back to the queue", Some("back")),
];

const MENU_ITEMS: &[Binding] = &[
    bind(A::Up, "up", "select the item above", None),
    bind(A::Down, "down", "select the item below", None),
    bind(A::MoveUp, "move_up", "move the item up", Some("move")),
    bind(A::MoveDown, "move_down", "move the item down", None),
    bind(A::Edit, "edit", "edit the item", Some("edit")),
    bind(A::Add, "add", "add an item", Some("add")),
    bind(
        A::Delete,
        "delete",
        "delete the item (asks first)",
        Some("delete"),
    ),
    bind(A::Hide, "hide", "hide or show the item", Some("hide")),
    bind(A::SortPrice, "sort_price", "sort by price", None),
    bind(A::SortTitle, "sort_title", "sort by title", None),
    bind(
        A::DiscountMore,
        "discount_more",
        "raise the price multiplier 5 % (saved with save)",
        None,
    ),
    bind(
        A::DiscountLess,
        "discount_less",
        "lower the price multiplier 5 % (saved with save)",
        None,
    ),
    bind(
        A::QueueMode,
        "queue_mode",
        "turn the menu's queue on or off (saved with save)",
        None,
    ),
    bind(
        A::Visibility,
        "visibility",
        "public, subscribers only, private (saved with save)",
        None,
    ),
    bind(A::Save, "save", "save the menu's settings", Some("save")),
    bind(
        A::Preview,
        "preview",
        "try the item's toy effect on the toy",
        Some("preview"),
    ),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Help, "help", "show this help", Some("help")),
    bind(
        A::Close,
        "close",
        "back to the menus (esc twice drops unsaved settings)",
        Some("back"),
    ),
];

const MENU_FORM: &[Binding] = &[
    bind(A::NextField, "next_field", "the next field", Some("field")),
    bind(A::PrevField, "prev_field", "the previous field", None),
    bind(
        A::Toggle,
        "toggle",
        "change a yes/no or a choice (text fields type it)",
        Some("toggle"),
    ),
    bind(A::ToggleBack, "toggle_back", "the previous choice", None),
    bind(A::Erase, "erase", "erase a character", None),
    bind(
        A::Preview,
        "preview",
        "try the toy effect being edited, unsaved",
        Some("try toy"),
    ),
    bind(A::Save, "save", "save the item", Some("save")),
    bind(A::Cancel, "cancel", "drop the changes", Some("cancel")),
];

const MENU_DELETE: &[Binding] = &[
    bind(A::Confirm, "confirm", "delete the item", Some("delete")),
    bind(A::Cancel, "cancel", "keep it", Some("keep")),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
];

const MENU_CONFLICT: &[Binding] = &[
    bind(
        A::Reload,
        "reload",
        "reload theirs (your change is dropped)",
        Some("reload theirs"),
    ),
    bind(
        A::Reapply,
        "reapply",
        "re-apply yours on top of theirs",
        Some("re-apply mine"),
    ),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(
        A::Cancel,
        "cancel",
        "neither: back to the items",
        Some("cancel"),
    ),
];

const WATCH: &[Binding] = &[
    bind(A::Up, "up", "select the room before", None),
    bind(A::Down, "down", "select the room after", None),
    bind(A::PageUp, "page_up", "a page of rooms back", None),
    bind(A::PageDown, "page_down", "a page of rooms on", None),
    bind(
        A::Open,
        "open",
        "open the room: its queue and the moderation keys",
        Some("open"),
    ),
    bind(
        A::ModerationLog,
        "moderation_log",
        "the moderation log: who did what, where, why",
        Some("log"),
    ),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Help, "help", "show this help", Some("help")),
    bind(A::Quit, "quit", "quit", Some("quit")),
];

const WATCH_ROOM: &[Binding] = &[
    bind(
        A::Refund,
        "refund",
        "refund the selected item for moderation, with a note",
        Some("refund"),
    ),
    bind(A::Ban, "ban", "ban the selected item's viewer", Some("ban")),
    bind(
        A::Pause,
        "pause",
        "pause or resume the room's intake",
        Some("pause"),
    ),
    bind(A::Up, "up", "select the item above", None),
    bind(A::Down, "down", "select the item below", None),
    bind(
        A::Details,
        "details",
        "show the selected item's audit record",
        Some("details"),
    ),
    bind(A::LogUp, "log_up", "scroll the event log back", None),
    bind(A::LogDown, "log_down", "scroll the event log forward", None),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Help, "help", "show this help", Some("help")),
    bind(A::Close, "close", "back to the watch grid", Some("grid")),
];

const BAN: &[Binding] = &[
    bind(A::Up, "up", "the reason above", None),
    bind(A::Down, "down", "the reason below", None),
    bind(
        A::Toggle,
        "toggle",
        "this room or every room you moderate",
        Some("scope"),
    ),
    bind(
        A::Submit,
        "submit",
        "ban (their queued items are refunded)",
        Some("ban"),
    ),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Close, "close", "cancel: ban no one", Some("cancel")),
];

const MOD_LOG: &[Binding] = &[
    bind(A::Up, "up", "scroll up a row", None),
    bind(A::Down, "down", "scroll down a row", None),
    bind(A::Reload, "reload", "ask the server again", Some("reload")),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Help, "help", "show this help", None),
    bind(A::Close, "close", "back to the watch grid", Some("back")),
];
