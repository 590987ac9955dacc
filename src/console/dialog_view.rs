//! The console's dialogs over the queue: refund, an item's audit record,
//! the toy screen, the quit question, and the editors' version conflict. Their keys come from their
//! keymap sections.

use ratatui::Frame;
use ratatui::layout::Alignment;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::app::{App, RefundField, RefundForm};
use super::keymap::Section;
use super::model::clock;
use super::screen::Screen;
use super::theme::Theme;
use super::view::{block, fg, key_line, popup, who};
use crate::domain::item::Transition;

pub(super) fn draw_refund(frame: &mut Frame, t: &Theme, form: &RefundForm) {
    let area = popup(frame.area(), 58, 9 + form.reasons.len() as u16);
    frame.render_widget(Clear, area);
    let focus = |field: RefundField| {
        if form.field == field {
            fg(t.accent).add_modifier(Modifier::BOLD)
        } else {
            fg(t.dim)
        }
    };
    let mut lines = vec![
        Line::from(format!(
            "{} for {} ({} tk)",
            form.title, form.user, form.cost
        )),
        Line::from(""),
        Line::from(Span::styled("Reason", focus(RefundField::Reason))),
    ];
    for (i, reason) in form.reasons.iter().enumerate() {
        let chosen = i == form.reason;
        let text = format!(
            "  {} {}",
            if chosen { "(•)" } else { "( )" },
            reason.as_str()
        );
        let style = if chosen {
            fg(t.text).add_modifier(Modifier::BOLD)
        } else {
            fg(t.dim)
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    let cursor = |field: RefundField| if form.field == field { "▏" } else { "" };
    lines.push(Line::from(vec![
        Span::styled("Amount ", focus(RefundField::Amount)),
        Span::styled(
            format!(
                "[{}{}] of {} tk",
                form.amount,
                cursor(RefundField::Amount),
                form.cost
            ),
            fg(t.text),
        ),
    ]));
    let note_hint = if form.reasons[form.reason].as_str() == "other" {
        " (required)"
    } else {
        " (optional)"
    };
    lines.push(Line::from(vec![
        Span::styled("Note   ", focus(RefundField::Note)),
        Span::styled(
            format!("[{}{}]", form.note, cursor(RefundField::Note)),
            fg(t.text),
        ),
        Span::styled(note_hint, fg(t.dim)),
    ]));
    lines.push(Line::from(""));
    match &form.error {
        Some(error) => lines.push(Line::from(Span::styled(
            error.clone(),
            fg(t.error).add_modifier(Modifier::BOLD),
        ))),
        None => lines.push(Line::from(Span::styled(
            "the amount and the note take what you type",
            fg(t.dim),
        ))),
    }
    let title = format!(" Refund {} ", form.item);
    frame.render_widget(Paragraph::new(lines).block(block(title, t)), area);
}

pub(super) fn draw_details(
    frame: &mut Frame,
    app: &App,
    item: crate::domain::ItemId,
    record: Option<&Result<Box<crate::domain::Item>, String>>,
) {
    let t = &app.theme;
    let area = popup(frame.area(), 70, 16);
    frame.render_widget(Clear, area);
    let lines: Vec<Line> = match record {
        None => vec![Line::from(Span::styled(
            "loading the audit record…",
            fg(t.dim),
        ))],
        Some(Err(error)) => vec![Line::from(Span::styled(error.clone(), fg(t.error)))],
        Some(Ok(record)) => {
            let v = &record.view;
            let mut lines = vec![
                Line::from(format!(
                    "{} for {} · {} tk · {}",
                    v.action.title,
                    who(v),
                    v.token_cost,
                    record.state
                )),
                Line::from(Span::styled(
                    format!(
                        "source {} · event {} · user {}",
                        v.source.as_str(),
                        v.source_event_id,
                        v.user_id
                    ),
                    fg(t.dim),
                )),
                Line::from(""),
            ];
            for entry in &record.audit {
                let what = match &entry.transition {
                    Transition::Queued { position } => format!("queued at position {position}"),
                    Transition::Settled { amount } => format!("settled {amount} tk (instant)"),
                    Transition::Started => "started".into(),
                    Transition::Finished { settled } => {
                        format!("finished, {settled} tk to the performer")
                    }
                    Transition::Refunded {
                        amount,
                        settled,
                        reason,
                        note,
                    } => format!(
                        "refunded {amount} tk ({reason}{}), {settled} tk settled",
                        note.as_ref().map(|n| format!(": {n}")).unwrap_or_default()
                    ),
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("{}  ", clock(entry.at)), fg(t.dim)),
                    Span::styled(what, fg(t.text)),
                    Span::styled(
                        format!("  by {:?}", entry.by.role).to_lowercase(),
                        fg(t.dim),
                    ),
                ]));
            }
            lines
        }
    };
    let paragraph = Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .block(block(format!(" Item {item} "), t));
    frame.render_widget(paragraph, area);
}

pub(super) fn draw_toy_screen(frame: &mut Frame, app: &App) {
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

pub(super) fn draw_confirm_quit(frame: &mut Frame, app: &App) {
    let t = &app.theme;
    let area = popup(frame.area(), 50, 6);
    frame.render_widget(Clear, area);
    let lines = vec![
        Line::from("An item is on stage. Quit anyway?"),
        Line::from("The toy stops first."),
        Line::from(Span::styled(
            key_line(&app.keymap, Screen::ConfirmQuit),
            fg(t.dim),
        )),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .block(block(" Quit ", t)),
        area,
    );
}

/// An editor's save that met a newer version: what happened, what changed
/// (up to six), who saved since (up to three lines), and the keys.
pub(super) fn draw_conflict(
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
