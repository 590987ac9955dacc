//! Tip levels as a performer-scoped kind, the parts the server and its
//! clients share: the shipped templates (`config/tips/`) and the `409`
//! body a save based on an old version gets.

use serde::{Deserialize, Serialize};

use super::changes::Change;
use super::templates::{Shipped, shipped};
use crate::domain::tips::TipLevels;
use crate::protocol::{ApiError, ErrorCode, TipLevelsView};

/// The shipped templates, compiled in.
const FILES: [(&str, &str); 3] = [
    ("classic", include_str!("../../config/tips/classic.toml")),
    ("presets", include_str!("../../config/tips/presets.toml")),
    (
        "multi_output",
        include_str!("../../config/tips/multi_output.toml"),
    ),
];

pub fn templates() -> Vec<Shipped<TipLevels>> {
    shipped(&FILES, |text| toml::from_str(text).ok())
}

/// The `409` for a save based on an old version: what changed since, and
/// the levels as they are now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TipLevelsConflict {
    pub code: ErrorCode,
    pub message: String,
    pub field: String,
    pub your_version: u64,
    pub current_version: u64,
    pub changes: Vec<Change>,
    pub current: TipLevelsView,
}

impl TipLevelsConflict {
    pub fn error(&self) -> ApiError {
        ApiError {
            code: self.code,
            message: self.message.clone(),
            field: Some(self.field.clone()),
            leader: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_shipped_template_reads_and_checks() {
        let shipped = templates();
        assert_eq!(shipped.len(), FILES.len(), "every file parses");
        for template in shipped {
            template
                .config
                .validate(1_000_000_000, &BTreeSet::new())
                .unwrap();
        }
    }
}
