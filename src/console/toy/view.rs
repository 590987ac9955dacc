//! Drawing the toy screen: the toy's state, its keys, and the stream
//! overlays' URLs to copy into OBS.

use ratatui::Frame;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::console::app::App;
use crate::console::keymap::Section;
use crate::console::screen::Screen;
use crate::console::widgets::{block, fg, popup};

pub fn draw(frame: &mut Frame, app: &App) {
    let t = &app.theme;
    let rows = app.keymap.help(Section::On(Screen::Toy));
    // The overlay URLs are copied from here: wide enough to show them whole.
    let widest = app
        .overlay
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    let extra = if app.overlay.is_empty() {
        0
    } else {
        app.overlay.len() + 2
    };
    let area = popup(
        frame.area(),
        (widest as u16 + 4).max(64),
        (rows.len() + extra) as u16 + 4,
    );
    frame.render_widget(Clear, area);
    let mut lines = vec![
        Line::from(Span::styled(
            app.toy.line.clone(),
            fg(t.toy_active).add_modifier(Modifier::BOLD),
        )),
        Line::from(""),
    ];
    let key_width = rows
        .iter()
        .map(|r| r.keys.chars().count())
        .max()
        .unwrap_or(0)
        .min(9);
    for row in rows {
        // Ten digits read better as a range.
        let keys = if row.keys == "0 1 2 3 4 5 6 7 8 9" {
            "0-9".to_string()
        } else {
            row.keys
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {keys:<key_width$} "),
                fg(t.accent).add_modifier(Modifier::BOLD),
            ),
            Span::styled(row.describe, fg(t.text)),
        ]));
    }
    if !app.overlay.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "Stream overlays (OBS browser sources):",
            fg(t.header).add_modifier(Modifier::BOLD),
        )));
        lines.extend(
            app.overlay
                .iter()
                .map(|line| Line::from(Span::styled(line.clone(), fg(t.text)))),
        );
    }
    frame.render_widget(Paragraph::new(lines).block(block(" Toy ", t)), area);
}
