//! Rows in, figures out: one pass over the broadcast's items.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    BUCKET_SECS, Broadcast, Bucket, ItemLine, ItemRow, PrizeLine, RefundLine, Report, SpinLine,
    TOP, TipLine, TopItem, Totals,
};
use crate::domain::{RefundReason, Stamp};

const BUCKET_US: i64 = BUCKET_SECS * 1_000_000;

/// The report of `broadcast` from its item rows, as of `now`.
pub fn compute(broadcast: Broadcast, rows: &[ItemRow], now: Stamp) -> Report {
    let mut totals = Totals::default();
    let mut viewers = BTreeSet::new();
    let mut refunds: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut items: BTreeMap<(&str, &str), (u64, u64)> = BTreeMap::new();
    let mut top: BTreeMap<(&str, &str), (u64, u64, u64)> = BTreeMap::new();
    let mut spins: BTreeMap<(&str, u32), (u64, u64)> = BTreeMap::new();
    let mut prizes: BTreeMap<(&str, i64), (&str, u64)> = BTreeMap::new();
    let mut by_bucket: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
    let mut tips: BTreeMap<&str, TipLine> = BTreeMap::new();

    for row in rows {
        totals.items += 1;
        totals.bought += row.token_cost;
        totals.earned += row.settled;
        totals.refunded += row.refunded;
        let open = row.state == "queued" || row.state == "in_progress";
        if open {
            totals.escrow += row.token_cost;
        }
        if row.state == "finished" {
            totals.points_earned += row.points;
        }
        if row.token_cost > 0 {
            viewers.insert(row.user.as_str());
        }
        if row.state == "refunded" {
            let reason = row.refund_reason.as_deref().unwrap_or("unknown");
            let line = refunds.entry(reason).or_default();
            line.0 += 1;
            line.1 += row.refunded;
        }
        let line = items
            .entry((row.source.as_str(), row.state.as_str()))
            .or_default();
        line.0 += 1;
        line.1 += row.token_cost;
        let line = top
            .entry((row.title.as_str(), row.source.as_str()))
            .or_default();
        line.0 += 1;
        line.1 += row.token_cost;
        line.2 += row.settled;
        if let Some(spin) = &row.spin {
            let line = spins.entry((spin.game.as_str(), spin.tier)).or_default();
            line.0 += 1;
            line.1 += row.token_cost;
            let prize = prizes
                .entry((spin.game.as_str(), spin.prize_id))
                .or_insert((row.title.as_str(), 0));
            prize.1 += 1;
        }
        if row.source == "tip" {
            let level = row.tip.as_ref().map_or("plain", |t| t.level.as_str());
            let line = tips.entry(level).or_insert_with(|| TipLine {
                level: level.into(),
                tips: 0,
                tokens: 0,
                earned: 0,
                toy_seconds: 0,
            });
            line.tips += 1;
            line.tokens += row.token_cost;
            line.earned += row.settled;
            // A toy tip settles only when the toy ran it to its end.
            if let (Some(tip), "finished") = (&row.tip, row.state.as_str()) {
                line.toy_seconds += tip.duration_ms / 1000;
                totals.toy_seconds += tip.duration_ms / 1000;
            }
        }
        if let Some(closed) = row.closed_at {
            let bucket = by_bucket.entry(bucket_of(&broadcast, closed)).or_default();
            bucket.0 += row.settled;
            bucket.1 += row.refunded;
        }
    }
    totals.viewers = viewers.len() as u64;

    // A live broadcast's report is as of now; an ended one's as of its
    // last fact, so it reads the same whenever it is asked for.
    let as_of = match broadcast.ended_at {
        None => now,
        Some(end) => rows
            .iter()
            .filter_map(|r| r.closed_at)
            .fold(end, Stamp::max),
    };
    let count = by_bucket
        .keys()
        .next_back()
        .copied()
        .unwrap_or(0)
        .max(bucket_of(&broadcast, as_of))
        + 1;
    let buckets = (0..count)
        .map(|i| {
            let (earned, refunded) = by_bucket.get(&i).copied().unwrap_or((0, 0));
            Bucket {
                start: Stamp(broadcast.started_at.0 + i as i64 * BUCKET_US),
                earned,
                refunded,
            }
        })
        .collect();

    Report {
        live: broadcast.live(),
        as_of,
        totals,
        refunds: refund_lines(refunds),
        items: items
            .into_iter()
            .map(|((source, state), (n, tokens))| ItemLine {
                source: source.into(),
                state: state.into(),
                items: n,
                tokens,
            })
            .collect(),
        top_items: top_items(top),
        spins: spins
            .into_iter()
            .map(|((game, tier), (n, tokens))| SpinLine {
                game: game.into(),
                tier,
                spins: n,
                tokens,
            })
            .collect(),
        prizes: top_prizes(prizes),
        tips: tips.into_values().collect(),
        bucket_secs: BUCKET_SECS,
        buckets,
        broadcast,
    }
}

/// The bucket a moment falls in; moments before the start count in the first.
fn bucket_of(broadcast: &Broadcast, at: Stamp) -> usize {
    ((at.0 - broadcast.started_at.0).max(0) / BUCKET_US) as usize
}

/// Every reason of the contract in its order, then any other the rows name.
fn refund_lines(mut found: BTreeMap<&str, (u64, u64)>) -> Vec<RefundLine> {
    let mut lines: Vec<RefundLine> = RefundReason::ALL
        .iter()
        .map(|reason| {
            let (items, tokens) = found.remove(reason.as_str()).unwrap_or((0, 0));
            RefundLine {
                reason: reason.as_str().into(),
                items,
                tokens,
            }
        })
        .collect();
    lines.extend(
        found
            .into_iter()
            .map(|(reason, (items, tokens))| RefundLine {
                reason: reason.into(),
                items,
                tokens,
            }),
    );
    lines
}

/// Most earned first; then most bought; then by title.
fn top_items(grouped: BTreeMap<(&str, &str), (u64, u64, u64)>) -> Vec<TopItem> {
    let mut lines: Vec<TopItem> = grouped
        .into_iter()
        .map(|((title, source), (items, tokens, earned))| TopItem {
            title: title.into(),
            source: source.into(),
            items,
            tokens,
            earned,
        })
        .collect();
    lines.sort_by(|a, b| {
        (b.earned, b.items, &a.title, &a.source).cmp(&(a.earned, a.items, &b.title, &b.source))
    });
    lines.truncate(TOP);
    lines
}

/// Most drawn first; then by game and prize id.
fn top_prizes(grouped: BTreeMap<(&str, i64), (&str, u64)>) -> Vec<PrizeLine> {
    let mut lines: Vec<PrizeLine> = grouped
        .into_iter()
        .map(|((game, prize_id), (title, spins))| PrizeLine {
            game: game.into(),
            prize_id,
            title: title.into(),
            spins,
        })
        .collect();
    lines.sort_by(|a, b| (b.spins, &a.game, a.prize_id).cmp(&(a.spins, &b.game, b.prize_id)));
    lines.truncate(TOP);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RoomId;
    use crate::report::SpinRow;

    const MIN: i64 = 60_000_000;

    fn row(item: u64, user: &str, state: &str, cost: u64, closed_min: Option<i64>) -> ItemRow {
        let (settled, refunded) = match state {
            "finished" => (cost, 0),
            "refunded" => (0, cost),
            _ => (0, 0),
        };
        ItemRow {
            item,
            user: user.into(),
            source: "chip_menu".into(),
            title: format!("t{}", item % 2),
            state: state.into(),
            token_cost: cost,
            settled,
            refunded,
            refund_reason: (state == "refunded").then(|| "goodwill".into()),
            closed_at: closed_min.map(|m| Stamp(m * MIN)),
            points: 2,
            spin: None,
            tip: None,
        }
    }

    #[test]
    fn figures_add_up_and_fall_in_their_buckets() {
        let broadcast = Broadcast {
            id: 1,
            room: RoomId::new("r1"),
            started_at: Stamp(0),
            ended_at: Some(Stamp(12 * MIN)),
        };
        let mut spun = row(4, "u3", "finished", 5, Some(11));
        spun.source = "spin_wheel".into();
        spun.spin = Some(SpinRow {
            game: "spin_wheel".into(),
            tier: 1,
            prize_id: 3,
        });
        let rows = vec![
            row(1, "u1", "finished", 10, Some(1)),
            row(2, "u2", "refunded", 20, Some(6)),
            row(3, "u1", "queued", 30, None),
            spun,
        ];
        let report = compute(broadcast, &rows, Stamp(20 * MIN));
        let t = &report.totals;
        assert_eq!(
            (t.items, t.bought, t.earned, t.refunded, t.escrow),
            (4, 65, 15, 20, 30)
        );
        assert_eq!(t.bought, t.earned + t.refunded + t.escrow);
        assert_eq!((t.viewers, t.points_earned), (3, 4));
        let buckets: Vec<(u64, u64)> = report
            .buckets
            .iter()
            .map(|b| (b.earned, b.refunded))
            .collect();
        assert_eq!(buckets, [(10, 0), (0, 20), (5, 0)]);
        assert_eq!(report.refunds[0].tokens, 20);
        assert_eq!(report.refunds.len(), 5);
        assert_eq!(report.spins[0].spins, 1);
        assert_eq!(report.prizes[0].prize_id, 3);
        assert_eq!(report.top_items[0].earned, 10);
        assert!(!report.live);
    }
}
