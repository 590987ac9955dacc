//! The help overlay: the keys of the screen that opened it, then the global
//! keys, all from the keymap. Lines wrap at word boundaries (nothing is cut
//! mid-word) and the overlay scrolls when it does not fit.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::console::app::{App, HelpView};
use crate::console::keymap::{HelpRow, Keymap, Section};
use crate::console::screen::Screen;
use crate::console::widgets::{block, fg, popup};

/// The widest the overlay gets.
const MOST_WIDTH: u16 = 84;
/// Gap between the key column and the descriptions.
const GAP: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Heading,
    Key,
    Note,
}

/// One wrapped line: the key column's part and the description's part.
struct HelpLine {
    kind: Kind,
    keys: String,
    text: String,
}

/// Greedy word wrap to `width` columns; a word longer than a line is split.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let line = lines.last_mut().expect("one line at least");
            let used = line.chars().count();
            let room = if used == 0 {
                width
            } else {
                width.saturating_sub(used + 1)
            };
            if word.len() <= room {
                if used > 0 {
                    line.push(' ');
                }
                line.extend(word);
                break;
            }
            if used == 0 {
                // Longer than a whole line: split it.
                line.extend(word.drain(..width));
                lines.push(String::new());
            } else {
                lines.push(String::new());
            }
        }
    }
    lines
}

/// Centred above the toy strip and the footer, which stay in view (the
/// stop key's effect shows there).
fn popup_area(width: u16, height: u16, content: usize) -> Rect {
    let area = Rect::new(0, 0, width, height.saturating_sub(2));
    popup(area, MOST_WIDTH, content as u16 + 2)
}

/// Every line of the help for `of`, wrapped for an overlay `inner` wide,
/// and the key column's width.
fn lines(keymap: &Keymap, of: Screen, inner: usize) -> (Vec<HelpLine>, usize) {
    let own = keymap.help(Section::On(of));
    let global = keymap.help(Section::Global);
    let longest = own
        .iter()
        .chain(&global)
        .map(|row| row.keys.chars().count())
        .max()
        .unwrap_or(0);
    let key_width = longest.min(inner / 3).max(1);
    let text_width = inner.saturating_sub(key_width + GAP).max(1);
    let mut out = Vec::new();
    let heading = |text: String| HelpLine {
        kind: Kind::Heading,
        keys: String::new(),
        text,
    };
    let rows = |out: &mut Vec<HelpLine>, rows: &[HelpRow]| {
        for row in rows {
            let keys = wrap(&row.keys, key_width);
            let text = wrap(row.describe, text_width);
            for i in 0..keys.len().max(text.len()) {
                out.push(HelpLine {
                    kind: Kind::Key,
                    keys: keys.get(i).cloned().unwrap_or_default(),
                    text: text.get(i).cloned().unwrap_or_default(),
                });
            }
        }
    };
    out.push(heading(format!("On {}", of.title())));
    rows(&mut out, &own);
    out.push(heading("Everywhere, before any screen sees the key".into()));
    rows(&mut out, &global);
    let note = format!(
        "Change keys under [keys.{}] or [keys.global] in the config file.",
        of.section()
    );
    for line in wrap(&note, inner) {
        out.push(HelpLine {
            kind: Kind::Note,
            keys: String::new(),
            text: line,
        });
    }
    (out, key_width)
}

fn inner_width(width: u16, height: u16) -> usize {
    popup_area(width, height, 0).width.saturating_sub(2) as usize
}

/// How many lines of help are out of view at the most.
pub fn most_scroll(keymap: &Keymap, of: Screen, width: u16, height: u16) -> usize {
    let all = lines(keymap, of, inner_width(width, height)).0.len();
    let shown = popup_area(width, height, all).height.saturating_sub(2) as usize;
    all.saturating_sub(shown)
}

/// Lines a page key scrolls.
pub fn page(height: u16) -> usize {
    (height.saturating_sub(6) as usize).max(1)
}

pub fn draw(frame: &mut Frame, app: &App, help: HelpView) {
    let t = &app.theme;
    let size = frame.area();
    let (all, key_width) = lines(&app.keymap, help.of, inner_width(size.width, size.height));
    let area = popup_area(size.width, size.height, all.len());
    let shown = area.height.saturating_sub(2) as usize;
    let top = help.scroll.min(all.len().saturating_sub(shown));
    let view: Vec<Line> = all
        .iter()
        .skip(top)
        .take(shown)
        .map(|line| match line.kind {
            Kind::Heading => Line::from(Span::styled(
                line.text.clone(),
                fg(t.header).add_modifier(Modifier::BOLD),
            )),
            Kind::Key => Line::from(vec![
                Span::styled(
                    format!("{:>key_width$}{}", line.keys, " ".repeat(GAP)),
                    fg(t.accent).add_modifier(Modifier::BOLD),
                ),
                Span::styled(line.text.clone(), fg(t.text)),
            ]),
            Kind::Note => Line::from(Span::styled(line.text.clone(), fg(t.dim))),
        })
        .collect();
    let mut frame_block = block(" Keys ", t);
    if all.len() > shown {
        let scroll = format!(
            " lines {}-{} of {} · ↑↓ pgup pgdn scroll ",
            top + 1,
            top + view.len(),
            all.len()
        );
        frame_block = frame_block.title_bottom(Line::from(Span::styled(scroll, fg(t.dim))));
    }
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(view).block(frame_block), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_between_words_and_splits_only_what_cannot_fit() {
        assert_eq!(
            wrap("the toy screen: connect", 12),
            ["the toy", "screen:", "connect"]
        );
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
    }

    #[test]
    fn every_help_line_fits_its_overlay_at_80_and_120_columns() {
        let keymap = Keymap::default_keymap();
        for (width, height) in [(80, 24), (120, 40)] {
            let inner = inner_width(width, height);
            for of in Screen::ALL {
                let (all, key_width) = lines(&keymap, of, inner);
                for line in all {
                    let used = if line.kind == Kind::Key {
                        key_width + GAP + line.text.chars().count()
                    } else {
                        line.text.chars().count()
                    };
                    assert!(used <= inner, "{of:?} at {width}: {:?}", line.text);
                }
            }
        }
    }
}
