//! Draws the watch grid: a two-line entry per room on a narrow terminal, a
//! grid of cards when the width allows; rooms needing attention first with
//! the reason in words, so it reads without colour.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::grid::{Attention, RoomCard, WatchGrid};
use crate::console::app::{App, Connection};
use crate::console::fit::{ellipsize, fit_parts, width};
use crate::console::theme::Theme;
use crate::console::widgets::{duration, fg};
use crate::domain::timer::read_timer;
use crate::domain::{RoomId, Stamp};

/// A card's width in the grid; narrower terminals get the list.
pub const CARD_WIDTH: u16 = 50;
const CARD_HEIGHT: u16 = 5;
const LIST_ROW_HEIGHT: u16 = 2;
/// The list keeps up to this much of a row for the stage, the facts
/// giving way down to `FACTS_ROOM`.
const STAGE_ROOM: usize = 26;
const FACTS_ROOM: usize = 36;

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

/// The body's size on a terminal of `width` x `height`: header and
/// footer off, and the lost-connection banner while it shows.
pub fn body_size(width: u16, height: u16, lost: bool) -> (u16, u16) {
    (width, height.saturating_sub(2 + u16::from(lost)))
}

/// Draw the grid. `now` is our clock; the cards use the server's.
pub fn draw(frame: &mut Frame, app: &App, grid: &WatchGrid, now: Stamp, area: Rect) {
    let t = &app.theme;
    let ours = now;
    let now = app.server_now(ours);
    let lost = matches!(app.connection, Connection::Lost { .. });
    let [header, banner, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(lost)),
        Constraint::Min(1),
    ])
    .areas(area);
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
            ellipsize(&title, header.width as usize),
            fg(t.header).add_modifier(Modifier::BOLD),
        )),
        header,
    );
    if lost {
        draw_lost(frame, app, ours, banner);
    }
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
        let look = Look {
            selected: grid.selected.as_ref() == Some(*room),
            stale: lost,
            now,
        };
        if per_row == 1 {
            let cell = Rect {
                x: body.x,
                y: body.y + n as u16 * LIST_ROW_HEIGHT,
                width: body.width,
                height: LIST_ROW_HEIGHT,
            };
            draw_entry(frame, t, room, card, *attention, look, cell);
        } else {
            let cell = Rect {
                x: body.x + (n % per_row) as u16 * CARD_WIDTH,
                y: body.y + (n / per_row) as u16 * CARD_HEIGHT,
                width: CARD_WIDTH,
                height: CARD_HEIGHT,
            };
            draw_card(frame, t, room, card, *attention, look, cell);
        }
    }
}

/// How a card is drawn besides its room.
#[derive(Clone, Copy)]
struct Look {
    selected: bool,
    /// The connection is down: what the card says is as last seen.
    stale: bool,
    now: Stamp,
}

/// The connection is down: say so, since when (our clock: the server's
/// is not heard), and that the cards are as last seen, not live.
fn draw_lost(frame: &mut Frame, app: &App, now: Stamp, area: Rect) {
    let Connection::Lost { since, attempt, .. } = &app.connection else {
        return;
    };
    let ms = now.micros_since(*since).max(0) as u64 / 1000;
    let long = format!(
        " CONNECTION LOST {} ago · reconnecting (try #{attempt}) · rooms as last seen, not live ",
        duration(ms)
    );
    let short = format!(
        " LOST {} ago · reconnecting #{attempt} · cards are last seen ",
        duration(ms)
    );
    let text = if width(&long) <= area.width as usize {
        long
    } else {
        ellipsize(&short, area.width as usize)
    };
    let style = Style::new()
        .fg(app.theme.text)
        .bg(app.theme.disconnected)
        .add_modifier(Modifier::BOLD | Modifier::REVERSED);
    frame.render_widget(Paragraph::new(text).style(style), area);
}

/// The room's numbers in at most `max` columns: the queue, the lane and
/// the escrow stay whole; the refunds, then the age, give way first.
fn facts(card: &RoomCard, now: Stamp, max: usize) -> String {
    let whole = facts_with(card, now, max, " ago");
    if width(&whole) < max || !whole.ends_with('…') {
        return whole;
    }
    // Short of room, the age drops its "ago" before it is cut.
    facts_with(card, now, max, "")
}

fn facts_with(card: &RoomCard, now: Stamp, max: usize, ago: &str) -> String {
    let age = card.last_event.map_or("no events".into(), |at| {
        format!(
            "{}{ago}",
            duration(now.micros_since(at).max(0) as u64 / 1000)
        )
    });
    let queue = format!("q {}", card.model.len());
    let lane = card.lane.shown();
    let escrow = format!("{} tk escrow", card.model.totals.escrow);
    let refunds = format!("{} ref/10m", card.refunds_recent(now));
    let parts = [
        (queue.as_str(), 9),
        (lane.as_str(), 9),
        (escrow.as_str(), 8),
        (refunds.as_str(), 2),
        (age.as_str(), 1),
    ];
    join(&fit_parts(&parts, " · ", max), " · ")
}

/// The item on stage in at most `max` columns: its timing whole, the
/// title and the viewer shortened first.
fn stage(card: &RoomCard, now: Stamp, max: usize) -> String {
    let Some(running) = &card.model.in_progress else {
        return ellipsize("nothing on stage", max);
    };
    let reading = read_timer(running.started_at, running.item.duration_ms, now);
    let time = if reading.overtime {
        format!(
            "{} +{}",
            reading.phase.label(),
            duration(reading.remaining_ms)
        )
    } else {
        format!(
            "{} {} left",
            reading.phase.label(),
            duration(reading.remaining_ms)
        )
    };
    let parts = [
        (&*running.item.action.title, 2),
        (time.as_str(), 9),
        (&*running.item.user_name, 1),
    ];
    join(&fit_parts(&parts, " · ", max), " · ")
}

fn join(parts: &[String], sep: &str) -> String {
    let kept: Vec<&str> = parts
        .iter()
        .map(String::as_str)
        .filter(|p| !p.is_empty())
        .collect();
    kept.join(sep)
}

/// The first line: marker, room, performer, state and the attention
/// reason, in `max` columns. The performer gives way first, then the
/// reason; the room and its state stay.
fn head_spans<'a>(
    t: &Theme,
    room: &RoomId,
    card: &'a RoomCard,
    attention: Option<Attention>,
    look: Look,
    max: usize,
) -> Vec<Span<'a>> {
    let state = if look.stale {
        format!("was {}", card.state_word())
    } else {
        card.state_word().to_string()
    };
    let state_color = match (look.stale, card.state_word()) {
        (true, _) => t.dim,
        (_, "LIVE") => t.live,
        (_, "PAUSED") => t.pending,
        _ => t.offline,
    };
    let reason = attention.map(|a| format!("! {}", a.describe()));
    let room_text = room.to_string();
    let parts = [
        (room_text.as_str(), 9),
        (&*card.model.performer, 1),
        (state.as_str(), 8),
        (reason.as_deref().unwrap_or(""), 5),
    ];
    // Two columns for the marker; the reason's gap is one narrower than
    // the separator counted for it.
    let [room_shown, performer, state, reason]: [String; 4] =
        fit_parts(&parts, " · ", max.saturating_sub(2))
            .try_into()
            .unwrap_or_default();
    let mut name = fg(t.text).add_modifier(Modifier::BOLD);
    if look.selected {
        name = name.add_modifier(Modifier::REVERSED);
    }
    let mut spans = vec![
        Span::raw(if look.selected { "▸ " } else { "  " }),
        Span::styled(room_shown, name),
    ];
    if !performer.is_empty() {
        spans.push(Span::styled(format!(" · {performer}"), fg(t.dim)));
    }
    spans.push(Span::styled(" · ", fg(t.dim)));
    spans.push(Span::styled(
        state,
        fg(state_color).add_modifier(Modifier::BOLD),
    ));
    if !reason.is_empty() {
        spans.push(Span::styled(
            format!("  {reason}"),
            fg(t.error).add_modifier(Modifier::BOLD),
        ));
    }
    spans
}

fn draw_entry(
    frame: &mut Frame,
    t: &Theme,
    room: &RoomId,
    card: &RoomCard,
    attention: Option<Attention>,
    look: Look,
    area: Rect,
) {
    let max = area.width as usize;
    // The facts (queue, lane, escrow) first, leaving the stage some room;
    // the stage gets what is left.
    let wanted = width(&stage(card, look.now, usize::MAX)).min(STAGE_ROOM);
    let mut shown = facts(card, look.now, max.saturating_sub(4));
    if max.saturating_sub(4 + 3 + width(&shown)) < wanted {
        let room = max.saturating_sub(4 + 3 + wanted).max(FACTS_ROOM);
        shown = facts(card, look.now, room.min(max.saturating_sub(4)));
    }
    let facts = shown;
    let left = max.saturating_sub(4 + 3 + width(&facts));
    let second = if left >= 12 {
        format!("    {} │ {facts}", stage(card, look.now, left))
    } else {
        format!("    {facts}")
    };
    let lines = vec![
        Line::from(head_spans(t, room, card, attention, look, max)),
        Line::from(Span::styled(second, fg(t.dim))),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_card(
    frame: &mut Frame,
    t: &Theme,
    room: &RoomId,
    card: &RoomCard,
    attention: Option<Attention>,
    look: Look,
    area: Rect,
) {
    let border = if look.selected { t.accent } else { t.border };
    // The title sits on the top border between the corners; the reason
    // gets a line of its own, where it is never cut for a long room name.
    let inner = area.width.saturating_sub(2) as usize;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(fg(border))
        .title(Line::from(head_spans(t, room, card, None, look, inner)));
    let last = match attention {
        Some(attention) => Span::styled(
            ellipsize(&format!("! {}", attention.describe()), inner),
            fg(t.error).add_modifier(Modifier::BOLD),
        ),
        None => Span::styled(
            ellipsize(
                &format!(
                    "{} tk earned · {} tk refunded · {} done",
                    card.model.totals.earned, card.model.totals.refunded, card.model.totals.done
                ),
                inner,
            ),
            fg(t.dim),
        ),
    };
    let lines = vec![
        Line::from(Span::styled(stage(card, look.now, inner), fg(t.text))),
        Line::from(Span::styled(facts(card, look.now, inner), fg(t.dim))),
        Line::from(last),
    ];
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
