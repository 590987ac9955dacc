//! Identifiers. String ids share their text (`Arc<str>`), so cloning one into
//! an event or a transfer costs a counter bump, not an allocation.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Longest id the engine accepts; ids are keys, not prose.
pub const MAX_ID_LEN: usize = 128;

/// The bytes an id may contain, as a table: the check runs on every id of
/// every command.
const ID_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':' | b'@');
        b += 1;
    }
    table
};

/// Why a piece of text is not a usable id.
pub fn id_problem(text: &str) -> Option<&'static str> {
    if text.is_empty() {
        Some("must not be empty")
    } else if text.len() > MAX_ID_LEN {
        Some("must be at most 128 characters")
    } else if !text.bytes().all(|b| ID_BYTE[usize::from(b)]) {
        Some("may contain only letters, digits and - _ . : @")
    } else {
        None
    }
}

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Arc<str>);

        impl $name {
            pub fn new(text: impl Into<Arc<str>>) -> Self {
                Self(text.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The text itself, shared rather than copied.
            pub fn shared(&self) -> Arc<str> {
                self.0.clone()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), &*self.0)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self::new(text)
            }
        }
    };
}

text_id!(
    /// A broadcast room; each room belongs to one performer.
    RoomId
);
text_id!(
    /// A viewer, as the platform identifies them (never a name or an address).
    UserId
);
text_id!(
    /// A performer, owner of a room and of an earned account.
    PerformerId
);
text_id!(
    /// An idempotency key: one per intended action, safe to retry.
    IdemKey
);

/// A queue item, numbered by the engine in intake order from 1.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ItemId(pub u64);

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

impl fmt::Debug for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ItemId({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_rules() {
        assert_eq!(id_problem("user-42"), None);
        assert_eq!(id_problem("64f0c2a9e1b2:x_y.z@r"), None);
        assert_eq!(id_problem(""), Some("must not be empty"));
        assert!(id_problem("has space").is_some());
        assert!(id_problem(&"x".repeat(MAX_ID_LEN + 1)).is_some());
        assert_eq!(id_problem(&"x".repeat(MAX_ID_LEN)), None);
    }

    #[test]
    fn id_table_is_letters_digits_and_five_marks() {
        for b in 0..=255u8 {
            let expected = b.is_ascii_alphanumeric() || b"-_.:@".contains(&b);
            assert_eq!(ID_BYTE[usize::from(b)], expected, "byte {b:#04x}");
        }
    }

    #[test]
    fn ids_serialize_as_plain_strings() {
        let json = serde_json::to_string(&UserId::from("u1")).unwrap();
        assert_eq!(json, "\"u1\"");
        assert_eq!(serde_json::to_string(&ItemId(7)).unwrap(), "7");
    }
}
