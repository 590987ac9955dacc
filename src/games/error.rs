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

impl From<ConfigError> for crate::protocol::ApiError {
    /// `invalid_field` naming the field at fault.
    fn from(err: ConfigError) -> Self {
        crate::protocol::ApiError {
            code: crate::protocol::ErrorCode::InvalidField,
            message: format!("invalid field `{}`: {}", err.field, err.problem),
            field: Some(err.field),
            leader: None,
        }
    }
}

/// A server seed that is not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a server seed is {expected} hex digits; got {chars} characters")]
pub struct BadServerSeed {
    pub expected: usize,
    pub chars: usize,
}

/// A client seed outside its alphabet or length.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadClientSeed {
    #[error("a client seed is 1..={max} characters; got {chars}")]
    Length { max: usize, chars: usize },
    #[error("{0:?}: a client seed may contain only letters, digits and . _ -")]
    Characters(String),
}

/// A receipt that does not parse: where (`draw.words[0].value`, none for
/// the text as a whole) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{problem}", .path.as_ref().map(|p| format!("{p}: ")).unwrap_or_default())]
pub struct BadReceipt {
    pub path: Option<String>,
    pub problem: String,
}
