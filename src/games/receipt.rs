//! A spin's receipt: everything needed to recompute the spin except the
//! server seed, which is published when the performer rotates it.

use serde::{Deserialize, Serialize};

use super::config::GameKind;
use super::error::BadReceipt;
use super::fairness::Word;
use crate::domain::time::Stamp;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Receipt {
    /// `cuedeck-fair-v1`.
    pub scheme: String,
    pub game: GameKind,
    pub room: String,
    pub spin_id: String,
    /// The server's stamp of the spin (µs since the epoch). Absent only in
    /// receipts saved before the server stamped them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spun_at: Option<Stamp>,
    /// From 1.
    pub tier: u8,
    /// Tokens the spin cost.
    pub cost: u64,
    pub client_seed: String,
    pub nonce: u64,
    /// SHA-256 of the server seed's 32 bytes, lowercase hex.
    pub server_seed_commitment: String,
    /// The seed once revealed (lowercase hex); absent until the rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_seed: Option<String>,
    /// SHA-256 of `canonicalConfig`'s UTF-8 bytes, lowercase hex.
    pub config_hash: String,
    /// The configuration version the draw used: the canonical text's
    /// `version`. Absent only in receipts saved before it was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_version: Option<u64>,
    /// The game's canonical configuration, exactly as hashed.
    pub canonical_config: String,
    pub draw: ReceiptDraw,
    pub prize: ReceiptPrize,
}

/// The raw draw: the tier's total weight, every word read (rejected ones
/// first, the accepted one last) and the uniform value in `[0, total)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReceiptDraw {
    pub total: u32,
    pub words: Vec<Word>,
    pub value: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReceiptPrize {
    pub id: u32,
    pub title: String,
    pub rank: u8,
}

impl Receipt {
    pub fn to_json_pretty(&self) -> String {
        // Strings and integers only: serialization cannot fail.
        serde_json::to_string_pretty(self).expect("a receipt serializes")
    }

    /// Parse a receipt; a shape error names the field (`draw.words[0].value`).
    pub fn from_json(text: &str) -> Result<Receipt, BadReceipt> {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            BadReceipt {
                path: (path != ".").then_some(path),
                problem: e.into_inner().to_string(),
            }
        })
    }
}
