//! Prices: integers only, computed by the server, never sent by a client.

/// The largest multiplier a menu may have, in percent.
pub const MAX_MULTIPLIER: u16 = 150;

/// What an item costs at `multiplier` percent: round-half-up(base * m / 100),
/// in integer arithmetic (no floats near money).
pub fn price(base: u64, multiplier: u16) -> u64 {
    let scaled = u128::from(base) * u128::from(multiplier);
    u64::try_from((scaled + 50) / 100).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_up_at_the_edges() {
        // 0 %: everything is free (and so cannot be bought; see MENUS.md).
        assert_eq!(price(1, 0), 0);
        assert_eq!(price(99_999, 0), 0);
        // 100 %: the base.
        assert_eq!(price(37, 100), 37);
        // 50 %: halves round up.
        assert_eq!(price(1, 50), 1);
        assert_eq!(price(2, 50), 1);
        assert_eq!(price(3, 50), 2);
        assert_eq!(price(25, 50), 13);
        // 150 %: halves round up.
        assert_eq!(price(1, 150), 2);
        assert_eq!(price(3, 150), 5);
        assert_eq!(price(4, 150), 6);
        assert_eq!(price(33, 150), 50);
        // Just below and above a half.
        assert_eq!(price(149, 1), 1); // 1.49
        assert_eq!(price(150, 1), 2); // 1.50
        assert_eq!(price(49, 1), 0); // 0.49
        assert_eq!(price(50, 1), 1); // 0.50
    }

    #[test]
    fn agrees_with_exact_rational_rounding() {
        for base in 0..=400u64 {
            for m in 0..=MAX_MULTIPLIER {
                let exact_times_100 = base * u64::from(m);
                let floor = exact_times_100 / 100;
                let rest = exact_times_100 % 100;
                let expected = if rest >= 50 { floor + 1 } else { floor };
                assert_eq!(price(base, m), expected, "{base} at {m} %");
            }
        }
    }
}
