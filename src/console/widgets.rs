//! Small drawing parts every screen uses: a coloured style, a bordered
//! block in the theme, a centred popup, a dialog's key line, a duration.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Block;

use super::keymap::{Keymap, Section};
use super::screen::Screen;
use super::theme::Theme;

pub fn fg(color: ratatui::style::Color) -> Style {
    Style::new().fg(color)
}

pub fn block<'a>(title: impl Into<Line<'a>>, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .title(title)
        .border_style(fg(theme.border))
}

/// The selected row of a list.
pub fn selected_style(theme: &Theme) -> Style {
    Style::new()
        .bg(theme.selection)
        .add_modifier(Modifier::BOLD | Modifier::REVERSED)
}

/// mm:ss (h:mm:ss past an hour).
pub fn duration(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// "y quit · n stay": a dialog's own keys, from its section.
pub fn key_line(keymap: &Keymap, screen: Screen) -> String {
    keymap
        .section_hints(Section::On(screen))
        .into_iter()
        .map(|(key, label)| format!("{key} {label}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A box of `width` x `height` centred in `area`.
pub fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width.saturating_sub(2));
    let height = height.min(area.height.saturating_sub(2));
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}
