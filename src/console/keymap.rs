//! One keymap table feeds key handling, the footer hints and the help
//! screen, so they never disagree. The default is embedded; a user's
//! `[keys]` table replaces the bindings of the actions it names.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub const DEFAULT_KEYMAP: &str = include_str!("../../config/keymap.toml");

/// What a key can ask for on the main screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Start,
    Finish,
    Refund,
    Up,
    Down,
    Details,
    Help,
    StopToy,
    Quit,
    Suspend,
    LogUp,
    LogDown,
    Menus,
    Toy,
}

impl Action {
    pub const ALL: [Action; 14] = [
        Action::Start,
        Action::Finish,
        Action::Refund,
        Action::Up,
        Action::Down,
        Action::Details,
        Action::Help,
        Action::StopToy,
        Action::Quit,
        Action::Suspend,
        Action::LogUp,
        Action::LogDown,
        Action::Menus,
        Action::Toy,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Action::Start => "start",
            Action::Finish => "finish",
            Action::Refund => "refund",
            Action::Up => "up",
            Action::Down => "down",
            Action::Details => "details",
            Action::Help => "help",
            Action::StopToy => "stop_toy",
            Action::Quit => "quit",
            Action::Suspend => "suspend",
            Action::LogUp => "log_up",
            Action::LogDown => "log_down",
            Action::Menus => "menus",
            Action::Toy => "toy",
        }
    }

    /// What the help screen says it does.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Start => "start the next item",
            Action::Finish => "finish the item on stage (settles its tokens)",
            Action::Refund => "refund the selected item",
            Action::Up => "select the item above",
            Action::Down => "select the item below",
            Action::Details => "show the selected item's audit record",
            Action::Help => "show this help",
            Action::StopToy => "stop the toy at once",
            Action::Quit => "quit (asks first while an item is on stage)",
            Action::Suspend => "suspend to the shell (fg to come back)",
            Action::LogUp => "scroll the event log back",
            Action::LogDown => "scroll the event log forward",
            Action::Menus => "edit the chip menus",
            Action::Toy => "the toy screen: connect, disconnect, try an intensity",
        }
    }

    /// The footer's short label; None for actions the footer leaves out.
    pub fn hint(self) -> Option<&'static str> {
        match self {
            Action::Start => Some("start"),
            Action::Finish => Some("finish"),
            Action::Refund => Some("refund"),
            Action::Details => Some("details"),
            Action::Menus => Some("menus"),
            Action::Toy => Some("toy"),
            Action::StopToy => Some("stop toy"),
            Action::Help => Some("help"),
            Action::Quit => Some("quit"),
            _ => None,
        }
    }

    fn parse(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// A key with its modifiers, as written in the keymap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    pub fn from_event(event: &KeyEvent) -> Key {
        // Shift is part of the character for printable keys ("?" not "shift-/").
        let modifiers = match event.code {
            KeyCode::Char(_) => event.modifiers - KeyModifiers::SHIFT,
            _ => event.modifiers,
        };
        Key {
            code: event.code,
            modifiers,
        }
    }

    pub fn parse(text: &str) -> Result<Key, String> {
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                modifiers |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                modifiers |= KeyModifiers::ALT;
                rest = r;
            } else if let Some(r) = rest
                .strip_prefix("shift-")
                .filter(|r| r.chars().count() > 1)
            {
                modifiers |= KeyModifiers::SHIFT;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            f if f.starts_with('f')
                && f.len() > 1
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
            {
                KeyCode::F(f[1..].parse().expect("checked"))
            }
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().expect("one char")),
            _ => return Err(format!("`{text}` is not a key name")),
        };
        Ok(Key { code, modifiers })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("backtab"),
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::F(n) => write!(f, "f{n}"),
            KeyCode::Char(c) => write!(f, "{c}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Keys no binding may take.
const RESERVED: [(&str, &str); 2] = [("ctrl-c", "quit at once"), ("esc", "close a dialog")];

#[derive(Debug, Clone)]
pub struct Keymap {
    by_key: HashMap<Key, Action>,
    by_action: BTreeMap<Action, Vec<Key>>,
}

impl Keymap {
    pub fn default_keymap() -> Keymap {
        let table: toml::Table =
            toml::from_str(DEFAULT_KEYMAP).expect("the embedded keymap parses");
        Keymap::from_table(&table, &toml::Table::new()).expect("the embedded keymap is valid")
    }

    /// The default bindings with `user`'s replacing those it names. Every
    /// problem is reported, not just the first: unknown actions, bad key
    /// names, a key bound twice, a reserved key.
    pub fn from_table(default: &toml::Table, user: &toml::Table) -> Result<Keymap, Vec<String>> {
        let mut problems = Vec::new();
        let mut by_action: BTreeMap<Action, Vec<Key>> = BTreeMap::new();
        for (layer, table) in [("default", default), ("keys", user)] {
            for (name, value) in table {
                let Some(action) = Action::parse(name) else {
                    problems.push(format!(
                        "[{layer}] `{name}` is not an action (actions: {})",
                        Action::ALL.map(Action::name).join(", ")
                    ));
                    continue;
                };
                let Some(list) = value.as_array() else {
                    problems.push(format!(
                        "[{layer}] `{name}` must be a list of keys, like [\"s\"]"
                    ));
                    continue;
                };
                let mut keys = Vec::new();
                for item in list {
                    match item.as_str().map(Key::parse) {
                        Some(Ok(key)) => keys.push(key),
                        Some(Err(err)) => problems.push(format!("[{layer}] {name}: {err}")),
                        None => {
                            problems.push(format!("[{layer}] {name}: {item} is not a key name"))
                        }
                    }
                }
                by_action.insert(action, keys);
            }
        }
        let mut by_key: HashMap<Key, Action> = HashMap::new();
        for (action, keys) in &by_action {
            for key in keys {
                let shown = key.to_string();
                if let Some((_, what)) = RESERVED
                    .iter()
                    .find(|(name, _)| Key::parse(name).ok() == Some(*key))
                {
                    problems.push(format!(
                        "`{shown}` ({}) is reserved to {what}",
                        action.name()
                    ));
                } else if let Some(other) = by_key.insert(*key, *action)
                    && other != *action
                {
                    problems.push(format!(
                        "`{shown}` is bound to both {} and {}",
                        other.name(),
                        action.name()
                    ));
                }
            }
        }
        for action in Action::ALL {
            if by_action.get(&action).is_none_or(Vec::is_empty) {
                problems.push(format!("{} has no key", action.name()));
            }
        }
        if problems.is_empty() {
            Ok(Keymap { by_key, by_action })
        } else {
            Err(problems)
        }
    }

    pub fn action(&self, event: &KeyEvent) -> Option<Action> {
        self.by_key.get(&Key::from_event(event)).copied()
    }

    pub fn keys(&self, action: Action) -> &[Key] {
        self.by_action.get(&action).map_or(&[], Vec::as_slice)
    }

    /// "s start  f finish ..." for the footer.
    pub fn hints(&self) -> Vec<(String, &'static str)> {
        Action::ALL
            .into_iter()
            .filter_map(|a| Some((self.keys(a).first()?.to_string(), a.hint()?)))
            .collect()
    }

    /// Every binding, for the help screen.
    pub fn help(&self) -> Vec<(String, &'static str)> {
        Action::ALL
            .into_iter()
            .map(|a| {
                let keys: Vec<String> = self.keys(a).iter().map(Key::to_string).collect();
                (keys.join(" "), a.describe())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn the_default_keymap_binds_every_action() {
        let keys = Keymap::default_keymap();
        assert_eq!(
            keys.action(&press(KeyCode::Char('s'), KeyModifiers::NONE)),
            Some(Action::Start)
        );
        assert_eq!(
            keys.action(&press(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            keys.action(&press(KeyCode::Down, KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            keys.action(&press(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            Some(Action::Help)
        );
        assert_eq!(
            keys.action(&press(KeyCode::Char('z'), KeyModifiers::CONTROL)),
            Some(Action::Suspend)
        );
        assert_eq!(
            keys.action(&press(KeyCode::Char('x'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(keys.help().len(), Action::ALL.len());
    }

    #[test]
    fn a_user_table_replaces_what_it_names() {
        let default: toml::Table = toml::from_str(DEFAULT_KEYMAP).unwrap();
        let user: toml::Table =
            toml::from_str("start = [\"space\"]\nrefund = [\"R\", \"f9\"]").unwrap();
        let keys = Keymap::from_table(&default, &user).unwrap();
        assert_eq!(
            keys.action(&press(KeyCode::Char(' '), KeyModifiers::NONE)),
            Some(Action::Start)
        );
        assert_eq!(
            keys.action(&press(KeyCode::Char('s'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            keys.action(&press(KeyCode::F(9), KeyModifiers::NONE)),
            Some(Action::Refund)
        );
        assert_eq!(keys.hints()[0], ("space".to_string(), "start"));
    }

    #[test]
    fn duplicates_reserved_keys_and_bad_names_are_all_reported() {
        let default: toml::Table = toml::from_str(DEFAULT_KEYMAP).unwrap();
        let user: toml::Table = toml::from_str(
            "start = [\"f\"]\nquit = [\"ctrl-c\"]\nhelp = [\"hyper-x\"]\nlaunch = [\"l\"]",
        )
        .unwrap();
        let problems = Keymap::from_table(&default, &user).unwrap_err();
        let all = problems.join("\n");
        assert!(all.contains("`f` is bound to both"), "{all}");
        assert!(all.contains("`ctrl-c` (quit) is reserved"), "{all}");
        assert!(all.contains("`hyper-x` is not a key name"), "{all}");
        assert!(all.contains("`launch` is not an action"), "{all}");
    }
}
