//! What the watch grid's keys do.

use super::app::{App, Effect};
use super::screen::Action;
use super::watch_view;
use crate::domain::Stamp;

impl App {
    pub(super) fn watch_action(&mut self, action: Action, now: Stamp) -> Vec<Effect> {
        let (width, height) = watch_view::body_size(self.size.0, self.size.1);
        let (per_row, rows) = watch_view::layout(width, height);
        let Some(grid) = self.watch.as_mut() else {
            return Vec::new();
        };
        let page = (per_row * rows) as isize;
        match action {
            Action::Up => grid.step(-(per_row as isize), now),
            Action::Down => grid.step(per_row as isize, now),
            Action::PageUp => grid.step(-page, now),
            Action::PageDown => grid.step(page, now),
            Action::Quit => return self.quit_now(),
            _ => {}
        }
        if let Some(grid) = self.watch.as_mut() {
            grid.follow(per_row, rows, now);
        }
        Vec::new()
    }
}
