//! Field checks shared by every payload the domain reads: ids, keys,
//! texts and template keys, each refusal naming the field.

use super::error::DomainError;
use super::ids::id_problem;

/// At most 40 characters of a bad value, for an error message.
pub(super) fn truncate(text: &str) -> &str {
    match text.char_indices().nth(40) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

pub(super) fn check_id(field: &str, text: &str) -> Result<(), DomainError> {
    match id_problem(text) {
        Some(problem) => Err(DomainError::invalid(field, problem)),
        None => Ok(()),
    }
}

/// Idempotency keys are opaque but printable: 1..=128 visible ASCII characters.
pub fn check_key(field: &str, key: &str) -> Result<(), DomainError> {
    if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(DomainError::invalid(
            field,
            "must be 1 to 128 visible ASCII characters",
        ));
    }
    Ok(())
}

/// A text of `min..=max` characters, visible ones counted for `min`, no control characters.
pub fn check_text(field: &str, text: &str, min: usize, max: usize) -> Result<(), DomainError> {
    // Most texts are printable ASCII: one byte per character, no control
    // characters, and the space is the only blank.
    let (chars, visible, control) = if text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        // Visible characters are counted only as far as `min` needs.
        let visible = text.bytes().filter(|&b| b != b' ').take(min).count();
        (text.len(), visible, false)
    } else {
        let control = text.chars().any(char::is_control);
        let blank = text.chars().filter(|c| c.is_whitespace()).count();
        let chars = text.chars().count();
        (chars, chars - blank, control)
    };
    if control {
        return Err(DomainError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    if visible < min {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if chars > max {
        return Err(DomainError::invalid(
            field,
            format!("{chars} characters, at most {max} allowed"),
        ));
    }
    Ok(())
}

/// The bytes of a template key's words: [a-z0-9_].
const TEMPLATE_WORD_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_';
        b += 1;
    }
    table
};

/// Template keys look like `menu.purchase` or `slot.spin.winner`.
pub fn check_template_key(field: &str, key: &str) -> Result<(), DomainError> {
    // One pass: words of [a-z0-9_] joined by single dots.
    let mut previous = b'.';
    let mut ok = !key.is_empty() && key.len() <= 64;
    for &b in key.as_bytes() {
        let word = TEMPLATE_WORD_BYTE[usize::from(b)];
        ok &= word || (b == b'.' && previous != b'.');
        previous = b;
    }
    ok &= previous != b'.';
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            format!(
                "{:?} is not a template key (lowercase words joined by dots)",
                truncate(key)
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition `check_text` implements, one character at a time.
    fn reference(text: &str, min: usize, max: usize) -> Result<(), &'static str> {
        if text.chars().any(char::is_control) {
            return Err("control");
        }
        if text.chars().filter(|c| !c.is_whitespace()).count() < min {
            return Err("empty");
        }
        if text.chars().count() > max {
            return Err("long");
        }
        Ok(())
    }

    fn outcome(text: &str, min: usize, max: usize) -> Result<(), &'static str> {
        check_text("f", text, min, max).map_err(|e| {
            let message = e.to_string();
            if message.contains("control") {
                "control"
            } else if message.contains("empty") {
                "empty"
            } else {
                "long"
            }
        })
    }

    #[test]
    fn template_word_table_is_lowercase_digits_and_underscore() {
        for b in 0..=255u8 {
            let expected = b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_';
            assert_eq!(
                TEMPLATE_WORD_BYTE[usize::from(b)],
                expected,
                "byte {b:#04x}"
            );
        }
    }

    proptest! {
        /// The ASCII fast path decides as the per-character definition does.
        #[test]
        fn check_text_matches_its_definition(
            text in prop_oneof![
                "[ -~\t\n\r\x0b\x0c\x00\x7f]{0,12}",
                any::<String>(),
                "[ a\u{a0}\u{2003}\u{85}é]{0,8}",
            ],
            min in 0usize..3,
            max in 0usize..10,
        ) {
            prop_assert_eq!(outcome(&text, min, max), reference(&text, min, max), "{:?}", text);
        }
    }
}
