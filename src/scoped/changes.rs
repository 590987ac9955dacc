//! What changed between two versions of a configuration, field by field,
//! so a version conflict can tell the performer what happened on the
//! server. [`json_changes`] serves any configuration; a kind with ids in
//! its lists (a menu's items) words its own on top of [`field`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One difference between the version an edit was based on and the
/// current one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// What changed: `multiplier`, `theme.primary`, `items[m1-3].baseTokens`,
    /// `items[m1-3]` (added or removed), `items` (order), `menu` (deleted).
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    /// The same in words, for a status line.
    pub summary: String,
}

/// A value as a status line shows it.
pub fn show(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        Value::Null => "none".into(),
        other => other.to_string(),
    }
}

/// Push a change at `path` (worded `label`) when the values differ.
pub fn field(path: String, label: &str, before: Value, after: Value, out: &mut Vec<Change>) {
    if before != after {
        out.push(Change {
            summary: format!("{label}: {} -> {}", show(&before), show(&after)),
            path,
            before: Some(before),
            after: Some(after),
        });
    }
}

pub fn as_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Every leaf that differs between two configurations, by dotted path
/// (`tiers[0].cost`, `theme.primary`); a list whose length changed is one
/// change.
pub fn json_changes<T: Serialize>(before: &T, after: &T) -> Vec<Change> {
    let mut out = Vec::new();
    walk("", as_json(before), as_json(after), &mut out);
    out
}

fn walk(path: &str, before: Value, after: Value, out: &mut Vec<Change>) {
    match (before, after) {
        (Value::Object(mut b), Value::Object(mut a)) => {
            let mut keys: Vec<String> = b.keys().chain(a.keys()).cloned().collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let here = super::fields::join(path, &key);
                let (old, new) = (b.remove(&key), a.remove(&key));
                walk(
                    &here,
                    old.unwrap_or(Value::Null),
                    new.unwrap_or(Value::Null),
                    out,
                );
            }
        }
        (Value::Array(b), Value::Array(a)) if b.len() == a.len() => {
            for (i, (old, new)) in b.into_iter().zip(a).enumerate() {
                walk(&format!("{path}[{i}]"), old, new, out);
            }
        }
        (before, after) => field(path.to_string(), path, before, after, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_each_changed_leaf() {
        let before = json!({"tiers": [{"cost": 10}, {"cost": 20}], "theme": {}, "name": "a"});
        let after = json!({"tiers": [{"cost": 12}, {"cost": 20}], "theme": {"primary": "#000000"}, "name": "a"});
        let changes = json_changes(&before, &after);
        let summaries: Vec<&str> = changes.iter().map(|c| c.summary.as_str()).collect();
        assert_eq!(
            summaries,
            [
                "theme.primary: none -> \"#000000\"",
                "tiers[0].cost: 10 -> 12"
            ]
        );
        assert!(json_changes(&after, &after).is_empty());
    }

    #[test]
    fn a_list_that_grew_is_one_change() {
        let changes = json_changes(&json!({"p": [1]}), &json!({"p": [1, 2]}));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].path, "p");
    }
}
