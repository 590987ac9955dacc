//! The conflict dialog of every editor: a save met a newer version on the
//! server; what happened, what changed, who saved since, and the keys
//! (reload theirs, save mine, cancel).

use ratatui::Frame;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::console::screen::Action;
use crate::console::theme::Theme;
use crate::console::widgets::{block, fg, popup};

/// What the performer chose in the conflict dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Theirs, as the server has it now; my change is dropped.
    Reload,
    /// Mine, again, on top of their version.
    Reapply,
    /// Neither: back to the editor.
    Cancel,
    /// Some other key: the dialog stays.
    Undecided,
}

impl Choice {
    pub fn of(action: Action) -> Choice {
        match action {
            Action::Reload => Choice::Reload,
            Action::Reapply => Choice::Reapply,
            Action::Cancel => Choice::Cancel,
            _ => Choice::Undecided,
        }
    }
}

/// An editor's save that met a newer version: what happened, what changed
/// (up to six), who saved since (up to three lines), and the keys.
pub fn draw_conflict(
    frame: &mut Frame,
    theme: &Theme,
    headline: String,
    changes: &[String],
    history: &[String],
    keys: &str,
) {
    let listed = changes.len().min(6) + history.len().min(3);
    let area = popup(frame.area(), 72, 7 + listed as u16);
    frame.render_widget(Clear, area);
    let mut lines = vec![
        Line::from(Span::styled(
            headline,
            fg(theme.text).add_modifier(Modifier::BOLD),
        )),
        Line::from(""),
    ];
    for change in changes.iter().take(6) {
        lines.push(Line::from(Span::styled(
            format!(" · {change}"),
            fg(theme.text),
        )));
    }
    for line in history.iter().take(3) {
        lines.push(Line::from(Span::styled(format!(" {line}"), fg(theme.dim))));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(keys.to_string(), fg(theme.accent))));
    let paragraph = Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .block(block(" Version conflict ", theme));
    frame.render_widget(paragraph, area);
}
