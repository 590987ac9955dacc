//! The moderation log, browsed from the watch grid: the server's rows,
//! newest first (who, when, where, what, why), fetched on open and on
//! reload.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::app::{App, Dialog, Effect};
use super::model::clock;
use super::screen::{Action, Screen};
use super::view::{block, fg, key_line};
use crate::protocol::ModerationRow;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModLog {
    /// None until the server answers.
    pub rows: Option<Result<Vec<ModerationRow>, String>>,
    pub scroll: usize,
}

/// One row as the log shows it.
pub fn line(row: &ModerationRow) -> String {
    let entry = &row.entry;
    let room = entry.room.as_ref().map_or("all".into(), |r| r.to_string());
    let note = entry
        .note
        .note
        .as_deref()
        .map(|n| format!(" · “{n}”"))
        .unwrap_or_default();
    format!(
        "{} {:<10} {} · {}{note}",
        clock(entry.at),
        room,
        entry.note.describe(),
        entry.note.by.id
    )
}

impl App {
    pub(super) fn open_mod_log(&mut self) -> Vec<Effect> {
        self.dialog = Some(Dialog::ModLog(ModLog::default()));
        vec![Effect::FetchModerationLog]
    }

    pub fn on_moderation_log(&mut self, rows: Result<Vec<ModerationRow>, String>) {
        if let Some(Dialog::ModLog(log)) = &mut self.dialog {
            log.rows = Some(rows);
            log.scroll = 0;
        }
    }

    pub(super) fn mod_log_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(Dialog::ModLog(log)) = &mut self.dialog else {
            return Vec::new();
        };
        let count = match &log.rows {
            Some(Ok(rows)) => rows.len(),
            _ => 0,
        };
        match action {
            Action::Up => log.scroll = log.scroll.saturating_sub(1),
            Action::Down => log.scroll = (log.scroll + 1).min(count.saturating_sub(1)),
            Action::Reload => return self.open_mod_log(),
            Action::Close => self.dialog = None,
            _ => {}
        }
        Vec::new()
    }
}

pub(super) fn draw(frame: &mut Frame, app: &App, log: &ModLog, area: ratatui::layout::Rect) {
    let t = &app.theme;
    frame.render_widget(Clear, area);
    let mut lines: Vec<Line> = match &log.rows {
        None => vec![Line::from(Span::styled("Asking the server…", fg(t.dim)))],
        Some(Err(err)) => vec![Line::from(Span::styled(err.clone(), fg(t.error)))],
        Some(Ok(rows)) if rows.is_empty() => vec![Line::from("No moderation actions yet.")],
        Some(Ok(rows)) => rows
            .iter()
            .skip(log.scroll)
            .map(|row| Line::from(line(row)))
            .collect(),
    };
    lines.truncate(area.height.saturating_sub(3) as usize);
    lines.push(Line::from(Span::styled(
        key_line(&app.keymap, Screen::ModLog),
        fg(t.dim),
    )));
    frame.render_widget(
        Paragraph::new(lines).block(block(" Moderation log (newest first) ", t)),
        area,
    );
}
