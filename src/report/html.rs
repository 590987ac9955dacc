//! The report as one self-contained HTML page, ready to send or print: the
//! totals, the tables and the earnings over time as an inline SVG bar
//! chart. No script, no font, no image, nothing fetched: the page's own
//! Content-Security-Policy forbids every request. Plain SVG rather than a
//! plotting crate: the chart is two series of bars with a few labels, and
//! writing it out keeps the page byte-for-byte stable and free of font
//! machinery (plotters' SVG text layout wants a font backend).

use std::fmt::Write;

use super::{Report, span, time_of_day};

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 36.0;
/// At most this many time labels under the chart.
const LABELS: usize = 12;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:800px;color:#111;background:#fff}\
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.1em;margin-top:1.6em;border-bottom:1px solid #999}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.2em .5em;border-bottom:1px solid #ddd}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
.totals{display:grid;grid-template-columns:repeat(4,1fr);gap:.5em}.totals div{border:1px solid #999;padding:.5em}\
.totals b{display:block;font-size:1.4em}svg{width:100%;height:auto}\
.earned{fill:#1b6ca8}.refunded{fill:url(#hatch);stroke:#b5451b;stroke-width:1}\
.axis{stroke:#333}.grid{stroke:#ccc}svg text{font-size:11px;fill:#333}\
@media print{body{margin:0}}";

/// The page.
pub fn render(report: &Report) -> String {
    let b = &report.broadcast;
    let t = &report.totals;
    let mut out = String::with_capacity(16 * 1024);
    let title = format!("Broadcast {} of room {}", b.id, esc(b.room.as_str()));
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><style>{STYLE}</style></head><body>\n<h1>{title}</h1><p>{}</p>\n",
        esc(&span(report))
    );
    out.push_str("<section class=\"totals\" id=\"totals\">");
    for (label, value) in [
        ("earned", t.earned),
        ("refunded", t.refunded),
        ("in escrow", t.escrow),
        ("bought", t.bought),
        ("items", t.items),
        ("viewers who paid", t.viewers),
        ("points earned", t.points_earned),
    ] {
        let _ = write!(out, "<div>{label}<b>{value}</b></div>");
    }
    out.push_str("</section>\n");
    let _ = writeln!(
        out,
        "<h2>Earned and refunded per {} minutes</h2>",
        report.bucket_secs / 60
    );
    chart(&mut out, report);

    table(
        &mut out,
        "Refunds by reason",
        (&["reason", "items", "tokens"], 1),
        report
            .refunds
            .iter()
            .map(|l| vec![l.reason.clone(), l.items.to_string(), l.tokens.to_string()]),
    );
    table(
        &mut out,
        "Items by source and state",
        (&["source", "state", "items", "tokens"], 2),
        report.items.iter().map(|l| {
            let counts = [l.items.to_string(), l.tokens.to_string()];
            [l.source.clone(), l.state.clone()]
                .into_iter()
                .chain(counts)
                .collect()
        }),
    );
    table(
        &mut out,
        "Top items",
        (&["item", "source", "items", "tokens", "earned"], 2),
        report.top_items.iter().map(|l| {
            let counts = [l.items, l.tokens, l.earned].map(|n| n.to_string());
            [l.title.clone(), l.source.clone()]
                .into_iter()
                .chain(counts)
                .collect()
        }),
    );
    if !report.spins.is_empty() {
        table(
            &mut out,
            "Spins by game and tier",
            (&["game", "tier", "spins", "tokens"], 2),
            report.spins.iter().map(|l| {
                let counts = [l.spins.to_string(), l.tokens.to_string()];
                [l.game.clone(), l.tier.to_string()]
                    .into_iter()
                    .chain(counts)
                    .collect()
            }),
        );
        table(
            &mut out,
            "Top prizes",
            (&["prize", "game", "spins"], 2),
            report
                .prizes
                .iter()
                .map(|l| vec![l.title.clone(), l.game.clone(), l.spins.to_string()]),
        );
    }
    if !report.tips.is_empty() {
        table(
            &mut out,
            &format!(
                "Tips by level (the toy ran {} s)",
                report.totals.toy_seconds
            ),
            (&["level", "tips", "tokens", "earned", "toy seconds"], 1),
            report.tips.iter().map(|l| {
                let counts = [l.tips, l.tokens, l.earned, l.toy_seconds].map(|n| n.to_string());
                std::iter::once(l.level.clone()).chain(counts).collect()
            }),
        );
    }
    let _ = write!(
        out,
        "<footer><p>As of {} UTC. Made by cuedeck.</p></footer>\n</body></html>\n",
        super::minute(report.as_of)
    );
    out
}

/// A table whose cells are escaped; the columns after the first `words`
/// hold numbers and are right-aligned.
fn table(
    out: &mut String,
    heading: &str,
    (head, words): (&[&str], usize),
    rows: impl Iterator<Item = Vec<String>>,
) {
    let class = |column: usize| if column < words { "" } else { " class=\"n\"" };
    let _ = write!(out, "<h2>{heading}</h2><table><thead><tr>");
    for (column, h) in head.iter().enumerate() {
        let _ = write!(out, "<th{}>{h}</th>", class(column));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (column, cell) in row.iter().enumerate() {
            let _ = write!(out, "<td{}>{}</td>", class(column), esc(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

/// Two bars per bucket: earned (solid) and refunded (hatched and outlined,
/// so the two differ without colour). Each bar carries its figures in a
/// `<title>` and in `data-` attributes.
fn chart(out: &mut String, report: &Report) {
    let n = report.buckets.len().max(1);
    let highest = report
        .buckets
        .iter()
        .map(|b| b.earned.max(b.refunded))
        .max()
        .unwrap_or(0);
    let step = round_step(highest.div_ceil(4).max(1));
    let top = step * 4;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / n as f64;
    let bar_w = (slot * 0.4).max(1.0);
    let y = |v: u64| TOP + plot_h - plot_h * v as f64 / top as f64;
    let _ = write!(
        out,
        "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" \
aria-label=\"Tokens earned and refunded per {} minutes\">\
<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
<rect width=\"6\" height=\"6\" fill=\"#fff\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#b5451b\" stroke-width=\"3\"/></pattern></defs>",
        report.bucket_secs / 60
    );
    for line in 0..=4u64 {
        let value = step * line;
        let at = y(value);
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{at:.1}\" y2=\"{at:.1}\"/>\
<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{value}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            at + 4.0
        );
    }
    let every = n.div_ceil(LABELS);
    for (i, bucket) in report.buckets.iter().enumerate() {
        let x0 = LEFT + slot * i as f64 + (slot - 2.0 * bar_w) / 2.0;
        let when = time_of_day(bucket.start);
        for (class, value, x) in [
            ("earned", bucket.earned, x0),
            ("refunded", bucket.refunded, x0 + bar_w),
        ] {
            if value == 0 {
                continue;
            }
            let top_y = y(value);
            let _ = write!(
                out,
                "<rect class=\"bar {class}\" data-bucket=\"{i}\" data-tokens=\"{value}\" x=\"{x:.1}\" y=\"{top_y:.1}\" \
width=\"{bar_w:.1}\" height=\"{:.1}\"><title>{when} {class} {value}</title></rect>",
                TOP + plot_h - top_y
            );
        }
        if i % every == 0 {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{when}</text>",
                LEFT + slot * (i as f64 + 0.5),
                HEIGHT - BOTTOM + 16.0
            );
        }
    }
    let base = TOP + plot_h;
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{base:.1}\" y2=\"{base:.1}\"/>\
<rect class=\"earned\" x=\"{LEFT}\" y=\"{:.1}\" width=\"12\" height=\"10\"/><text x=\"{:.1}\" y=\"{:.1}\">earned (solid)</text>\
<rect class=\"refunded\" x=\"{:.1}\" y=\"{:.1}\" width=\"12\" height=\"10\"/><text x=\"{:.1}\" y=\"{:.1}\">refunded (hatched)</text>\
</svg>",
        WIDTH - RIGHT,
        HEIGHT - 12.0,
        LEFT + 16.0,
        HEIGHT - 3.0,
        LEFT + 130.0,
        HEIGHT - 12.0,
        LEFT + 146.0,
        HEIGHT - 3.0,
    );
}

/// The smallest 1, 2 or 5 times a power of ten that is at least `at_least`,
/// so the axis reads 0, 50, 100, 150, 200 rather than 0, 28, 57, 86, 115.
fn round_step(at_least: u64) -> u64 {
    let mut power = 1u64;
    loop {
        for factor in [1, 2, 5] {
            let step = power.saturating_mul(factor);
            if step >= at_least {
                return step;
            }
        }
        power = power.saturating_mul(10);
    }
}

/// Text for HTML: titles and names come from viewers and performers.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn axis_steps_are_round() {
        let steps: Vec<u64> = [1, 3, 29, 50, 51, 4_000_001]
            .into_iter()
            .map(super::round_step)
            .collect();
        assert_eq!(steps, [1, 5, 50, 50, 100, 5_000_000]);
    }

    #[test]
    fn text_from_outside_is_escaped() {
        assert_eq!(
            super::esc("<b>\"a\" & 'b'</b>"),
            "&lt;b&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/b&gt;"
        );
    }
}
