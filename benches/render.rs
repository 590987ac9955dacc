//! `cargo bench --bench render`
//!
//! One full console frame at 160x48 with a 1,000-item queue, against the
//! baseline of a bare ratatui `Table` of the same 1,000 rows in the same
//! frame. Median of many frames each. Ends with:
//! `render_us=... baseline_us=... ratio=...`

#[path = "../tests/console/fixture.rs"]
mod fixture;

use std::time::Instant;

use fixture::Fixture;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Constraint;
use ratatui::widgets::{Block, Row, Table};

const FRAMES: usize = 400;

fn median_us(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let mut fixture = Fixture::new("performer");
    fixture.buy(1_000);
    fixture.start();
    fixture.advance_ms(40_000);
    assert_eq!(fixture.app.model.as_ref().unwrap().len(), 1_000);

    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut ours = Vec::with_capacity(FRAMES);
    for n in 0..FRAMES {
        // Move the clock so every frame has something new to draw.
        let now = fixture.now.plus_millis(n as u64 * 1000);
        let began = Instant::now();
        terminal
            .draw(|frame| cuedeck::console::view::draw(frame, &fixture.app, now))
            .unwrap();
        ours.push(began.elapsed().as_secs_f64() * 1e6);
    }

    let model = fixture.app.model.clone().unwrap();
    let items: Vec<_> = model
        .in_progress
        .iter()
        .map(|r| r.item.clone())
        .chain(model.waiting.iter().cloned())
        .collect();
    let mut baseline = Vec::with_capacity(FRAMES);
    for n in 0..FRAMES {
        let now = fixture.now.plus_millis(n as u64 * 1000);
        let began = Instant::now();
        terminal
            .draw(|frame| {
                let rows = items.iter().enumerate().map(|(i, item)| {
                    let waited = now.micros_since(item.stamp) / 1_000_000;
                    Row::new(vec![
                        format!("{:>3}", i + 1),
                        format!("{} ({})", item.user_name, item.tier.label()),
                        item.action.title.to_string(),
                        format!("{:>6}", item.token_cost),
                        format!("{:02}:{:02}", waited / 60, waited % 60),
                    ])
                });
                let widths = [
                    Constraint::Length(4),
                    Constraint::Length(20),
                    Constraint::Min(10),
                    Constraint::Length(6),
                    Constraint::Length(8),
                ];
                let table = Table::new(rows, widths).block(Block::bordered().title(" Queue "));
                frame.render_widget(table, frame.area());
            })
            .unwrap();
        baseline.push(began.elapsed().as_secs_f64() * 1e6);
    }
    let (render, base) = (median_us(ours), median_us(baseline));
    println!("{FRAMES} frames each, 160x48, 1,000 items, median per frame");
    println!(
        "render_us={render:.0} baseline_us={base:.0} ratio={:.2}",
        render / base
    );
}
