//! Drawing the console: header, the item on stage with its timer, the
//! queue, the event log, the toy strip, key hints, dialogs. A pure function
//! of the state and the (server-corrected) time.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, Wrap};

use super::app::{App, Connection, Dialog, LogKind};
use super::dialog_view;
use super::keymap::Section;
use super::model::clock;
use super::screen::{Action, Screen};
use super::theme::Theme;
use crate::domain::timer::{Phase, read_timer};
use crate::domain::{ItemView, Stamp};

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// Draw everything. `now` is our clock; timers use the server's.
pub fn draw(frame: &mut Frame, app: &App, now: Stamp) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let message = format!(
            "The terminal is {}x{}; cuedeck needs at least {MIN_WIDTH}x{MIN_HEIGHT}. Make it larger.",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(message).wrap(Wrap { trim: true }), area);
        return;
    }
    if let Some(grid) = app.watch.as_ref().filter(|g| g.open.is_none()) {
        let [body, footer] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
        super::watch_view::draw(frame, app, grid, now, body);
        if let Some(Dialog::ModLog(log)) = &app.dialog {
            super::mod_log::draw(frame, app, log, body);
        }
        draw_footer(frame, app, footer);
        if let Some(help) = app.help {
            super::help_view::draw(frame, app, help);
        }
        return;
    }
    let server_now = app.server_now(now);
    let lost = matches!(app.connection, Connection::Lost { .. });
    let tall = area.height >= 40;
    let [header, banner, stage, middle, toy, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(lost)),
        Constraint::Length(if tall { 8 } else { 6 }),
        Constraint::Min(4),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(frame, app, header);
    if lost {
        draw_banner(frame, app, now, banner);
    }
    if app.menus.is_some() || app.games.is_some() {
        // An editor takes the stage and the queue; the timer keeps ticking in the header.
        let editor_area = Rect {
            height: stage.height + middle.height,
            ..stage
        };
        if let Some(editor) = &app.menus {
            super::menu_view::draw(frame, editor, &app.theme, &app.keymap, editor_area);
        } else if let Some(editor) = &app.games {
            super::game_view::draw(frame, editor, &app.theme, &app.keymap, editor_area);
        }
        draw_toy(frame, app, toy);
        draw_footer(frame, app, footer);
        if let Some(help) = app.help {
            super::help_view::draw(frame, app, help);
        }
        return;
    }
    draw_stage(frame, app, server_now, stage);
    if area.width >= 140 {
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
    draw_toy(frame, app, toy);
    draw_footer(frame, app, footer);
    match &app.dialog {
        Some(Dialog::Refund(form)) => dialog_view::draw_refund(frame, &app.theme, form),
        Some(Dialog::Details { item, record }) => {
            dialog_view::draw_details(frame, app, *item, record.as_ref())
        }
        Some(Dialog::ConfirmQuit) => dialog_view::draw_confirm_quit(frame, app),
        Some(Dialog::Toy) => dialog_view::draw_toy_screen(frame, app),
        Some(Dialog::Ban(form)) => super::ban_form::draw(frame, app, form),
        Some(Dialog::ModLog(log)) => super::mod_log::draw(frame, app, log, stage),
        None => {}
    }
    if let Some(help) = app.help {
        super::help_view::draw(frame, app, help);
    }
}

pub(super) fn fg(color: ratatui::style::Color) -> Style {
    Style::new().fg(color)
}

pub(super) fn block<'a>(title: impl Into<Line<'a>>, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .title(title)
        .border_style(fg(theme.border))
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

fn draw_header(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let mut spans = vec![Span::styled(
        format!(" {} ", app.room),
        fg(t.header).add_modifier(Modifier::BOLD),
    )];
    let sep = || Span::styled(" │ ", fg(t.border));
    spans.push(sep());
    match &app.model {
        Some(m) if m.live => spans.push(Span::styled(
            "● LIVE",
            fg(t.live).add_modifier(Modifier::BOLD),
        )),
        Some(_) => spans.push(Span::styled(
            "○ OFFLINE",
            fg(t.offline).add_modifier(Modifier::BOLD),
        )),
        None => spans.push(Span::styled("…", fg(t.dim))),
    }
    if app.model.as_ref().is_some_and(|m| m.paused) {
        spans.push(sep());
        spans.push(Span::styled(
            "⏸ PAUSED",
            fg(t.pending).add_modifier(Modifier::BOLD),
        ));
    }
    spans.push(sep());
    let connection = match &app.connection {
        Connection::Connecting => Span::styled("connecting", fg(t.pending)),
        Connection::Connected => Span::styled(
            match app.rtt_ms {
                Some(ms) => format!("online {ms} ms"),
                None => "online".into(),
            },
            fg(t.success),
        ),
        Connection::Lost { attempt, .. } => {
            Span::styled(format!("reconnecting #{attempt}"), fg(t.error))
        }
    };
    spans.push(connection);
    if app.read_only() {
        spans.push(sep());
        spans.push(Span::styled("moderator (read-only)", fg(t.accent)));
    }
    if let Some(m) = &app.model {
        let totals = &m.totals;
        spans.push(sep());
        let text = if area.width >= 100 {
            format!(
                "in escrow {} · earned {} · refunded {} · done {}",
                totals.escrow, totals.earned, totals.refunded, totals.done
            )
        } else {
            format!(
                "esc {} · earned {} · ref {} · done {}",
                totals.escrow, totals.earned, totals.refunded, totals.done
            )
        };
        spans.push(Span::styled(text, fg(t.text)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_banner(frame: &mut Frame, app: &App, now: Stamp, area: Rect) {
    let Connection::Lost { since, attempt, .. } = &app.connection else {
        return;
    };
    let secs = now.micros_since(*since).max(0) / 1_000_000;
    let text = format!(
        " DISCONNECTED {secs}s · retry #{attempt} · money keys are off; timers keep running "
    );
    let style = Style::new()
        .fg(app.theme.text)
        .bg(app.theme.disconnected)
        .add_modifier(Modifier::BOLD | Modifier::REVERSED);
    frame.render_widget(Paragraph::new(text).style(style), area);
}

fn phase_color(theme: &Theme, phase: Phase) -> ratatui::style::Color {
    match phase {
        Phase::Green => theme.timer_green,
        Phase::Yellow => theme.timer_yellow,
        Phase::Red => theme.timer_red,
        Phase::Overtime => theme.overtime,
    }
}

pub(super) fn who(item: &ItemView) -> String {
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

fn draw_toy(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let line = Line::from(vec![
        Span::styled(" toy: ", fg(t.dim)),
        Span::styled(app.toy.line.clone(), fg(t.toy_active)),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

/// The global keys (the stop key is on every footer, never dropped), then
/// the status message or as many of the current screen's keys as fit.
fn draw_footer(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let screen = app.screen();
    let width = |(k, h): &(String, &str)| k.chars().count() + h.chars().count() + 4;
    let mut room = area.width as usize;
    let mut spans = Vec::new();
    let hint = |spans: &mut Vec<Span>, (key, label): (String, &str)| {
        spans.push(Span::styled(
            format!(" {key} "),
            Style::new().fg(t.text).add_modifier(Modifier::REVERSED),
        ));
        spans.push(Span::styled(format!(" {label} "), fg(t.dim)));
    };
    for global in app.keymap.section_hints(Section::Global) {
        room = room.saturating_sub(width(&global));
        hint(&mut spans, global);
    }
    match &app.status {
        Some((kind, message)) if screen == Screen::Queue => {
            let color = if *kind == LogKind::Error {
                t.error
            } else {
                t.accent
            };
            spans.push(Span::styled(
                format!(" {message}"),
                fg(color).add_modifier(Modifier::BOLD),
            ));
        }
        _ => {
            for own in app.keymap.section_hints(Section::On(screen)) {
                if width(&own) > room {
                    break;
                }
                room -= width(&own);
                hint(&mut spans, own);
            }
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// "y quit · n stay": a dialog's own keys, from its section.
pub(super) fn key_line(keymap: &super::keymap::Keymap, screen: Screen) -> String {
    keymap
        .section_hints(Section::On(screen))
        .into_iter()
        .map(|(key, label)| format!("{key} {label}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A box of `width` x `height` centred in `area`.
pub(super) fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width.saturating_sub(2));
    let height = height.min(area.height.saturating_sub(2));
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
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
