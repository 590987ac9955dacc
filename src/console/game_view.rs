//! Drawing the game editor: the game's prizes with their odds at every
//! price, its settings and seed, the two forms with their inline problems,
//! the delete and rotation questions, the revealed seed, and a version
//! conflict explained.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Row, Table, Wrap};

use super::game_diff::changes;
use super::game_editor::{GameEditor, Level, title};
use super::game_form::{PrizeForm, SettingsField, SettingsForm, check};
use super::keymap::Keymap;
use super::model::clock;
use super::screen::Screen;
use super::theme::Theme;
use super::view::{block, fg, key_line, popup};
use crate::games::api::{GameConflict, Rotated};
use crate::games::{GameConfig, GameKind, odds_table};

fn selected_style(theme: &Theme) -> Style {
    Style::new()
        .bg(theme.selection)
        .add_modifier(Modifier::BOLD | Modifier::REVERSED)
}

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
    let line = match (&editor.message, editor.waiting) {
        (_, true) => Span::styled(" talking to the server…", fg(theme.pending)),
        (Some((true, text)), _) => Span::styled(format!(" {text}"), problem_style(theme)),
        (Some((false, text)), _) => Span::styled(format!(" {text}"), fg(theme.success)),
        (None, _) => Span::raw(""),
    };
    frame.render_widget(Paragraph::new(line), message);
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
        if !editor.waiting {
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

/// One form line: label, value (with a caret when focused), what is wrong.
fn field_line<'a>(
    label: &str,
    value: String,
    focused: bool,
    extra: Option<Span<'a>>,
    problem: Option<&str>,
    theme: &Theme,
) -> Line<'a> {
    let label_style = if focused {
        fg(theme.accent).add_modifier(Modifier::BOLD)
    } else {
        fg(theme.dim)
    };
    let shown = if focused {
        format!("{value}▏")
    } else {
        value
    };
    let mut spans = vec![
        Span::styled(
            format!("{}{label:<18}", if focused { '›' } else { ' ' }),
            label_style,
        ),
        Span::styled(shown, fg(theme.text)),
    ];
    spans.extend(extra);
    if let Some(problem) = problem {
        spans.push(Span::styled(
            format!("   ✗ {problem}"),
            problem_style(theme),
        ));
    }
    Line::from(spans)
}

fn draw_prize_form(frame: &mut Frame, form: &PrizeForm, theme: &Theme, area: Rect) {
    let focused = form.focused();
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
    let mut lines = Vec::new();
    for field in form.fields() {
        let extra = (field == super::game_form::PrizeField::Rank)
            .then(|| chances.clone().map(|c| Span::styled(c, fg(theme.dim))))
            .flatten();
        lines.push(field_line(
            field.label(),
            form.value(field),
            field == focused,
            extra,
            form.problem_at(field),
            theme,
        ));
    }
    if let Some((path, message)) = &form.problem
        && !form.fields().iter().any(|f| form.problem_at(*f).is_some())
    {
        lines.push(Line::from(Span::styled(
            format!(" ✗ {path}: {message}"),
            fg(theme.error),
        )));
    }
    let title = if form.new {
        format!(" New prize (id {}) ", form.id)
    } else {
        format!(" Edit prize {} (id {}) ", form.index + 1, form.id)
    };
    frame.render_widget(Paragraph::new(lines).block(block(title, theme)), area);
}

fn draw_settings_form(frame: &mut Frame, form: &SettingsForm, theme: &Theme, area: Rect) {
    let focused = form.focused();
    let mut lines: Vec<Line> = form
        .fields()
        .into_iter()
        .map(|field| {
            let extra = match field {
                SettingsField::Colour(_) if !form.value(field).is_empty() => {
                    swatch(Some(form.value(field)), theme).into_iter().next()
                }
                SettingsField::Tier(_) => Some(Span::styled(" tk", fg(theme.dim))),
                _ => None,
            };
            field_line(
                &field.label(),
                form.value(field).to_string(),
                field == focused,
                extra,
                form.problem_at(field),
                theme,
            )
        })
        .collect();
    if let Some((path, message)) = &form.problem
        && !form.fields().iter().any(|f| form.problem_at(*f).is_some())
    {
        lines.push(Line::from(Span::styled(
            format!(" ✗ {path}: {message}"),
            fg(theme.error),
        )));
    }
    lines.push(Line::from(Span::styled(
        " An empty price removes its tier; colours are #rrggbb.",
        fg(theme.dim),
    )));
    frame.render_widget(
        Paragraph::new(lines).block(block(" Prices, cooldown, theme ", theme)),
        area,
    );
}

/// What a rotation reveals and what it starts, said before it happens.
fn rotate_text(editor: &GameEditor) -> Vec<String> {
    let commitment = editor.view.as_ref().map_or("", |v| v.commitment.as_str());
    vec![
        format!("Rotate the {}'s server seed?", title(editor.game)),
        String::new(),
        format!(
            "This reveals the secret seed every spin since it was committed has used \
             (its SHA-256 is {}…). Once it is published, anyone can check those spins' \
             receipts (cuedeck verify). A new seed is committed for the spins to come, \
             and every viewer's nonce starts again at 0.",
            commitment.get(..16).unwrap_or(commitment)
        ),
    ]
}

fn question(frame: &mut Frame, name: &str, text: Vec<String>, theme: &Theme, keys: &str) {
    let area = popup(frame.area(), 72, 11);
    frame.render_widget(Clear, area);
    let mut lines: Vec<Line> = text.into_iter().map(Line::from).collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(keys.to_string(), fg(theme.accent))));
    let paragraph = Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .block(block(name.to_string(), theme));
    frame.render_widget(paragraph, area);
}

fn draw_revealed(frame: &mut Frame, rotated: &Rotated, theme: &Theme, keys: &str) {
    let seed = &rotated.revealed;
    let area = popup(frame.area(), 72, 13);
    frame.render_widget(Clear, area);
    let label = |text: String| Line::from(Span::styled(text, fg(theme.dim)));
    let hex = |text: &str, style: Style| Line::from(Span::styled(format!("  {text}"), style));
    let lines = vec![
        Line::from("The old seed is published: spins made with it can now be verified."),
        Line::from(""),
        label(format!(
            "revealed seed (drew from {} to {}):",
            clock(seed.committed_at),
            clock(seed.revealed_at)
        )),
        hex(
            &seed.server_seed,
            fg(theme.text).add_modifier(Modifier::BOLD),
        ),
        label("its SHA-256, the commitment those spins' receipts name:".into()),
        hex(&seed.commitment, fg(theme.text)),
        label("committed now for the spins to come:".into()),
        hex(&rotated.commitment, fg(theme.text)),
        Line::from(""),
        Line::from(Span::styled(keys.to_string(), fg(theme.accent))),
    ];
    frame.render_widget(
        Paragraph::new(lines).block(block(" Seed revealed ", theme)),
        area,
    );
}

fn draw_conflict(
    frame: &mut Frame,
    editor: &GameEditor,
    conflict: &GameConflict,
    theme: &Theme,
    keys: &str,
) {
    let theirs = conflict.current.as_ref().map(|v| &v.config);
    let base = editor.view.as_ref().map(|v| &v.config);
    let listed = match (base, theirs) {
        (Some(base), Some(theirs)) => changes(base, theirs),
        _ => Vec::new(),
    };
    let headline = format!(
        "The {} changed on the server: you edited v{}, it is now v{}.",
        title(conflict.game),
        conflict.your_version,
        conflict.current_version
    );
    let history: Vec<String> = conflict
        .history
        .iter()
        .map(|v| format!("v{} at {} by {}", v.version, clock(v.at), v.changed_by))
        .collect();
    super::dialog_view::draw_conflict(frame, theme, headline, &listed, &history, keys);
}
