//! A menu item whose toy effect names an imported pattern, over real
//! sockets: the console (headless, its own socket) fetches the pattern's
//! file when the item starts and the virtual toy's transcript shows the
//! file's steps, then the stop key's stop as the last command.

use std::time::{Duration, Instant};

use cuedeck::client::{RoomStream, StreamOptions};
use cuedeck::domain::RoomId;
use cuedeck::menus::api::PurchaseBody;
use cuedeck::menus::client::MenuClient;
use cuedeck::menus::model::MenuSpec;
use cuedeck::protocol::RoomCommand;
use cuedeck::toy::device::{DriverConfig, spawn_toy};
use cuedeck::toy::scheduler::{SchedulerConfig, spawn_scheduler};
use cuedeck::toy::virtual_toy::VirtualToy;
use serde_json::json;

use crate::support::*;

/// The levels the toy was told since `from`, in order, repeats dropped.
fn levels(ctl: &cuedeck::toy::virtual_toy::VirtualControl, from: Instant) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    for (at, w) in ctl.timed_writes() {
        let level = w
            .strip_prefix("Vibrate:")
            .and_then(|rest| rest.strip_suffix(';'))
            .and_then(|n| n.parse().ok());
        if let Some(level) = level
            && at.into_std() >= from
            && out.last() != Some(&level)
        {
            out.push(level);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_menu_item_naming_an_imported_pattern_plays_its_steps_until_the_stop_key() {
    let t = TestServer::start().await;
    let room: RoomId = ROOM.into();
    let performer = t.client(&t.tokens.performer);
    // Four steps of 400 ms; the file's 20 is the effect's intensity (20).
    performer
        .put_pattern(&room, "steps", "V:1;F:v;S:400;#\n5;10;15;20\n")
        .await
        .unwrap();
    let spec: MenuSpec = serde_json::from_value(json!({"name": "Menu", "items": [
        {"title": "Steps", "baseTokens": 5, "durationHintMs": 60000,
         "toy": {"enabled": true, "timing": "start", "intensity": 20,
                 "durationMs": 30000, "pattern": "steps"}}]}))
    .unwrap();
    let menu = MenuClient::new(performer.clone())
        .create(&room, &spec)
        .await
        .unwrap();
    let menu = serde_json::to_value(&menu).unwrap();
    let (menu_id, item_id) = (
        menu["id"].as_str().unwrap().to_string(),
        menu["items"][0]["id"].as_str().unwrap().to_string(),
    );

    let (transport, ctl) = VirtualToy::lush("LVS-Steps");
    let (toy, _) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    toy.identify("LVS-Steps", 3, Duration::from_millis(500))
        .await;
    let toys = spawn_scheduler(SchedulerConfig::default());
    toys.add_toy(toy);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = tokio::spawn(cuedeck::console::run::run_lane(
        t.url(),
        t.tokens.performer.clone(),
        room.clone(),
        toys.clone(),
        stopped,
    ));

    MenuClient::new(t.client(&t.tokens.viewer))
        .purchase(
            &room,
            &menu_id,
            &item_id,
            "buy-steps",
            &PurchaseBody::default(),
        )
        .await
        .expect("bought");
    let stage = RoomStream::connect(
        &t.url(),
        &t.tokens.performer,
        room.clone(),
        None,
        StreamOptions::default(),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !stage.is_connected() {
        assert!(Instant::now() < deadline, "the performer's socket connects");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let begin = Instant::now();
    stage
        .command("start-1", "start-1", RoomCommand::Start { item: None })
        .await
        .unwrap();

    let deadline = Instant::now() + Duration::from_secs(20);
    while !levels(&ctl, begin).contains(&20) {
        assert!(Instant::now() < deadline, "{:?}", levels(&ctl, begin));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The stop key, mid-item: the toy stops and stays still.
    toys.panic_stop();
    let deadline = Instant::now() + Duration::from_secs(5);
    while levels(&ctl, begin).last() != Some(&0) {
        assert!(Instant::now() < deadline, "{:?}", levels(&ctl, begin));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let got = levels(&ctl, begin);
    let first = got.iter().position(|l| *l == 5).expect("the first step");
    assert_eq!(
        got[first..],
        [5, 10, 15, 20, 0],
        "the steps, then the stop: {got:?}"
    );

    let _ = stop.send(true);
    stage.close();
    runner.abort();
}
