//! The virtual toy end to end: through the driver, with faults injected, and
//! through the real binary's hardware mode.

use std::process::Command as Process;
use std::time::Duration;

use cuedeck::toy::codec::Level;
use cuedeck::toy::device::{DriverConfig, ToyEvent, spawn_toy};
use cuedeck::toy::identify::{Model, Source};
use cuedeck::toy::transport::Transport;
use cuedeck::toy::virtual_toy::{Faults, VirtualToy};
use tokio::time::{Instant, sleep};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn lv(n: u8) -> Level {
    Level::new(n).unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_toy_on_factory_settings_keeps_going_when_the_link_drops() {
    // Why the driver sends AutoSwith:On:Off; first: without it the virtual
    // toy, like a real one, vibrates on and resumes on reconnect.
    let (mut transport, ctl) = VirtualToy::lush("LVS-S11");
    let _rx = transport.subscribe().unwrap();
    transport.write(b"Vibrate:10;").await.unwrap();
    ctl.disconnect().await;
    assert_eq!(ctl.intensity(), 10);
    ctl.reconnect().await;
    assert_eq!(ctl.intensity(), 10);
}

#[tokio::test(start_paused = true)]
async fn through_the_driver_a_dropped_link_stops_the_toy_for_good() {
    let (transport, ctl) = VirtualToy::lush("LVS-S11");
    let (toy, _events) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    toy.set_level(lv(10));
    sleep(ms(300)).await;
    assert!(ctl.stops_on_disconnect());
    assert_eq!(ctl.intensity(), 10);
    ctl.disconnect().await;
    assert_eq!(ctl.intensity(), 0);
    ctl.reconnect().await;
    sleep(ms(1000)).await;
    assert_eq!(ctl.intensity(), 0, "no resume");
    assert_eq!(
        ctl.writes().last().unwrap(),
        "AutoSwith:On:Off;",
        "safety re-armed"
    );
}

#[tokio::test(start_paused = true)]
async fn a_lost_stop_is_recovered() {
    let (transport, ctl) = VirtualToy::lush("LVS-S11");
    let (toy, mut events) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    toy.set_level(lv(12));
    sleep(ms(300)).await;
    assert_eq!(ctl.intensity(), 12, "{:?}", ctl.timed_writes());
    ctl.set_faults(Faults {
        drop_next_writes: 1,
        ..Faults::default()
    });
    let t_stop = Instant::now();
    toy.stop_now();
    sleep(ms(500)).await;
    assert_eq!(ctl.intensity(), 12, "the stop was lost on the air");
    sleep(ms(1000)).await;
    assert_eq!(ctl.intensity(), 0, "sent again after the reply timeout");
    assert_eq!(ctl.dropped_writes(), 1);
    let stopped_at = ctl.timeline().last().unwrap().0;
    assert_eq!(stopped_at - t_stop, ms(1000));
    let mut saw_no_reply = false;
    while let Ok(e) = events.try_recv() {
        saw_no_reply |= e == ToyEvent::NoReply("Vibrate:0;".into());
    }
    assert!(saw_no_reply);
}

#[tokio::test(start_paused = true)]
async fn slow_replies_still_identify_and_silence_falls_back_to_the_name() {
    let (transport, ctl) = VirtualToy::new("LVS-Edge36", "P", 36, "A1B2C3D4E5F6", 40);
    ctl.set_faults(Faults {
        reply_delay: ms(300),
        ..Faults::default()
    });
    let (toy, _events) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    let identity = toy.identify("LVS-Edge36", 3, ms(500)).await;
    assert_eq!(
        (identity.model, identity.source),
        (Model::Edge, Source::DeviceType)
    );
    assert_eq!(toy.battery().await, Ok(40));

    let (transport, ctl) = VirtualToy::new("LVS-Edge36", "P", 36, "A1B2C3D4E5F6", 40);
    ctl.set_faults(Faults {
        reply_delay: ms(5000),
        ..Faults::default()
    });
    let (toy, _events) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    let identity = toy.identify("LVS-Edge36", 3, ms(500)).await;
    assert_eq!(
        (identity.model, identity.firmware, identity.source),
        (Model::Edge, Some(36), Source::Name)
    );
}

#[tokio::test(start_paused = true)]
async fn battery_comes_back_prefixed_while_vibrating() {
    let (transport, ctl) = VirtualToy::lush("LVS-S11");
    let (toy, mut events) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    toy.set_level(lv(3));
    sleep(ms(300)).await;
    ctl.set_battery(55);
    assert_eq!(toy.battery().await, Ok(55));
    let mut replies = Vec::new();
    while let Ok(e) = events.try_recv() {
        if let ToyEvent::Received(r) = e {
            replies.push(r);
        }
    }
    assert_eq!(replies, ["OK;", "OK;", "s55;"]);
}

fn cuedeck(args: &[&str]) -> (i32, String, String) {
    let out = Process::new(env!("CARGO_BIN_EXE_cuedeck"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn toy_test_virtual_prints_the_transcript_ending_with_a_stop() {
    let (code, stdout, stderr) = cuedeck(&[
        "toy",
        "test",
        "--virtual",
        "--pattern",
        "pulse",
        "--seconds",
        "1",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&"-> AutoSwith:On:Off;"), "{stdout}");
    assert!(lines.contains(&"-> DeviceType;"), "{stdout}");
    assert!(lines.contains(&"<- S:11:0082059AD3BD;"), "{stdout}");
    assert!(lines.contains(&"-> Vibrate:5;"), "{stdout}");
    assert!(lines.contains(&"<- OK;"), "{stdout}");
    let sent: Vec<&str> = lines
        .iter()
        .filter(|l| l.starts_with("-> "))
        .copied()
        .collect();
    assert_eq!(sent.last(), Some(&"-> Vibrate:0;"), "{stdout}");
    assert!(!stdout.contains("!!"), "{stdout}");
}

#[test]
fn toy_info_virtual_reports_model_firmware_battery() {
    let (code, stdout, stderr) = cuedeck(&["toy", "info", "--virtual"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("model:    Lush (1 vibrator), firmware 11"),
        "{stdout}"
    );
    assert!(stdout.contains("battery:  85 %"), "{stdout}");
}

#[test]
fn toy_arguments_are_checked() {
    let (code, _, stderr) = cuedeck(&["toy", "test", "--virtual", "--intensity", "21"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = cuedeck(&["toy", "test", "--virtual", "--device", "LVS-X"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn toy_scan_without_bluetooth_says_what_is_missing_and_exits_2() {
    let has_bus = std::path::Path::new("/run/dbus/system_bus_socket").exists();
    let (code, _, stderr) = cuedeck(&["toy", "scan", "--seconds", "1"]);
    if has_bus && code == 0 {
        eprintln!("a Bluetooth stack is present here: nothing to check");
        return;
    }
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("D-Bus") || stderr.contains("adapter"),
        "names what is missing: {stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "one plain line: {stderr}");
}

#[test]
fn toy_info_virtual_answers_as_every_model_of_the_table() {
    for m in cuedeck::toy::models::MODELS {
        let code = m.codes[0];
        let (status, stdout, stderr) = cuedeck(&["toy", "info", "--virtual", code]);
        assert_eq!(status, 0, "{code}: {stderr}");
        let wire = m.wire_code();
        assert!(
            stdout.contains(&format!("<- {wire}:")),
            "{code} answers DeviceType as itself: {stdout}"
        );
        assert!(
            stdout.contains(&format!("model:    {} (", m.name)),
            "{code}: {stdout}"
        );
        assert!(stdout.contains("battery:  85 %"), "{code}: {stdout}");
        assert!(stdout.contains("gatt:     "), "{code}: {stdout}");
        if m.wire_code().len() <= 2 {
            assert!(
                stdout.contains("gatt:     gen 3, service "),
                "{code}: {stdout}"
            );
        }
        for (i, o) in m.outputs.iter().enumerate() {
            let line = format!("output {}: {} 0..={} (", i + 1, o.label, o.max);
            assert!(stdout.contains(&line), "{code}: {line} in {stdout}");
        }
    }
    let (status, stdout, _) = cuedeck(&["toy", "info", "--virtual", "Gravity"]);
    assert_eq!(status, 0);
    assert!(stdout.contains("<- EA:11:"), "{stdout}");
    let (status, _, stderr) = cuedeck(&["toy", "info", "--virtual", "Zork"]);
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("\"Zork\" is no model"), "{stderr}");
}

#[test]
fn toy_test_virtual_model_prints_each_output_level() {
    let args = "toy test --virtual Nora --intensity 8 --seconds 1 --reverse";
    let (status, stdout, stderr) = cuedeck(&args.split(' ').collect::<Vec<_>>());
    assert_eq!(status, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    for want in [
        "<- A:11:0082059AD3BD;",
        "-> Vibrate:8;",
        "-> Rotate:8;",
        "-> RotateChange;",
        "#   vibrate 8/20 · rotate 8/20",
        "-> Rotate:0;",
        "#   vibrate 0/20 · rotate 0/20",
    ] {
        assert!(lines.contains(&want), "{want} in {stdout}");
    }
    let last_sent = lines.iter().rev().find(|l| l.starts_with("-> "));
    assert_eq!(last_sent, Some(&"-> Vibrate:0;"), "{stdout}");
    assert!(!stdout.contains("!!"), "{stdout}");
}

#[test]
fn toy_test_plays_a_pattern_file_or_names_its_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("waves.txt");
    std::fs::write(&good, "V:1;T:Edge;F:v1,v2;S:100;#\n10,0;20,5;10,20;").unwrap();
    let (status, stdout, stderr) = cuedeck(&[
        "toy",
        "test",
        "--virtual",
        "Edge",
        "--pattern-file",
        good.to_str().unwrap(),
        "--intensity",
        "20",
        "--seconds",
        "1",
    ]);
    assert_eq!(status, 0, "{stderr}");
    assert!(
        stdout.contains("running pattern file waves (100 ms steps)"),
        "{stdout}"
    );
    // Each motor follows its own feature.
    assert!(stdout.contains("-> Vibrate1:"), "{stdout}");
    assert!(stdout.contains("-> Vibrate2:"), "{stdout}");
    assert!(stdout.trim_end().ends_with("<- OK;"), "{stdout}");
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "V:1;F:v;S:100;#\n1;\n2;\n99;").unwrap();
    let (status, _, stderr) = cuedeck(&[
        "toy",
        "test",
        "--virtual",
        "--pattern-file",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("bad: line 4: value \"99\" is not 0..=20"),
        "{stderr}"
    );
}
