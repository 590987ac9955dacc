//! `cargo bench --bench overlay`
//!
//! The stream overlays of the real console binary (in a pseudo-terminal,
//! against a real server, an item on stage so its timer runs), with five
//! widgets open as event-stream clients (queue, stage, toy, events, wheel):
//!
//! - latency: from a purchase's event reaching the room's subscribers (a
//!   second subscriber beside the console stamps it: the server sends it
//!   to both in one fan-out) to the queue page receiving the frame that
//!   shows it, 200 purchases 50 ms apart;
//! - CPU: the console's utime + stime from /proc/PID/stat over 30 s
//!   (CUEDECK_OVERLAY_SECONDS) with the five widgets open, minus the same
//!   with the overlays switched off.
//!
//! Ends with `overlay_intake_ack` and `overlay_from_post` (the intake's
//! answer alone, and from posting it to the page: for scale),
//! `overlay p50_us=.. p99_us=..` and
//! `overlay_cpu seconds=.. off_percent=.. on_percent=.. added_percent=..`.

use std::path::Path;
use std::time::{Duration, Instant};

use cuedeck::client::{RestClient, RoomStream, ServerUrl, StreamEvent, StreamOptions};
use cuedeck::domain::EventKind;
use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::protocol::CreateToken;
use portable_pty::Child;
use tokio::sync::mpsc;

#[path = "support/console_cpu.rs"]
mod console_cpu;

const ADMIN: &str = "overlay-bench-admin-token-0";
const SAMPLES: usize = 200;
const OPEN: [&str; 5] = ["queue", "stage", "toy", "events", "wheel"];

/// The console in a pseudo-terminal with its own home.
fn console(home: &Path, url: &ServerUrl, token: &str, port: Option<u16>) -> Box<dyn Child> {
    let config = home.join("config/cuedeck");
    std::fs::create_dir_all(&config).unwrap();
    let overlay = match port {
        Some(port) => format!("[overlay]\nenabled = true\nport = {port}\n"),
        None => "[overlay]\nenabled = false\n".into(),
    };
    std::fs::write(config.join("config.toml"), overlay).unwrap();
    let url_text = url.to_string();
    let args = ["--server", url_text.as_str(), "--room", "room"];
    console_cpu::spawn_console(home, &args, token, (100, 30))
}

/// Each `frame` event of one widget's stream, as it arrives.
async fn follow(
    url: String,
    tx: mpsc::UnboundedSender<(&'static str, String, Instant)>,
    widget: &'static str,
) {
    let mut response = reqwest::get(&url).await.expect("the stream opens");
    assert_eq!(response.status(), 200, "{url}");
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            if event.starts_with("event: frame")
                && let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: "))
            {
                let _ = tx.send((widget, data.to_string(), Instant::now()));
            }
        }
    }
}

/// When each queued item's event reaches a second subscriber of the room:
/// the server sends it to every subscriber in the same fan-out, so this is
/// when it reaches the console too.
async fn witness(url: ServerUrl, token: String, tx: mpsc::UnboundedSender<(u64, Instant)>) {
    let mut stream =
        RoomStream::connect(&url, &token, "room".into(), None, StreamOptions::default());
    while let Some(event) = stream.next().await {
        if let StreamEvent::Event { event, .. } = event
            && let EventKind::ItemQueued { item, .. } = &event.kind
        {
            let _ = tx.send((item.id.0, Instant::now()));
        }
    }
}

fn percentile(sorted: &[u128], p: f64) -> u128 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let seconds: u64 = std::env::var("CUEDECK_OVERLAY_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (server, url, performer, admin) = runtime.block_on(async {
        let config = cuedeck::server::ServerConfig {
            listen: "127.0.0.1:0".into(),
            admin_token: Some(ADMIN.into()),
            ..Default::default()
        };
        let server = cuedeck::server::start(config, dir.path().join("overlay.db"))
            .await
            .unwrap();
        let url = ServerUrl::parse(&server.url()).unwrap();
        let admin = RestClient::new(url.clone(), ADMIN);
        admin.create_room("room", "perf").await.unwrap();
        admin.broadcast(&"room".into(), true).await.unwrap();
        admin.mint("viewer", 1_000_000, None).await.unwrap();
        let body = serde_json::to_vec(
            &PayloadBuilder::new("perf", "viewer", "k0", 10)
                .duration_ms(3_600_000)
                .display_name("Bencher")
                .json(),
        )
        .unwrap();
        admin
            .intake(&"room".into(), &body, "k0", false)
            .await
            .unwrap();
        admin.start(&"room".into(), None, "start-1").await.unwrap();
        let performer = admin
            .create_token(&CreateToken {
                role: "performer".into(),
                room: Some("room".into()),
                rooms: vec![],
                user: None,
                expires_at: None,
            })
            .await
            .unwrap()
            .token;
        (server, url, performer, admin)
    });

    // The overlays off: the console's own CPU with the timer running.
    let off_home = dir.path().join("off");
    let mut off = console(&off_home, &url, &performer, None);
    std::thread::sleep(Duration::from_secs(2));
    let off_percent = console_cpu::cpu_percent(off.process_id().unwrap(), seconds);
    let _ = off.kill();
    let _ = off.wait();

    // The overlays on, five widgets open.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let on_home = dir.path().join("on");
    let mut on = console(&on_home, &url, &performer, Some(port));
    let tokens_file = on_home.join("data/cuedeck/overlay-tokens.toml");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !tokens_file.exists() {
        assert!(
            Instant::now() < deadline,
            "the console never wrote its overlay tokens"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    let tokens: std::collections::BTreeMap<String, String> =
        toml::from_str(&std::fs::read_to_string(&tokens_file).unwrap()).unwrap();
    let (tx, mut frames) = mpsc::unbounded_channel();
    for widget in OPEN {
        let feed = format!(
            "http://127.0.0.1:{port}/overlay/{widget}/feed?token={}",
            tokens[widget]
        );
        runtime.spawn(follow(feed, tx.clone(), widget));
    }
    // Every widget has its first frame before anything is measured.
    runtime.block_on(async {
        let mut seen = std::collections::BTreeSet::new();
        while seen.len() < OPEN.len() {
            let (widget, _, _) = frames.recv().await.expect("frames");
            seen.insert(widget);
        }
    });
    let on_percent = console_cpu::cpu_percent(on.process_id().unwrap(), seconds);
    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    runtime.spawn(witness(url.clone(), performer.clone(), seen_tx));
    std::thread::sleep(Duration::from_millis(500));

    let (mut samples, mut acks, mut posts) = runtime.block_on(async {
        let mut samples: Vec<u128> = Vec::with_capacity(SAMPLES);
        let mut acks: Vec<u128> = Vec::with_capacity(SAMPLES);
        let mut posts: Vec<u128> = Vec::with_capacity(SAMPLES);
        for i in 1..=SAMPLES {
            while frames.try_recv().is_ok() {}
            let key = format!("bench-{i}");
            let body = serde_json::to_vec(
                &PayloadBuilder::new("perf", "viewer", &key, 1)
                    .display_name("Bencher")
                    .json(),
            )
            .unwrap();
            while seen.try_recv().is_ok() {}
            let sent = Instant::now();
            let reply = admin
                .intake(&"room".into(), &body, &key, false)
                .await
                .unwrap();
            acks.push(sent.elapsed().as_micros());
            let item = reply.item().expect("an item").0;
            let reached = loop {
                let (id, at) = seen.recv().await.expect("the room's events");
                if id == item {
                    break at;
                }
            };
            // The queue counts the item on stage too.
            let want = format!("\"count\":{}", i + 1);
            loop {
                let (widget, data, at) =
                    tokio::time::timeout(Duration::from_secs(5), frames.recv())
                        .await
                        .expect("the queue page got its update within 5 s")
                        .expect("frames");
                if widget == "queue" && data.contains(&want) {
                    samples.push(at.saturating_duration_since(reached).as_micros());
                    posts.push(at.duration_since(sent).as_micros());
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        (samples, acks, posts)
    });
    let _ = on.kill();
    let _ = on.wait();
    runtime.block_on(server.stop());
    samples.sort_unstable();
    acks.sort_unstable();
    posts.sort_unstable();
    // For scale: the intake's answer alone (its commit is on disk first),
    // and from posting it to the page having it.
    println!(
        "overlay_intake_ack p50_us={} p99_us={}",
        percentile(&acks, 0.50),
        percentile(&acks, 0.99)
    );
    println!(
        "overlay_from_post p50_us={} p99_us={}",
        percentile(&posts, 0.50),
        percentile(&posts, 0.99)
    );
    println!(
        "overlay p50_us={} p99_us={}",
        percentile(&samples, 0.50),
        percentile(&samples, 0.99)
    );
    println!(
        "overlay_cpu seconds={seconds} off_percent={off_percent:.2} on_percent={on_percent:.2} added_percent={:.2}",
        on_percent - off_percent
    );
}
