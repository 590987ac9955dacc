//! Drawing the chip-menu editor: the menus, one menu's items with live
//! prices, the item form with its inline problem, confirmations, and a
//! version conflict explained.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Row, Table};

use super::editor::{Level, MenuEditor};
use super::form::{Field, ItemForm};
use crate::console::editor::conflict::draw_conflict as draw_conflict_dialog;
use crate::console::editor::form::{self as kit, FieldView};
use crate::console::editor::session::draw_message;
use crate::console::keymap::Keymap;
use crate::console::screen::Screen;
use crate::console::theme::Theme;
use crate::console::widgets::{block, fg, key_line, popup, selected_style};

/// The editor in `area` (its keys are on the console's footer).
pub fn draw(frame: &mut Frame, editor: &MenuEditor, theme: &Theme, keymap: &Keymap, area: Rect) {
    let [body, message] = Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(area);
    match &editor.level {
        Level::Menus => draw_menus(frame, editor, theme, body),
        Level::Items | Level::ConfirmDelete { .. } | Level::Conflict { .. } => {
            draw_items(frame, editor, theme, body)
        }
        Level::Form(form) => draw_form(frame, editor, form, theme, body),
    }
    match &editor.level {
        Level::ConfirmDelete { title, .. } => {
            confirm_delete(frame, title, theme, &key_line(keymap, Screen::MenuDelete))
        }
        Level::Conflict { conflict, .. } => draw_conflict(
            frame,
            conflict,
            theme,
            &key_line(keymap, Screen::MenuConflict),
        ),
        _ => {}
    }
    draw_message(frame, &editor.session, theme, message);
}

fn draw_menus(frame: &mut Frame, editor: &MenuEditor, theme: &Theme, area: Rect) {
    let rows = editor.menus.iter().enumerate().map(|(i, menu)| {
        let row = Row::new(vec![
            format!("{}{}", if i == editor.menu { '›' } else { ' ' }, menu.name),
            format!("queue {}", menu.queue_mode.as_str()),
            menu.visibility.as_str().to_string(),
            format!("{} %", menu.multiplier),
            format!("{} items", menu.items.len()),
            format!("v{}", menu.version),
        ]);
        if i == editor.menu {
            row.style(selected_style(theme))
        } else {
            row
        }
    });
    let widths = [
        Constraint::Min(20),
        Constraint::Length(9),
        Constraint::Length(16),
        Constraint::Length(6),
        Constraint::Length(9),
        Constraint::Length(5),
    ];
    let title = format!(" Chip menus ({}) ", editor.menus.len());
    frame.render_widget(Table::new(rows, widths).block(block(title, theme)), area);
    if editor.menus.is_empty() && !editor.session.waiting {
        let inner = area.inner(ratatui::layout::Margin::new(2, 1));
        let names: Vec<String> = crate::menus::file::templates()
            .into_iter()
            .map(|t| t.name)
            .collect();
        let text = format!(
            "No menus yet. Shipped templates: {}. a adds the next one; \
             `cuedeck menu import FILE` adds your own.",
            names.join(", ")
        );
        frame.render_widget(
            Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
    }
}

fn draw_items(frame: &mut Frame, editor: &MenuEditor, theme: &Theme, area: Rect) {
    let Some(menu) = editor.current() else { return };
    let draft = editor.draft.get();
    let queue = draft.map_or(menu.queue_mode, |d| d.queue_mode);
    let visibility = draft.map_or(menu.visibility, |d| d.visibility);
    let unsaved = if draft.is_some() {
        "  * unsaved: w saves"
    } else {
        ""
    };
    let [settings, table_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(2)]).areas(area);
    let line = Line::from(vec![
        Span::styled(
            format!(" {} ", menu.name),
            fg(theme.header).add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            format!(
                "· queue {} · {} · discount multiplier {} % · v{}",
                queue.as_str(),
                visibility.as_str(),
                editor.multiplier(),
                menu.version
            ),
            fg(theme.text),
        ),
        Span::styled(unsaved, fg(theme.pending).add_modifier(Modifier::BOLD)),
    ]);
    frame.render_widget(Paragraph::new(line), settings);
    let rows = menu.items.iter().enumerate().map(|(i, item)| {
        let toy = item
            .toy
            .as_ref()
            .map(|t| format!("{} {}", t.timing.label(), t.intensity_or_default()))
            .unwrap_or_default();
        let row = Row::new(vec![
            format!("{}{:>2}", if i == editor.item { '›' } else { ' ' }, i + 1),
            item.title.clone(),
            format!("{:>6}", item.base_tokens),
            format!("{:>6}", editor.price_of(item.base_tokens)),
            format!("{:>5}", item.bonus_points),
            if item.hidden {
                "hidden".into()
            } else {
                String::new()
            },
            item.daily_limit
                .map(|n| format!("{n}/day"))
                .unwrap_or_default(),
            toy,
        ]);
        let row = if item.hidden {
            row.style(fg(theme.dim))
        } else {
            row
        };
        if i == editor.item {
            row.style(selected_style(theme))
        } else {
            row
        }
    });
    let widths = [
        Constraint::Length(3),
        Constraint::Min(18),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(5),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(10),
    ];
    let header = Row::new([
        "  #", "item", "  base", " price", "  pts", "", "limit", "toy",
    ])
    .style(fg(theme.dim));
    let table = Table::new(rows, widths)
        .header(header)
        .block(block(" Items ", theme))
        .column_spacing(1);
    frame.render_widget(table, table_area);
}

fn draw_form(frame: &mut Frame, editor: &MenuEditor, form: &ItemForm, theme: &Theme, area: Rect) {
    let lines = kit::lines(form, 16, form.problem.as_ref(), theme, |field| {
        // The base price shows what it costs at the menu's multiplier.
        let base = (field == Field::BaseTokens)
            .then(|| form.base_tokens.trim().parse::<u64>().ok())
            .flatten();
        FieldView {
            label: field.label().into(),
            value: form.value(field),
            extra: base.map(|base| {
                let price = editor.price_of(base);
                let line = format!("   price at {} %: {price} tk", editor.multiplier());
                Span::styled(line, fg(theme.dim))
            }),
            problem: form.problem_at(field),
        }
    });
    let title = match &form.id {
        Some(id) => format!(" Edit item {id} "),
        None => " New item ".into(),
    };
    frame.render_widget(Paragraph::new(lines).block(block(title, theme)), area);
}

fn confirm_delete(frame: &mut Frame, title: &str, theme: &Theme, keys: &str) {
    let area = popup(frame.area(), 52, 5);
    frame.render_widget(Clear, area);
    let lines = vec![
        Line::from(format!("Delete {title:?}?")),
        Line::from(Span::styled(keys.to_string(), fg(theme.dim))),
    ];
    frame.render_widget(Paragraph::new(lines).block(block(" Delete ", theme)), area);
}

fn draw_conflict(
    frame: &mut Frame,
    conflict: &crate::menus::api::VersionConflict,
    theme: &Theme,
    keys: &str,
) {
    let headline = format!(
        "The menu changed on the server: you edited v{}, it is now v{}.",
        conflict.your_version, conflict.current_version
    );
    let changes: Vec<String> = conflict.changes.iter().map(|c| c.summary.clone()).collect();
    let history: Vec<String> = conflict
        .history
        .iter()
        .map(|v| format!("v{} {} by {}", v.version, v.change, v.by))
        .collect();
    draw_conflict_dialog(frame, theme, headline, &changes, &history, keys);
}
