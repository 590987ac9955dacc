//! Strict reading of a configuration body: JSON parsed into its type with
//! unknown fields refused, every refusal naming the field at fault with a
//! dotted path (`items[2].toy.intensity`), and fields only the server
//! computes (a price, a stamp) refused with their own explanation.

use serde_json::Value;

use crate::domain::ids::id_problem;
use crate::protocol::{ApiError, ErrorCode};

/// An error naming a field.
pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
    let field = field.into();
    let message = message.into();
    ApiError {
        code: ErrorCode::InvalidField,
        message: format!("invalid field `{field}`: {message}"),
        field: Some(field),
        leader: None,
    }
}

/// `prefix.name`, or `name` at the top.
pub fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// The queue's own text rule, so configurations and intakes agree.
pub fn check_text(field: &str, text: &str, min: usize, max: usize) -> Result<(), ApiError> {
    crate::domain::intake::check_text(field, text, min, max).map_err(|e| ApiError::from(&e))
}

/// An id as the queue accepts ids.
pub fn check_id(field: &str, id: &str) -> Result<(), ApiError> {
    match id_problem(id) {
        Some(problem) => Err(invalid(field, problem)),
        None => Ok(()),
    }
}

/// Fields a client must never send in an edit: the server computes them.
const COMPUTED: &[(&str, &str)] = &[
    (
        "price",
        "the price is computed from baseTokens and the menu's multiplier; send baseTokens",
    ),
    ("room", "the room is the one in the URL"),
    ("updatedAt", "stamped by the server"),
    ("updatedBy", "stamped by the server"),
];

/// Parse a JSON value strictly into `T`, naming the field at fault; fields
/// the server computes (a price) get their own explanation.
pub fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    reject_computed(&value, "")?;
    from_json_plain(value)
}

/// [`from_json`] without the check for computed fields.
pub fn from_json_plain<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    crate::domain::json::from_value(&value).map_err(|e| ApiError::from(&e))
}

/// Refuse a field the server computes anywhere in `value` (at `path`).
pub fn reject_computed(value: &Value, path: &str) -> Result<(), ApiError> {
    match find_computed(value, path) {
        Some((path, why)) => Err(invalid(path, why)),
        None => Ok(()),
    }
}

fn find_computed(value: &Value, path: &str) -> Option<(String, &'static str)> {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let here = join(path, key);
                if let Some((_, why)) = COMPUTED.iter().find(|(name, _)| name == key) {
                    return Some((here, why));
                }
                if let Some(found) = find_computed(child, &here) {
                    return Some(found);
                }
            }
            None
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, child)| find_computed(child, &format!("{path}[{i}]"))),
        _ => None,
    }
}
