//! Drawing the tip-levels editor: the levels and specials with what each
//! does, the shipped templates when the room has none, the form with its
//! problem beside the field, the delete question and a version conflict.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, Wrap};

use super::editor::{LevelEditor, Step};
use super::form::LevelForm;
use crate::console::editor::conflict::draw_conflict;
use crate::console::editor::form::{self as kit, FieldView};
use crate::console::editor::question::question;
use crate::console::editor::session::draw_message;
use crate::console::keymap::Keymap;
use crate::console::model::clock;
use crate::console::screen::Screen;
use crate::console::theme::Theme;
use crate::console::widgets::{block, fg, key_line, selected_style};
use crate::domain::tips::{Intensity, PatternRef, SpecialAction, TipLevel, TipSpecial};
use crate::scoped::tip_levels::{TipLevelsConflict, templates};

/// The editor in `area` (its keys are on the console's footer).
pub fn draw(frame: &mut Frame, editor: &LevelEditor, theme: &Theme, keymap: &Keymap, area: Rect) {
    let [body, message] = Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(area);
    match &editor.step {
        Step::Form(form) => draw_form(frame, form, theme, body),
        _ => draw_list(frame, editor, theme, body),
    }
    match &editor.step {
        Step::ConfirmDelete { title, .. } => question(
            frame,
            " Delete ",
            vec![format!(
                "Delete {title:?}? Tips already taken in keep what they matched."
            )],
            theme,
            &key_line(keymap, Screen::LevelDelete),
        ),
        Step::Conflict(conflict) => draw_stale(
            frame,
            conflict,
            theme,
            &key_line(keymap, Screen::LevelConflict),
        ),
        _ => {}
    }
    draw_message(frame, &editor.session, theme, message);
}

fn draw_list(frame: &mut Frame, editor: &LevelEditor, theme: &Theme, area: Rect) {
    let Some(config) = editor.config() else {
        frame.render_widget(Paragraph::new("").block(block(" Tip levels ", theme)), area);
        return;
    };
    let unsaved = if editor.draft.unsaved() {
        "  * unsaved: w saves"
    } else {
        ""
    };
    let title = Line::from(vec![
        Span::styled(
            format!(" Tip levels v{} ", editor.version()),
            fg(theme.header).add_modifier(Modifier::BOLD),
        ),
        Span::styled(unsaved, fg(theme.pending).add_modifier(Modifier::BOLD)),
    ]);
    let levels = config.levels.iter().map(level_cells);
    let specials = config.specials.iter().map(special_cells);
    let rows = levels.chain(specials).enumerate().map(|(i, cells)| {
        let mark = if i == editor.selected { '›' } else { ' ' };
        let [range, label, what] = cells;
        let row = Row::new([format!("{mark}{range}"), label, what]);
        if i == editor.selected {
            row.style(selected_style(theme))
        } else {
            row
        }
    });
    let widths = [
        Constraint::Length(12),
        Constraint::Length(14),
        Constraint::Min(20),
    ];
    let header = Row::new([" tokens", "label", "the toy"]).style(fg(theme.dim));
    let table = Table::new(rows, widths)
        .header(header)
        .block(block(title, theme))
        .column_spacing(1);
    frame.render_widget(table, area);
    if editor.rows() == 0 && !editor.session.waiting {
        let names: Vec<String> = templates().into_iter().map(|t| t.name).collect();
        let text = format!(
            "No tip levels yet: every tip is a plain tip. Shipped templates: {}. \
             t puts the next one in, w saves it; a adds a level, s a special.",
            names.join(", ")
        );
        let inner = area.inner(Margin::new(2, 2));
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), inner);
    }
}

/// A level's cells: its range, its label, what the toy does.
fn level_cells(level: &TipLevel) -> [String; 3] {
    let range = match level.max {
        Some(max) => format!("{}-{max}", level.min),
        None => format!("{}+", level.min),
    };
    let what = format!(
        "{} for {} s{}",
        strength(&level.intensity),
        level.duration_s,
        pattern(level.pattern.as_ref())
    );
    [range, level.label.to_string(), what]
}

/// A special's cells: `= amount`, its label, what it does.
fn special_cells(special: &TipSpecial) -> [String; 3] {
    let what = match &special.action {
        SpecialAction::Preset {
            pattern: p,
            intensity,
            duration_s,
        } => format!(
            "preset {} at {} for {duration_s} s",
            p.name(),
            strength(intensity)
        ),
        SpecialAction::RandomLevel {} => "a random level".into(),
        SpecialAction::RandomDuration {
            intensity,
            min_s,
            max_s,
            pattern: p,
        } => format!(
            "{} for {min_s}-{max_s} s{}",
            strength(intensity),
            pattern(p.as_ref())
        ),
    };
    [
        format!("= {}", special.amount),
        special.label.to_string(),
        what,
    ]
}

fn strength(intensity: &Intensity) -> String {
    match intensity {
        Intensity::All(level) => format!("{level:>2}"),
        Intensity::PerOutput(o) => [
            ("v", o.vibrate),
            ("r", o.rotate),
            ("p", o.pump),
            ("t", o.thrust),
        ]
        .into_iter()
        .filter_map(|(name, level)| level.map(|l| format!("{name}{l}")))
        .collect::<Vec<_>>()
        .join(" "),
    }
}

fn pattern(pattern: Option<&PatternRef>) -> String {
    pattern
        .map(|p| format!(", {}", p.name()))
        .unwrap_or_default()
}

fn draw_form(frame: &mut Frame, form: &LevelForm, theme: &Theme, area: Rect) {
    let lines = kit::lines(form, 20, form.problem.as_ref(), theme, |field| FieldView {
        label: field.label().into(),
        value: form.value(field),
        extra: None,
        problem: form.problem_at(field),
    });
    let what = match form.entry {
        super::entry::Entry::Level => "level",
        super::entry::Entry::Special => "special",
    };
    let title = if form.new {
        format!(" New {what} ")
    } else {
        format!(" Edit {what} {} ", form.index + 1)
    };
    frame.render_widget(Paragraph::new(lines).block(block(title, theme)), area);
}

fn draw_stale(frame: &mut Frame, conflict: &TipLevelsConflict, theme: &Theme, keys: &str) {
    let headline = format!(
        "The tip levels changed on the server: you edited v{}, they are now v{}.",
        conflict.your_version, conflict.current_version
    );
    let changes: Vec<String> = conflict.changes.iter().map(|c| c.summary.clone()).collect();
    let current = &conflict.current;
    let history: Vec<String> = match (&current.changed_by, current.saved_at) {
        (Some(by), Some(at)) => vec![format!("v{} at {} by {by}", current.version, clock(at))],
        _ => Vec::new(),
    };
    draw_conflict(frame, theme, headline, &changes, &history, keys);
}
