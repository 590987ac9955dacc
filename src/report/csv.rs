//! The report as one CSV table for a spreadsheet: every figure is a row
//! `section,name,detail,count,tokens` (empty cells where a figure has no
//! such part), written with the `csv` crate so titles with commas or
//! quotes come back as they were.

use super::Report;

pub const HEADER: [&str; 5] = ["section", "name", "detail", "count", "tokens"];

pub fn render(report: &Report) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    let b = &report.broadcast;
    let t = &report.totals;
    let mut row =
        |section: &str, name: &str, detail: &str, count: Option<u64>, tokens: Option<u64>| {
            let count = count.map(|n| n.to_string()).unwrap_or_default();
            let tokens = tokens.map(|n| n.to_string()).unwrap_or_default();
            w.write_record([section, name, detail, count.as_str(), tokens.as_str()])
        };
    row("broadcast", "id", &b.id.to_string(), None, None)?;
    row("broadcast", "room", b.room.as_str(), None, None)?;
    row(
        "broadcast",
        "started_at",
        &b.started_at.to_string(),
        None,
        None,
    )?;
    let ended = b.ended_at.map(|e| e.to_string()).unwrap_or_default();
    row("broadcast", "ended_at", &ended, None, None)?;
    row("broadcast", "as_of", &report.as_of.to_string(), None, None)?;
    row("totals", "bought", "", Some(t.items), Some(t.bought))?;
    row("totals", "earned", "", None, Some(t.earned))?;
    row("totals", "refunded", "", None, Some(t.refunded))?;
    row("totals", "escrow", "", None, Some(t.escrow))?;
    row("totals", "viewers", "", Some(t.viewers), None)?;
    row("totals", "points_earned", "", Some(t.points_earned), None)?;
    for line in &report.refunds {
        row(
            "refunds",
            &line.reason,
            "",
            Some(line.items),
            Some(line.tokens),
        )?;
    }
    for line in &report.items {
        row(
            "items",
            &line.source,
            &line.state,
            Some(line.items),
            Some(line.tokens),
        )?;
    }
    for line in &report.top_items {
        row(
            "top_items",
            &line.title,
            &line.source,
            Some(line.items),
            Some(line.earned),
        )?;
    }
    for line in &report.spins {
        let tier = line.tier.to_string();
        row(
            "spins",
            &line.game,
            &tier,
            Some(line.spins),
            Some(line.tokens),
        )?;
    }
    for line in &report.prizes {
        let detail = format!("{}#{}", line.game, line.prize_id);
        row("prizes", &line.title, &detail, Some(line.spins), None)?;
    }
    row("totals", "toy_seconds", "", Some(t.toy_seconds), None)?;
    for line in &report.tips {
        let toy = format!("toy {} s", line.toy_seconds);
        row(
            "tips",
            &line.level,
            &toy,
            Some(line.tips),
            Some(line.tokens),
        )?;
    }
    for bucket in &report.buckets {
        let start = bucket.start.to_string();
        row("earned", &start, "", None, Some(bucket.earned))?;
        row("refunded", &start, "", None, Some(bucket.refunded))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
