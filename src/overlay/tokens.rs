//! One random read-only token per widget. Kept in a file so an OBS scene's
//! URLs survive a restart; regenerating replaces every token at once, and
//! a page holding an old one is refused from then on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rand::RngExt;

use super::views::Widget;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    by_widget: BTreeMap<Widget, String>,
}

fn fresh() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode(bytes)
}

/// Equal in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Tokens {
    pub fn random() -> Tokens {
        Tokens {
            by_widget: Widget::ALL.into_iter().map(|w| (w, fresh())).collect(),
        }
    }

    pub fn get(&self, widget: Widget) -> &str {
        &self.by_widget[&widget]
    }

    /// Whether `token` opens `widget` (and only that one).
    pub fn admits(&self, widget: Widget, token: &str) -> bool {
        same(self.get(widget), token)
    }

    /// The tokens in `path`, or new ones written there when it is missing
    /// or unreadable (a bad file is replaced, never trusted).
    pub fn load_or_create(path: &Path) -> Result<Tokens, String> {
        if let Ok(text) = std::fs::read_to_string(path)
            && let Some((tokens, added)) = Self::parse(&text)
        {
            if added {
                tokens.save(path)?;
            }
            return Ok(tokens);
        }
        let tokens = Tokens::random();
        tokens.save(path)?;
        Ok(tokens)
    }

    /// The tokens in `text`, and whether a widget newer than the file got
    /// a fresh one (the older widgets keep theirs, so a scene's sources
    /// keep working after an upgrade).
    fn parse(text: &str) -> Option<(Tokens, bool)> {
        let table: BTreeMap<String, String> = toml::from_str(text).ok()?;
        let mut by_widget = BTreeMap::new();
        let mut added = false;
        for widget in Widget::ALL {
            let token = match table.get(widget.name()) {
                Some(token) => token.clone(),
                None => {
                    added = true;
                    fresh()
                }
            };
            if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            by_widget.insert(widget, token);
        }
        (!table.is_empty()).then_some((Tokens { by_widget }, added))
    }

    pub fn save(&self, path: &Path) -> Result<(), String> {
        let table: BTreeMap<&str, &str> = self
            .by_widget
            .iter()
            .map(|(w, t)| (w.name(), t.as_str()))
            .collect();
        let text = format!(
            "# The overlay pages' read-only tokens (regenerate from the console's toy screen).\n{}",
            toml::to_string(&table).map_err(|e| e.to_string())?
        );
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
        }
        // Written aside and renamed: a crash never leaves half a file.
        let aside = PathBuf::from(format!("{}.new", path.display()));
        std::fs::write(&aside, text)
            .map_err(|e| format!("cannot write {}: {e}", aside.display()))?;
        restrict(&aside);
        std::fs::rename(&aside, path).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

/// Only the user may read the tokens.
fn restrict(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_per_widget_and_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("overlay-tokens.toml");
        let first = Tokens::load_or_create(&path).unwrap();
        assert!(first.admits(Widget::Queue, first.get(Widget::Queue)));
        assert!(!first.admits(Widget::Stage, first.get(Widget::Queue)));
        assert!(!first.admits(Widget::Queue, ""));
        assert_eq!(Tokens::load_or_create(&path).unwrap(), first);
        let second = Tokens::random();
        second.save(&path).unwrap();
        assert!(!second.admits(Widget::Queue, first.get(Widget::Queue)));
        assert_eq!(Tokens::load_or_create(&path).unwrap(), second);
    }

    #[test]
    fn a_new_widget_gets_a_token_and_the_old_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("overlay-tokens.toml");
        let old = Tokens::random();
        let kept: BTreeMap<&str, &str> = Widget::ALL
            .into_iter()
            .filter(|w| *w != Widget::Levels)
            .map(|w| (w.name(), old.get(w)))
            .collect();
        std::fs::write(&path, toml::to_string(&kept).unwrap()).unwrap();
        let tokens = Tokens::load_or_create(&path).unwrap();
        assert_eq!(tokens.get(Widget::Queue), old.get(Widget::Queue));
        assert_ne!(tokens.get(Widget::Levels), old.get(Widget::Levels));
        assert_eq!(tokens.get(Widget::Levels).len(), 32);
        assert_eq!(Tokens::load_or_create(&path).unwrap(), tokens);
    }

    #[test]
    fn a_damaged_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("overlay-tokens.toml");
        std::fs::write(&path, "queue = \"short\"\n").unwrap();
        let tokens = Tokens::load_or_create(&path).unwrap();
        assert_eq!(tokens.get(Widget::Queue).len(), 32);
    }
}
