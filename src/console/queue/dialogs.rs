//! The queue's dialogs: refund, an item's audit record, the quit
//! question. Their keys come from their keymap sections.

use ratatui::Frame;
use ratatui::layout::Alignment;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::award::{AwardField, AwardForm};
use super::refund::{RefundField, RefundForm};
use super::view::who;
use crate::console::app::App;
use crate::console::model::clock;
use crate::console::screen::Screen;
use crate::console::theme::Theme;
use crate::console::widgets::{block, fg, key_line, popup};
use crate::domain::item::Transition;

pub fn draw_refund(frame: &mut Frame, t: &Theme, form: &RefundForm) {
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
    let shown = |field: RefundField, text: &crate::console::text_field::TextField| {
        text.shown(form.field == field)
    };
    lines.push(Line::from(vec![
        Span::styled("Amount ", focus(RefundField::Amount)),
        Span::styled(
            format!(
                "[{}] of {} tk",
                shown(RefundField::Amount, &form.amount),
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
            format!("[{}]", shown(RefundField::Note, &form.note)),
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

/// The award dialog: the viewer's points and what the limits allow, the
/// amount and the note, and this broadcast's awards so far.
pub fn draw_award(frame: &mut Frame, t: &Theme, form: &AwardForm) {
    let area = popup(frame.area(), 62, 13 + form.awards.len().min(8) as u16);
    frame.render_widget(Clear, area);
    let focus = |field: AwardField| {
        if form.field == field {
            fg(t.accent).add_modifier(Modifier::BOLD)
        } else {
            fg(t.dim)
        }
    };
    let mut lines = match &form.left {
        None => vec![Line::from(Span::styled(
            "asking the server what the limits allow…",
            fg(t.dim),
        ))],
        Some(left) => vec![
            Line::from(format!(
                "{} has {} points; you may award up to {} now",
                form.user_name, left.balance, left.most
            )),
            // Two lines: one would be cut at the dialog's width.
            Line::from(Span::styled(
                format!(
                    "left: viewer {} · broadcast {} · hour {} · day {}",
                    left.left.per_viewer,
                    left.left.per_broadcast,
                    left.left.per_hour,
                    left.left.per_day,
                ),
                fg(t.dim),
            )),
            Line::from(Span::styled(
                format!(
                    "      awards {} · allowance {}",
                    left.left.velocity, left.left.allowance
                ),
                fg(t.dim),
            )),
        ],
    };
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::styled("Amount ", focus(AwardField::Amount)),
        Span::styled(
            format!(
                "[{}] points",
                form.amount.shown(form.field == AwardField::Amount)
            ),
            fg(t.text),
        ),
    ]));
    lines.push(Line::from(vec![
        Span::styled("Note   ", focus(AwardField::Note)),
        Span::styled(
            format!("[{}]", form.note.shown(form.field == AwardField::Note)),
            fg(t.text),
        ),
        Span::styled(" (optional)", fg(t.dim)),
    ]));
    lines.push(Line::from(""));
    match &form.error {
        Some(error) => lines.push(Line::from(Span::styled(
            error.clone(),
            fg(t.error).add_modifier(Modifier::BOLD),
        ))),
        None if form.sending => lines.push(Line::from(Span::styled("sending…", fg(t.dim)))),
        None => lines.push(Line::from(Span::styled(
            "the amount and the note take what you type",
            fg(t.dim),
        ))),
    }
    lines.push(Line::from(Span::styled(
        "This broadcast's awards",
        fg(t.text).add_modifier(Modifier::BOLD),
    )));
    if form.awards.is_empty() {
        lines.push(Line::from(Span::styled("  none yet", fg(t.dim))));
    }
    for row in form.awards.iter().take(8) {
        let who = row.entry.user.as_ref().map_or("?", |u| u.as_str());
        lines.push(Line::from(Span::styled(
            format!(
                "  {} {:>6}  {}  {}",
                clock(row.entry.at),
                row.entry.amount,
                who,
                row.entry.reason
            ),
            fg(t.dim),
        )));
    }
    let title = format!(" Award points to {} ", form.user_name);
    frame.render_widget(Paragraph::new(lines).block(block(title, t)), area);
}

/// The viewer's points and last awards here, as the details show them.
fn viewer_points(app: &App, user: &crate::domain::UserId) -> String {
    match &app.viewer_points {
        Some((shown, Ok((balance, awards)))) if shown == user => {
            let last: Vec<String> = awards
                .iter()
                .map(|row| format!("{} ({})", row.entry.amount, row.entry.reason))
                .collect();
            match last.is_empty() {
                true => format!("points {balance} · no awards here yet"),
                false => format!("points {balance} · last awards {}", last.join(", ")),
            }
        }
        Some((shown, Err(why))) if shown == user => format!("points: {why}"),
        _ if app.read_only() => String::new(),
        _ => "points: asking…".into(),
    }
}

pub fn draw_details(
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
                Line::from(Span::styled(viewer_points(app, &v.user_id), fg(t.dim))),
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

pub fn draw_confirm_quit(frame: &mut Frame, app: &App) {
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
