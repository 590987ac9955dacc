//! The game editor's dialogs: the delete and rotation questions, the
//! revealed seed, and a version conflict with what changed.

use ratatui::Frame;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::diff::changes;
use super::editor::{GameEditor, title};
use crate::console::model::clock;
use crate::console::theme::Theme;
use crate::console::widgets::{block, fg, popup};
use crate::games::api::{GameConflict, Rotated};

/// What a rotation reveals and what it starts, said before it happens.
pub(super) fn rotate_text(editor: &GameEditor) -> Vec<String> {
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

pub(super) fn draw_revealed(frame: &mut Frame, rotated: &Rotated, theme: &Theme, keys: &str) {
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

pub(super) fn draw_conflict(
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
    crate::console::editor::conflict::draw_conflict(
        frame, theme, headline, &listed, &history, keys,
    );
}
