//! What the watch grid's keys do.

use super::ban::ModerationRequest;
use super::view;
use crate::console::app::{App, Effect};
use crate::console::screen::Action;
use crate::domain::Stamp;

impl App {
    pub(in crate::console) fn watch_action(&mut self, action: Action, now: Stamp) -> Vec<Effect> {
        let lost = matches!(
            self.connection,
            crate::console::app::Connection::Lost { .. }
        );
        let (width, height) = view::body_size(self.size.0, self.size.1, lost);
        let (per_row, rows) = view::layout(width, height);
        let Some(grid) = self.watch.as_mut() else {
            return Vec::new();
        };
        let page = (per_row * rows) as isize;
        match action {
            Action::Up => grid.step(-(per_row as isize), now),
            Action::Down => grid.step(per_row as isize, now),
            Action::Left => grid.step(-1, now),
            Action::Right => grid.step(1, now),
            Action::PageUp => grid.step(-page, now),
            Action::PageDown => grid.step(page, now),
            Action::Open => self.open_room(),
            Action::ModerationLog => return self.open_mod_log(now),
            Action::Quit => return self.quit_now(),
            _ => {}
        }
        if let Some(grid) = self.watch.as_mut() {
            grid.follow(per_row, rows, now);
        }
        Vec::new()
    }
}

impl App {
    fn open_room(&mut self) {
        let Some(grid) = self.watch.as_mut() else {
            return;
        };
        let Some(room) = grid.selected.clone() else {
            return;
        };
        let Some(card) = grid.cards.get(&room) else {
            return;
        };
        self.model = Some(card.model.clone());
        grid.open = Some(room.clone());
        self.room = room;
        self.log.clear();
        self.log_back = 0;
        self.selected = self.rows().first().copied();
    }

    pub(in crate::console) fn watch_room_action(
        &mut self,
        action: Action,
        now: Stamp,
    ) -> Vec<Effect> {
        self.status = None;
        match action {
            Action::Close => {
                if let Some(grid) = self.watch.as_mut() {
                    grid.open = None;
                }
                self.model = None;
                self.dialog = None;
                Vec::new()
            }
            Action::Ban => {
                self.open_ban();
                Vec::new()
            }
            Action::Pause => {
                let room = self.room.clone();
                let paused = self.model.as_ref().is_some_and(|m| m.paused);
                vec![Effect::Moderate(if paused {
                    ModerationRequest::Resume(room)
                } else {
                    ModerationRequest::Pause(room)
                })]
            }
            // The queue's own keys: a moderator's are read-only there.
            _ => self.act(action, now),
        }
    }
}
