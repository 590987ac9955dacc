//! Drawing the game editor: the game's prizes with their odds at every
//! price, its settings and seed, the two forms with their inline problems,
//! the delete and rotation questions, the revealed seed, and a version
//! conflict explained.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

use super::dialogs::{draw_conflict, draw_revealed, rotate_text};
use super::editor::{GameEditor, Level, title};
use super::prize::{PrizeField, PrizeForm, check};
use super::settings::{SettingsField, SettingsForm};
use crate::console::editor::form::{self as kit, FieldView};
use crate::console::editor::question::question;
use crate::console::editor::session::draw_message;
use crate::console::keymap::Keymap;
use crate::console::screen::Screen;
use crate::console::theme::Theme;
use crate::console::widgets::{block, fg, key_line, selected_style};
use crate::games::{GameConfig, GameKind, odds_table};

/// The forms' label column.
const LABEL_WIDTH: usize = 18;

fn problem_style(theme: &Theme) -> Style {
    fg(theme.error).add_modifier(Modifier::BOLD)
}

/// The editor in `area` (its keys are on the console's footer).
pub fn draw(frame: &mut Frame, editor: &GameEditor, theme: &Theme, keymap: &Keymap, area: Rect) {
    let [top, body, message] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_top(frame, editor, theme, top);
    match &editor.level {
        Level::Prize(form) => draw_prize_form(frame, form, theme, body),
        Level::Settings(form) => draw_settings_form(frame, form, theme, body),
        _ => draw_prizes(frame, editor, theme, body),
    }
    let keys = |screen| key_line(keymap, screen);
    match &editor.level {
        Level::ConfirmDelete { title, .. } => question(
            frame,
            " Delete ",
            vec![
                format!("Delete the prize {title:?}?"),
                "It leaves the draft; w saves the game.".into(),
            ],
            theme,
            &keys(Screen::PrizeDelete),
        ),
        Level::ConfirmRotate => question(
            frame,
            " Rotate the seed ",
            rotate_text(editor),
            theme,
            &keys(Screen::SeedRotate),
        ),
        Level::Revealed(rotated) => {
            draw_revealed(frame, rotated, theme, &keys(Screen::SeedRevealed))
        }
        Level::Conflict(conflict) => {
            draw_conflict(frame, editor, conflict, theme, &keys(Screen::GameConflict))
        }
        _ => {}
    }
    draw_message(frame, &editor.session, theme, message);
}

/// The two games (the one shown stands out), version, seed; then prices,
/// cooldown and theme.
fn draw_top(frame: &mut Frame, editor: &GameEditor, theme: &Theme, area: Rect) {
    let mut spans = Vec::new();
    for game in GameKind::ALL {
        let style = if game == editor.game {
            fg(theme.header).add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else {
            fg(theme.dim)
        };
        spans.push(Span::styled(format!(" {} ", title(game)), style));
        spans.push(Span::raw(" "));
    }
    if let Some(view) = &editor.view {
        let seed = view.commitment.get(..12).unwrap_or(&view.commitment);
        spans.push(Span::styled(
            format!("· v{} · seed {seed}…", view.version),
            fg(theme.text),
        ));
    }
    if editor.unsaved() {
        spans.push(Span::styled(
            "  * unsaved: w saves",
            fg(theme.pending).add_modifier(Modifier::BOLD),
        ));
    }
    let mut lines = vec![Line::from(spans)];
    if let Some(config) = editor.config() {
        lines.extend(settings_lines(config, theme));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn settings_lines<'a>(config: &GameConfig, theme: &Theme) -> [Line<'a>; 2] {
    let prices: Vec<String> = config.tiers.iter().map(|t| t.cost.to_string()).collect();
    let cooldown = match config.game {
        GameKind::SlotMachine => "cooldown 120 s (fixed)".to_string(),
        GameKind::SpinWheel => format!("cooldown {} s", config.cooldown_secs.unwrap_or(60)),
    };
    let mut theme_spans = vec![Span::styled(" theme", fg(theme.dim))];
    for (_, colour) in config.theme.colours() {
        theme_spans.push(Span::raw(" "));
        theme_spans.extend(swatch(colour, theme));
    }
    [
        Line::from(Span::styled(
            format!(" prices {} tk · {cooldown}", prices.join(" / ")),
            fg(theme.text),
        )),
        Line::from(theme_spans),
    ]
}

/// ` ■ #rrggbb`, the square in the colour when the console shows colours.
fn swatch<'a>(colour: Option<&str>, theme: &Theme) -> Vec<Span<'a>> {
    let Some(hex) = colour else {
        return vec![Span::styled(" –", fg(theme.dim))];
    };
    let rgb = u32::from_str_radix(hex.trim_start_matches('#'), 16).ok();
    let square = match rgb {
        Some(rgb) if theme.accent != Color::Reset => {
            Style::new().fg(Color::Rgb((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8))
        }
        _ => fg(theme.dim),
    };
    vec![
        Span::styled(" ■", square),
        Span::styled(format!(" {hex}"), fg(theme.dim)),
    ]
}

/// The prizes, each with its chance at every price: what a viewer can win
/// for what they pay.
fn draw_prizes(frame: &mut Frame, editor: &GameEditor, theme: &Theme, area: Rect) {
    let Some(config) = editor.config() else {
        if !editor.session.waiting {
            let inner = area.inner(ratatui::layout::Margin::new(2, 1));
            frame.render_widget(Paragraph::new("Nothing to show."), inner);
        }
        return;
    };
    let odds = editor.odds.as_ref().ok();
    let tiers = config.tiers.len();
    let percent = |tier: usize, id: u32| -> String {
        odds.and_then(|o| o.get(tier))
            .and_then(|t| t.rows.iter().find(|r| r.id == id))
            .map_or("–".into(), |r| format!("{:.1} %", r.percent))
    };
    let mut rows: Vec<Row> = config
        .prizes
        .iter()
        .enumerate()
        .map(|(i, prize)| {
            let mut cells = vec![
                format!("{}{:>2}", if i == editor.prize { '›' } else { ' ' }, i + 1),
                prize.title.clone(),
                format!("{:>4}", prize.rank),
                if prize.hidden { "hidden" } else { "" }.into(),
            ];
            cells.extend((0..tiers).map(|t| format!("{:>8}", percent(t, prize.id))));
            cells.push(
                prize
                    .toy
                    .as_ref()
                    .map(|t| format!("{} {}", t.timing.label(), t.intensity_or_default()))
                    .unwrap_or_default(),
            );
            let row = Row::new(cells);
            match (i == editor.prize, prize.hidden) {
                (true, _) => row.style(selected_style(theme)),
                (false, true) => row.style(fg(theme.dim)),
                (false, false) => row,
            }
        })
        .collect();
    let mut expected = vec![
        String::new(),
        "expected rank".into(),
        String::new(),
        String::new(),
    ];
    expected.extend((0..tiers).map(|t| {
        odds.and_then(|o| o.get(t))
            .map_or("–".into(), |t| format!("{:>8.1}", t.expected_rank))
    }));
    rows.push(Row::new(expected).style(fg(theme.dim)));
    let mut header = vec![
        "  #".to_string(),
        "prize".into(),
        "rank".into(),
        String::new(),
    ];
    header.extend(
        config
            .tiers
            .iter()
            .map(|t| format!("{:>8}", format!("{} tk", t.cost))),
    );
    header.push("toy".into());
    let mut widths = vec![
        Constraint::Length(3),
        Constraint::Min(16),
        Constraint::Length(4),
        Constraint::Length(6),
    ];
    widths.extend((0..tiers).map(|_| Constraint::Length(8)));
    widths.push(Constraint::Length(10));
    let title = format!(
        " Prizes ({}) and their odds at each price ",
        config.prizes.len()
    );
    let mut table_block = block(title, theme);
    if let Err((field, problem)) = &editor.odds {
        table_block = table_block.title_bottom(Line::from(Span::styled(
            format!(" ✗ cannot draw: {field}: {problem} "),
            problem_style(theme),
        )));
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(fg(theme.dim)))
        .block(table_block)
        .column_spacing(1);
    frame.render_widget(table, area);
}

fn draw_prize_form(frame: &mut Frame, form: &PrizeForm, theme: &Theme, area: Rect) {
    // The chances the prize would have, at every price, as edited.
    let chances = form.config().ok().and_then(|config| {
        let game = check(&config).ok()?;
        let at: Vec<String> = odds_table(&game)
            .iter()
            .filter_map(|t| t.rows.iter().find(|r| r.id == form.id))
            .map(|r| format!("{:.1} %", r.percent))
            .collect();
        Some(format!("   odds {}", at.join(" / ")))
    });
    let lines = kit::lines(form, LABEL_WIDTH, form.problem.as_ref(), theme, |field| {
        let odds = chances.clone().filter(|_| field == PrizeField::Rank);
        FieldView {
            label: field.label().into(),
            value: form.value(field),
            extra: odds.map(|odds| Span::styled(odds, fg(theme.dim))),
            problem: form.problem_at(field),
        }
    });
    let title = if form.new {
        format!(" New prize (id {}) ", form.id)
    } else {
        format!(" Edit prize {} (id {}) ", form.index + 1, form.id)
    };
    frame.render_widget(Paragraph::new(lines).block(block(title, theme)), area);
}

fn draw_settings_form(frame: &mut Frame, form: &SettingsForm, theme: &Theme, area: Rect) {
    let mut lines = kit::lines(form, LABEL_WIDTH, form.problem.as_ref(), theme, |field| {
        let value = form.value(field);
        let extra = match field {
            SettingsField::Colour(_) if !value.is_empty() => {
                swatch(Some(value), theme).into_iter().next()
            }
            SettingsField::Tier(_) => Some(Span::styled(" tk", fg(theme.dim))),
            _ => None,
        };
        let (label, value) = (field.label(), value.to_string());
        let problem = form.problem_at(field);
        FieldView {
            label,
            value,
            extra,
            problem,
        }
    });
    lines.push(Line::from(Span::styled(
        " An empty price removes its tier; colours are #rrggbb.",
        fg(theme.dim),
    )));
    frame.render_widget(
        Paragraph::new(lines).block(block(" Prices, cooldown, theme ", theme)),
        area,
    );
}
