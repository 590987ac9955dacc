//! Strict JSON for every body and frame: a key given twice is refused (a
//! gateway that read the first value would disagree with us about the
//! price), and every refusal names the field at fault by its path.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::error::DomainError;

/// Parse `bytes` as JSON, refusing duplicate keys at any depth.
pub fn parse_value(bytes: &[u8]) -> Result<Value, DomainError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let Strict(value) = serde_path_to_error::deserialize(&mut de).map_err(|e| refusal(e, None))?;
    de.end().map_err(|e| DomainError::InvalidBody {
        reason: format!("not valid JSON: {}", without_position(&e.to_string())),
    })?;
    Ok(value)
}

/// Parse `bytes` strictly as a `T`.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DomainError> {
    from_value(&parse_value(bytes)?)
}

/// Read an already parsed value as a `T`, naming the field at fault.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, DomainError> {
    serde_path_to_error::deserialize(value).map_err(|e| refusal(e, Some(value)))
}

/// A serde error as a refusal. Syntax errors name no field; the others name
/// the field by its path, including the key that is missing, unknown or
/// given twice. Inside tagged enums serde loses the path; then the field is
/// the one place in `value` holding the value the error quotes.
fn refusal<E: serde::de::Error + fmt::Display + Classify>(
    err: serde_path_to_error::Error<E>,
    value: Option<&Value>,
) -> DomainError {
    let path = err.path().to_string();
    let inner = err.into_inner();
    let message = without_position(&inner.to_string());
    if inner.is_syntax() {
        return DomainError::InvalidBody {
            reason: format!("not valid JSON: {message}"),
        };
    }
    let parent = if path == "." || path == "?" {
        String::new()
    } else {
        path
    };
    let named = [
        "missing field `",
        "unknown field `",
        "duplicate field `",
        "duplicate key `",
    ]
    .iter()
    .find_map(|prefix| message.strip_prefix(prefix))
    .and_then(|rest| rest.split('`').next());
    let field = match named {
        Some(name) if parent.is_empty() => name.to_string(),
        Some(name) if parent.ends_with(name) => parent,
        Some(name) => format!("{parent}.{name}"),
        None if parent.is_empty() => match value.and_then(|v| quoted_place(v, &message)) {
            Some(place) => place,
            None => return DomainError::InvalidBody { reason: message },
        },
        None => parent,
    };
    DomainError::invalid(field, message)
}

/// Whether an error is the text's fault rather than a field's.
trait Classify {
    fn is_syntax(&self) -> bool;
}

impl Classify for serde_json::Error {
    fn is_syntax(&self) -> bool {
        matches!(
            self.classify(),
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof
        )
    }
}

/// The path of the one leaf of `value` equal to the value `message` quotes
/// (`unknown variant `x``, `invalid type: string "x"`, `integer `21``).
fn quoted_place(value: &Value, message: &str) -> Option<String> {
    let quoted = message
        .strip_prefix("unknown variant `")
        .and_then(|rest| rest.split('`').next())
        .map(|s| Value::String(s.to_string()))
        .or_else(|| {
            let rest = message.split("string \"").nth(1)?;
            Some(Value::String(rest.split('"').next()?.to_string()))
        })
        .or_else(|| {
            let rest = message.split("integer `").nth(1)?;
            let number: serde_json::Number = rest.split('`').next()?.parse().ok()?;
            Some(Value::Number(number))
        })?;
    let mut found = Vec::new();
    leaves_equal(value, &quoted, String::new(), &mut found);
    (found.len() == 1).then(|| found.remove(0))
}

fn leaves_equal(value: &Value, target: &Value, path: String, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                leaves_equal(child, target, here, found);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                leaves_equal(child, target, format!("{path}[{i}]"), found);
            }
        }
        leaf if leaf == target => found.push(path),
        _ => {}
    }
}

/// serde appends " at line 1 column 7"; the field path says it better.
fn without_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// A JSON value whose objects had no key twice.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Strict, E> {
        Ok(Strict(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Strict, E> {
        Ok(Strict(Value::String(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Strict, E> {
        Ok(Strict(Value::String(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Strict(Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "duplicate key `{key}`: each key may appear once"
                )));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Strict(Value::Object(object)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::ErrorCode;

    fn field(err: &DomainError) -> Option<&str> {
        err.field()
    }

    #[test]
    fn a_key_twice_is_refused_naming_it_at_any_depth() {
        let err = parse_value(br#"{"tokenCost": 5, "tokenCost": 7}"#).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidField);
        assert_eq!(field(&err), Some("tokenCost"));
        let err = parse_value(br#"{"a": {"b": 1, "b": 1}}"#).unwrap_err();
        assert_eq!(field(&err), Some("a.b"));
        let err = parse_value(br#"{"a": [{"x": 1}, {"x": 1, "x": 2}]}"#).unwrap_err();
        assert_eq!(field(&err), Some("a[1].x"));
    }

    #[test]
    fn distinct_keys_parse_as_plain_json() {
        let text = br#"{"a": [1, -2, 3.5, "s", null, true], "b": {"c": {}}}"#;
        assert_eq!(
            parse_value(text).unwrap(),
            serde_json::from_slice::<Value>(text).unwrap()
        );
    }

    #[test]
    fn syntax_errors_name_no_field() {
        for text in [&b"{"[..], b"{\"a\": }", b"nope", b"{} {}", b""] {
            let err = parse_value(text).unwrap_err();
            assert!(matches!(err, DomainError::InvalidBody { .. }), "{err:?}");
            assert_eq!(field(&err), None);
        }
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Refund {
        item: u64,
        reason: String,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        level: u8,
    }

    #[test]
    fn missing_unknown_and_mistyped_fields_are_named() {
        let err = from_slice::<Refund>(br#"{"item": 223}"#).unwrap_err();
        assert_eq!(field(&err), Some("reason"));
        let err = from_slice::<Refund>(br#"{"item": 1, "reason": "x", "extra": 1}"#).unwrap_err();
        assert_eq!(field(&err), Some("extra"));
        let err = from_slice::<Refund>(br#"{"item": "abc", "reason": "x"}"#).unwrap_err();
        assert_eq!(field(&err), Some("item"));
        let err = from_slice::<Refund>(br#"{"item": 1, "reason": "x", "inner": {}}"#).unwrap_err();
        assert_eq!(field(&err), Some("inner.level"));
        let err = from_slice::<Refund>(br#"[1]"#).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidField);
    }

    #[derive(Debug, Deserialize)]
    #[serde(tag = "action", rename_all = "snake_case")]
    #[allow(dead_code)]
    enum Tagged {
        Refund { item: u64, reason: Reason },
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Reason {
        Goodwill,
    }

    #[test]
    fn inside_a_tagged_enum_the_field_is_found_by_the_value_quoted() {
        let err = from_slice::<Tagged>(br#"{"action": "refund", "item": 1, "reason": "nope"}"#)
            .unwrap_err();
        assert_eq!(field(&err), Some("reason"), "{err}");
        let err =
            from_slice::<Tagged>(br#"{"action": "refund", "item": "x", "reason": "goodwill"}"#)
                .unwrap_err();
        assert_eq!(field(&err), Some("item"), "{err}");
        let err = from_slice::<Tagged>(br#"{"action": "jump"}"#).unwrap_err();
        assert_eq!(field(&err), Some("action"), "{err}");
        // Quoted twice: no guess, the message alone.
        let err = from_slice::<Tagged>(br#"{"action": "refund", "item": 1, "reason": "refund"}"#)
            .unwrap_err();
        assert!(matches!(err, DomainError::InvalidBody { .. }), "{err}");
    }
}
