//! The tip widgets in the browser: tips made through the API reach the
//! lane page (the running tip, its countdown, the next ones), and the
//! levels board follows the room's saved tip levels.

use cuedeck::client::{LaneAction, RestClient};
use cuedeck::domain::Stamp;
use serde_json::json;

use crate::overlay_page::*;
use crate::support::{ADMIN, ROOM, TestServer};

pub async fn lane_and_levels(
    w: &mut Watcher,
    server: &TestServer,
    performer: &RestClient,
    urls: &[(String, String)],
) {
    // lane: tips through the API; the running one counts down, the next
    // one waits, by the names the tippers announced.
    w.open(url_of(urls, "lane")).await;
    w.browser
        .wait(
            "an empty lane",
            "return !!document.querySelector('.lane .idle');",
        )
        .await;
    let viewer = server.client(&server.tokens.viewer);
    let integration = server.client(&server.tokens.integration);
    tip(&viewer, 444, "LaneFan", None, "ovl-tip-1").await;
    tip(&integration, 60, "SecondFan", Some("u2"), "ovl-tip-2").await;
    tip(&viewer, 15, "LaneFan", None, "ovl-tip-3").await;
    if snapshot(performer).await.lane.running.is_none() {
        // A console that runs the lane itself may have taken it already.
        let _ = performer
            .lane(&ROOM.into(), LaneAction::Take(None), "ovl-lane-take-1")
            .await;
    }
    let shown = wait_rows(w, performer, "the running tip", LANE_SHOWN, lane_shown).await;
    assert_eq!(
        shown,
        json!([
            "LaneFan",
            "wave",
            [[2, "SecondFan", "very high"], [3, "LaneFan", "medium"]]
        ])
    );
    let running = snapshot(performer).await.lane.running.unwrap();
    let first = w
        .browser
        .eval("return Number(document.querySelector('.lane .time').dataset.ms);")
        .await
        .as_i64()
        .unwrap();
    let started = running.started_at.unwrap();
    let left_ms = running.remaining_ms as i64 - Stamp::now().micros_since(started) / 1000;
    assert!(
        (left_ms - 1250..=left_ms + 250).contains(&first),
        "the page says {first} ms left, the server's run has {left_ms}"
    );
    let later = w
        .browser
        .wait(
            "the countdown two seconds on",
            &format!(
                "const t = document.querySelector('.lane .time'); const ms = t && Number(t.dataset.ms); \
                 return ms !== null && ms <= {} && [ms, t.textContent];",
                first - 2000
            ),
        )
        .await;
    let text = later[1].as_str().unwrap();
    assert!(text.ends_with(" left"), "{text}");
    assert!(later[0].as_i64().unwrap() > 0, "still running: {later}");
    w.shoot("lane").await;

    // levels: the board shows the room's ladder and specials as saved.
    w.open(url_of(urls, "levels")).await;
    let board = wait_board(w, performer, "the presets on the board").await;
    assert_eq!(board[0][0], json!(["1-9", "low", "3 s"]), "{board}");
    assert!(
        !board[1].as_array().unwrap().is_empty(),
        "the specials: {board}"
    );
    w.shoot("levels").await;

    // A new version of the levels reaches the open page (the overlays
    // poll the levels: no event announces a save).
    server
        .client(ADMIN)
        .tip_levels_from_template(&ROOM.into(), "classic", 1)
        .await
        .unwrap();
    let classic = wait_board(w, performer, "the classic ladder after a save").await;
    assert_ne!(classic, board);
}
