//! A pattern through Lovense Remote as `Pattern` requests: the next 2 s of
//! steps in one request about once a second instead of a `Function` post
//! per step, every request one the published API defines, each window
//! continuing the last, `timeSec` bounding each to 2 s, and every end path
//! still a `Stop` with nothing running after it.

use std::sync::Arc;
use std::time::Duration;

use cuedeck::domain::ids::ItemId;
use cuedeck::domain::toy_effect::{Pattern, Timing, ToyEffect};
use cuedeck::toy::scheduler::{SchedulerConfig, SchedulerHandle, spawn_scheduler};
use serde_json::Value;
use tokio::time::{Instant, sleep, sleep_until};

use super::remote::{FakeApp, nora};

const ITEM_MS: u64 = 6_000;

/// A wave at 16 for `ITEM_MS` on the fake app's Nora, from `t0`.
async fn wave(app: &FakeApp) -> (SchedulerHandle, Instant) {
    let toy = nora(app).await;
    let sched = spawn_scheduler(SchedulerConfig::default());
    sched.add_toy(toy);
    let t0 = Instant::now() + Duration::from_millis(300);
    sleep_until(t0).await;
    let effect = ToyEffect {
        enabled: true,
        timing: Timing::Start,
        intensity: Some(16),
        duration_ms: Some(ITEM_MS),
        device_vendor: None,
        pattern: Some(Pattern::Wave.into()),
    };
    sched.item_started(ItemId(1), t0, ITEM_MS, Arc::from([effect]));
    (sched, t0)
}

/// The bodies the app got from `t0` on, with when.
fn since(app: &FakeApp, t0: Instant) -> Vec<(Instant, String)> {
    let posts = app.posts.lock().unwrap();
    posts.iter().filter(|(t, _)| *t >= t0).cloned().collect()
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap()
}

fn strengths(body: &Value) -> Vec<u8> {
    body["strength"]
        .as_str()
        .unwrap()
        .split(';')
        .map(|s| s.parse().unwrap())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_wave_goes_as_two_second_pattern_windows_about_once_a_second() {
    let app = FakeApp::default();
    let (sched, t0) = wave(&app).await;
    sleep(Duration::from_millis(ITEM_MS + 2_000)).await;
    app.assert_conformant();
    let posts: Vec<(Instant, Value)> = since(&app, t0)
        .into_iter()
        .map(|(t, b)| (t, json(&b)))
        .collect();
    let patterns: Vec<&(Instant, Value)> = posts
        .iter()
        .filter(|(_, b)| b["command"] == "Pattern")
        .collect();
    assert!(
        patterns.len() >= 5,
        "a pattern request about every second: {posts:?}"
    );
    // Far fewer posts than the wave's 60 steps.
    assert!(posts.len() <= 12, "{} posts: {posts:?}", posts.len());
    for (_, p) in &patterns {
        assert_eq!(p["rule"], "V:1;F:v,r;S:100#", "{p}");
        assert_eq!(p["timeSec"], 2, "{p}");
        assert_eq!(p["apiVer"], 2, "{p}");
        let s = strengths(p);
        assert_eq!(s.len(), 20, "exactly timeSec's 2 s of steps: {p}");
        assert!(s.iter().all(|v| *v <= 16), "within the effect's level: {p}");
    }
    // Each window carries on the one before: the steps they share agree.
    for pair in patterns.windows(2) {
        let (t1, a) = (pair[0].0, strengths(&pair[0].1));
        let (t2, b) = (pair[1].0, strengths(&pair[1].1));
        let k = ((t2 - t1).as_millis() as usize + 50) / 100;
        let shared = a.len().saturating_sub(k).min(b.len());
        assert!(shared >= 5, "windows {k} steps apart overlap");
        assert_eq!(a[k..k + shared], b[..shared], "windows {k} steps apart");
    }
    // The wave's troughs are the pattern's own: no Stop while it runs.
    let early = t0 + Duration::from_millis(ITEM_MS - 100);
    assert!(
        !posts
            .iter()
            .any(|(t, b)| *t < early && b["action"] == "Stop"),
        "{posts:?}"
    );
    // Never more than a second without a word while it runs.
    let during: Vec<Instant> = posts
        .iter()
        .map(|(t, _)| *t)
        .filter(|t| *t < t0 + Duration::from_millis(ITEM_MS))
        .collect();
    for gap in during.windows(2) {
        assert!(gap[1] - gap[0] <= Duration::from_millis(1_050), "{gap:?}");
    }
    // From the item's end on, only Stops (no older level driven again).
    let end = t0 + Duration::from_millis(ITEM_MS);
    let after: Vec<_> = posts.iter().filter(|(t, _)| *t >= end).collect();
    assert!(!after.is_empty(), "{posts:?}");
    assert!(
        after.iter().all(|(_, b)| b["action"] == "Stop"),
        "{after:?}"
    );
    sched.exit().await;
}

#[tokio::test(start_paused = true)]
async fn every_end_path_of_a_pattern_is_a_stop_at_once_and_nothing_after() {
    for end in ["finish", "refund", "panic", "exit"] {
        let app = FakeApp::default();
        let (sched, _) = wave(&app).await;
        sleep(Duration::from_millis(2_500)).await;
        assert!(
            app.bodies()
                .iter()
                .any(|b| b.contains(r#""command":"Pattern""#)),
            "{end}: a pattern was playing"
        );
        let ended = Instant::now();
        match end {
            "finish" => sched.item_finished(ItemId(1)),
            "refund" => sched.item_refunded(ItemId(1)),
            "panic" => sched.panic_stop(),
            _ => sched.exit().await,
        }
        sleep(Duration::from_millis(4_000)).await;
        let posts = app.posts.lock().unwrap().clone();
        let stop = posts
            .iter()
            .position(|(t, b)| *t >= ended && b.contains(r#""action":"Stop""#))
            .unwrap_or_else(|| panic!("{end}: no Stop in {posts:?}"));
        let due = if end == "finish" { 1_000 } else { 0 };
        assert!(
            posts[stop].0 - ended <= Duration::from_millis(due + 300),
            "{end}: stop {:?} after the end",
            posts[stop].0 - ended
        );
        let after: Vec<_> = posts[stop..]
            .iter()
            .filter(|(_, b)| !b.contains("Stop") && !b.contains("GetToys"))
            .collect();
        assert!(after.is_empty(), "{end}: ran after the stop: {after:?}");
        app.assert_conformant();
        sched.exit().await;
    }
}

#[tokio::test(start_paused = true)]
async fn an_app_that_refuses_pattern_gets_function_posts_at_once() {
    let app = FakeApp::default();
    *app.no_patterns.lock().unwrap() = true;
    let (sched, t0) = wave(&app).await;
    sleep(Duration::from_millis(3_000)).await;
    let posts = since(&app, t0);
    let patterns = posts.iter().filter(|(_, b)| b.contains("Pattern")).count();
    assert_eq!(patterns, 1, "tried once: {posts:?}");
    let refused = posts
        .iter()
        .position(|(_, b)| b.contains("Pattern"))
        .unwrap();
    let next = &posts[refused + 1];
    assert!(
        next.1.contains(r#""command":"Function""#) && next.0 == posts[refused].0,
        "the levels posted as Function at once: {posts:?}"
    );
    // The wave goes on as Function posts.
    assert!(posts.len() > 15, "{posts:?}");
    sched.exit().await;
}
