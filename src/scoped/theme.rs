//! The skin colours a performer picks for a configuration (a menu, a
//! game, a levels board): the same four, each optional.

use serde::{Deserialize, Serialize};

/// Skin colours, each a hex colour (`#rrggbb`; menus also take `#rgb`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Theme {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl Theme {
    pub fn is_empty(&self) -> bool {
        *self == Theme::default()
    }

    pub fn colours(&self) -> [(&'static str, Option<&str>); 4] {
        [
            ("primary", self.primary.as_deref()),
            ("secondary", self.secondary.as_deref()),
            ("background", self.background.as_deref()),
            ("text", self.text.as_deref()),
        ]
    }

    /// The first colour that is not hex, as `(field, problem)`: `short`
    /// allows `#rgb` beside `#rrggbb`.
    pub fn problem(&self, short: bool) -> Option<(String, String)> {
        self.colours().into_iter().find_map(|(name, colour)| {
            let colour = colour?;
            let hex = colour.strip_prefix('#').unwrap_or("");
            let length_ok = hex.len() == 6 || (short && hex.len() == 3);
            if length_ok && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let like = if short {
                "\"#ff3366\" or \"#f36\""
            } else {
                "\"#ff3366\""
            };
            Some((
                format!("theme.{name}"),
                format!("{colour:?} is not a hex colour like {like}"),
            ))
        })
    }
}
