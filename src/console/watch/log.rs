//! The moderation log, browsed from the watch grid: the server's rows,
//! newest first (who, when, where, what, why), with filters by room, kind,
//! actor, target and time. Every filter change asks the server again: the
//! rows shown are the server's answer to the filters shown.

use ratatui::Frame;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::client::LogQuery;
use crate::console::app::{App, Dialog, Effect};
use crate::console::fit::ellipsize;
use crate::console::model::clock;
use crate::console::screen::{Action, Screen};
use crate::console::widgets::{block, fg, key_line};
use crate::domain::{ModerationAction, RoomId, Stamp};
use crate::protocol::ModerationRow;

/// How far back the time filter reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Window {
    #[default]
    All,
    Hour,
    Day,
    Week,
}

impl Window {
    fn next(self) -> Window {
        match self {
            Window::All => Window::Hour,
            Window::Hour => Window::Day,
            Window::Day => Window::Week,
            Window::Week => Window::All,
        }
    }

    fn micros(self) -> Option<i64> {
        let hour = 3_600 * 1_000_000;
        match self {
            Window::All => None,
            Window::Hour => Some(hour),
            Window::Day => Some(24 * hour),
            Window::Week => Some(7 * 24 * hour),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Window::All => "all time",
            Window::Hour => "last hour",
            Window::Day => "last 24 h",
            Window::Week => "last 7 days",
        }
    }
}

/// The filters on, as the server is asked for them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogFilter {
    pub room: Option<RoomId>,
    pub action: Option<ModerationAction>,
    /// The acting token's id.
    pub actor: Option<String>,
    pub target: Option<String>,
    pub window: Window,
}

impl LogFilter {
    /// The query for the server at server time `now`.
    pub fn query(&self, now: Stamp) -> LogQuery {
        LogQuery {
            room: self.room.clone(),
            action: self.action,
            target: self.target.clone(),
            actor: self.actor.clone(),
            since: self.window.micros().map(|back| now.0 - back),
            ..LogQuery::default()
        }
    }

    /// The filters in words, for the line under the title.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(room) = &self.room {
            parts.push(format!("room {room}"));
        }
        if let Some(action) = self.action {
            parts.push(format!("kind {}", action.as_str()));
        }
        if let Some(actor) = &self.actor {
            parts.push(format!("by {actor}"));
        }
        if let Some(target) = &self.target {
            parts.push(format!("target {target}"));
        }
        if self.window != Window::All {
            parts.push(self.window.label().to_string());
        }
        if parts.is_empty() {
            "no filters: every row in your scope".into()
        } else {
            format!("only {}", parts.join(" · "))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModLog {
    /// None until the server answers.
    pub rows: Option<Result<Vec<ModerationRow>, String>>,
    /// The selected row.
    pub selected: usize,
    pub filter: LogFilter,
    /// The last query sent: an older answer arriving late is dropped.
    pub asked: Option<LogQuery>,
}

impl ModLog {
    fn selected_row(&self) -> Option<&ModerationRow> {
        match &self.rows {
            Some(Ok(rows)) => rows.get(self.selected),
            _ => None,
        }
    }
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

/// The value after `current` in `choices`, then none, then the first.
fn cycle<T: Clone + PartialEq>(current: &Option<T>, choices: &[T]) -> Option<T> {
    match current {
        None => choices.first().cloned(),
        Some(now) => choices
            .iter()
            .position(|c| c == now)
            .and_then(|at| choices.get(at + 1))
            .cloned(),
    }
}

/// Set to `value`, or clear when it is already that.
fn flip(slot: &mut Option<String>, value: Option<String>) {
    *slot = if *slot == value { None } else { value };
}

impl App {
    pub(in crate::console) fn open_mod_log(&mut self, now: Stamp) -> Vec<Effect> {
        self.dialog = Some(Dialog::ModLog(ModLog::default()));
        self.fetch_mod_log(now)
    }

    fn fetch_mod_log(&mut self, now: Stamp) -> Vec<Effect> {
        let server_now = self.server_now(now);
        let Some(Dialog::ModLog(log)) = &mut self.dialog else {
            return Vec::new();
        };
        log.rows = None;
        let query = log.filter.query(server_now);
        log.asked = Some(query.clone());
        vec![Effect::FetchModerationLog(query)]
    }

    /// The server's answer to `query`.
    pub fn on_moderation_log(&mut self, query: LogQuery, rows: Result<Vec<ModerationRow>, String>) {
        if let Some(Dialog::ModLog(log)) = &mut self.dialog
            && log.asked.as_ref() == Some(&query)
        {
            log.rows = Some(rows);
            log.selected = 0;
        }
    }

    pub(in crate::console) fn mod_log_action(&mut self, action: Action, now: Stamp) -> Vec<Effect> {
        let rooms: Vec<RoomId> = self
            .watch
            .as_ref()
            .map(|g| g.cards.keys().cloned().collect())
            .unwrap_or_default();
        let Some(Dialog::ModLog(log)) = &mut self.dialog else {
            return Vec::new();
        };
        let count = match &log.rows {
            Some(Ok(rows)) => rows.len(),
            _ => 0,
        };
        let row = log.selected_row().map(|r| r.entry.clone());
        let filter = &mut log.filter;
        match action {
            Action::Up => log.selected = log.selected.saturating_sub(1),
            Action::Down => log.selected = (log.selected + 1).min(count.saturating_sub(1)),
            Action::FilterRoom => filter.room = cycle(&filter.room, &rooms),
            Action::FilterAction => filter.action = cycle(&filter.action, &ModerationAction::ALL),
            Action::FilterActor => flip(&mut filter.actor, row.map(|r| r.note.by.id.to_string())),
            Action::FilterTarget => flip(
                &mut filter.target,
                row.and_then(|r| r.note.target.map(|t| t.to_string())),
            ),
            Action::FilterTime => filter.window = filter.window.next(),
            Action::ClearFilters => *filter = LogFilter::default(),
            Action::Reload => {}
            Action::Close => {
                self.dialog = None;
                return Vec::new();
            }
            _ => return Vec::new(),
        }
        match action {
            Action::Up | Action::Down => Vec::new(),
            _ => self.fetch_mod_log(now),
        }
    }
}

pub fn draw(frame: &mut Frame, app: &App, log: &ModLog, area: ratatui::layout::Rect) {
    let t = &app.theme;
    frame.render_widget(Clear, area);
    let mut lines = vec![Line::from(Span::styled(
        ellipsize(
            &log.filter.describe(),
            area.width.saturating_sub(2) as usize,
        ),
        fg(t.accent),
    ))];
    // Title and filter line, borders and the key line take five rows.
    let room_for = area.height.saturating_sub(4).max(1) as usize;
    let inner = area.width.saturating_sub(2) as usize;
    match &log.rows {
        None => lines.push(Line::from(Span::styled("Asking the server…", fg(t.dim)))),
        Some(Err(err)) => lines.push(Line::from(Span::styled(err.clone(), fg(t.error)))),
        Some(Ok(rows)) if rows.is_empty() => lines.push(Line::from("No rows match.")),
        Some(Ok(rows)) => {
            let top = log.selected.saturating_sub(room_for - 1);
            for (n, row) in rows.iter().enumerate().skip(top).take(room_for) {
                let mark = if n == log.selected { "▸ " } else { "  " };
                let text = ellipsize(&format!("{mark}{}", line(row)), inner);
                let style = if n == log.selected {
                    fg(t.text).add_modifier(Modifier::BOLD)
                } else {
                    fg(t.text)
                };
                lines.push(Line::from(Span::styled(text, style)));
            }
        }
    }
    lines.push(Line::from(Span::styled(
        key_line(&app.keymap, Screen::ModLog),
        fg(t.dim),
    )));
    frame.render_widget(
        Paragraph::new(lines).block(block(" Moderation log (newest first) ", t)),
        area,
    );
}
