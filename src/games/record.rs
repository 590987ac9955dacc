//! A spin's audit record: what the draw used and gave, without the server
//! seed and the canonical text (both are kept once per seed and per
//! configuration version). It is stored in the same commit as the spin's
//! intake (`store::Attachment::Spin`), and with those two it becomes the
//! viewer's [`Receipt`].

use serde::{Deserialize, Serialize};

use super::config::GameKind;
use super::fairness::{SCHEME, Word};
use super::game::Draw;
use super::receipt::{Receipt, ReceiptDraw, ReceiptPrize};
use crate::domain::time::Stamp;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SpinRecord {
    pub spin_id: String,
    /// The server's stamp of the spin: the stamp of its intake.
    #[serde(default)]
    pub spun_at: Stamp,
    pub game: GameKind,
    pub room: String,
    /// From 1.
    pub tier: u8,
    pub cost: u64,
    pub client_seed: String,
    pub nonce: u64,
    /// SHA-256 of the server seed, hex.
    pub commitment: String,
    /// The configuration version the draw used, and its hash.
    pub config_version: u64,
    pub config_hash: String,
    pub total: u32,
    pub words: Vec<Word>,
    pub value: u32,
    pub prize_id: u32,
    pub prize_rank: u8,
}

impl SpinRecord {
    pub fn of(
        draw: &Draw,
        room: &str,
        spin_id: &str,
        config_version: u64,
        spun_at: Stamp,
    ) -> SpinRecord {
        SpinRecord {
            spin_id: spin_id.to_string(),
            spun_at,
            game: draw.game,
            room: room.to_string(),
            tier: draw.tier,
            cost: draw.cost,
            client_seed: draw.client_seed.as_str().to_string(),
            nonce: draw.nonce,
            commitment: draw.commitment.clone(),
            config_version,
            config_hash: draw.config_hash.to_string(),
            total: draw.total,
            words: draw.roll.words.clone(),
            value: draw.roll.value,
            prize_id: draw.prize.id,
            prize_rank: draw.prize.rank,
        }
    }

    /// The viewer's receipt: the record with the configuration's canonical
    /// text and the prize's title, and the seed once it is revealed.
    pub fn receipt(
        &self,
        canonical_config: &str,
        prize_title: &str,
        server_seed: Option<String>,
    ) -> Receipt {
        Receipt {
            scheme: SCHEME.into(),
            game: self.game,
            room: self.room.clone(),
            spin_id: self.spin_id.clone(),
            spun_at: Some(self.spun_at),
            tier: self.tier,
            cost: self.cost,
            client_seed: self.client_seed.clone(),
            nonce: self.nonce,
            server_seed_commitment: self.commitment.clone(),
            server_seed,
            config_hash: self.config_hash.clone(),
            config_version: Some(self.config_version),
            canonical_config: canonical_config.to_string(),
            draw: ReceiptDraw {
                total: self.total,
                words: self.words.clone(),
                value: self.value,
            },
            prize: ReceiptPrize {
                id: self.prize_id,
                title: prize_title.to_string(),
                rank: self.prize_rank,
            },
        }
    }
}
