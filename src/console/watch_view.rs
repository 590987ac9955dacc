//! Draws the watch grid: a two-line entry per room on a narrow terminal, a
//! grid of cards when the width allows; rooms needing attention first with
//! the reason in words, so it reads without colour.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::app::App;
use super::theme::Theme;
use super::view::{duration, fg};
use super::watch::{Attention, RoomCard, WatchGrid};
use crate::domain::timer::read_timer;
use crate::domain::{RoomId, Stamp};

/// A card's width in the grid; narrower terminals get the list.
pub const CARD_WIDTH: u16 = 50;
const CARD_HEIGHT: u16 = 5;
const LIST_ROW_HEIGHT: u16 = 2;

/// Cards a row and rows a page for a body area of `width` x `height`.
pub fn layout(width: u16, height: u16) -> (usize, usize) {
    if width >= 2 * CARD_WIDTH {
        (
            (width / CARD_WIDTH) as usize,
            (height / CARD_HEIGHT).max(1) as usize,
        )
    } else {
        (1, (height / LIST_ROW_HEIGHT).max(1) as usize)
    }
}

/// The body's size on a terminal of `width` x `height` (header and footer off).
pub fn body_size(width: u16, height: u16) -> (u16, u16) {
    (width, height.saturating_sub(2))
}

pub fn draw(frame: &mut Frame, app: &App, grid: &WatchGrid, now: Stamp, area: Rect) {
    let t = &app.theme;
    let [header, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let order = grid.ordered(now);
    let needing = order.iter().filter(|(_, _, a)| a.is_some()).count();
    let title = format!(
        " watching {} rooms │ {} need attention │ {} ",
        order.len(),
        needing,
        app.role.as_deref().unwrap_or("…")
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            title,
            fg(t.header).add_modifier(Modifier::BOLD),
        )),
        header,
    );
    if order.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(" Waiting for the rooms…", fg(t.dim))),
            body,
        );
        return;
    }
    let (per_row, rows) = layout(body.width, body.height);
    let first = grid.scroll * per_row;
    let shown = order.iter().skip(first).take(per_row * rows);
    for (n, (room, card, attention)) in shown.enumerate() {
        let selected = grid.selected.as_ref() == Some(*room);
        if per_row == 1 {
            let cell = Rect {
                x: body.x,
                y: body.y + n as u16 * LIST_ROW_HEIGHT,
                width: body.width,
                height: LIST_ROW_HEIGHT,
            };
            draw_entry(frame, t, room, card, *attention, selected, now, cell);
        } else {
            let cell = Rect {
                x: body.x + (n % per_row) as u16 * CARD_WIDTH,
                y: body.y + (n / per_row) as u16 * CARD_HEIGHT,
                width: CARD_WIDTH,
                height: CARD_HEIGHT,
            };
            draw_card(frame, t, room, card, *attention, selected, now, cell);
        }
    }
}

fn facts(card: &RoomCard, now: Stamp) -> String {
    let age = card.last_event.map_or("no events".into(), |at| {
        format!(
            "{} ago",
            duration(now.micros_since(at).max(0) as u64 / 1000)
        )
    });
    format!(
        "q {} · {} tk escrow · {} ref/10m · {age}",
        card.model.len(),
        card.model.totals.escrow,
        card.refunds_recent(now)
    )
}

fn stage(card: &RoomCard, now: Stamp) -> String {
    match &card.model.in_progress {
        Some(running) => {
            let reading = read_timer(running.started_at, running.item.duration_ms, now);
            let time = if reading.overtime {
                format!("+{}", duration(reading.remaining_ms))
            } else {
                format!("{} left", duration(reading.remaining_ms))
            };
            format!(
                "{} · {} {time} · {}",
                running.item.action.title,
                reading.phase.label(),
                running.item.user_name
            )
        }
        None => "nothing on stage".into(),
    }
}

fn head_spans<'a>(
    t: &Theme,
    room: &RoomId,
    card: &'a RoomCard,
    attention: Option<Attention>,
    selected: bool,
) -> Vec<Span<'a>> {
    let state_color = match card.state_word() {
        "LIVE" => t.live,
        "PAUSED" => t.pending,
        _ => t.offline,
    };
    let mut name = fg(t.text).add_modifier(Modifier::BOLD);
    if selected {
        name = name.add_modifier(Modifier::REVERSED);
    }
    let mut spans = vec![
        Span::raw(if selected { "▸ " } else { "  " }),
        Span::styled(room.to_string(), name),
        Span::styled(format!(" · {} · ", card.model.performer), fg(t.dim)),
        Span::styled(
            card.state_word(),
            fg(state_color).add_modifier(Modifier::BOLD),
        ),
    ];
    if let Some(attention) = attention {
        spans.push(Span::styled(
            format!("  ! {}", attention.describe()),
            fg(t.error).add_modifier(Modifier::BOLD),
        ));
    }
    spans
}

#[allow(clippy::too_many_arguments)]
fn draw_entry(
    frame: &mut Frame,
    t: &Theme,
    room: &RoomId,
    card: &RoomCard,
    attention: Option<Attention>,
    selected: bool,
    now: Stamp,
    area: Rect,
) {
    let lines = vec![
        Line::from(head_spans(t, room, card, attention, selected)),
        Line::from(Span::styled(
            format!("    {} │ {}", stage(card, now), facts(card, now)),
            fg(t.dim),
        )),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

#[allow(clippy::too_many_arguments)]
fn draw_card(
    frame: &mut Frame,
    t: &Theme,
    room: &RoomId,
    card: &RoomCard,
    attention: Option<Attention>,
    selected: bool,
    now: Stamp,
    area: Rect,
) {
    let border = if selected { t.accent } else { t.border };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(fg(border))
        .title(Line::from(head_spans(t, room, card, attention, selected)));
    let lines = vec![
        Line::from(Span::styled(stage(card, now), fg(t.text))),
        Line::from(Span::styled(facts(card, now), fg(t.dim))),
        Line::from(Span::styled(
            format!(
                "{} tk earned · {} tk refunded · {} done",
                card.model.totals.earned, card.model.totals.refunded, card.model.totals.done
            ),
            fg(t.dim),
        )),
    ];
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
