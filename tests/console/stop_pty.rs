//! The stop key end to end: the real console binary in a pseudo-terminal,
//! a real server, the virtual toy. An item's effect runs, the help is open,
//! f12 is pressed: the next command the toy receives is `Vibrate:0;` and
//! only stops follow while the item runs. The toy's transcript is read
//! from the console's log, where the virtual toy writes what it receives.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::support::pty::Console;
use crate::support::*;
use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::toy_effect::{Pattern, Timing};

/// f12 as an xterm sends it.
const F12: &str = "\x1b[24~";

/// One command the virtual toy received, and when.
#[derive(Debug)]
pub struct Received {
    pub at: SystemTime,
    pub command: String,
}

fn log_files(home: &Path) -> Vec<PathBuf> {
    let dir = home.join("data").join("cuedeck").join("logs");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("console"))
        })
        .collect()
}

/// The virtual toy's transcript so far, in order.
pub fn transcript(home: &Path) -> Vec<Received> {
    let mut all = Vec::new();
    for file in log_files(home) {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for line in text.lines().filter(|l| l.contains("virtual toy received")) {
            let (Some(stamp), Some((_, command))) =
                (line.split_whitespace().next(), line.split_once("command="))
            else {
                continue;
            };
            let Ok(at) = chrono::DateTime::parse_from_rfc3339(stamp) else {
                continue;
            };
            all.push(Received {
                at: at.with_timezone(&chrono::Utc).into(),
                command: command.trim().to_string(),
            });
        }
    }
    all
}

pub fn wait_transcript(
    home: &Path,
    what: &str,
    ready: impl Fn(&[Received]) -> bool,
) -> Vec<Received> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = transcript(home);
        if ready(&got) {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "the toy never received {what}: {got:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn is_motion(command: &str) -> bool {
    ["Vibrate", "Rotate", "Air", "Pump", "Thrust"]
        .iter()
        .any(|m| command.starts_with(m))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stop_key_from_the_help_sends_vibrate_0_next_and_nothing_but_stops_after() {
    let t = TestServer::start().await;
    // A 6 s item: 8 from the start, 15 at half time (after the key).
    let payload = PayloadBuilder::new(PERFORMER, "u1", "stop-1", 40)
        .display_name("Viewer")
        .duration_ms(6_000)
        .toy(Timing::Start, 8, None, Pattern::Constant)
        .toy(Timing::P50, 15, None, Pattern::Constant)
        .json();
    t.client(&t.tokens.integration)
        .intake(
            &ROOM.into(),
            &serde_json::to_vec(&payload).unwrap(),
            "stop-1",
            false,
        )
        .await
        .expect("intake accepted");
    let url = t.url().to_string();
    let token = t.tokens.performer.clone();
    let mut console = tokio::task::spawn_blocking(move || {
        Console::spawn(
            &["console", "--server", &url, "--room", ROOM],
            &[
                ("CUEDECK_TOKEN", &token),
                ("RUST_LOG", "info,cuedeck::toy::virtual_toy=debug"),
            ],
        )
    })
    .await
    .unwrap();

    let (key_at, after) = tokio::task::block_in_place(|| {
        console.wait_for("Queue (1)");
        // The toy screen connects the virtual toy.
        console.press("t");
        console.wait_for("connect the virtual toy");
        console.press("v");
        console.wait_until("the toy connected", |screen| {
            !screen.contains("no toy connected")
        });
        console.press("t");
        console.wait_until("the queue", |screen| {
            !screen.contains("connect the virtual toy")
        });
        console.press("s");
        let home = console.home().to_path_buf();
        let started = wait_transcript(&home, "a level above 0", |got| {
            got.iter()
                .any(|r| r.command.starts_with("Vibrate:") && r.command != "Vibrate:0;")
        });
        let first_level = started
            .iter()
            .find(|r| r.command.starts_with("Vibrate:") && r.command != "Vibrate:0;")
            .map(|r| r.at)
            .unwrap();
        console.press("?");
        console.wait_for("On the queue");
        let key_at = SystemTime::now();
        console.press(F12);
        console.wait_for("STOPPED");
        wait_transcript(&home, "Vibrate:0; after the key", |got| {
            got.iter()
                .any(|r| r.at >= key_at && r.command == "Vibrate:0;")
        });
        // Past half time, when the item would have raised the level.
        let half_time = first_level + Duration::from_millis(3_500);
        while SystemTime::now() < half_time {
            std::thread::sleep(Duration::from_millis(50));
        }
        let after: Vec<Received> = transcript(&home)
            .into_iter()
            .filter(|r| r.at >= key_at)
            .collect();
        (key_at, after)
    });
    let motion: Vec<&Received> = after.iter().filter(|r| is_motion(&r.command)).collect();
    assert_eq!(
        motion.first().map(|r| r.command.as_str()),
        Some("Vibrate:0;"),
        "the next command after the key: {after:?}"
    );
    assert!(
        motion.iter().all(|r| r.command == "Vibrate:0;"),
        "only stops follow while the item runs: {after:?}"
    );
    let delay = motion[0].at.duration_since(key_at).unwrap_or_default();
    println!(
        "stop key to Vibrate:0; at the virtual toy: {:.1} ms",
        delay.as_secs_f64() * 1000.0
    );

    let status = tokio::task::block_in_place(|| {
        console.press("q"); // closes the help
        console.wait_until("the help closed", |screen| !screen.contains("On the queue"));
        console.press("q");
        console.wait_for("Quit anyway?");
        console.press("y");
        console.wait_exit()
    });
    assert!(status.success(), "{status:?}");
    t.stop().await;
}
