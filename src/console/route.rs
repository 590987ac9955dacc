//! Every key goes through here, in one order: the global section first (the
//! stop keys, quit now, help), so nothing can hide it; then, in a text
//! field, the input section's editing keys and typed characters (text,
//! never an action); then the section of whatever has the keys, and only
//! that one. A paste goes whole into the text field that has the focus.

use crossterm::event::KeyEvent;

use super::app::{App, Dialog, Effect, HelpView};
use super::key::Key;
use super::screen::{Action, Screen};
use super::text_field::TextEdit;
use crate::domain::Stamp;

impl App {
    pub fn on_key(&mut self, event: KeyEvent, now: Stamp) -> Vec<Effect> {
        let key = Key::from_event(&event);
        if let Some(action) = self.keymap.global(&key) {
            return self.global_action(action, now);
        }
        let screen = self.screen();
        if self.typing() {
            let edit = match (key.typed(), self.keymap.input(&key)) {
                (Some(c), _) => Some(TextEdit::Char(c)),
                (None, Some(action)) => Some(TextEdit::Key(action)),
                (None, None) => None,
            };
            if let Some(edit) = edit {
                self.edit_text(edit);
                return Vec::new();
            }
        }
        match self.keymap.action(screen, &key) {
            Some(action) => self.screen_action(screen, action, &key, now),
            None => Vec::new(),
        }
    }

    /// A bracketed paste: one edit of the focused text field; elsewhere it
    /// is dropped (it is never read as keys). Whether anything took it.
    pub fn on_paste(&mut self, text: &str) -> bool {
        if !self.typing() {
            return false;
        }
        self.edit_text(TextEdit::Paste(text));
        true
    }

    /// Whether the focus is on a text field (typed characters are text).
    pub fn typing(&self) -> bool {
        match self.screen() {
            Screen::Refund => matches!(&self.dialog, Some(Dialog::Refund(form)) if form.typing()),
            Screen::Award => true,
            Screen::Ban => matches!(&self.dialog, Some(Dialog::Ban(form)) if form.typing()),
            Screen::Reply => matches!(&self.dialog, Some(Dialog::Reply(form)) if form.typing()),
            Screen::MenuForm => self.menus.as_ref().is_some_and(|e| e.typing()),
            Screen::PrizeForm | Screen::GameSettings => {
                self.games.as_ref().is_some_and(|e| e.typing())
            }
            Screen::LevelForm => self.levels.as_ref().is_some_and(|e| e.typing()),
            _ => false,
        }
    }

    fn edit_text(&mut self, edit: TextEdit) {
        if let Some(Dialog::Refund(form)) = &mut self.dialog {
            form.edit(edit);
        } else if let Some(Dialog::Award(form)) = &mut self.dialog {
            form.edit(edit);
        } else if let Some(Dialog::Ban(form)) = &mut self.dialog {
            form.edit(edit);
        } else if let Some(Dialog::Reply(form)) = &mut self.dialog {
            form.edit(edit);
        } else if let Some(editor) = &mut self.menus {
            editor.edit(edit);
        } else if let Some(editor) = &mut self.games {
            editor.edit(edit);
        } else if let Some(editor) = &mut self.levels {
            editor.edit(edit);
        }
    }

    fn global_action(&mut self, action: Action, now: Stamp) -> Vec<Effect> {
        match action {
            Action::StopToy => self.stop_toy_and_lane(now),
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
            (_, Action::StopToy) => return self.stop_toy_and_lane(now),
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
            Screen::Details => match action {
                Action::Close => {
                    self.dialog = None;
                    Vec::new()
                }
                Action::Reply => self.open_reply(),
                _ => Vec::new(),
            },
            Screen::Reply => self.reply_action(action),
            Screen::Refund => self.refund_action(action),
            Screen::Award => self.award_action(action),
            Screen::ConfirmQuit => match action {
                Action::Confirm => self.quit_now(),
                _ => {
                    self.dialog = None;
                    Vec::new()
                }
            },
            Screen::ConfirmEnd => {
                self.dialog = None;
                if action == Action::Confirm {
                    self.say(super::app::LogKind::Info, "ending the broadcast…");
                    return vec![Effect::Broadcast(false)];
                }
                Vec::new()
            }
            Screen::Toy => self.toy_screen_action(action, key),
            Screen::Lane => self.lane_action(action),
            Screen::LaneClear => self.lane_clear_action(action),
            Screen::Watch => self.watch_action(action, now),
            Screen::WatchRoom => self.watch_room_action(action, now),
            Screen::Ban => self.ban_action(action),
            Screen::ModLog => self.mod_log_action(action, now),
            Screen::Report => self.report_action(action),
            Screen::Menus
            | Screen::MenuItems
            | Screen::MenuForm
            | Screen::MenuDelete
            | Screen::MenuConflict => self.menus_action(action),
            Screen::Games
            | Screen::PrizeForm
            | Screen::GameSettings
            | Screen::PrizeDelete
            | Screen::SeedRotate
            | Screen::SeedRevealed
            | Screen::GameConflict => self.games_action(action),
            Screen::Levels | Screen::LevelForm | Screen::LevelDelete | Screen::LevelConflict => {
                self.levels_action(action)
            }
        }
    }
}
