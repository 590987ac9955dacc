//! Why a game configuration was refused: the field at fault, as a dotted
//! path (`prizes[2].rank`), and what was wrong with it.

use crate::domain::DomainError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct ConfigError {
    /// Dotted path into the configuration; `config` for the file as a whole.
    pub field: String,
    pub problem: String,
}

impl ConfigError {
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        ConfigError {
            field: field.into(),
            problem: problem.into(),
        }
    }

    /// A domain rule's refusal (shared text and toy-effect rules), re-stated
    /// in the configuration's terms.
    pub(crate) fn from_domain(err: DomainError, fallback_field: &str) -> Self {
        match err {
            DomainError::InvalidField { field, reason }
            | DomainError::ForbiddenField { field, reason } => ConfigError::new(field, reason),
            other => ConfigError::new(fallback_field, other.to_string()),
        }
    }
}
