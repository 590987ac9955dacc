//! A pattern by name: one of a closed set of built-ins, or one the room
//! imported (a Lovense pattern file). Tip levels and toy effects (menu
//! items, game prizes) name patterns the same way; only their built-ins
//! differ (a tip's are toy presets, an effect's are shapes).

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::error::DomainError;

/// A closed set of built-in patterns, each with its name on the wire.
pub trait Builtins: Copy + Eq + 'static {
    const ALL: &'static [Self];

    fn as_str(self) -> &'static str;

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|b| b.as_str() == name)
    }
}

/// Written as its name in files and on the wire: a built-in's name reads
/// as the built-in, any other as an imported pattern of the room.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum PatternRef<B: Builtins> {
    Builtin(B),
    Named(Arc<str>),
}

impl<B: Builtins> From<String> for PatternRef<B> {
    fn from(name: String) -> Self {
        match B::from_name(&name) {
            Some(builtin) => PatternRef::Builtin(builtin),
            None => PatternRef::Named(name.into()),
        }
    }
}

impl<B: Builtins> From<PatternRef<B>> for String {
    fn from(pattern: PatternRef<B>) -> Self {
        pattern.name().to_string()
    }
}

impl<B: Builtins> PatternRef<B> {
    pub fn name(&self) -> &str {
        match self {
            PatternRef::Builtin(builtin) => builtin.as_str(),
            PatternRef::Named(name) => name,
        }
    }

    /// The imported pattern's name, if it names one.
    pub fn imported(&self) -> Option<&str> {
        match self {
            PatternRef::Builtin(_) => None,
            PatternRef::Named(name) => Some(name),
        }
    }

    /// A built-in, or a pattern among `known` (the room's imported names).
    pub fn check(&self, field: &str, known: &BTreeSet<String>) -> Result<(), DomainError> {
        match self {
            PatternRef::Builtin(_) => Ok(()),
            PatternRef::Named(name) if known.contains(&**name) => Ok(()),
            PatternRef::Named(name) => {
                let builtins: Vec<&str> = B::ALL.iter().map(|b| b.as_str()).collect();
                Err(DomainError::invalid(
                    field,
                    format!(
                        "unknown pattern {name:?}: use {} or an imported pattern",
                        builtins.join(", ")
                    ),
                ))
            }
        }
    }
}
