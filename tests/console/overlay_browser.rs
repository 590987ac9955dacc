//! The stream overlays in a real browser: a `cuedeck serve` fed by the
//! simulator, the real console in a pseudo-terminal serving the overlays,
//! headless Chromium through chromedriver loading each widget. The DOM is
//! checked against the server's state, live changes are followed, each
//! widget is photographed, tokens are checked, and every frame any page
//! received is searched for private fields.

use std::collections::BTreeSet;

use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::{RefundReason, Stamp};
use serde_json::{Value, json};

use crate::overlay_page::*;
use crate::overlay_tips::lane_and_levels;
use crate::support::pty::Console;
use crate::support::webdriver::{Browser, browser_available};
use crate::support::{ROOM, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_overlay_shows_the_server_state_live_and_nothing_private() {
    if !browser_available() {
        return;
    }
    let server = TestServer::start().await;
    prepare(&server).await;
    let performer = server.client(&server.tokens.performer);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = server.url().to_string();
    let port_text = port.to_string();
    let mut console = Console::spawn(
        &[
            "console",
            "--server",
            &url,
            "--room",
            ROOM,
            "--token",
            &server.tokens.performer,
            "--overlay-port",
            &port_text,
        ],
        &[],
    );
    tokio::task::block_in_place(|| console.wait_for("● LIVE"));
    // The toy screen prints the URLs; the virtual toy gives the toy widget a bar.
    console.press("t");
    let urls = wait_urls(&console, &[]);
    console.press("v");
    tokio::task::block_in_place(|| console.wait_for("toy connected"));

    let mut w = Watcher {
        browser: Browser::start().await,
        frames: Vec::new(),
    };
    // Screenshots on a dark scene; the page itself stays transparent.
    let backdrop = json!({"color": {"r": 34, "g": 38, "b": 46, "a": 1}});

    // queue: order, names, titles, count.
    w.open(url_of(&urls, "queue")).await;
    w.browser
        .cdp(
            "Emulation.setDefaultBackgroundColorOverride",
            backdrop.clone(),
        )
        .await;
    let transparent = w.browser.eval(
        "return [getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(document.body).backgroundColor];",
    ).await;
    assert_eq!(transparent, json!(["rgba(0, 0, 0, 0)", "rgba(0, 0, 0, 0)"]));
    let rows = wait_rows(&w, &performer, "the queue", QUEUE_ROWS, queue_rows).await;
    assert!(
        !rows.as_array().unwrap().is_empty(),
        "the queue shows items"
    );
    let count = w
        .browser
        .eval("return Number(document.querySelector('.queue .count').textContent);")
        .await;
    let snap = snapshot(&performer).await;
    assert_eq!(
        count,
        json!(snap.waiting.len() + usize::from(snap.in_progress.is_some()))
    );
    w.shoot("queue").await;

    // stage: a start shows the item, its phase word and the time left.
    w.open(url_of(&urls, "stage")).await;
    w.browser
        .wait(
            "nothing on stage",
            "return !!document.querySelector('.stage .idle');",
        )
        .await;
    performer
        .start(&ROOM.into(), None, "ovl-start-1")
        .await
        .unwrap();
    let on_stage = wait_rows(
        &w, &performer, "the item on stage",
        "const p = document.querySelector('.stage .panel'); return p && p.dataset.phase ? \
         [p.querySelector('.name').textContent, p.querySelector('.title').textContent, p.dataset.phase] : null;",
        |snap| match &snap.in_progress {
            Some(running) => json!([shown_name(&running.item), shown_title(&running.item), "GREEN"]),
            None => Value::Null,
        },
    ).await;
    assert_eq!(on_stage[2], "GREEN");
    let snap = snapshot(&performer).await;
    let running = snap.in_progress.clone().unwrap();
    let shown = w
        .browser
        .eval("return document.querySelector('.stage .time').textContent;")
        .await;
    let shown = shown.as_str().unwrap();
    let (mm, ss) = shown
        .trim_end_matches(" left")
        .split_once(':')
        .expect("mm:ss left");
    let shown_ms = (mm.parse::<i64>().unwrap() * 60 + ss.parse::<i64>().unwrap()) * 1000;
    let left_ms =
        running.item.duration_ms as i64 - Stamp::now().micros_since(running.started_at) / 1000;
    assert!(
        (shown_ms - 1250..=shown_ms + 250).contains(&left_ms),
        "the page says {shown}, the server's timer has {left_ms} ms left"
    );
    w.shoot("stage").await;
    // A finish empties the stage; the next start fills it again.
    performer
        .finish(&ROOM.into(), None, "ovl-finish-1")
        .await
        .unwrap();
    w.browser
        .wait(
            "the stage emptied",
            "return !!document.querySelector('.stage .idle');",
        )
        .await;
    performer
        .start(&ROOM.into(), None, "ovl-start-2")
        .await
        .unwrap();
    wait_rows(
        &w,
        &performer,
        "the next item on stage",
        "const p = document.querySelector('.stage .panel'); return p && p.dataset.phase ? \
         [p.querySelector('.name').textContent, p.querySelector('.title').textContent] : null;",
        |snap| match &snap.in_progress {
            Some(running) => json!([shown_name(&running.item), shown_title(&running.item)]),
            None => Value::Null,
        },
    )
    .await;

    // queue again: a refund takes the item off at once.
    w.open(url_of(&urls, "queue")).await;
    wait_rows(&w, &performer, "the queue", QUEUE_ROWS, queue_rows).await;
    let head = snapshot(&performer).await.waiting[0].id;
    performer
        .refund(
            &ROOM.into(),
            head,
            None,
            RefundReason::Other,
            Some("overlay test private note"),
            "ovl-refund-1",
        )
        .await
        .unwrap();
    let after = wait_rows(
        &w,
        &performer,
        "the queue after a refund",
        QUEUE_ROWS,
        queue_rows,
    )
    .await;
    assert!(
        !snapshot(&performer)
            .await
            .waiting
            .iter()
            .any(|i| i.id == head)
    );
    let _ = after;

    // toy: the console's own toy state, level for level.
    w.open(url_of(&urls, "toy")).await;
    let label = w
        .browser
        .wait(
            "a toy bar",
            "const l = document.querySelector('.toy .row .label'); return l && l.textContent;",
        )
        .await;
    assert!(!label.as_str().unwrap().is_empty());
    // A level tried by hand on the toy screen reaches the bar (6 is 12 of 20).
    console.press("6");
    w.browser.wait("the toy at level 12", "const r = document.querySelector('.toy .row'); return r && r.dataset.level === '12' && r.querySelector('.level').textContent === '12';").await;
    w.shoot("toy").await;

    // events: a purchase arrives and shows at the top.
    w.open(url_of(&urls, "events")).await;
    let payload = PayloadBuilder::new("p1", "u2", "ovl-buy-1", 15)
        .title("Overlay dance")
        .display_name("EventsFan")
        .json();
    server
        .client(&server.tokens.integration)
        .intake(
            &ROOM.into(),
            &serde_json::to_vec(&payload).unwrap(),
            "ovl-buy-1",
            false,
        )
        .await
        .unwrap();
    w.browser.wait(
        "the purchase on top",
        "const li = document.querySelector('.events li'); return li && li.dataset.kind === 'purchase' && \
         li.querySelector('.name').textContent === 'EventsFan' && li.querySelector('.title').textContent === 'Overlay dance';",
    ).await;

    // wheel: the spin lands on the segment of the prize the server drew.
    w.open(url_of(&urls, "wheel")).await;
    w.browser
        .wait(
            "the wheel's segments",
            "return Number(document.getElementById('root').dataset.segments) > 1;",
        )
        .await;
    let result = spin(&server, "spin_wheel", "ovl-wheel-1", "WheelFan").await;
    let prize = result["prize"]["id"].as_u64().unwrap();
    let landed = w
        .browser
        .wait(
            "the wheel landed",
            "return document.getElementById('root').dataset.landed;",
        )
        .await;
    assert_eq!(landed, json!(prize.to_string()));
    let under_pointer = w.browser.eval(
        "const root = document.getElementById('root'); const n = Number(root.dataset.segments); \
         const r = Number(root.dataset.rotation); const at = (((-r) % 360) + 360) % 360; \
         const i = Math.floor(at / (360 / n)); \
         const css = getComputedStyle(document.querySelector('svg.disc')).transform; \
         return [document.querySelector(`path[data-index=\"${i}\"]`).dataset.prize, css !== 'none'];",
    ).await;
    assert_eq!(
        under_pointer,
        json!([prize.to_string(), true]),
        "the segment under the pointer"
    );
    let caption = w
        .browser
        .eval("return document.querySelector('.caption').textContent;")
        .await;
    let commitment = result["receipt"]["serverSeedCommitment"].as_str().unwrap();
    assert!(caption.as_str().unwrap().contains(commitment), "{caption}");
    assert!(
        caption.as_str().unwrap().contains("WheelFan won"),
        "{caption}"
    );
    w.shoot("wheel").await;

    // slot: every reel stops on the drawn prize.
    w.open(url_of(&urls, "slot")).await;
    let result = spin(&server, "slot_machine", "ovl-slot-1", "SlotFan").await;
    let title = result["prize"]["title"].as_str().unwrap().to_string();
    let landed = w
        .browser
        .wait(
            "the slot landed",
            "return document.getElementById('root').dataset.landed;",
        )
        .await;
    assert_eq!(
        landed,
        json!(result["prize"]["id"].as_u64().unwrap().to_string())
    );
    let reels = w
        .browser
        .eval("return [...document.querySelectorAll('.reel')].map(r => r.textContent);")
        .await;
    assert_eq!(reels, json!([title, title, title]));
    w.shoot("slot").await;

    // events again: the spins' winners above the purchase, newest first.
    w.open(url_of(&urls, "events")).await;
    let events = w
        .browser
        .wait(
            "the winners and the purchase, faded in",
            "const lis = [...document.querySelectorAll('.events li')]; \
             return lis.length >= 3 && lis.every(li => getComputedStyle(li).opacity === '1') && \
             lis.slice(0, 3).map(li => [li.dataset.kind, li.querySelector('.name').textContent]);",
        )
        .await;
    assert_eq!(
        events,
        json!([
            ["winner", "SlotFan"],
            ["winner", "WheelFan"],
            ["purchase", "EventsFan"]
        ])
    );
    w.shoot("events").await;

    lane_and_levels(&mut w, &server, &performer, &urls).await;

    // A wrong token gets 401 and no data, for the page and its stream.
    let http = reqwest::Client::new();
    for widget in WIDGETS {
        let good = url_of(&urls, widget);
        let wrong_token = good.replace("token=", "token=0");
        let other_widget = good.replace(
            &format!("/overlay/{widget}?"),
            if widget == "queue" {
                "/overlay/stage?"
            } else {
                "/overlay/queue?"
            },
        );
        for bad in [
            wrong_token.clone(),
            wrong_token.replace('?', "/feed?"),
            other_widget,
        ] {
            let answer = http.get(&bad).send().await.unwrap();
            assert_eq!(answer.status(), 401, "{bad}");
            let body = answer.text().await.unwrap();
            assert!(
                !body.contains('{') && body.contains("unauthorized"),
                "{body}"
            );
        }
    }

    // Regenerated tokens: the open page is cut off and shows nothing; the
    // old URL is refused; the new one works.
    w.open(url_of(&urls, "queue")).await;
    console.press("o");
    let fresh = wait_urls(&console, &urls);
    w.browser.wait(
        "the cut-off page empty",
        "const root = document.getElementById('root'); return root.dataset.state === 'offline' && root.children.length === 0;",
    ).await;
    assert_eq!(
        http.get(url_of(&urls, "queue"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    w.open(url_of(&fresh, "queue")).await;
    wait_rows(
        &w,
        &performer,
        "the queue with the new token",
        QUEUE_ROWS,
        queue_rows,
    )
    .await;

    // Every frame any page got: JSON views with nothing private in them.
    w.collect().await;
    let frames: Vec<&String> = w.frames.iter().filter(|f| !f.is_empty()).collect();
    assert!(
        frames.len() >= 10,
        "the pages got their frames: {}",
        frames.len()
    );
    eprintln!("frames inspected: {}", frames.len());
    // The frames are the pages' own: the names they showed are in them.
    for shown in [
        "EventsFan",
        "WheelFan",
        "SlotFan",
        "GREEN",
        "LaneFan",
        "SecondFan",
        "very high",
    ] {
        assert!(
            frames.iter().any(|f| f.contains(shown)),
            "no frame with {shown}"
        );
    }
    let snap = snapshot(&performer).await;
    let mut private: BTreeSet<String> = ["u1", "u2", "u3"].map(String::from).into();
    for item in snap
        .waiting
        .iter()
        .chain(snap.in_progress.iter().map(|r| &r.item))
    {
        private.insert(item.user_id.to_string());
    }
    private.insert(server.tokens.performer.clone());
    private.insert(server.tokens.viewer.clone());
    for frame in &frames {
        let view: Value = serde_json::from_str(frame).unwrap_or_else(|e| panic!("{e}: {frame}"));
        assert!(view.get("live").is_some(), "{frame}");
        for word in private.iter().map(String::as_str).chain([
            "userId",
            "escrow",
            "balance",
            "tokenCost",
            "earned",
            "refunded",
            "overlay test private note",
            "\"p1\"",
            "loyalty",
            "sourceEventId",
        ]) {
            assert!(!frame.contains(word), "a page got `{word}`: {frame}");
        }
    }
    w.browser.quit().await;
    let _ = console.child.kill();
    server.stop().await;
}
