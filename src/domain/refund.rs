//! Refund reasons (the contract's taxonomy) and the rules for a refund request.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    Goodwill,
    Dispute,
    /// The user left, or the broadcast ended, before the item was performed.
    SystemAuto,
    Moderation,
    /// Needs a note.
    Other,
}

impl RefundReason {
    pub const ALL: [RefundReason; 5] = [
        RefundReason::Goodwill,
        RefundReason::Dispute,
        RefundReason::SystemAuto,
        RefundReason::Moderation,
        RefundReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RefundReason::Goodwill => "goodwill",
            RefundReason::Dispute => "dispute",
            RefundReason::SystemAuto => "system_auto",
            RefundReason::Moderation => "moderation",
            RefundReason::Other => "other",
        }
    }
}

impl fmt::Display for RefundReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const MAX_NOTE_CHARS: usize = 500;

/// Check a refund of `amount` (None = in full) on an item of `cost` tokens,
/// and return the amount to refund.
///
/// Paid items refund 1..=cost. A free item (admin/system) can only be
/// cancelled with amount 0, so the performer can still remove it.
pub fn check_refund(
    cost: u64,
    amount: Option<u64>,
    reason: RefundReason,
    note: Option<&str>,
) -> Result<u64, DomainError> {
    let amount = amount.unwrap_or(cost);
    if cost == 0 && amount != 0 {
        return Err(DomainError::invalid(
            "amount",
            "this item cost nothing; only 0 can be refunded",
        ));
    }
    if cost > 0 && !(1..=cost).contains(&amount) {
        return Err(DomainError::invalid(
            "amount",
            format!("{amount} is outside 1..={cost} (the item's cost)"),
        ));
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if reason == RefundReason::Other && note.is_none() {
        return Err(DomainError::invalid(
            "note",
            "a refund for reason \"other\" needs a note",
        ));
    }
    if let Some(note) = note {
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(DomainError::invalid(
                "note",
                format!("at most {MAX_NOTE_CHARS} characters"),
            ));
        }
        if note.chars().any(char::is_control) {
            return Err(DomainError::invalid(
                "note",
                "must not contain control characters",
            ));
        }
    }
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(check_refund(50, None, RefundReason::Goodwill, None), Ok(50));
        assert_eq!(
            check_refund(50, Some(1), RefundReason::Dispute, None),
            Ok(1)
        );
        assert_eq!(
            check_refund(50, Some(50), RefundReason::Moderation, None),
            Ok(50)
        );
        for bad in [0, 51, u64::MAX] {
            let err = check_refund(50, Some(bad), RefundReason::Goodwill, None).unwrap_err();
            assert_eq!(err.field(), Some("amount"));
        }
    }

    #[test]
    fn free_items_cancel_with_zero() {
        assert_eq!(check_refund(0, None, RefundReason::Goodwill, None), Ok(0));
        assert!(check_refund(0, Some(1), RefundReason::Goodwill, None).is_err());
    }

    #[test]
    fn other_needs_a_note() {
        let err = check_refund(10, None, RefundReason::Other, None).unwrap_err();
        assert_eq!(err.field(), Some("note"));
        let err = check_refund(10, None, RefundReason::Other, Some("   ")).unwrap_err();
        assert_eq!(err.field(), Some("note"));
        assert_eq!(
            check_refund(10, None, RefundReason::Other, Some("stream crashed")),
            Ok(10)
        );
        let long = "x".repeat(MAX_NOTE_CHARS + 1);
        assert!(check_refund(10, None, RefundReason::Goodwill, Some(&long)).is_err());
    }

    #[test]
    fn reasons_round_trip_as_snake_case() {
        for reason in RefundReason::ALL {
            let json = serde_json::to_string(&reason).unwrap();
            assert_eq!(json, format!("\"{}\"", reason.as_str()));
            assert_eq!(serde_json::from_str::<RefundReason>(&json).unwrap(), reason);
        }
    }
}
