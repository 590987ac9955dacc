//! The double-entry ledger: integer amounts, every movement one transfer
//! between two accounts, conservation checked against what was minted.
//!
//! Balances are unsigned, so no account but the mint (whose balance is the
//! negative of everything minted, kept as `minted`) can go below zero: a debit
//! that would is refused before anything moves.

use serde::{Deserialize, Serialize};

type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use super::ids::{IdemKey, ItemId, PerformerId, UserId};

/// Which unit an account counts in. Points never mix with tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Tokens,
    Points,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Account {
    /// Where tokens bought outside the platform's scope come from.
    Mint,
    Wallet(UserId),
    /// One escrow per queue item.
    Escrow(ItemId),
    Earned(PerformerId),
    /// Where loyalty points come from (the program that issues them).
    PointsMint,
    Points(UserId),
    /// A performer's points to award viewers, granted by an admin.
    Allowance(PerformerId),
    /// Points paid for one queue item, held until it ends.
    PointsEscrow(ItemId),
    /// Where redeemed points go: spent for good.
    PointsSink,
}

impl Account {
    pub fn unit(&self) -> Unit {
        match self {
            Account::PointsMint
            | Account::Points(_)
            | Account::Allowance(_)
            | Account::PointsEscrow(_)
            | Account::PointsSink => Unit::Points,
            _ => Unit::Tokens,
        }
    }

    /// A stable text form, used as the account column in the store.
    pub fn key(&self) -> String {
        match self {
            Account::Mint => "mint".into(),
            Account::Wallet(u) => format!("wallet:{u}"),
            Account::Escrow(i) => format!("escrow:{}", i.0),
            Account::Earned(p) => format!("earned:{p}"),
            Account::PointsMint => "points_mint".into(),
            Account::Points(u) => format!("points:{u}"),
            Account::Allowance(p) => format!("allowance:{p}"),
            Account::PointsEscrow(i) => format!("points_escrow:{}", i.0),
            Account::PointsSink => "points_sink".into(),
        }
    }
}

/// Why money moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    /// Mint -> wallet (a top-up).
    Mint,
    /// Wallet -> escrow, at intake.
    Hold,
    /// Escrow -> earned, on Finish (or the rest of a partial refund).
    Settle,
    /// Escrow -> wallet.
    Refund,
    /// Points mint -> points, when an item settles.
    Points,
    /// Points mint -> points: an earn event of the platform.
    Earn,
    /// Points mint -> a performer's allowance.
    Grant,
    /// Allowance -> a viewer's points.
    Award,
    /// An operator's correction: points mint <-> a viewer's points.
    Adjust,
    /// Points escrow -> the sink, when an item paid in points finishes.
    Redeem,
}

impl TransferKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TransferKind::Mint => "mint",
            TransferKind::Hold => "hold",
            TransferKind::Settle => "settle",
            TransferKind::Refund => "refund",
            TransferKind::Points => "points",
            TransferKind::Earn => "earn",
            TransferKind::Grant => "grant",
            TransferKind::Award => "award",
            TransferKind::Adjust => "adjust",
            TransferKind::Redeem => "redeem",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    pub kind: TransferKind,
    pub from: Account,
    pub to: Account,
    pub amount: u64,
    pub item: Option<ItemId>,
    pub key: Option<IdemKey>,
}

/// A broken ledger rule, found by [`Ledger::check`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ledger invariant broken: {0}")]
pub struct InvariantViolation(pub String);

/// The most tokens that may exist in all, and the most points: 2^53 - 1,
/// the largest integer every JSON reader holds exactly. No balance, amount
/// or sum of balances can pass it, so each fits the store's signed 64-bit
/// integers with room to spare, and so does any running sum of postings in
/// the order they were made (each is a balance at some moment).
pub const MAX_SUPPLY: u64 = (1 << 53) - 1;

#[derive(Debug, Clone, Default)]
pub struct Ledger {
    wallets: HashMap<UserId, u64>,
    earned: HashMap<PerformerId, u64>,
    /// Open items' escrow; an account that is emptied goes.
    escrow: HashMap<ItemId, u64>,
    minted: u64,
    points: HashMap<UserId, u64>,
    points_minted: u64,
    allowances: HashMap<PerformerId, u64>,
    /// Open items' points escrow; an account that is emptied goes.
    points_escrow: HashMap<ItemId, u64>,
    points_sink: u64,
}

/// Add to a balance, opening it on first use. The key is cloned only then:
/// a clone is an atomic counter update, and nearly every account exists.
fn add_to<K: Clone + Eq + std::hash::Hash>(balances: &mut HashMap<K, u64>, key: &K, amount: u64) {
    match balances.get_mut(key) {
        Some(balance) => *balance += amount,
        None => {
            balances.insert(key.clone(), amount);
        }
    }
}

impl Ledger {
    pub fn balance(&self, account: &Account) -> i128 {
        match account {
            Account::Mint => -i128::from(self.minted),
            Account::Wallet(u) => self.wallets.get(u).copied().unwrap_or(0).into(),
            Account::Escrow(i) => self.escrow_of(*i).into(),
            Account::Earned(p) => self.earned.get(p).copied().unwrap_or(0).into(),
            Account::PointsMint => -i128::from(self.points_minted),
            Account::Points(u) => self.points.get(u).copied().unwrap_or(0).into(),
            Account::Allowance(p) => self.allowance(p).into(),
            Account::PointsEscrow(i) => self.points_escrow_of(*i).into(),
            Account::PointsSink => self.points_sink.into(),
        }
    }

    pub fn allowance(&self, performer: &PerformerId) -> u64 {
        self.allowances.get(performer).copied().unwrap_or(0)
    }

    pub fn points_escrow_of(&self, item: ItemId) -> u64 {
        self.points_escrow.get(&item).copied().unwrap_or(0)
    }

    /// Every point redeemed so far.
    pub fn points_redeemed(&self) -> u64 {
        self.points_sink
    }

    /// Every point issued and not taken back by an adjustment.
    pub fn points_minted(&self) -> u64 {
        self.points_minted
    }

    pub fn wallet(&self, user: &UserId) -> u64 {
        self.wallets.get(user).copied().unwrap_or(0)
    }

    pub fn earned(&self, performer: &PerformerId) -> u64 {
        self.earned.get(performer).copied().unwrap_or(0)
    }

    pub fn points(&self, user: &UserId) -> u64 {
        self.points.get(user).copied().unwrap_or(0)
    }

    pub fn escrow_of(&self, item: ItemId) -> u64 {
        self.escrow.get(&item).copied().unwrap_or(0)
    }

    pub fn total_minted(&self) -> u64 {
        self.minted
    }

    /// Whether `amount` more can be minted without passing [`MAX_SUPPLY`].
    pub fn can_mint(&self, unit: Unit, amount: u64) -> bool {
        let minted = match unit {
            Unit::Tokens => self.minted,
            Unit::Points => self.points_minted,
        };
        minted
            .checked_add(amount)
            .is_some_and(|total| total <= MAX_SUPPLY)
    }

    /// Whether `from` holds at least `amount` (the mints always do).
    pub fn covers(&self, from: &Account, amount: u64) -> bool {
        match from {
            Account::Mint | Account::PointsMint => true,
            other => self.balance(other) >= i128::from(amount),
        }
    }

    /// Apply one transfer. Both legs are checked before either moves, so a
    /// refused transfer leaves the ledger as it was.
    pub fn post(&mut self, t: &Transfer) -> Result<(), InvariantViolation> {
        if t.from.unit() != t.to.unit() {
            return Err(InvariantViolation(format!(
                "transfer between units: {} -> {}",
                t.from.key(),
                t.to.key()
            )));
        }
        let minting = matches!(t.from, Account::Mint | Account::PointsMint);
        if minting && !self.can_mint(t.from.unit(), t.amount) {
            return Err(InvariantViolation(format!(
                "minting {} would pass the supply limit",
                t.amount
            )));
        }
        // One lookup for the debit: check and subtract in place.
        let debited = match &t.from {
            Account::Mint => {
                self.minted += t.amount;
                true
            }
            Account::PointsMint => {
                self.points_minted += t.amount;
                true
            }
            Account::Wallet(u) => take(self.wallets.get_mut(u), t.amount),
            Account::Earned(p) => take(self.earned.get_mut(p), t.amount),
            Account::Points(u) => take(self.points.get_mut(u), t.amount),
            Account::Allowance(p) => take(self.allowances.get_mut(p), t.amount),
            Account::PointsSink => take(Some(&mut self.points_sink), t.amount),
            Account::PointsEscrow(i) => {
                let taken = take(self.points_escrow.get_mut(i), t.amount);
                if self.points_escrow.get(i) == Some(&0) {
                    self.points_escrow.remove(i);
                }
                taken
            }
            Account::Escrow(i) => {
                let taken = take(self.escrow.get_mut(i), t.amount);
                if self.escrow.get(i) == Some(&0) {
                    self.escrow.remove(i);
                }
                taken
            }
        };
        if !debited {
            return Err(InvariantViolation(format!(
                "{} cannot cover {}",
                t.from.key(),
                t.amount
            )));
        }
        self.credit(&t.to, t.amount);
        Ok(())
    }

    fn credit(&mut self, account: &Account, amount: u64) {
        match account {
            Account::Mint => self.minted -= amount,
            Account::PointsMint => self.points_minted -= amount,
            Account::Wallet(u) => add_to(&mut self.wallets, u, amount),
            Account::Earned(p) => add_to(&mut self.earned, p, amount),
            Account::Points(u) => add_to(&mut self.points, u, amount),
            Account::Escrow(i) => add_to(&mut self.escrow, i, amount),
            Account::Allowance(p) => add_to(&mut self.allowances, p, amount),
            Account::PointsEscrow(i) => add_to(&mut self.points_escrow, i, amount),
            Account::PointsSink => self.points_sink += amount,
        }
    }

    /// Conservation: every token and point in an account was minted, once.
    pub fn check(&self) -> Result<(), InvariantViolation> {
        let held: u128 = self.wallets.values().map(|&v| u128::from(v)).sum::<u128>()
            + self.escrow.values().map(|&v| u128::from(v)).sum::<u128>()
            + self.earned.values().map(|&v| u128::from(v)).sum::<u128>();
        if held != u128::from(self.minted) {
            return Err(InvariantViolation(format!(
                "tokens held {held} != tokens minted {}",
                self.minted
            )));
        }
        let points: u128 = self.points.values().map(|&v| u128::from(v)).sum::<u128>()
            + self
                .allowances
                .values()
                .map(|&v| u128::from(v))
                .sum::<u128>()
            + self
                .points_escrow
                .values()
                .map(|&v| u128::from(v))
                .sum::<u128>()
            + u128::from(self.points_sink);
        if points != u128::from(self.points_minted) {
            return Err(InvariantViolation(format!(
                "points held {points} != points minted {}",
                self.points_minted
            )));
        }
        Ok(())
    }

    /// Every non-zero balance of both units, for comparing two ledgers.
    pub fn token_balances(&self) -> Vec<(String, i128)> {
        let mut all: Vec<(String, i128)> = self
            .wallets
            .iter()
            .map(|(u, &v)| (Account::Wallet(u.clone()), v))
            .chain(
                self.earned
                    .iter()
                    .map(|(p, &v)| (Account::Earned(p.clone()), v)),
            )
            .chain(self.escrow.iter().map(|(&i, &v)| (Account::Escrow(i), v)))
            .chain(
                self.points
                    .iter()
                    .map(|(u, &v)| (Account::Points(u.clone()), v)),
            )
            .chain(
                self.allowances
                    .iter()
                    .map(|(p, &v)| (Account::Allowance(p.clone()), v)),
            )
            .chain(
                self.points_escrow
                    .iter()
                    .map(|(&i, &v)| (Account::PointsEscrow(i), v)),
            )
            .chain(std::iter::once((Account::PointsSink, self.points_sink)))
            .filter(|(_, v)| *v != 0)
            .map(|(a, v)| (a.key(), i128::from(v)))
            .collect();
        all.push(("mint".into(), -i128::from(self.minted)));
        all.push(("points_mint".into(), -i128::from(self.points_minted)));
        all.sort();
        all
    }
}

/// Subtract `amount` from `slot` if it holds enough; whether it did.
fn take(slot: Option<&mut u64>, amount: u64) -> bool {
    match slot {
        Some(balance) if *balance >= amount => {
            *balance -= amount;
            true
        }
        None if amount == 0 => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transfer(kind: TransferKind, from: Account, to: Account, amount: u64) -> Transfer {
        Transfer {
            kind,
            from,
            to,
            amount,
            item: None,
            key: None,
        }
    }

    #[test]
    fn a_transfer_moves_between_two_accounts_and_conserves() {
        let mut ledger = Ledger::default();
        let alice = Account::Wallet("alice".into());
        ledger
            .post(&transfer(
                TransferKind::Mint,
                Account::Mint,
                alice.clone(),
                100,
            ))
            .unwrap();
        ledger.check().unwrap();
        ledger
            .post(&transfer(
                TransferKind::Hold,
                alice.clone(),
                Account::Escrow(ItemId(1)),
                30,
            ))
            .unwrap();
        ledger.check().unwrap();
        assert_eq!(ledger.balance(&alice), 70);
        assert_eq!(ledger.balance(&Account::Escrow(ItemId(1))), 30);
        assert_eq!(ledger.balance(&Account::Mint), -100);
    }

    #[test]
    fn the_whole_supply_may_exist_and_move_but_not_one_more() {
        let mut ledger = Ledger::default();
        let alice = Account::Wallet("alice".into());
        let mint = |amount| transfer(TransferKind::Mint, Account::Mint, alice.clone(), amount);
        assert!(ledger.post(&mint(MAX_SUPPLY + 1)).is_err());
        ledger.post(&mint(MAX_SUPPLY)).unwrap();
        assert!(!ledger.can_mint(Unit::Tokens, 1));
        assert!(ledger.post(&mint(1)).is_err());
        assert!(ledger.can_mint(Unit::Points, MAX_SUPPLY));
        // Tokens that exist move freely, the whole supply at once included.
        let escrow = Account::Escrow(ItemId(1));
        let hold = transfer(
            TransferKind::Hold,
            alice.clone(),
            escrow.clone(),
            MAX_SUPPLY,
        );
        ledger.post(&hold).unwrap();
        assert_eq!(ledger.balance(&escrow), i128::from(MAX_SUPPLY));
        let back = transfer(
            TransferKind::Refund,
            escrow.clone(),
            alice.clone(),
            MAX_SUPPLY,
        );
        ledger.post(&back).unwrap();
        assert_eq!(ledger.balance(&escrow), 0);
        ledger.check().unwrap();
        assert!(
            MAX_SUPPLY < i64::MAX as u64 / 1000,
            "far from the store's limit"
        );
    }

    #[test]
    fn an_overdraft_is_refused_and_changes_nothing() {
        let mut ledger = Ledger::default();
        let alice = Account::Wallet("alice".into());
        ledger
            .post(&transfer(
                TransferKind::Mint,
                Account::Mint,
                alice.clone(),
                10,
            ))
            .unwrap();
        let before = ledger.token_balances();
        let err = ledger.post(&transfer(
            TransferKind::Hold,
            alice,
            Account::Escrow(ItemId(1)),
            11,
        ));
        assert!(err.is_err());
        assert_eq!(ledger.token_balances(), before);
        ledger.check().unwrap();
    }

    #[test]
    fn points_and_tokens_never_mix() {
        let mut ledger = Ledger::default();
        let err = ledger.post(&transfer(
            TransferKind::Points,
            Account::PointsMint,
            Account::Wallet("a".into()),
            5,
        ));
        assert!(err.is_err());
        ledger
            .post(&transfer(
                TransferKind::Points,
                Account::PointsMint,
                Account::Points("a".into()),
                5,
            ))
            .unwrap();
        assert_eq!(ledger.points(&"a".into()), 5);
        ledger.check().unwrap();
    }
}
