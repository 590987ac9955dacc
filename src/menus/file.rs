//! Menu files (TOML): what `cuedeck menu export` writes and `import` reads,
//! and the three templates of seed 002 shipped in `config/menus/`.
//!
//! The keys are the API's (camelCase), so a file and a JSON body look the
//! same:
//!
//! ```toml
//! room = "r1"            # the room it was exported from (optional)
//!
//! [[menus]]
//! id = "m1"              # optional: which menu (honoured in the same room)
//! version = 3            # optional: the version it was exported at
//! name = "Quick Fun"
//! queueMode = "off"
//!
//! [[menus.items]]
//! title = "Wink"
//! baseTokens = 5
//! ```

use serde::{Deserialize, Serialize};

use crate::domain::RoomId;
use crate::protocol::ApiError;

use super::model::{MenuSpec, MenuView, from_json_plain, reject_computed};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MenuFile {
    /// The room the file was exported from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<RoomId>,
    #[serde(default)]
    pub menus: Vec<MenuSpec>,
}

/// A problem with a menu file: where, and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct FileError {
    pub path: String,
    pub message: String,
}

impl MenuFile {
    /// Parse and validate a menu file; `path` names it in errors. Errors
    /// name the menu and the field (`menus[1].items[3].baseTokens`).
    pub fn parse(path: &str, text: &str) -> Result<MenuFile, FileError> {
        let fail = |message: String| FileError {
            path: path.to_string(),
            message,
        };
        let value: toml::Value =
            toml::from_str(text).map_err(|e| fail(e.to_string().trim_end().to_string()))?;
        let json = serde_json::to_value(value).map_err(|e| fail(e.to_string()))?;
        if let Some(menus) = json.get("menus") {
            reject_computed(menus, "menus").map_err(|e| fail(describe(&e)))?;
        }
        let file: MenuFile = from_json_plain(json).map_err(|e| fail(describe(&e)))?;
        file.validate().map_err(|e| fail(describe(&e)))?;
        Ok(file)
    }

    /// Every menu valid, and no two with the same name.
    pub fn validate(&self) -> Result<(), ApiError> {
        for (i, menu) in self.menus.iter().enumerate() {
            menu.validate().map_err(|mut e| {
                let field = e.field.take().unwrap_or_else(|| "body".into());
                let field = format!("menus[{i}].{field}");
                e.message = format!("menu {:?}: {}", menu.name, e.message);
                e.field = Some(field);
                e
            })?;
            let name = menu.name.trim().to_lowercase();
            if self.menus[..i]
                .iter()
                .any(|m| m.name.trim().to_lowercase() == name)
            {
                return Err(super::model::invalid(
                    format!("menus[{i}].name"),
                    format!("two menus are named {:?}", menu.name.trim()),
                ));
            }
        }
        Ok(())
    }

    /// A file of a room's menus as they are now, ids and versions included.
    pub fn export(room: &RoomId, menus: &[MenuView]) -> MenuFile {
        MenuFile {
            room: Some(room.clone()),
            menus: menus.iter().map(MenuView::to_spec).collect(),
        }
    }

    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).unwrap_or_else(|e| format!("# cannot write: {e}\n"));
        format!(
            "# cuedeck chip menus. Edit, then `cuedeck menu import FILE --server URL --room ROOM`.\n\
             # Prices: round-half-up(baseTokens * multiplier / 100); multiplier is 0..=150 %.\n\n{body}"
        )
    }
}

fn describe(err: &ApiError) -> String {
    match &err.field {
        Some(field) if !err.message.contains(field.as_str()) => {
            format!("`{field}`: {}", err.message)
        }
        _ => err.message.clone(),
    }
}

const TEMPLATES: [(&str, &str); 3] = [
    (
        "config/menus/quick_fun.toml",
        include_str!("../../config/menus/quick_fun.toml"),
    ),
    (
        "config/menus/private_energy.toml",
        include_str!("../../config/menus/private_energy.toml"),
    ),
    (
        "config/menus/vip_experience.toml",
        include_str!("../../config/menus/vip_experience.toml"),
    ),
];

/// The three templates of seed 002 (Quick Fun, Private Energy, VIP
/// Experience), as shipped in `config/menus/`.
pub fn templates() -> Vec<MenuSpec> {
    TEMPLATES
        .iter()
        .flat_map(|(path, text)| {
            MenuFile::parse(path, text)
                .unwrap_or_else(|e| panic!("a shipped template is broken: {e}"))
                .menus
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::menus::model::{QueueMode, Visibility};

    #[test]
    fn the_three_templates_of_seed_002() {
        let t = templates();
        let names: Vec<&str> = t.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["Quick Fun", "Private Energy", "VIP Experience"]);
        assert_eq!(t[0].queue_mode, QueueMode::Off);
        assert_eq!(t[1].queue_mode, QueueMode::On);
        assert_eq!(t[2].queue_mode, QueueMode::On);
        assert_eq!(t[2].visibility, Visibility::SubscribersOnly);
        for menu in &t {
            assert_eq!(menu.items.len(), 7, "{}", menu.name);
            assert!(menu.id.is_none() && menu.version.is_none());
            assert!(menu.items.iter().all(|i| i.id.is_none()));
            assert!(
                menu.items.iter().any(|i| i.toy.is_some()),
                "{} has toy effects",
                menu.name
            );
        }
    }

    #[test]
    fn errors_name_the_file_the_menu_and_the_field() {
        let text = "[[menus]]\nname = \"A\"\n[[menus.items]]\ntitle = \"x\"\nbaseTokens = 0\n";
        let err = MenuFile::parse("m.toml", text).unwrap_err().to_string();
        assert!(err.starts_with("m.toml: "), "{err}");
        assert!(err.contains("menus[0].items[0].baseTokens"), "{err}");
        let err = MenuFile::parse("m.toml", "[[menus]]\nname = 3\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("menus[0].name"), "{err}");
        let err = MenuFile::parse(
            "m.toml",
            "[[menus]]\nname = \"a\"\n[[menus]]\nname = \"A \"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("menus[1].name"), "{err}");
        let err = MenuFile::parse("m.toml", "[[menus]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn a_file_survives_writing_and_reading() {
        let file = MenuFile {
            room: Some("r1".into()),
            menus: templates(),
        };
        let text = file.to_toml();
        assert_eq!(MenuFile::parse("x", &text).unwrap(), file, "{text}");
    }
}
