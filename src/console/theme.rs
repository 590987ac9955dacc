//! Themes name meanings, not colours. The shipped themes are embedded; a
//! user theme merges over the default slot by slot. `NO_COLOR` turns every
//! colour off: the console never signals by colour alone.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use ratatui::style::Color;

const SHIPPED: [(&str, &str); 4] = [
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("colorblind", include_str!("../../themes/colorblind.toml")),
];

macro_rules! slots {
    ($($slot:ident),* $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct Theme {
            $(pub $slot: Color,)*
        }

        const SLOT_NAMES: &[&str] = &[$(stringify!($slot)),*];

        impl Theme {
            fn set(&mut self, slot: &str, color: Color) -> bool {
                match slot {
                    $(stringify!($slot) => { self.$slot = color; true })*
                    _ => false,
                }
            }

            fn all_reset() -> Theme {
                Theme { $($slot: Color::Reset,)* }
            }
        }
    };
}

slots!(
    text,
    dim,
    accent,
    border,
    header,
    live,
    offline,
    selection,
    timer_green,
    timer_yellow,
    timer_red,
    overtime,
    pending,
    error,
    success,
    private,
    toy_active,
    disconnected,
);

impl Theme {
    pub fn shipped_names() -> Vec<&'static str> {
        SHIPPED.iter().map(|(name, _)| *name).collect()
    }

    pub fn default_theme() -> Theme {
        let mut theme = Theme::all_reset();
        theme
            .overlay(SHIPPED[0].1, "themes/default.toml")
            .expect("the default theme is valid");
        theme
    }

    /// Overlay the slots `text` sets, naming `origin`, the slot and the bad
    /// value on error.
    fn overlay(&mut self, text: &str, origin: &str) -> Result<(), String> {
        let table: BTreeMap<String, toml::Value> =
            toml::from_str(text).map_err(|e| format!("{origin}: {}", e.to_string().trim_end()))?;
        for (slot, value) in table {
            let Some(value) = value.as_str() else {
                return Err(format!(
                    "{origin}: `{slot}` must be a colour name or \"#rrggbb\", not {value}"
                ));
            };
            let color = parse_color(value).ok_or_else(|| {
                format!("{origin}: `{slot}` = {value:?} is not a colour (a name like \"light-red\", \"#rrggbb\" or \"reset\")")
            })?;
            if !self.set(&slot, color) {
                return Err(format!(
                    "{origin}: `{slot}` is not a theme slot (slots: {})",
                    SLOT_NAMES.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// The theme `name`: a file in `user_dir`, else a shipped one, merged
    /// over the default. `no_color` blanks every colour.
    pub fn load(name: &str, user_dir: &Path, no_color: bool) -> Result<Theme, String> {
        let mut theme = Theme::default_theme();
        let user_file = user_dir.join(format!("{name}.toml"));
        if user_file.is_file() {
            let text = std::fs::read_to_string(&user_file)
                .map_err(|e| format!("{}: {e}", user_file.display()))?;
            theme.overlay(&text, &user_file.display().to_string())?;
        } else if let Some((_, text)) = SHIPPED.iter().find(|(n, _)| *n == name) {
            theme.overlay(text, &format!("themes/{name}.toml"))?;
        } else {
            return Err(format!(
                "no theme `{name}`: shipped themes are {}, or put {name}.toml in {}",
                Theme::shipped_names().join(", "),
                user_dir.display()
            ));
        }
        Ok(if no_color { Theme::all_reset() } else { theme })
    }

    pub fn no_color() -> Theme {
        Theme::all_reset()
    }
}

fn parse_color(text: &str) -> Option<Color> {
    if text.eq_ignore_ascii_case("reset") {
        return Some(Color::Reset);
    }
    Color::from_str(&text.replace('-', "")).ok()
}

/// Whether NO_COLOR asks for no colour (set and not empty).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_theme_sets_every_slot_validly() {
        for (name, text) in SHIPPED {
            let mut theme = Theme::all_reset();
            theme.overlay(text, name).unwrap();
            let table: BTreeMap<String, toml::Value> = toml::from_str(text).unwrap();
            assert_eq!(table.len(), SLOT_NAMES.len(), "{name} sets every slot");
        }
    }

    #[test]
    fn a_user_theme_merges_over_the_default() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mine.toml"), "timer_red = \"#ff0000\"\n").unwrap();
        let theme = Theme::load("mine", dir.path(), false).unwrap();
        assert_eq!(theme.timer_red, Color::Rgb(255, 0, 0));
        assert_eq!(theme.timer_green, Theme::default_theme().timer_green);
    }

    #[test]
    fn errors_name_the_file_slot_and_value() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.toml"), "timer_red = \"blurple\"\n").unwrap();
        let err = Theme::load("bad", dir.path(), false).unwrap_err();
        assert!(
            err.contains("bad.toml") && err.contains("timer_red") && err.contains("blurple"),
            "{err}"
        );
        std::fs::write(dir.path().join("bad.toml"), "sparkle = \"red\"\n").unwrap();
        let err = Theme::load("bad", dir.path(), false).unwrap_err();
        assert!(err.contains("`sparkle` is not a theme slot"), "{err}");
        let err = Theme::load("nope", dir.path(), false).unwrap_err();
        assert!(err.contains("no theme `nope`"), "{err}");
    }

    #[test]
    fn no_color_blanks_everything() {
        let dir = tempfile::tempdir().unwrap();
        let theme = Theme::load("default", dir.path(), true).unwrap();
        assert_eq!(theme, Theme::no_color());
    }
}
