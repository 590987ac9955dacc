//! The provably fair draw (docs/FAIRNESS.md): seeds, the commitment, the
//! HMAC byte stream and rejection sampling into `[0, total)`.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::{BadClientSeed, BadServerSeed};

/// Names this scheme in receipts and canonical configurations.
pub const SCHEME: &str = "cuedeck-fair-v1";
pub const SEED_BYTES: usize = 32;
pub const MAX_CLIENT_SEED_CHARS: usize = 64;
/// How many big-endian u32 words one HMAC block yields.
pub const WORDS_PER_BLOCK: u8 = 8;

/// Lowercase hex of SHA-256 over `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The secret a game draws with until it is rotated. Its `Debug` never
/// shows the bytes, so it cannot leak into a log.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerSeed {
    bytes: [u8; SEED_BYTES],
    /// Its commitment, computed once: every spin names it.
    commitment: String,
}

impl ServerSeed {
    pub fn from_bytes(bytes: [u8; SEED_BYTES]) -> Self {
        ServerSeed {
            bytes,
            commitment: sha256_hex(&bytes),
        }
    }

    /// A fresh seed from the operating system's generator; only the edges
    /// call this, the rules take seeds as values.
    pub fn random() -> Self {
        ServerSeed::from_bytes(rand::random())
    }

    /// 64 hex digits (either case).
    pub fn from_hex(text: &str) -> Result<Self, BadServerSeed> {
        let text = text.trim();
        let mut bytes = [0u8; SEED_BYTES];
        hex::decode_to_slice(text, &mut bytes).map_err(|_| BadServerSeed {
            expected: SEED_BYTES * 2,
            chars: text.chars().count(),
        })?;
        Ok(ServerSeed::from_bytes(bytes))
    }

    /// Lowercase hex: how a revealed seed is published.
    pub fn to_hex(&self) -> String {
        hex::encode(self.bytes)
    }

    /// SHA-256 of the 32 seed bytes (not of the hex), lowercase hex.
    pub fn commitment(&self) -> String {
        self.commitment.clone()
    }

    /// One HMAC-SHA256 block: key = the seed bytes, message =
    /// `clientSeed:nonce:cursor` in ASCII, numbers in decimal.
    pub fn block(&self, client_seed: &ClientSeed, nonce: u64, cursor: u64) -> [u8; 32] {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.bytes).expect("HMAC takes a key of any length");
        mac.update(message(client_seed, nonce, cursor).as_bytes());
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for ServerSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServerSeed(commitment {})", self.commitment())
    }
}

/// The HMAC message for one block.
pub fn message(client_seed: &ClientSeed, nonce: u64, cursor: u64) -> String {
    format!("{}:{nonce}:{cursor}", client_seed.as_str())
}

/// A viewer's say in the draw: 1..=64 characters of `A-Z a-z 0-9 . _ -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientSeed(String);

impl ClientSeed {
    pub fn new(text: &str) -> Result<Self, BadClientSeed> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if text.is_empty() || text.len() > MAX_CLIENT_SEED_CHARS {
            Err(BadClientSeed::Length {
                max: MAX_CLIENT_SEED_CHARS,
                chars: text.chars().count(),
            })
        } else if !text.chars().all(allowed) {
            Err(BadClientSeed::Characters(text.to_string()))
        } else {
            Ok(ClientSeed(text.to_string()))
        }
    }

    /// The default for a viewer who sets none: 16 random bytes as hex.
    pub fn random() -> Self {
        ClientSeed(hex::encode(rand::random::<[u8; 16]>()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ClientSeed {
    type Error = BadClientSeed;
    fn try_from(text: String) -> Result<Self, BadClientSeed> {
        ClientSeed::new(&text)
    }
}

impl From<ClientSeed> for String {
    fn from(seed: ClientSeed) -> String {
        seed.0
    }
}

/// One u32 read from the byte stream: which block (cursor), which word of
/// it (index 0..8, bytes `4*index .. 4*index+4`, big-endian) and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Word {
    pub cursor: u64,
    pub index: u8,
    pub value: u32,
}

/// The words of one block, in reading order.
pub fn block_words(block: &[u8; 32], cursor: u64) -> impl Iterator<Item = Word> + '_ {
    block
        .chunks_exact(4)
        .zip(0u8..)
        .map(move |(bytes, index)| Word {
            cursor,
            index,
            value: u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        })
}

/// The outcome of sampling: every word read (the rejected ones first, the
/// accepted one last) and the uniform integer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roll {
    pub words: Vec<Word>,
    pub value: u32,
}

/// Words at or above this bound are rejected: the largest multiple of
/// `total` that fits in 2^32, so `word % total` is uniform below it.
pub fn acceptance_bound(total: u32) -> u64 {
    let span = 1u64 << 32;
    span - span % u64::from(total.max(1))
}

/// Rejection sampling over any word stream: the first word below the
/// acceptance bound gives `word % total`. `total` must be at least 1.
pub fn sample(total: u32, words: impl Iterator<Item = Word>) -> Option<Roll> {
    let bound = acceptance_bound(total);
    let mut read = Vec::with_capacity(1);
    for word in words {
        read.push(word);
        if u64::from(word.value) < bound {
            return Some(Roll {
                words: read,
                value: word.value % total.max(1),
            });
        }
    }
    None
}

/// A uniform integer in `[0, total)` for this seed, client seed and nonce:
/// words are read from block 0 (cursor 0) in order, then block 1, and so on
/// until one is accepted.
pub fn roll(seed: &ServerSeed, client_seed: &ClientSeed, nonce: u64, total: u32) -> Roll {
    let stream = (0u64..).flat_map(|cursor| {
        let block = seed.block(client_seed, nonce, cursor);
        block_words(&block, cursor).collect::<Vec<_>>()
    });
    // The stream never ends, and each word is accepted with probability
    // above one half, so a value always comes.
    sample(total, stream).expect("an endless stream yields an accepted word")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(cursor: u64, index: u8, value: u32) -> Word {
        Word {
            cursor,
            index,
            value,
        }
    }

    #[test]
    fn the_bound_is_the_largest_multiple_that_fits() {
        assert_eq!(acceptance_bound(1), 1 << 32);
        assert_eq!(acceptance_bound(10), 4_294_967_290);
        assert_eq!(acceptance_bound((1 << 31) + 1), (1 << 31) + 1);
    }

    #[test]
    fn rejected_words_are_skipped_and_kept() {
        let total = (1u32 << 31) + 1;
        let words = [word(0, 0, u32::MAX), word(0, 1, total), word(0, 2, 7)];
        let roll = sample(total, words.into_iter()).unwrap();
        assert_eq!(roll.value, 7);
        assert_eq!(roll.words, words);
        // Just below the bound is accepted and reduced.
        let roll = sample(10, [word(0, 0, 4_294_967_289)].into_iter()).unwrap();
        assert_eq!(roll.value, 9);
        assert!(sample(10, [word(0, 0, 4_294_967_290)].into_iter()).is_none());
    }

    #[test]
    fn the_stream_moves_to_the_next_cursor_after_eight_words() {
        let seed = ServerSeed::from_bytes([7; 32]);
        let client = ClientSeed::new("abc").unwrap();
        // A total just over 2^31 rejects about half the words, so some
        // nonce needs more than one block.
        let total = (1u32 << 31) + 1;
        let (nonce, deep) = (0..4000)
            .map(|nonce| (nonce, roll(&seed, &client, nonce, total)))
            .find(|(_, r)| r.words.len() > 8)
            .expect("some nonce rejects eight words in a row");
        let expected: Vec<Word> = (0..)
            .flat_map(|cursor| {
                block_words(&seed.block(&client, nonce, cursor), cursor).collect::<Vec<_>>()
            })
            .take(deep.words.len())
            .collect();
        assert_eq!(deep.words, expected);
        assert_eq!((deep.words[8].cursor, deep.words[8].index), (1, 0));
        let (accepted, rejected) = deep.words.split_last().unwrap();
        assert!(
            rejected
                .iter()
                .all(|w| u64::from(w.value) >= acceptance_bound(total))
        );
        assert_eq!(deep.value, accepted.value % total);
    }

    #[test]
    fn seeds_parse_and_never_print() {
        let seed = ServerSeed::from_hex(&"AB".repeat(32)).unwrap();
        assert_eq!(seed.to_hex(), "ab".repeat(32));
        assert!(!format!("{seed:?}").contains("abab"));
        let short = ServerSeed::from_hex("abc").unwrap_err();
        assert_eq!(
            short.to_string(),
            "a server seed is 64 hex digits; got 3 characters"
        );
        assert!(ServerSeed::from_hex(&"zz".repeat(32)).is_err());
        assert!(ClientSeed::new("viewer-1.seed_2").is_ok());
        assert_eq!(
            ClientSeed::new("a:b"),
            Err(BadClientSeed::Characters("a:b".into()))
        );
        assert_eq!(
            ClientSeed::new(""),
            Err(BadClientSeed::Length { max: 64, chars: 0 })
        );
        assert!(ClientSeed::new(&"x".repeat(65)).is_err());
    }

    #[test]
    fn a_bad_receipt_names_where() {
        let err = super::super::Receipt::from_json(r#"{"scheme": 1}"#).unwrap_err();
        assert_eq!(err.path.as_deref(), Some("scheme"));
        assert!(err.to_string().starts_with("scheme: "), "{err}");
        let whole = super::super::Receipt::from_json("not json").unwrap_err();
        assert_eq!(whole.path, None);
    }
}
