//! The names of imported patterns: what a room may call a Lovense pattern
//! file it imported, so that levels, specials and the toy effects of menu
//! items and game prizes can name it beside the built-ins.

use super::levels::BuiltinPattern;
use crate::domain::pattern_ref::Builtins;
use crate::domain::toy_effect::Pattern;

/// Longest name of an imported pattern.
pub const MAX_PATTERN_NAME_CHARS: usize = 40;

/// Why `name` cannot name an imported pattern (a predicate: "must ..."),
/// or `None` when it can:
/// 1..=40 lowercase ASCII letters, digits, `-` and `_`, starting with a
/// letter, and not the name of a built-in (a tip's preset or an effect's
/// shape).
pub fn pattern_name_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > MAX_PATTERN_NAME_CHARS {
        return Some(format!("must be 1..={MAX_PATTERN_NAME_CHARS} characters"));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("must start with a lowercase letter".into());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Some("may hold only a-z, 0-9, `-` and `_`".into());
    }
    if BuiltinPattern::from_name(name).is_some() || <Pattern as Builtins>::from_name(name).is_some()
    {
        return Some("is the name of a built-in pattern".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_lowercase_words_that_are_not_builtins() {
        assert_eq!(pattern_name_problem("slow-tease_2"), None);
        for bad in ["", "Tease", "2fast", "a b", "wave", "ramp", &"x".repeat(41)] {
            assert!(pattern_name_problem(bad).is_some(), "{bad:?}");
        }
    }
}
