//! The help: the keys of the screen that opened it (its own, then the
//! global ones), from the same table the keys are read from, scrolled.

pub(in crate::console) mod keys;
mod view;

pub use view::{draw, most_scroll, page};

use crate::console::app::{App, Effect};
use crate::console::screen::Action;

impl App {
    pub(in crate::console) fn help_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(help) = self.help.as_mut() else {
            return Vec::new();
        };
        let (width, height) = self.size;
        let most = view::most_scroll(&self.keymap, help.of, width, height);
        let page = view::page(height);
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
}
