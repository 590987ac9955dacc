//! Admin templates: shipped configurations a performer starts from
//! (onboarding defaults), read from files compiled into the binary. A
//! template is a starting point: choosing one saves it as the room's next
//! version, which the performer then overrides.

use serde::{Deserialize, Serialize};

use crate::protocol::ApiError;

/// A shipped template: its name and its configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shipped<C> {
    pub name: String,
    pub config: C,
}

/// Every file of `files` (`(name, text)`) that `parse` reads; a test of
/// each kind checks that all of them do.
pub fn shipped<C>(files: &[(&str, &str)], parse: impl Fn(&str) -> Option<C>) -> Vec<Shipped<C>> {
    files
        .iter()
        .filter_map(|(name, text)| {
            Some(Shipped {
                name: (*name).to_string(),
                config: parse(text)?,
            })
        })
        .collect()
}

/// The template named `name`; the refusal lists the names there are.
pub fn choose<C>(templates: Vec<Shipped<C>>, name: &str) -> Result<C, ApiError> {
    let names: Vec<String> = templates.iter().map(|t| t.name.clone()).collect();
    templates
        .into_iter()
        .find(|t| t.name == name)
        .map(|t| t.config)
        .ok_or_else(|| {
            ApiError::invalid(
                "name",
                format!("no template {name:?}; there are {}", names.join(", ")),
            )
        })
}

/// The body that replaces a configuration with a template: its name, and
/// the version the change is based on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateChoice {
    pub name: String,
    #[serde(default)]
    pub version: u64,
}
