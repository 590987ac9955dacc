//! The lane end to end: the real console binary in a pseudo-terminal, a
//! real server on loopback, the virtual toy. A tip sent while no toy is
//! connected waits and runs once one connects, and settles after its run; a
//! stronger tip is cut by the stop key (only stops follow), resumes with
//! what was left, settles once, and a stop is the toy's last command.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::stop_pty::{is_motion, transcript, wait_transcript};
use crate::support::pty::Console;
use crate::support::*;
use cuedeck::domain::{ItemId, UserId};

pub const F12: &str = "\x1b[24~";

pub async fn settled(t: &TestServer, item: ItemId) -> u64 {
    t.client(&t.tokens.performer)
        .audit(&ROOM.into(), item)
        .await
        .map_or(0, |i| i.settled)
}

#[tokio::test(flavor = "multi_thread")]
async fn tips_wait_for_a_toy_run_on_it_and_the_stop_key_cuts_and_resumes_one() {
    let t = TestServer::start().await;
    let performer = t.client(&t.tokens.performer);
    performer
        .tip_levels_from_template(&ROOM.into(), "classic", 0)
        .await
        .expect("levels saved");
    let integration = t.client(&t.tokens.integration);
    let tip = |amount: u64, key: &'static str| {
        let integration = integration.clone();
        async move {
            integration
                .tip_for(&ROOM.into(), &UserId::new("u1"), amount, key)
                .await
                .expect("tip accepted")
                .item()
                .expect("a toy tip")
        }
    };
    let medium = tip(15, "lane-1").await;

    let (url, token) = (t.url().to_string(), t.tokens.performer.clone());
    let mut console = tokio::task::spawn_blocking(move || spawn(&url, &token))
        .await
        .unwrap();
    let home = console.home().to_path_buf();

    tokio::task::block_in_place(|| {
        console.wait_for("no toy: tips wait");
        std::thread::sleep(Duration::from_millis(1_000));
        assert!(transcript(&home).is_empty(), "no toy: nothing runs");
        console.press("t");
        console.wait_for("connect the virtual toy");
        console.press("v");
        console.wait_until("the toy connected", |s| !s.contains("no toy connected"));
        console.press("t");
        wait_transcript(&home, "medium (Vibrate:10;)", |got| {
            got.iter().any(|r| r.command == "Vibrate:10;")
        });
    });
    assert_eq!(settled(&t, medium).await, 0, "not settled while it runs");
    tokio::task::block_in_place(|| {
        wait_transcript(&home, "the end of the medium run", |got| {
            got.iter()
                .skip_while(|r| r.command != "Vibrate:10;")
                .any(|r| r.command == "Vibrate:0;")
        });
    });
    wait_settled(&t, medium, 15).await;
    assert_eq!(settled(&t, medium).await, 15, "settled after its run");

    // A max tip (20 for 15 s), cut by the stop key after a second.
    let max = tip(150, "lane-2").await;
    let key_at = tokio::task::block_in_place(|| {
        wait_transcript(&home, "max (Vibrate:20;)", |got| {
            got.iter().any(|r| r.command == "Vibrate:20;")
        });
        std::thread::sleep(Duration::from_millis(1_000));
        let key_at = SystemTime::now();
        console.press(F12);
        console.wait_for("paused");
        std::thread::sleep(Duration::from_millis(1_500));
        key_at
    });
    let after: Vec<_> = transcript(&home)
        .into_iter()
        .filter(|r| r.at >= key_at && is_motion(&r.command))
        .collect();
    assert!(
        !after.is_empty() && after.iter().all(|r| r.command == "Vibrate:0;"),
        "only stops after the key: {after:?}"
    );
    assert_eq!(settled(&t, max).await, 0, "a cut run does not settle");

    let resumed_at = resume_on_the_lane_screen(&mut console, &home, "Vibrate:20;");
    wait_settled(&t, max, 150).await;
    assert_eq!(
        settled(&t, max).await,
        150,
        "settled once, after the rest ran"
    );
    let ran = SystemTime::now().duration_since(resumed_at).unwrap();
    assert!(
        ran >= Duration::from_millis(12_500) && ran < Duration::from_millis(16_000),
        "the rest (about 14 s) ran, not the whole 15 s again plus: {ran:?}"
    );
    let motion: Vec<_> = transcript(&home)
        .into_iter()
        .filter(|r| is_motion(&r.command))
        .collect();
    assert_eq!(
        motion.last().map(|r| r.command.as_str()),
        Some("Vibrate:0;"),
        "a stop is the last command: {motion:?}"
    );

    let status = tokio::task::block_in_place(|| {
        console.press("\x1b");
        console.wait_until("the lane screen closed", |s| !s.contains("Toy lane"));
        console.press("q");
        console.wait_exit()
    });
    assert!(status.success(), "{status:?}");
    t.stop().await;
}

/// Resume from the lane screen; returns when, once the toy got `first`.
pub fn resume_on_the_lane_screen(console: &mut Console, home: &Path, first: &str) -> SystemTime {
    tokio::task::block_in_place(|| {
        console.press("l");
        console.wait_for("Toy lane");
        let resumed_at = SystemTime::now();
        console.press("r");
        wait_transcript(home, "the resumed run", |got| {
            got.iter().any(|r| r.at >= resumed_at && r.command == first)
        });
        resumed_at
    })
}

/// A console on the room, its virtual toy's commands in its log.
fn spawn(url: &str, token: &str) -> Console {
    spawn_with(url, token, &[])
}

/// `spawn` with more environment (`CUEDECK_VIRTUAL_TOY` picks the model).
pub fn spawn_with(url: &str, token: &str, env: &[(&str, &str)]) -> Console {
    let mut all = vec![
        ("CUEDECK_TOKEN", token),
        ("RUST_LOG", "info,cuedeck::toy::virtual_toy=debug"),
    ];
    all.extend_from_slice(env);
    Console::spawn(&["console", "--server", url, "--room", ROOM], &all)
}

/// Wait (at most 20 s) until `item` has settled `amount`.
pub async fn wait_settled(t: &TestServer, item: ItemId, amount: u64) {
    for _ in 0..400 {
        if settled(t, item).await == amount {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(settled(t, item).await, amount, "settled");
}

/// Start a console on the room and connect its virtual toy.
fn console_with_toy(url: &str, token: &str) -> Console {
    let mut console = spawn(url, token);
    console.wait_for("toy:");
    console.press("t");
    console.wait_for("connect the virtual toy");
    console.press("v");
    console.wait_until("the toy connected", |s| !s.contains("no toy connected"));
    console.press("t");
    console
}

#[tokio::test(flavor = "multi_thread")]
async fn a_console_killed_mid_tip_comes_back_and_runs_the_rest_once() {
    let t = TestServer::start().await;
    let performer = t.client(&t.tokens.performer);
    performer
        .tip_levels_from_template(&ROOM.into(), "classic", 0)
        .await
        .expect("levels saved");
    let (url, token) = (t.url().to_string(), t.tokens.performer.clone());
    let (u, k) = (url.clone(), token.clone());
    let mut first = tokio::task::spawn_blocking(move || console_with_toy(&u, &k))
        .await
        .unwrap();
    // A max tip: 20 for 15 s.
    let item = t
        .client(&t.tokens.integration)
        .tip_for(&ROOM.into(), &UserId::new("u1"), 150, "kill-1")
        .await
        .unwrap()
        .item()
        .unwrap();
    let home = first.home().to_path_buf();
    tokio::task::block_in_place(|| {
        wait_transcript(&home, "the tip's run", |got| {
            got.iter().any(|r| r.command == "Vibrate:20;")
        });
        std::thread::sleep(Duration::from_millis(3_000));
        let pid = first.child.process_id().expect("the console's pid");
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let _ = first.child.wait();
        // Away a while: that time is not run time.
        std::thread::sleep(Duration::from_millis(4_000));
    });
    assert_eq!(settled(&t, item).await, 0, "a killed run does not settle");

    let (u, k) = (url.clone(), token.clone());
    let mut second = tokio::task::spawn_blocking(move || console_with_toy(&u, &k))
        .await
        .unwrap();
    let home = second.home().to_path_buf();
    let restarted = tokio::task::block_in_place(|| {
        wait_transcript(&home, "the rest of the run", |got| {
            got.iter().any(|r| r.command == "Vibrate:20;")
        })
        .into_iter()
        .find(|r| r.command == "Vibrate:20;")
        .unwrap()
        .at
    });
    wait_settled(&t, item, 150).await;
    assert_eq!(settled(&t, item).await, 150, "settled once");
    let ran = SystemTime::now().duration_since(restarted).unwrap();
    assert!(
        ran >= Duration::from_millis(10_500) && ran < Duration::from_millis(14_500),
        "about 12 s were left when the console went (the 4 s away do not count): {ran:?}"
    );
    let motion: Vec<_> = transcript(&home)
        .into_iter()
        .filter(|r| is_motion(&r.command))
        .collect();
    assert_eq!(
        motion.last().map(|r| r.command.as_str()),
        Some("Vibrate:0;"),
        "{motion:?}"
    );
    let status = tokio::task::block_in_place(|| {
        second.press("q");
        second.wait_exit()
    });
    assert!(status.success(), "{status:?}");
    t.stop().await;
}
