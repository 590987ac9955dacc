//! A question an editor asks before it acts (delete this, rotate the
//! seed): what it does in words, then the keys.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::console::theme::Theme;
use crate::console::widgets::{block, fg, popup};

/// The question `name` over the editor: `text` line by line, then `keys`.
pub fn question(frame: &mut Frame, name: &str, text: Vec<String>, theme: &Theme, keys: &str) {
    let area = popup(frame.area(), 72, 11);
    frame.render_widget(Clear, area);
    let mut lines: Vec<Line> = text.into_iter().map(Line::from).collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(keys.to_string(), fg(theme.accent))));
    let paragraph = Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .block(block(name.to_string(), theme));
    frame.render_widget(paragraph, area);
}
