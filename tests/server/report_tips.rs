//! Tips in a broadcast's report: toy tips recorded from the lane (queued,
//! run, settled or skipped), plain tips settled at once, grouped by the
//! level they matched, with the seconds the toy ran for them.

use crate::support::*;
use cuedeck::client::{BroadcastChoice, LaneAction};
use cuedeck::domain::tips::{Intensity, TipLevel, TipLevels};
use cuedeck::report::TipLine;

#[tokio::test(flavor = "multi_thread")]
async fn tips_are_reported_by_level_with_the_toys_seconds() {
    let t = TestServer::start().await;
    let level = |label: &str, min, max, seconds| TipLevel {
        label: label.into(),
        min,
        max,
        intensity: Intensity::All(10),
        duration_s: seconds,
        pattern: None,
    };
    let ladder = TipLevels {
        levels: vec![level("medium", 10, Some(24), 5), level("max", 25, None, 15)],
        specials: vec![],
    };
    let performer = t.client(&t.tokens.performer);
    performer
        .set_tip_levels(&ROOM.into(), &ladder, 0)
        .await
        .unwrap();
    let viewer = t.client(&t.tokens.viewer);
    let medium = viewer.tip(&ROOM.into(), 15, "tip-medium").await.unwrap();
    let max = viewer.tip(&ROOM.into(), 30, "tip-max").await.unwrap();
    viewer.tip(&ROOM.into(), 5, "tip-plain").await.unwrap();
    performer
        .lane(&ROOM.into(), LaneAction::Take(None), "take")
        .await
        .unwrap();
    performer
        .lane(&ROOM.into(), LaneAction::Done(medium.item()), "done")
        .await
        .unwrap();
    performer
        .lane(&ROOM.into(), LaneAction::Skip(max.item().unwrap()), "skip")
        .await
        .unwrap();

    let report = performer
        .report_of(&ROOM.into(), BroadcastChoice::Last)
        .await
        .unwrap()
        .expect("the room is live");
    let line = |level: &str, tips, tokens, earned, toy_seconds| TipLine {
        level: level.into(),
        tips,
        tokens,
        earned,
        toy_seconds,
    };
    assert_eq!(
        report.tips,
        vec![
            line("max", 1, 30, 0, 0),
            line("medium", 1, 15, 15, 5),
            line("plain", 1, 5, 5, 0),
        ]
    );
    assert_eq!(report.totals.toy_seconds, 5, "only the tip that ran");
    let tipped: u64 = report
        .items
        .iter()
        .filter(|l| l.source == "tip")
        .map(|l| l.tokens)
        .sum();
    assert_eq!(tipped, 50, "every tip is an item of the broadcast");
    let t_ = &report.totals;
    assert_eq!(t_.bought, t_.earned + t_.refunded + t_.escrow);
    let text = cuedeck::report::text::render(&report);
    assert!(text.contains("Tips by level (the toy ran 5 s)"), "{text}");
    let csv = cuedeck::report::csv::render(&report).unwrap();
    assert!(csv.contains("tips,medium,toy 5 s,1,15"), "{csv}");
    t.stop().await;
}
