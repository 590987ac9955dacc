//! The report as plain text for a terminal or a mail: aligned columns,
//! and the earnings over time as rows of `#` (earned) and `x` (refunded),
//! so nothing depends on colour.

use std::fmt::Write;

use super::{Report, span};

/// The widest bar of the chart, in characters.
const BAR: u64 = 40;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let t = &report.totals;
    let _ = writeln!(
        out,
        "Broadcast {} of room {}: {}",
        report.broadcast.id,
        report.broadcast.room,
        span(report)
    );
    let _ = writeln!(
        out,
        "\nTokens: {} bought, {} earned, {} refunded, {} in escrow",
        t.bought, t.earned, t.refunded, t.escrow
    );
    let _ = writeln!(
        out,
        "Items: {}; viewers who paid: {}; points earned: {}",
        t.items, t.viewers, t.points_earned
    );
    out.push_str("\nRefunds by reason\n");
    for line in &report.refunds {
        let _ = writeln!(
            out,
            "  {:<12} {:>6} items {:>10} tokens",
            line.reason, line.items, line.tokens
        );
    }
    out.push_str("\nItems by source and state\n");
    for line in &report.items {
        let _ = writeln!(
            out,
            "  {:<12} {:<12} {:>6} items {:>10} tokens",
            line.source, line.state, line.items, line.tokens
        );
    }
    out.push_str("\nTop items\n");
    for (rank, line) in report.top_items.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {:>2}. {} ({}): {} items, earned {} of {} tokens",
            rank + 1,
            line.title,
            line.source,
            line.items,
            line.earned,
            line.tokens
        );
    }
    if !report.spins.is_empty() {
        out.push_str("\nSpins by game and tier\n");
        for line in &report.spins {
            let _ = writeln!(
                out,
                "  {:<12} tier {:<3} {:>6} spins {:>10} tokens",
                line.game, line.tier, line.spins, line.tokens
            );
        }
        out.push_str("\nTop prizes\n");
        for line in &report.prizes {
            let _ = writeln!(
                out,
                "  {:<12} #{:<3} {}: {} spins",
                line.game, line.prize_id, line.title, line.spins
            );
        }
    }
    if !report.tips.is_empty() {
        let _ = writeln!(
            out,
            "\nTips by level (the toy ran {} s)",
            report.totals.toy_seconds
        );
        for line in &report.tips {
            let _ = writeln!(
                out,
                "  {:<12} {:>6} tips {:>10} tokens, earned {}, toy {} s",
                line.level, line.tips, line.tokens, line.earned, line.toy_seconds
            );
        }
    }
    let _ = writeln!(
        out,
        "\nEarned (#) and refunded (x) per {} minutes",
        report.bucket_secs / 60
    );
    let top = report
        .buckets
        .iter()
        .map(|b| b.earned.max(b.refunded))
        .max()
        .unwrap_or(0)
        .max(1);
    for bucket in &report.buckets {
        let bar = |n: u64| (n * BAR).div_ceil(top) as usize;
        let _ = writeln!(
            out,
            "  {} {:>8} {:>8}  {}{}",
            super::time_of_day(bucket.start),
            bucket.earned,
            bucket.refunded,
            "#".repeat(bar(bucket.earned)),
            if bucket.refunded > 0 {
                format!(" {}", "x".repeat(bar(bucket.refunded)))
            } else {
                String::new()
            }
        );
    }
    out
}
