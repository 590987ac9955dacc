//! The reply dialog drawn: the choices, the preview in the viewer's tier
//! wording, and what went wrong.

use ratatui::Frame;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{ReplyField, ReplyForm};
use crate::console::theme::Theme;
use crate::console::widgets::{block, fg, popup};

pub fn draw_reply(frame: &mut Frame, t: &Theme, form: &ReplyForm) {
    let area = popup(frame.area(), 66, 14);
    frame.render_widget(Clear, area);
    let focus = |field: ReplyField| {
        if form.field == field {
            fg(t.accent).add_modifier(Modifier::BOLD)
        } else {
            fg(t.dim)
        }
    };
    let row = |field: ReplyField, label: &'static str, value: String| {
        Line::from(vec![
            Span::styled(format!("{label:<10}"), focus(field)),
            Span::styled(value, fg(t.text)),
        ])
    };
    let tier = form
        .catalog
        .as_ref()
        .map_or("…".to_string(), |c| c.tier.label().to_string());
    let mut lines = vec![
        Line::from(format!(
            "Reply to {} ({tier}) about {}",
            form.user, form.title
        )),
        Line::from(""),
        row(
            ReplyField::Kind,
            "Reply",
            if form.free_text {
                "< free text >"
            } else {
                "< template >"
            }
            .into(),
        ),
    ];
    if form.free_text {
        lines.push(row(
            ReplyField::Text,
            "Text",
            format!("[{}]", form.text.shown(form.field == ReplyField::Text)),
        ));
    } else {
        let mood = form.mood().map_or("(loading…)".into(), |m| m.mood.clone());
        let key = form
            .mood()
            .and_then(|m| m.templates.get(form.template))
            .map_or("—".into(), |c| c.key.clone());
        lines.push(row(ReplyField::Mood, "Mood", format!("< {mood} >")));
        lines.push(row(ReplyField::Template, "Template", format!("< {key} >")));
    }
    lines.push(row(
        ReplyField::Visibility,
        "To",
        if form.public {
            "< the room's chat >"
        } else {
            "< privately, by tier >"
        }
        .into(),
    ));
    lines.push(Line::from(""));
    if let Some(preview) = form.preview().filter(|_| !form.free_text) {
        lines.push(Line::from(Span::styled("Preview", fg(t.dim))));
        lines.push(Line::from(Span::styled(preview.to_string(), fg(t.text))));
    }
    if let Some(error) = &form.error {
        lines.push(Line::from(Span::styled(error.clone(), fg(t.error))));
    }
    let paragraph = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block(" reply ", t));
    frame.render_widget(paragraph, area);
}
