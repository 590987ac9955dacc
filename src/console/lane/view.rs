//! Drawing the lane: one line on the main screen (what runs, for whom, the
//! time left, how many wait, paused or not; the next names when wide), and
//! the lane screen listing every tip.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::console::app::App;
use crate::console::fit::ellipsize;
use crate::console::screen::Screen;
use crate::console::widgets::{block, duration, fg, key_line, popup, selected_style};
use crate::domain::Stamp;
use crate::protocol::LaneTip;

/// Whether the main screen gives the lane its line.
pub fn shown(app: &App) -> bool {
    app.lane.paused || app.lane.running.is_some() || !app.lane.waiting.is_empty()
}

fn label(tip: &LaneTip) -> String {
    let level = tip.item.tip.as_ref().map_or("tip", |t| &t.label);
    format!("{} · {level}", tip.item.user_name)
}

/// The compact line: `lane ▶ Fan07 · medium 00:04 left · 2 waiting`.
pub fn draw_line(frame: &mut Frame, app: &App, server_now: Stamp, area: Rect) {
    let t = &app.theme;
    let lane = &app.lane;
    let mut spans = vec![Span::styled(" lane ", fg(t.dim))];
    if lane.paused {
        spans.push(Span::styled(
            "⏸ paused ",
            fg(t.pending).add_modifier(Modifier::BOLD),
        ));
    }
    match &lane.running {
        Some(tip) => {
            let left = lane.left_ms(server_now).unwrap_or(0);
            spans.push(Span::styled(
                format!("▶ {} {} left", label(tip), duration(left + 999)),
                fg(t.toy_active).add_modifier(Modifier::BOLD),
            ));
        }
        None if !lane.paused && !lane.waiting.is_empty() && app.toy.connected == 0 => {
            spans.push(Span::styled("no toy: tips wait", fg(t.error)));
        }
        None => spans.push(Span::styled("idle", fg(t.dim))),
    }
    spans.push(Span::styled(
        format!(" · {} waiting", lane.waiting_count()),
        fg(t.text),
    ));
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let room = (area.width as usize).saturating_sub(used + 9);
    if area.width >= 100 && !lane.waiting.is_empty() && room > 10 {
        let next: Vec<String> = lane.waiting.iter().take(4).map(label).collect();
        spans.push(Span::styled(
            format!(" · next {}", ellipsize(&next.join(", "), room)),
            fg(t.dim),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The lane screen: every tip, the running one first, with the keys.
pub fn draw(frame: &mut Frame, app: &App, server_now: Stamp, selected: usize) {
    let t = &app.theme;
    let rows = app.lane_rows();
    let height = (rows.len().clamp(1, 14) + 6) as u16;
    let area = popup(frame.area(), 72.max(frame.area().width * 2 / 3), height);
    frame.render_widget(Clear, area);
    let state = match (app.lane.paused, app.toy.connected) {
        (true, _) => "paused: tips wait until you resume".to_string(),
        (false, 0) => "no toy connected: tips wait".to_string(),
        (false, n) => format!("running on {n} toy(s)"),
    };
    let mut lines = vec![
        Line::from(Span::styled(state, fg(t.header))),
        Line::from(""),
    ];
    if rows.is_empty() {
        lines.push(Line::from(Span::styled("no tips in the lane", fg(t.dim))));
    }
    let width = area.width.saturating_sub(4) as usize;
    let first = selected.saturating_sub(13);
    for (i, tip) in rows.iter().enumerate().skip(first).take(14) {
        let running = i == 0 && app.lane.running.is_some();
        let time = if running {
            format!(
                "▶ {} left",
                duration(app.lane.left_ms(server_now).unwrap_or(0) + 999)
            )
        } else {
            format!("  {}", duration(tip.remaining_ms))
        };
        let text = format!(
            "{:>2}. {time:<13} {:>5} tk  {}",
            i + 1,
            tip.item.token_cost,
            label(tip)
        );
        let style = if i == selected {
            selected_style(t)
        } else if running {
            fg(t.toy_active)
        } else {
            fg(t.text)
        };
        lines.push(Line::from(Span::styled(ellipsize(&text, width), style)));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        key_line(&app.keymap, Screen::Lane),
        fg(t.dim),
    )));
    frame.render_widget(Paragraph::new(lines).block(block(" Toy lane ", t)), area);
}

/// The clear question over the lane screen.
pub fn draw_clear(frame: &mut Frame, app: &App) {
    let t = &app.theme;
    let area = popup(frame.area(), 56, 6);
    frame.render_widget(Clear, area);
    let count = app.lane_rows().len();
    let lines = vec![
        Line::from(Span::styled(
            format!("Refund all {count} tip(s) of the lane?"),
            fg(t.header).add_modifier(Modifier::BOLD),
        )),
        Line::from(Span::styled(
            "The running one stops; every viewer gets their tokens back.",
            fg(t.text),
        )),
        Line::from(""),
        Line::from(Span::styled(
            key_line(&app.keymap, Screen::LaneClear),
            fg(t.dim),
        )),
    ];
    frame.render_widget(
        Paragraph::new(lines).block(block(" Clear the lane ", t)),
        area,
    );
}
