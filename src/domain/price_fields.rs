//! A viewer never sends a price: the server computes it. Any key that
//! could carry one (price, cost, tokens, amount, discount, …), at any
//! depth, is found here so the request can be refused naming it.

use serde_json::Value;

/// Keys that would carry a price; a client never sends one.
fn price_key(key: &str) -> bool {
    let key: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    key.contains("price")
        || key.contains("cost")
        || matches!(
            key.as_str(),
            "tokens" | "amount" | "total" | "basetokens" | "multiplier" | "discount" | "charge"
        )
}

/// The path of the first key in `value` that would carry a price.
pub fn find_price(value: &Value, path: &str) -> Option<String> {
    match value {
        Value::Object(map) => map.iter().find_map(|(key, child)| {
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            if price_key(key) {
                Some(here)
            } else {
                find_price(child, &here)
            }
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, child)| find_price(child, &format!("{path}[{i}]"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_price_is_found_at_any_depth_and_named() {
        assert_eq!(find_price(&json!({"tier": 1}), ""), None);
        assert_eq!(
            find_price(&json!({"tier": 1, "tokenCost": 5}), ""),
            Some("tokenCost".into())
        );
        assert_eq!(
            find_price(&json!({"a": [{"b": 1}, {"unit_price": 2}]}), ""),
            Some("a[1].unit_price".into())
        );
        assert_eq!(
            find_price(&json!({"meta": {"Discount": 0}}), ""),
            Some("meta.Discount".into())
        );
    }
}
