//! Drawing the queue screen: the item on stage with its timer, the queue,
//! the event log. A pure function of the state and the server's time.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use crate::console::app::{App, LogKind};
use crate::console::keymap::Section;
use crate::console::model::clock;
use crate::console::screen::{Action, Screen};
use crate::console::theme::Theme;
use crate::console::widgets::{block, duration, fg};
use crate::domain::timer::{Phase, read_timer};
use crate::domain::{ItemView, Stamp};

/// The stage above, the queue and the log in `middle` (side by side when
/// the terminal is wide).
pub fn draw(frame: &mut Frame, app: &App, server_now: Stamp, stage: Rect, middle: Rect) {
    let tall = frame.area().height >= 40;
    draw_stage(frame, app, server_now, stage);
    if frame.area().width >= 140 {
        let [queue, log] =
            Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)])
                .areas(middle);
        draw_queue(frame, app, server_now, queue);
        draw_log(frame, app, log);
    } else {
        let log_height = if tall { 12 } else { 6 };
        let [queue, log] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(log_height)]).areas(middle);
        draw_queue(frame, app, server_now, queue);
        draw_log(frame, app, log);
    }
}

fn phase_color(theme: &Theme, phase: Phase) -> ratatui::style::Color {
    match phase {
        Phase::Green => theme.timer_green,
        Phase::Yellow => theme.timer_yellow,
        Phase::Red => theme.timer_red,
        Phase::Overtime => theme.overtime,
    }
}

pub(in crate::console) fn who(item: &ItemView) -> String {
    format!("{} ({})", item.user_name, item.tier.label())
}

fn draw_stage(frame: &mut Frame, app: &App, server_now: Stamp, area: Rect) {
    let t = &app.theme;
    let running = app.model.as_ref().and_then(|m| m.in_progress.as_ref());
    let Some(running) = running else {
        let next = app.model.as_ref().and_then(|m| m.head());
        // A moderator, or a room opened from the watch grid, starts nothing.
        let watching = app.read_only() || app.watch.is_some();
        let text = match next {
            Some(item) if watching => format!(
                "Nothing on stage. Next: {} for {}.",
                item.action.title,
                who(item)
            ),
            Some(item) => format!(
                "Nothing on stage. Next: {} for {}. Press {} to start.",
                item.action.title,
                who(item),
                key_for(app, Action::Start)
            ),
            None if app.model.is_some() => "Nothing on stage, and the queue is empty.".into(),
            None if app.room_missing => format!(
                "Room {} does not exist yet: `cuedeck serve room create {}`. Waiting for it…",
                app.room, app.room
            ),
            None => "Waiting for the server…".into(),
        };
        let body =
            Paragraph::new(Span::styled(text, fg(t.dim))).block(block(" Now performing ", t));
        frame.render_widget(body, area);
        return;
    };
    let item = &running.item;
    let reading = read_timer(running.started_at, item.duration_ms, server_now);
    let color = phase_color(t, reading.phase);
    let inner_width = area.width.saturating_sub(2) as usize;
    let label = if reading.overtime {
        format!(
            " {} +{}",
            reading.phase.label(),
            duration(reading.remaining_ms)
        )
    } else {
        format!(
            " {} {} left",
            reading.phase.label(),
            duration(reading.remaining_ms)
        )
    };
    let bar_width = inner_width.saturating_sub(label.chars().count() + 1).max(4);
    let filled = if reading.overtime {
        bar_width
    } else {
        ((reading.elapsed_ms as u128 * bar_width as u128) / u128::from(item.duration_ms.max(1)))
            as usize
    }
    .min(bar_width);
    let bar = Line::from(vec![
        Span::styled("█".repeat(filled), fg(color)),
        Span::styled("░".repeat(bar_width - filled), fg(t.border)),
        Span::styled(label, fg(color).add_modifier(Modifier::BOLD)),
    ]);
    let pending = app
        .pending_for(item.id)
        .map(|_| "  (sending…)")
        .unwrap_or("");
    let mut lines = vec![
        Line::from(vec![
            Span::styled(who(item), fg(t.accent).add_modifier(Modifier::BOLD)),
            Span::styled(" · ", fg(t.dim)),
            Span::styled(
                item.action.title.to_string(),
                fg(t.text).add_modifier(Modifier::BOLD),
            ),
            Span::styled(format!(" · {} tk", item.token_cost), fg(t.text)),
            Span::styled(pending, fg(t.pending)),
        ]),
        Line::from(Span::styled(item.action.description.to_string(), fg(t.dim))),
        bar,
    ];
    if !item.effects.is_empty() {
        let mut spans = vec![Span::styled("toy: ", fg(t.dim))];
        for effect in item.effects.iter() {
            let at = effect.timing.offset_ms(item.duration_ms);
            let fired = reading.elapsed_ms >= at;
            let mark = if fired { "✓" } else { "·" };
            let style = if fired { fg(t.toy_active) } else { fg(t.dim) };
            spans.push(Span::styled(
                format!(
                    "{} {} @{} {}  ",
                    effect.timing.label(),
                    effect.intensity_or_default(),
                    duration(at),
                    mark
                ),
                style,
            ));
        }
        lines.push(Line::from(spans));
    }
    let title = format!(" Now performing {} ", item.id);
    frame.render_widget(Paragraph::new(lines).block(block(title, t)), area);
}

fn key_for(app: &App, action: Action) -> String {
    app.keymap.first_key(Section::On(Screen::Queue), action)
}

fn draw_queue(frame: &mut Frame, app: &App, server_now: Stamp, area: Rect) {
    let t = &app.theme;
    let Some(model) = &app.model else {
        frame.render_widget(block(" Queue ", t), area);
        return;
    };
    let title = format!(" Queue ({}) ", model.len());
    let visible = area.height.saturating_sub(3) as usize;
    let rows_total = model.len();
    let selected = app.selected_index().unwrap_or(0);
    // Scroll so the selection stays in view, showing only what fits.
    let top = selected
        .saturating_sub(visible.saturating_sub(1))
        .min(rows_total.saturating_sub(visible));
    let on_stage = usize::from(model.in_progress.is_some());
    let mut rows = Vec::with_capacity(visible);
    for index in top..(top + visible).min(rows_total) {
        let (item, position, running) = if index < on_stage {
            (&model.in_progress.as_ref().expect("on stage").item, 1, true)
        } else {
            let i = index - on_stage;
            (&model.waiting[i], model.position(i), false)
        };
        let waited = server_now.micros_since(item.stamp).max(0) as u64 / 1000;
        let mut marks = String::new();
        if item.private {
            marks.push('P');
        }
        if !item.effects.is_empty() {
            marks.push('T');
        }
        let state = if app.pending_for(item.id).is_some() {
            Cell::from(Span::styled("pending", fg(t.pending)))
        } else if running {
            Cell::from(Span::styled("on stage", fg(t.live)))
        } else {
            Cell::from(Span::styled(duration(waited), fg(t.dim)))
        };
        let marker = if index == selected { '›' } else { ' ' };
        let mut row = Row::new(vec![
            Cell::from(format!("{marker}{position:>3}")),
            Cell::from(Span::styled(who(item), fg(t.accent))),
            Cell::from(action_text(item)),
            Cell::from(format!("{:>6}", item.token_cost)),
            state,
            Cell::from(Span::styled(marks, fg(t.private))),
        ]);
        if index == selected {
            row = row.style(
                Style::new()
                    .bg(t.selection)
                    .add_modifier(Modifier::BOLD | Modifier::REVERSED),
            );
        }
        rows.push(row);
    }
    let widths = [
        Constraint::Length(4),
        Constraint::Length(20),
        Constraint::Min(10),
        Constraint::Length(6),
        Constraint::Length(8),
        Constraint::Length(3),
    ];
    let header =
        Row::new(["   #", "user (tier)", "action", "tokens", "waiting", ""]).style(fg(t.dim));
    let shown = rows.len();
    let title = if shown < rows_total {
        format!("{}· {}-{} ", title, top + 1, top + shown)
    } else {
        title
    };
    let table = Table::new(rows, widths)
        .header(header)
        .block(block(title, t))
        .column_spacing(1);
    frame.render_widget(table, area);
    if rows_total == 0 {
        let inner = area.inner(ratatui::layout::Margin::new(2, 2));
        frame.render_widget(
            Paragraph::new(Span::styled("The queue is empty.", fg(t.dim))),
            inner,
        );
    }
}

fn draw_log(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let height = area.height.saturating_sub(2) as usize;
    let end = app.log.len().saturating_sub(app.log_back);
    let start = end.saturating_sub(height);
    let lines: Vec<Line> = app
        .log
        .range(start..end)
        .map(|line| {
            let (tag, color) = match line.kind {
                LogKind::Public => ("chat", t.text),
                LogKind::Private => ("pm  ", t.private),
                LogKind::Refund => ("refd", t.pending),
                LogKind::Error => ("err ", t.error),
                LogKind::Info => ("info", t.dim),
            };
            Line::from(vec![
                Span::styled(format!("{} ", clock(line.at)), fg(t.dim)),
                Span::styled(format!("{tag} "), fg(color).add_modifier(Modifier::BOLD)),
                Span::styled(line.text.clone(), fg(color)),
            ])
        })
        .collect();
    let title = if app.log_back > 0 {
        format!(" Events (scrolled back {}) ", app.log_back)
    } else {
        " Events ".into()
    };
    frame.render_widget(Paragraph::new(lines).block(block(title, t)), area);
}

/// The queue's action column: a game's prize carries the game and the
/// prize's rank (`slot r7 · Dance`), so a spin reads apart from a purchase.
fn action_text(item: &crate::domain::ItemView) -> String {
    let game = match item.source {
        crate::domain::Source::SlotMachine => "slot",
        crate::domain::Source::SpinWheel => "wheel",
        _ => return item.action.title.to_string(),
    };
    match item.action.rank {
        Some(rank) => format!("{game} r{rank} · {}", item.action.title),
        None => format!("{game} · {}", item.action.title),
    }
}
