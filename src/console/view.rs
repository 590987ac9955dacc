//! Drawing the console: the frame laid out, the header, the connection
//! banner, the toy strip and the footer's keys; each screen draws its own
//! part. A pure function of the state and the (server-corrected) time.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::app::{App, Connection, Dialog, LogKind};
use super::keymap::Section;
use super::screen::Screen;
use super::widgets::fg;
use super::{games, help, lane, levels, menus, queue, report, toy, watch};
use crate::domain::Stamp;

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
        watch::draw_grid(frame, app, grid, now, body);
        if let Some(Dialog::ModLog(log)) = &app.dialog {
            watch::draw_log(frame, app, log, body);
        }
        draw_footer(frame, app, footer);
        if let Some(help) = app.help {
            help::draw(frame, app, help);
        }
        return;
    }
    let server_now = app.server_now(now);
    let lost = matches!(app.connection, Connection::Lost { .. });
    let tall = area.height >= 40;
    let lane_line = lane::shown(app) && !app.editing();
    let [header, banner, stage, middle, lane_area, toy_strip, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(lost)),
        Constraint::Length(if tall { 8 } else { 6 }),
        Constraint::Min(4),
        Constraint::Length(u16::from(lane_line)),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(frame, app, header);
    if lost {
        draw_banner(frame, app, now, banner);
    }
    if app.editing() {
        // An editor takes the stage and the queue; the timer keeps ticking in the header.
        let editor_area = Rect {
            height: stage.height + middle.height,
            ..stage
        };
        if let Some(editor) = &app.menus {
            menus::draw(frame, editor, &app.theme, &app.keymap, editor_area);
        } else if let Some(editor) = &app.games {
            games::draw(frame, editor, &app.theme, &app.keymap, editor_area);
        } else if let Some(editor) = &app.levels {
            levels::draw(frame, editor, &app.theme, &app.keymap, editor_area);
        }
        draw_toy(frame, app, toy_strip);
        draw_footer(frame, app, footer);
        if let Some(help) = app.help {
            help::draw(frame, app, help);
        }
        return;
    }
    queue::draw(frame, app, server_now, stage, middle);
    if lane_line {
        lane::draw_line(frame, app, server_now, lane_area);
    }
    draw_toy(frame, app, toy_strip);
    draw_footer(frame, app, footer);
    match &app.dialog {
        Some(Dialog::Refund(form)) => queue::draw_refund(frame, &app.theme, form),
        Some(Dialog::Award(form)) => queue::draw_award(frame, &app.theme, form),
        Some(Dialog::Reply(form)) => super::reply::draw_reply(frame, &app.theme, form),
        Some(Dialog::Details { item, record }) => {
            queue::draw_details(frame, app, *item, record.as_ref())
        }
        Some(Dialog::ConfirmQuit) => queue::draw_confirm_quit(frame, app),
        Some(Dialog::ConfirmEnd) => queue::draw_confirm_end(frame, app),
        Some(Dialog::Toy) => toy::draw(frame, app),
        Some(Dialog::Ban(form)) => watch::draw_ban(frame, app, form),
        Some(Dialog::ModLog(log)) => watch::draw_log(frame, app, log, stage),
        Some(Dialog::Report(screen)) => {
            let area = Rect {
                height: stage.height + middle.height,
                ..stage
            };
            report::draw(frame, app, screen, area)
        }
        Some(Dialog::Lane { selected }) => lane::draw(frame, app, server_now, *selected),
        Some(Dialog::LaneClear) => lane::draw_clear(frame, app),
        None => {}
    }
    if let Some(help) = app.help {
        help::draw(frame, app, help);
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
