//! Every key goes through here, in one order: the global section first (the
//! stop keys, quit now, help), so nothing can hide it; then, in a text
//! field, a typed character is text and never an action; then the section
//! of whatever has the keys, and only that one.

use crossterm::event::KeyEvent;

use super::app::{App, Dialog, Effect, HelpView, ToyRequest};
use super::help_view;
use super::keys::Key;
use super::screen::{Action, Screen};
use crate::domain::Stamp;

impl App {
    pub fn on_key(&mut self, event: KeyEvent, now: Stamp) -> Vec<Effect> {
        let key = Key::from_event(&event);
        if let Some(action) = self.keymap.global(&key) {
            return self.global_action(action, now);
        }
        let screen = self.screen();
        if let Some(c) = key.typed()
            && self.typing()
        {
            self.type_char(c);
            return Vec::new();
        }
        match self.keymap.action(screen, &key) {
            Some(action) => self.screen_action(screen, action, &key, now),
            None => Vec::new(),
        }
    }

    /// Whether the focus is on a text field (typed characters are text).
    pub fn typing(&self) -> bool {
        match self.screen() {
            Screen::Refund => matches!(&self.dialog, Some(Dialog::Refund(form)) if form.typing()),
            Screen::Ban => matches!(&self.dialog, Some(Dialog::Ban(form)) if form.typing()),
            Screen::MenuForm => self.menus.as_ref().is_some_and(|e| e.typing()),
            Screen::PrizeForm | Screen::GameSettings => {
                self.games.as_ref().is_some_and(|e| e.typing())
            }
            _ => false,
        }
    }

    fn type_char(&mut self, c: char) {
        if let Some(Dialog::Refund(form)) = &mut self.dialog {
            form.type_char(c);
        } else if let Some(Dialog::Ban(form)) = &mut self.dialog {
            form.type_char(c);
        } else if let Some(editor) = &mut self.menus {
            editor.type_char(c);
        } else if let Some(editor) = &mut self.games {
            editor.type_char(c);
        }
    }

    fn global_action(&mut self, action: Action, now: Stamp) -> Vec<Effect> {
        match action {
            Action::StopToy => self.stop_toy(now),
            Action::QuitNow => self.quit_now(),
            Action::Help if self.help.is_some() => {
                self.help = None;
                Vec::new()
            }
            Action::Help => self.open_help(),
            _ => Vec::new(),
        }
    }

    fn open_help(&mut self) -> Vec<Effect> {
        self.help = Some(HelpView {
            of: self.screen(),
            scroll: 0,
        });
        Vec::new()
    }

    fn screen_action(
        &mut self,
        screen: Screen,
        action: Action,
        key: &Key,
        now: Stamp,
    ) -> Vec<Effect> {
        match (screen, action) {
            (_, Action::StopToy) => return self.stop_toy(now),
            (Screen::Help, _) => return self.help_action(action),
            (_, Action::Help) => return self.open_help(),
            _ => {}
        }
        match screen {
            Screen::Queue => {
                self.status = None;
                self.act(action, now)
            }
            Screen::Help => Vec::new(),
            Screen::Details => {
                if action == Action::Close {
                    self.dialog = None;
                }
                Vec::new()
            }
            Screen::Refund => self.refund_action(action),
            Screen::ConfirmQuit => match action {
                Action::Confirm => self.quit_now(),
                _ => {
                    self.dialog = None;
                    Vec::new()
                }
            },
            Screen::Toy => self.toy_screen_action(action, key),
            Screen::Watch => self.watch_action(action, now),
            Screen::WatchRoom => self.watch_room_action(action, now),
            Screen::Ban => self.ban_action(action),
            Screen::ModLog => self.mod_log_action(action, now),
            Screen::Menus
            | Screen::MenuItems
            | Screen::MenuForm
            | Screen::MenuDelete
            | Screen::MenuConflict => match self.menus.as_mut() {
                Some(editor) => {
                    let effects = editor.on_action(action);
                    self.menu_effects(effects)
                }
                None => Vec::new(),
            },
            Screen::Games
            | Screen::PrizeForm
            | Screen::GameSettings
            | Screen::PrizeDelete
            | Screen::SeedRotate
            | Screen::SeedRevealed
            | Screen::GameConflict => match self.games.as_mut() {
                Some(editor) => {
                    let effects = editor.on_action(action);
                    self.game_effects(effects)
                }
                None => Vec::new(),
            },
        }
    }

    fn help_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(help) = self.help.as_mut() else {
            return Vec::new();
        };
        let (width, height) = self.size;
        let most = help_view::most_scroll(&self.keymap, help.of, width, height);
        let page = help_view::page(height);
        help.scroll = match action {
            Action::Close => {
                self.help = None;
                return Vec::new();
            }
            Action::Up => help.scroll.saturating_sub(1),
            Action::Down => help.scroll + 1,
            Action::PageUp => help.scroll.saturating_sub(page),
            Action::PageDown => help.scroll + page,
            _ => help.scroll,
        }
        .min(most);
        Vec::new()
    }

    fn toy_screen_action(&mut self, action: Action, key: &Key) -> Vec<Effect> {
        let request = match action {
            Action::Close => {
                self.dialog = None;
                None
            }
            Action::ConnectVirtual => Some(ToyRequest::ConnectVirtual),
            Action::ConnectBluetooth => Some(ToyRequest::ConnectBluetooth),
            Action::Disconnect => Some(ToyRequest::DisconnectAll),
            Action::Resume => {
                self.resume_toy();
                Some(ToyRequest::Resume)
            }
            // The digit pressed picks the level: 0 off, 9 is 18 of 20.
            Action::TryLevel => key
                .typed()
                .and_then(|c| c.to_digit(10))
                .map(|d| ToyRequest::Try(d as u8 * 2)),
            Action::RegenerateOverlay => return vec![Effect::RegenerateOverlay],
            _ => None,
        };
        request.map(Effect::Toy).into_iter().collect()
    }
}
