//! `cargo bench --bench fanout`
//!
//! Intakes over HTTP against a real `cuedeck serve` on loopback, watched by
//! N WebSocket subscribers (N = 1 and 100): the latency from sending the
//! intake request to the `item_queued` event arriving at each watcher. In
//! the same run, the baseline: a bare tokio-tungstenite server broadcasting
//! the same bytes to the same number of clients, timed the same way. Then
//! the durable intake rate over HTTP.
//!
//! The watchers run in a child process (this program again), the same for
//! both runs, so the server under test does not share its runtime with the
//! clients measuring it; times are wall-clock microseconds, one clock for
//! both processes.
//!
//! One line per N: `watchers=N p50_us=.. p99_us=.. baseline_p99_us=.. ratio=..`
//! and `intake_per_s=..`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cuedeck::client::{RestClient, ServerUrl};
use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::protocol::CreateToken;
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ADMIN: &str = "bench-admin-token-000000";
const ROOM: &str = "bench";
/// Intakes timed per watcher count, sent at a steady pace.
const TIMED_INTAKES: usize = 400;
const PACE: Duration = Duration::from_millis(2);
const RATE_INTAKES: usize = 10_000;
const RATE_CLIENTS: usize = 32;

/// The item of an `item_queued` frame. Other frames are passed over without
/// parsing, in both runs alike: the watchers measure, they should not be
/// what loads the 2 cores.
fn queued_item(text: &str) -> Option<u64> {
    if !text.contains("\"type\":\"item_queued\"") {
        return None;
    }
    let frame: serde_json::Value = serde_json::from_str(text).ok()?;
    frame["event"]["item"]["id"].as_u64()
}

fn percentile(samples: &mut [u64], p: f64) -> u64 {
    samples.sort_unstable();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

fn payload(n: usize, user: &str) -> (String, Vec<u8>) {
    let key = format!("bench-{n}");
    let body = PayloadBuilder::new("perf", user, &key, 1)
        .display_name("Bench")
        .json();
    (key, serde_json::to_vec(&body).unwrap())
}

fn wall_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// What the watcher process is told: where to connect and how many.
struct WatchSpec {
    ws: String,
    token: Option<String>,
    watchers: usize,
}

/// The child: `watchers` sockets; prints `ready` once all are in, then one
/// `item arrival_us` line per `item_queued` frame received, then exits.
fn watcher_process(spec: &str) {
    let mut parts = spec.split('|');
    let ws = parts.next().unwrap().to_string();
    let token = Some(parts.next().unwrap().to_string()).filter(|t| !t.is_empty());
    let watchers: usize = parts.next().unwrap().parse().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<()>(watchers);
        let (line_tx, mut line_rx) = tokio::sync::mpsc::unbounded_channel::<(u64, u64)>();
        for _ in 0..watchers {
            let mut request = ws.as_str().into_client_request().unwrap();
            if let Some(token) = &token {
                request
                    .headers_mut()
                    .insert("Authorization", format!("Bearer {token}").parse().unwrap());
            }
            let (mut socket, _) = tokio_tungstenite::connect_async_with_config(request, None, true)
                .await
                .unwrap();
            if token.is_some() {
                let subscribe = serde_json::json!({"type": "subscribe", "room": ROOM}).to_string();
                socket.send(Message::Text(subscribe.into())).await.unwrap();
            } else {
                ready_tx.send(()).await.unwrap();
            }
            let (ready, lines) = (ready_tx.clone(), line_tx.clone());
            tokio::spawn(async move {
                let mut seen = 0;
                while let Some(Ok(message)) = socket.next().await {
                    let Message::Text(text) = message else {
                        continue;
                    };
                    let at = wall_us();
                    if text.starts_with("{\"type\":\"snapshot\"") {
                        ready.send(()).await.unwrap();
                    } else if let Some(item) = queued_item(&text) {
                        let _ = lines.send((item, at));
                        seen += 1;
                        if seen == TIMED_INTAKES {
                            break;
                        }
                    }
                }
            });
        }
        drop(line_tx);
        for _ in 0..watchers {
            ready_rx.recv().await.unwrap();
        }
        println!("ready");
        let mut out = String::new();
        while let Some((item, at)) = line_rx.recv().await {
            out.push_str(&format!("{item} {at}\n"));
        }
        print!("{out}");
    });
}

/// Start the watcher process and wait until it is ready.
fn spawn_watchers(spec: &WatchSpec) -> std::process::Child {
    use std::io::BufRead;
    let me = std::env::current_exe().unwrap();
    let mut child = std::process::Command::new(me)
        .env(
            "CUEDECK_FANOUT_WATCH",
            format!(
                "{}|{}|{}",
                spec.ws,
                spec.token.clone().unwrap_or_default(),
                spec.watchers
            ),
        )
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.as_mut().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    child
}

/// Read the child's receipts and turn them into latencies.
fn latencies(child: std::process::Child, sent: &HashMap<u64, u64>) -> Vec<u64> {
    let output = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let (item, at) = line.split_once(' ')?;
            let start = sent.get(&item.parse().ok()?)?;
            Some(at.parse::<u64>().ok()?.saturating_sub(*start))
        })
        .collect()
}

/// Intakes over HTTP watched by `watchers` subscribers of the real server.
async fn cuedeck_run(
    url: &ServerUrl,
    admin: &RestClient,
    performer: &str,
    watchers: usize,
) -> Vec<u64> {
    let spec = WatchSpec {
        ws: url.websocket(),
        token: Some(performer.to_string()),
        watchers,
    };
    let child = tokio::task::spawn_blocking(move || spawn_watchers(&spec))
        .await
        .unwrap();
    let integration = admin
        .create_token(&CreateToken {
            role: "integration".into(),
            room: None,
            rooms: vec![],
            user: None,
            expires_at: None,
        })
        .await
        .unwrap()
        .token;
    let client = RestClient::new(url.clone(), integration);
    let mut sent = HashMap::new();
    let mut pace = tokio::time::interval(PACE);
    for n in 0..TIMED_INTAKES {
        pace.tick().await;
        let (key, body) = payload(n, "viewer");
        // The item number is the intake's place in the log: known before
        // sending, so the send time is taken before the request.
        let item = (n + 1) as u64;
        sent.insert(item, wall_us());
        let reply = client
            .intake(&ROOM.into(), &body, &key, false)
            .await
            .unwrap();
        assert_eq!(reply.item().map(|i| i.0), Some(item));
    }
    tokio::task::spawn_blocking(move || latencies(child, &sent))
        .await
        .unwrap()
}

/// The baseline: a bare tokio-tungstenite server broadcasting the same
/// frames per intake, one `Arc<str>` shared by every client.
async fn baseline_run(watchers: usize, frames: Vec<String>) -> Vec<u64> {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, _) = broadcast::channel::<(u64, Arc<str>)>(4096);
    let server_tx = tx.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tcp.set_nodelay(true).unwrap();
            let mut rx = server_tx.subscribe();
            tokio::spawn(async move {
                let mut socket = tokio_tungstenite::accept_async(tcp).await.unwrap();
                while let Ok((_, bytes)) = rx.recv().await {
                    if socket
                        .send(Message::Text(bytes.to_string().into()))
                        .await
                        .is_err()
                    {
                        break;
                    }
                }
            });
        }
    });
    let spec = WatchSpec {
        ws: format!("ws://{addr}/"),
        token: None,
        watchers,
    };
    let child = tokio::task::spawn_blocking(move || spawn_watchers(&spec))
        .await
        .unwrap();
    while tx.receiver_count() < watchers {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Number the items like the real ones, outside the timed part.
    let per_intake: Vec<Vec<Arc<str>>> = (0..TIMED_INTAKES)
        .map(|n| {
            frames
                .iter()
                .map(|f| {
                    let mut value: serde_json::Value = serde_json::from_str(f).unwrap();
                    if value["event"]["type"] == "item_queued" {
                        value["event"]["item"]["id"] = serde_json::json!(n);
                    }
                    Arc::from(value.to_string())
                })
                .collect()
        })
        .collect();
    let mut sent = HashMap::new();
    let mut pace = tokio::time::interval(PACE);
    for (n, frames) in per_intake.into_iter().enumerate() {
        pace.tick().await;
        sent.insert(n as u64, wall_us());
        for bytes in frames {
            tx.send((n as u64, bytes)).unwrap();
        }
    }
    tokio::task::spawn_blocking(move || latencies(child, &sent))
        .await
        .unwrap()
}

/// Durable intakes per second over HTTP, `RATE_CLIENTS` clients at once.
async fn intake_rate(url: &ServerUrl, admin: &RestClient, first: usize) -> f64 {
    let integration = admin
        .create_token(&CreateToken {
            role: "integration".into(),
            room: None,
            rooms: vec![],
            user: None,
            expires_at: None,
        })
        .await
        .unwrap()
        .token;
    let began = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..RATE_CLIENTS {
        let client = RestClient::new(url.clone(), integration.clone());
        tasks.push(tokio::spawn(async move {
            for n in (first + c..first + RATE_INTAKES).step_by(RATE_CLIENTS) {
                let (key, body) = payload(n, &format!("viewer-{c}"));
                client
                    .intake(&ROOM.into(), &body, &key, false)
                    .await
                    .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    RATE_INTAKES as f64 / began.elapsed().as_secs_f64()
}

fn main() {
    if let Ok(spec) = std::env::var("CUEDECK_FANOUT_WATCH") {
        watcher_process(&spec);
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut lines = Vec::new();
        for watchers in [1usize, 100] {
            // Three rounds, each on a fresh server, ours then the baseline;
            // the medians damp the odd stall of a shared machine.
            let mut rounds = Vec::new();
            for round in 0..ROUNDS {
                rounds.push(one_round(watchers, watchers == 1 && round == 0).await);
            }
            let median = |f: fn(&Round) -> u64| {
                let mut v: Vec<u64> = rounds.iter().map(f).collect();
                v.sort_unstable();
                v[v.len() / 2]
            };
            let (p50, p99, base99) = (median(|r| r.p50), median(|r| r.p99), median(|r| r.baseline_p99));
            lines.push(format!(
                "watchers={watchers} p50_us={p50} p99_us={p99} baseline_p99_us={base99} ratio={:.2}",
                p99 as f64 / base99 as f64
            ));
            if let Some(rate) = rounds.iter().find_map(|r| r.intake_rate) {
                lines.push(format!("intake_per_s={rate:.0}"));
            }
        }
        for line in lines {
            println!("{line}");
        }
    });
}

const ROUNDS: usize = 3;

struct Round {
    p50: u64,
    p99: u64,
    baseline_p99: u64,
    intake_rate: Option<f64>,
}

async fn one_round(watchers: usize, measure_rate: bool) -> Round {
    // A fresh server per round, so item numbers start at 1.
    let dir = tempfile::tempdir().unwrap();
    let mut config = cuedeck::server::ServerConfig {
        listen: "127.0.0.1:0".into(),
        admin_token: Some(ADMIN.into()),
        ..Default::default()
    };
    // CUEDECK_BENCH_SYNC=normal measures without an fsync per commit.
    if std::env::var("CUEDECK_BENCH_SYNC").as_deref() == Ok("normal") {
        config.synchronous = cuedeck::store::Synchronous::Normal;
    }
    let server = cuedeck::server::start(config, dir.path().join("bench.db"))
        .await
        .unwrap();
    let url = ServerUrl::parse(&server.url()).unwrap();
    let admin = RestClient::new(url.clone(), ADMIN);
    admin.create_room(ROOM, "perf").await.unwrap();
    admin.broadcast(&ROOM.into(), true).await.unwrap();
    admin.mint("viewer", 1 << 40, None).await.unwrap();
    for c in 0..RATE_CLIENTS {
        admin
            .mint(&format!("viewer-{c}"), 1 << 40, None)
            .await
            .unwrap();
    }
    let performer = admin
        .create_token(&CreateToken {
            role: "performer".into(),
            room: Some(ROOM.into()),
            rooms: vec![],
            user: None,
            expires_at: None,
        })
        .await
        .unwrap()
        .token;
    let mut ours = cuedeck_run(&url, &admin, &performer, watchers).await;
    // The baseline broadcasts real frames of this server.
    let frames = sample_frames(&url, &performer).await;
    let mut base = baseline_run(watchers, frames).await;
    let intake_rate = if measure_rate {
        Some(intake_rate(&url, &admin, TIMED_INTAKES).await)
    } else {
        None
    };
    server.stop().await;
    Round {
        p50: percentile(&mut ours, 0.50),
        p99: percentile(&mut ours, 0.99),
        baseline_p99: percentile(&mut base, 0.99).max(1),
        intake_rate,
    }
}

/// The frames one intake sends to a watcher (item_queued, announcement,
/// private message), as the server sent them: replayed from seq 2.
async fn sample_frames(url: &ServerUrl, performer: &str) -> Vec<String> {
    let mut request = url.websocket().into_client_request().unwrap();
    request.headers_mut().insert(
        "Authorization",
        format!("Bearer {performer}").parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let mut frames = Vec::new();
    while let Some(Ok(message)) = socket.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        let frame: serde_json::Value = serde_json::from_str(&text).unwrap();
        match frame["type"].as_str() {
            Some("hello") => {
                let resume = serde_json::json!({"type": "subscribe", "room": ROOM, "resume": {"epoch": frame["epoch"], "seq": 2}});
                socket
                    .send(Message::Text(resume.to_string().into()))
                    .await
                    .unwrap();
            }
            Some("event") => {
                frames.push(text.to_string());
                if frames.len() == 3 {
                    return frames;
                }
            }
            _ => {}
        }
    }
    panic!("no events to sample")
}
