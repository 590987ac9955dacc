//! What changed between two versions of a menu, field by field, so a
//! version conflict can tell the performer what happened on the server.

use serde_json::{Value, json};

use super::model::{ItemSpec, MenuSpec};
pub use crate::scoped::changes::Change;
use crate::scoped::changes::{as_json, field};

/// The changes from `before` to `after` (both with item ids assigned).
pub fn diff(before: &MenuSpec, after: &MenuSpec) -> Vec<Change> {
    let mut out = Vec::new();
    let (b, a) = (as_json(&before.content()), as_json(&after.content()));
    for name in [
        "name",
        "description",
        "queueMode",
        "visibility",
        "multiplier",
    ] {
        field(
            name.into(),
            name,
            b.get(name).cloned().unwrap_or(Value::Null),
            a.get(name).cloned().unwrap_or(Value::Null),
            &mut out,
        );
    }
    let added: Vec<&str> = after
        .whitelist
        .iter()
        .filter(|u| !before.whitelist.contains(u))
        .map(|u| u.as_str())
        .collect();
    let removed: Vec<&str> = before
        .whitelist
        .iter()
        .filter(|u| !after.whitelist.contains(u))
        .map(|u| u.as_str())
        .collect();
    if !added.is_empty() || !removed.is_empty() {
        let mut words = Vec::new();
        if !added.is_empty() {
            words.push(format!("added {}", added.join(", ")));
        }
        if !removed.is_empty() {
            words.push(format!("removed {}", removed.join(", ")));
        }
        out.push(Change {
            path: "whitelist".into(),
            before: Some(as_json(&before.whitelist)),
            after: Some(as_json(&after.whitelist)),
            summary: format!("whitelist: {}", words.join("; ")),
        });
    }
    let (bt, at) = (as_json(&before.theme), as_json(&after.theme));
    for name in ["primary", "secondary", "background", "text"] {
        field(
            format!("theme.{name}"),
            &format!("theme {name}"),
            bt.get(name).cloned().unwrap_or(Value::Null),
            at.get(name).cloned().unwrap_or(Value::Null),
            &mut out,
        );
    }
    items(&before.items, &after.items, &mut out);
    out
}

fn id(item: &ItemSpec) -> &str {
    item.id.as_deref().unwrap_or("")
}

const ITEM_FIELDS: [&str; 10] = [
    "title",
    "description",
    "baseTokens",
    "bonusPoints",
    "pointsPrice",
    "hidden",
    "category",
    "dailyLimit",
    "durationHintMs",
    "toy",
];

fn item_field(item: &Value, name: &str) -> Value {
    match (item.get(name), name) {
        (Some(v), _) => v.clone(),
        (None, "bonusPoints") => json!(0),
        (None, "hidden") => json!(false),
        (None, _) => Value::Null,
    }
}

fn items(before: &[ItemSpec], after: &[ItemSpec], out: &mut Vec<Change>) {
    for old in before {
        if !after.iter().any(|n| id(n) == id(old)) {
            out.push(Change {
                path: format!("items[{}]", id(old)),
                before: Some(as_json(old)),
                after: None,
                summary: format!("removed item {:?}", old.title),
            });
        }
    }
    for new in after {
        let Some(old) = before.iter().find(|o| id(o) == id(new)) else {
            out.push(Change {
                path: format!("items[{}]", id(new)),
                before: None,
                after: Some(as_json(new)),
                summary: format!("added item {:?}", new.title),
            });
            continue;
        };
        let (o, n) = (as_json(old), as_json(new));
        for name in ITEM_FIELDS {
            field(
                format!("items[{}].{name}", id(new)),
                &format!("item {:?} {name}", old.title),
                item_field(&o, name),
                item_field(&n, name),
                out,
            );
        }
    }
    let kept_before: Vec<&str> = before
        .iter()
        .map(id)
        .filter(|i| after.iter().any(|n| id(n) == *i))
        .collect();
    let kept_after: Vec<&str> = after
        .iter()
        .map(id)
        .filter(|i| before.iter().any(|o| id(o) == *i))
        .collect();
    if kept_before != kept_after {
        out.push(Change {
            path: "items".into(),
            before: Some(as_json(&before.iter().map(id).collect::<Vec<_>>())),
            after: Some(as_json(&after.iter().map(id).collect::<Vec<_>>())),
            summary: "items reordered".into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::menus::model::from_json;

    fn menu(value: Value) -> MenuSpec {
        from_json(value).unwrap()
    }

    #[test]
    fn names_every_kind_of_change() {
        let before = menu(json!({
            "name": "Quick Fun", "multiplier": 100, "whitelist": ["u1"],
            "items": [
                {"id": "m1-1", "title": "Wink", "baseTokens": 5},
                {"id": "m1-2", "title": "Dance", "baseTokens": 20},
                {"id": "m1-3", "title": "Spin", "baseTokens": 9}
            ]
        }));
        let after = menu(json!({
            "name": "Quick Fun", "multiplier": 80, "whitelist": ["u2"],
            "theme": {"primary": "#000"},
            "items": [
                {"id": "m1-3", "title": "Spin", "baseTokens": 9, "hidden": true},
                {"id": "m1-1", "title": "Wink", "baseTokens": 6},
                {"id": "m1-4", "title": "Kiss", "baseTokens": 3}
            ]
        }));
        let changes = diff(&before, &after);
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "multiplier",
                "whitelist",
                "theme.primary",
                "items[m1-2]",
                "items[m1-3].hidden",
                "items[m1-1].baseTokens",
                "items[m1-4]",
                "items"
            ]
        );
        let summaries: Vec<&str> = changes.iter().map(|c| c.summary.as_str()).collect();
        assert!(
            summaries.contains(&"multiplier: 100 -> 80"),
            "{summaries:?}"
        );
        assert!(summaries.contains(&"item \"Wink\" baseTokens: 5 -> 6"));
        assert!(summaries.contains(&"removed item \"Dance\""));
        assert!(summaries.contains(&"added item \"Kiss\""));
        assert!(summaries.contains(&"whitelist: added u2; removed u1"));
        assert!(diff(&after, &after).is_empty());
    }
}
