//! Drawing the report screen: three tables (totals, refunds by reason, top
//! items) over a chart of earnings and refunds per bucket. Earned and
//! refunded bars differ by glyph (`█` and `•`), named in the chart's title,
//! so the chart reads the same without colour. The title is the legend: a
//! legend box inside the plot would hide its top-right bars.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Clear, Dataset, GraphType, Paragraph, Wrap};

use super::ReportScreen;
use crate::console::app::App;
use crate::console::fit::ellipsize;
use crate::console::theme::Theme;
use crate::console::widgets::{block, fg};
use crate::domain::Stamp;
use crate::report::{Report, span, time_of_day};

/// The fewest buckets the chart's axis spans (an hour of 5-minute buckets).
const MIN_SLOTS: usize = 12;

pub fn draw(frame: &mut Frame, app: &App, screen: &ReportScreen, area: Rect) {
    let t = &app.theme;
    frame.render_widget(Clear, area);
    let outer = block(title(screen), t);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let Some(report) = &screen.report else {
        let text = match (&screen.error, screen.loading) {
            (Some(error), _) => format!("The report could not be read: {error}"),
            (None, true) => "Asking the server for the report…".to_string(),
            (None, false) => "This room has had no broadcast yet.".to_string(),
        };
        let style = if screen.error.is_some() {
            fg(t.error)
        } else {
            fg(t.dim)
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, style)).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    };
    let tall = inner.height >= 30;
    // The totals' seven figures always; all the top items when tall.
    let top_rows = if tall {
        report.top_items.len().max(7)
    } else {
        7
    };
    let [heading, tables, chart] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(top_rows as u16 + 1),
        Constraint::Min(6),
    ])
    .areas(inner);
    draw_heading(frame, t, screen, report, heading);
    let wide = inner.width >= 120;
    let [totals, refunds, items] = Layout::horizontal([
        Constraint::Length(if wide { 30 } else { 22 }),
        Constraint::Length(if wide { 34 } else { 26 }),
        Constraint::Min(20),
    ])
    .spacing(1)
    .areas(tables);
    draw_totals(frame, t, report, totals);
    draw_refunds(frame, t, report, refunds);
    draw_top_items(frame, t, report, items, wide);
    draw_chart(frame, t, report, chart);
}

fn title(screen: &ReportScreen) -> String {
    match screen.shown() {
        Some(shown) => format!(
            " Report · broadcast #{} ({} of {}) ",
            shown.id,
            screen.index + 1,
            screen.broadcasts.len()
        ),
        None => " Report ".to_string(),
    }
}

fn bold(theme: &Theme) -> Style {
    fg(theme.header).add_modifier(Modifier::BOLD)
}

fn draw_heading(frame: &mut Frame, t: &Theme, screen: &ReportScreen, report: &Report, area: Rect) {
    let mut spans = vec![Span::styled(span(report), fg(t.text))];
    if screen.loading {
        spans.push(Span::styled(" · reloading…", fg(t.dim)));
    }
    if let Some(error) = &screen.error {
        spans.push(Span::styled(format!(" · {error}"), fg(t.error)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A label and a right-aligned figure filling `width` (a space between
/// them at least, when the column is too narrow).
fn figure<'a>(t: &Theme, label: &str, value: String, width: usize) -> Line<'a> {
    let pad = width
        .saturating_sub(label.chars().count() + value.chars().count())
        .max(1);
    Line::from(vec![
        Span::styled(format!("{label}{}", " ".repeat(pad)), fg(t.dim)),
        Span::styled(value, fg(t.text)),
    ])
}

fn draw_totals(frame: &mut Frame, t: &Theme, report: &Report, area: Rect) {
    let w = area.width as usize;
    let totals = &report.totals;
    let lines = vec![
        Line::from(Span::styled("Totals", bold(t))),
        figure(t, "bought", format!("{} tk", totals.bought), w),
        figure(t, "earned", format!("{} tk", totals.earned), w),
        figure(t, "refunded", format!("{} tk", totals.refunded), w),
        figure(t, "in escrow", format!("{} tk", totals.escrow), w),
        figure(t, "items", totals.items.to_string(), w),
        figure(t, "viewers who paid", totals.viewers.to_string(), w),
        figure(t, "points earned", totals.points_earned.to_string(), w),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_refunds(frame: &mut Frame, t: &Theme, report: &Report, area: Rect) {
    let w = area.width as usize;
    let mut lines = vec![Line::from(Span::styled("Refunds by reason", bold(t)))];
    for line in &report.refunds {
        let value = format!("{} × {:>5} tk", line.items, line.tokens);
        lines.push(figure(t, &line.reason, value, w));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_top_items(frame: &mut Frame, t: &Theme, report: &Report, area: Rect, wide: bool) {
    let w = area.width as usize;
    let mut lines = vec![Line::from(Span::styled("Top items (earned)", bold(t)))];
    if report.top_items.is_empty() {
        lines.push(Line::from(Span::styled("none yet", fg(t.dim))));
    }
    for top in &report.top_items {
        let value = format!("{:>3} × {:>6} tk", top.items, top.earned);
        let name = if wide {
            format!("{} · {}", top.title, top.source)
        } else {
            top.title.clone()
        };
        let room = w.saturating_sub(value.chars().count() + 1);
        lines.push(figure(t, &ellipsize(&name, room), value, w));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The x positions of one bar: `share` of a bucket from `from` (in bucket
/// units), three points a column so no column of the bar is skipped
/// whatever the plot's exact width.
fn bar_xs(from: f64, share: f64, columns_per_bucket: f64) -> Vec<f64> {
    let points = (columns_per_bucket * share * 3.0).ceil().max(1.0);
    let step = share / points;
    (0..points as usize)
        .map(|n| from + step * (n as f64 + 0.5))
        .collect()
}

fn draw_chart(frame: &mut Frame, t: &Theme, report: &Report, area: Rect) {
    let minutes = report.bucket_secs / 60;
    let chart_block = block(
        format!(" █ earned and • refunded per {minutes} min (tokens) "),
        t,
    );
    let buckets = &report.buckets;
    if buckets.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("nothing earned or refunded yet", fg(t.dim)))
                .block(chart_block),
            area,
        );
        return;
    }
    // A short show still reads as time: the axis spans an hour at least.
    let n = buckets.len();
    let slots = n.max(MIN_SLOTS);
    let peak = buckets
        .iter()
        .map(|b| b.earned.max(b.refunded))
        .max()
        .unwrap_or(0)
        .max(1);
    // The plot is the block's inside less the y labels' width.
    let label_width = peak.to_string().len() as f64 + 1.0;
    let columns_per_bucket =
        (f64::from(area.width).max(label_width + 3.0) - label_width - 3.0) / slots as f64;
    let bars = |value: fn(&crate::report::Bucket) -> u64, from: f64| -> Vec<(f64, f64)> {
        buckets
            .iter()
            .enumerate()
            .filter(|(_, b)| value(b) > 0)
            .flat_map(|(i, b)| {
                bar_xs(i as f64 + from, 0.4, columns_per_bucket)
                    .into_iter()
                    .map(move |x| (x, value(b) as f64))
            })
            .collect()
    };
    let earned = bars(|b| b.earned, 0.1);
    let refunded = bars(|b| b.refunded, 0.5);
    let datasets = vec![
        Dataset::default()
            .marker(Marker::Block)
            .graph_type(GraphType::Bar)
            .style(fg(t.success))
            .data(&earned),
        Dataset::default()
            .marker(Marker::Dot)
            .graph_type(GraphType::Bar)
            .style(fg(t.pending))
            .data(&refunded),
    ];
    let at = |slot: usize| {
        let secs = report.bucket_secs * slot as i64;
        Span::raw(time_of_day(Stamp(buckets[0].start.0 + secs * 1_000_000)))
    };
    let x_labels = vec![at(0), at(slots / 2), at(slots)];
    let chart = Chart::new(datasets)
        .block(chart_block)
        .x_axis(
            Axis::default()
                .style(fg(t.dim))
                .bounds([0.0, slots as f64])
                .labels(x_labels),
        )
        .y_axis(
            Axis::default()
                .style(fg(t.dim))
                .bounds([0.0, peak as f64])
                .labels(vec![
                    Span::raw("0"),
                    Span::raw((peak / 2).to_string()),
                    Span::raw(peak.to_string()),
                ]),
        )
        .legend_position(None);
    frame.render_widget(chart, area);
}
