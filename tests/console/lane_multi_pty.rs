//! The lane on a multi-output toy, end to end: the real console in a
//! pseudo-terminal playing a virtual Nora (vibrate and rotate), a real
//! server on loopback. Four tips wait, then run back to back as the levels
//! say, per output: levels of their own per output, a stored preset, one
//! level for all; the stop key cuts the last, resume runs its rest, and a
//! stop is the last command. Two tips in a row hand over with no stop
//! between them.

use std::time::{Duration, SystemTime};

use crate::lane_pty::{F12, resume_on_the_lane_screen, settled, spawn_with, wait_settled};
use crate::stop_pty::{Received, is_motion, transcript, wait_transcript};
use crate::support::*;
use cuedeck::domain::UserId;
use cuedeck::domain::tips::TipLevels;

const LEVELS: &str = r#"
[[levels]]
label = "gentle"
min = 1
max = 19
intensity = { vibrate = 6, rotate = 4 }
durationS = 2

[[levels]]
label = "strong"
min = 20
max = 99
intensity = { vibrate = 14, rotate = 10 }
durationS = 3

[[levels]]
label = "all"
min = 100
intensity = 16
durationS = 8

[[specials]]
amount = 444
label = "fireworks"
action = { kind = "preset", pattern = "fireworks", intensity = 18, durationS = 3 }
"#;

/// When `command` first went to the toy.
fn first(got: &[Received], command: &str) -> SystemTime {
    got.iter()
        .find(|r| r.command == command)
        .unwrap_or_else(|| panic!("no {command} in {got:?}"))
        .at
}

fn about(from: SystemTime, to: SystemTime, ms: u64, what: &str) {
    let took = to.duration_since(from).unwrap();
    assert!(
        took + Duration::from_millis(300) >= Duration::from_millis(ms)
            && took <= Duration::from_millis(ms + 400),
        "{what}: {took:?}, not about {ms} ms"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tips_at_levels_and_a_preset_on_a_nora_then_the_stop_key_and_the_rest() {
    let t = TestServer::start().await;
    let levels: TipLevels = toml::from_str(LEVELS).unwrap();
    t.client(&t.tokens.performer)
        .set_tip_levels(&ROOM.into(), &levels, 0)
        .await
        .expect("levels saved");
    let integration = t.client(&t.tokens.integration);
    let mut items = Vec::new();
    for (n, amount) in [10, 50, 444, 150].into_iter().enumerate() {
        let item = integration
            .tip_for(
                &ROOM.into(),
                &UserId::new("u1"),
                amount,
                &format!("multi-{n}"),
            )
            .await
            .expect("tip accepted")
            .item()
            .expect("a toy tip");
        items.push((item, amount));
    }

    let (url, token) = (t.url().to_string(), t.tokens.performer.clone());
    let mut console = tokio::task::spawn_blocking(move || {
        spawn_with(&url, &token, &[("CUEDECK_VIRTUAL_TOY", "Nora")])
    })
    .await
    .unwrap();
    let home = console.home().to_path_buf();
    let (got, key_at) = tokio::task::block_in_place(|| {
        console.wait_for("no toy: tips wait");
        console.press("t");
        console.wait_for("connect the virtual toy");
        console.press("v");
        console.wait_until("the toy connected", |s| !s.contains("no toy connected"));
        console.press("t");
        wait_transcript(&home, "the last tip (Vibrate:16;)", |got| {
            got.iter().any(|r| r.command == "Vibrate:16;")
        });
        std::thread::sleep(Duration::from_millis(2_000));
        let key_at = SystemTime::now();
        console.press(F12);
        console.wait_for("paused");
        std::thread::sleep(Duration::from_millis(1_500));
        (transcript(&home), key_at)
    });

    // Per output, for as long as each level says, one after the other.
    let gentle = first(&got, "Vibrate:6;");
    assert!(got.iter().any(|r| r.command == "Rotate:4;"), "{got:?}");
    let strong = first(&got, "Vibrate:14;");
    assert!(got.iter().any(|r| r.command == "Rotate:10;"), "{got:?}");
    let preset = first(&got, "Preset:3;");
    let all = first(&got, "Vibrate:16;");
    assert!(got.iter().any(|r| r.command == "Rotate:16;"), "{got:?}");
    about(gentle, strong, 2_000, "gentle");
    about(strong, preset, 3_000, "strong");
    about(preset, all, 3_000, "the preset");
    let between: Vec<_> = got
        .iter()
        .filter(|r| r.at > gentle && r.at < strong && r.command.ends_with(":0;"))
        .collect();
    assert!(between.is_empty(), "no stop between two tips: {between:?}");

    // The stop key: only stops after it; the cut tip waits.
    let after: Vec<_> = transcript(&home)
        .into_iter()
        .filter(|r| r.at >= key_at && is_motion(&r.command))
        .collect();
    assert!(
        !after.is_empty() && after.iter().all(|r| r.command.ends_with(":0;")),
        "only stops after the key: {after:?}"
    );
    let (last, last_amount) = items[3];
    assert_eq!(settled(&t, last).await, 0, "a cut run does not settle");

    let resumed_at = resume_on_the_lane_screen(&mut console, &home, "Vibrate:16;");
    wait_settled(&t, last, last_amount).await;
    let motion: Vec<_> = transcript(&home)
        .into_iter()
        .filter(|r| is_motion(&r.command))
        .collect();
    let rest_start = motion
        .iter()
        .find(|r| r.at >= resumed_at && r.command == "Vibrate:16;")
        .unwrap()
        .at;
    let rest_end = motion
        .iter()
        .find(|r| r.at > rest_start && r.command == "Vibrate:0;")
        .expect("the rest ends with a stop")
        .at;
    about(
        rest_start,
        rest_end,
        6_000,
        "the rest after the key (8 s less 2)",
    );
    assert!(
        motion.last().is_some_and(|r| r.command.ends_with(":0;")),
        "a stop is the last command: {motion:?}"
    );
    for (item, amount) in items {
        assert_eq!(settled(&t, item).await, amount, "each settled once");
    }

    let status = tokio::task::block_in_place(|| {
        console.press("\x1b");
        console.wait_until("the lane screen closed", |s| !s.contains("Toy lane"));
        console.press("q");
        console.wait_exit()
    });
    assert!(status.success(), "{status:?}");
    t.stop().await;
}
