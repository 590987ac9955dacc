//! `cargo bench --bench messages`
//!
//! Private messages delivered by tier to 10,000 viewers, each with their
//! inbox stream open, against a real `cuedeck serve` on loopback. The
//! viewers are spread over the four tiers (vip, premium, basic, free, in
//! turn); intakes at a steady pace make the messages (each a receipt, and
//! "sit back" once the queue is long): about 2,000 a second. The streams
//! run in a child process (this program again); each message's arrival is
//! compared with its tier's time (its creation stamp plus the tier's
//! delay), on one wall clock for both processes.
//!
//! One line: `messages per_s=.. p99_delay_error_ms_vip=..
//! p99_delay_error_ms_free=.. viewers=10000` (`per_s`: messages created
//! and delivered per second over the sending window; then every tier's
//! p99 and the counts on a second line).

use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use cuedeck::client::{RestClient, ServerUrl};
use cuedeck::domain::Tier;
use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::protocol::CreateToken;
use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ADMIN: &str = "bench-admin-token-000000";
const ROOM: &str = "bench";
const VIEWERS: usize = 10_000;
/// Intakes per second; each makes one or two messages.
const INTAKES_PER_S: usize = 1_000;
const SECONDS: usize = 10;
const SETUP_CLIENTS: usize = 64;
const TIERS: [Tier; 4] = [Tier::Vip, Tier::Premium, Tier::Basic, Tier::Free];

fn wall_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

fn viewer(n: usize) -> String {
    format!("v{n}")
}

/// The child: one inbox stream per token in the file; prints `ready`, then
/// `tier created_us arrival_us` per message, and exits once the count on
/// its stdin has arrived (or after a minute of silence).
fn stream_process(spec: &str) {
    let (url, file) = spec.split_once('|').unwrap();
    let tokens: Vec<String> = std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let url = ServerUrl::parse(url).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<()>(tokens.len());
        let (line_tx, mut line_rx) = tokio::sync::mpsc::unbounded_channel::<(String, i64, i64)>();
        let opening = std::sync::Arc::new(tokio::sync::Semaphore::new(200));
        for token in &tokens {
            let token = token.clone();
            let (ready, lines, url, opening) = (
                ready_tx.clone(),
                line_tx.clone(),
                url.clone(),
                opening.clone(),
            );
            tokio::spawn(async move {
                let permit = opening.acquire_owned().await.unwrap();
                let mut request = url.inbox(None).into_client_request().unwrap();
                request
                    .headers_mut()
                    .insert("Authorization", format!("Bearer {token}").parse().unwrap());
                let (mut socket, _) =
                    tokio_tungstenite::connect_async_with_config(request, None, true)
                        .await
                        .unwrap();
                // Only the opening is limited; the stream stays open.
                drop(permit);
                while let Some(Ok(message)) = socket.next().await {
                    let Message::Text(text) = message else {
                        continue;
                    };
                    let at = wall_us();
                    if text.starts_with("{\"type\":\"hello\"") {
                        let _ = ready.send(()).await;
                        continue;
                    }
                    let frame: serde_json::Value = serde_json::from_str(&text).unwrap();
                    let m = &frame["message"];
                    if let (Some(tier), Some(created)) =
                        (m["tier"].as_str(), m["createdAt"].as_i64())
                    {
                        let _ = lines.send((tier.to_string(), created, at));
                    }
                }
            });
        }
        drop(line_tx);
        for _ in 0..tokens.len() {
            ready_rx.recv().await.unwrap();
        }
        println!("ready");
        let (expect_tx, mut expect_rx) = tokio::sync::mpsc::channel::<usize>(1);
        std::thread::spawn(move || {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).unwrap();
            let _ = expect_tx.blocking_send(line.trim().parse().unwrap());
        });
        let mut out = String::new();
        let mut got = 0usize;
        let mut expected = usize::MAX;
        loop {
            tokio::select! {
                Some(n) = expect_rx.recv() => expected = n,
                line = tokio::time::timeout(Duration::from_secs(60), line_rx.recv()) => match line {
                    Ok(Some((tier, created, at))) => {
                        out.push_str(&format!("{tier} {created} {at}\n"));
                        got += 1;
                    }
                    _ => break,
                },
            }
            if got >= expected {
                break;
            }
        }
        print!("{out}");
        std::process::exit(0);
    });
}

fn p99(samples: &mut [i64]) -> i64 {
    if samples.is_empty() {
        return -1;
    }
    samples.sort_unstable();
    let index = (samples.len() * 99).div_ceil(100).max(1) - 1;
    samples[index]
}

async fn setup(url: &ServerUrl, admin: &RestClient) -> Vec<String> {
    let mut tasks = Vec::new();
    for c in 0..SETUP_CLIENTS {
        let (url, admin) = (url.clone(), admin.clone());
        tasks.push(tokio::spawn(async move {
            let mut tokens = Vec::new();
            for n in (c..VIEWERS).step_by(SETUP_CLIENTS) {
                let user = viewer(n);
                let token = admin
                    .create_token(&CreateToken {
                        role: "viewer".into(),
                        room: None,
                        rooms: vec![],
                        user: Some(user.as_str().into()),
                        expires_at: None,
                    })
                    .await
                    .unwrap()
                    .token;
                admin.mint(&user, 1 << 30, None).await.unwrap();
                RestClient::new(url.clone(), token.clone())
                    .join(&ROOM.into(), TIERS[n % 4])
                    .await
                    .unwrap();
                tokens.push(token);
            }
            tokens
        }));
    }
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.extend(task.await.unwrap());
    }
    tokens
}

fn main() {
    if let Ok(spec) = std::env::var("CUEDECK_MESSAGES_STREAMS") {
        stream_process(&spec);
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = cuedeck::server::ServerConfig {
        listen: "127.0.0.1:0".into(),
        admin_token: Some(ADMIN.into()),
        ..Default::default()
    };
    // A viewer gets a receipt per intake and may be sent many: no reply
    // limit applies to the queue's own messages.
    if std::env::var("CUEDECK_BENCH_SYNC").as_deref() == Ok("normal") {
        config.synchronous = cuedeck::store::Synchronous::Normal;
    }
    let delays: Vec<i64> = TIERS
        .iter()
        .map(|t| config.messages.delivery.rule(*t).delay_ms as i64)
        .collect();
    let server = cuedeck::server::start(config, dir.path().join("bench.db"))
        .await
        .unwrap();
    let url = ServerUrl::parse(&server.url()).unwrap();
    let admin = RestClient::new(url.clone(), ADMIN);
    admin.create_room(ROOM, "perf").await.unwrap();
    admin.broadcast(&ROOM.into(), true).await.unwrap();
    let began = Instant::now();
    let tokens = setup(&url, &admin).await;
    eprintln!(
        "setup: {VIEWERS} viewers in {:.1} s",
        began.elapsed().as_secs_f64()
    );
    let file = dir.path().join("tokens.txt");
    std::fs::write(&file, tokens.join("\n")).unwrap();
    let me = std::env::current_exe().unwrap();
    let mut child = std::process::Command::new(me)
        .env(
            "CUEDECK_MESSAGES_STREAMS",
            format!("{}|{}", url, file.display()),
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready");
    eprintln!("{VIEWERS} streams open");

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
    let total = INTAKES_PER_S * SECONDS;
    let senders = 16;
    let sending = Instant::now();
    let mut tasks = Vec::new();
    for s in 0..senders {
        let client = RestClient::new(url.clone(), integration.clone());
        tasks.push(tokio::spawn(async move {
            let every = Duration::from_micros((1_000_000 * senders / INTAKES_PER_S) as u64);
            let mut pace = tokio::time::interval(every);
            pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            for n in (s..total).step_by(senders) {
                pace.tick().await;
                let key = format!("m-{n}");
                let user = viewer((n * 7919) % VIEWERS);
                let body = PayloadBuilder::new("perf", &user, &key, 1)
                    .display_name("Bench")
                    .json();
                client
                    .intake(
                        &ROOM.into(),
                        &serde_json::to_vec(&body).unwrap(),
                        &key,
                        false,
                    )
                    .await
                    .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let window = sending.elapsed().as_secs_f64();
    let created = admin.delivery_figures("").await.unwrap().total as usize;
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{created}").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
    let _ = child.wait();
    let mut errors: Vec<Vec<i64>> = vec![Vec::new(); 4];
    let mut delivered = 0usize;
    for line in rest.lines() {
        let mut parts = line.split(' ');
        let (Some(tier), Some(created_us), Some(at)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let Some(index) = TIERS.iter().position(|t| t.label() == tier) else {
            continue;
        };
        let due = created_us.parse::<i64>().unwrap() + delays[index] * 1000;
        let error_ms = (at.parse::<i64>().unwrap() - due).abs() / 1000;
        errors[index].push(error_ms);
        delivered += 1;
    }
    let figures = admin.delivery_figures("").await.unwrap();
    server.stop().await;
    let p: Vec<i64> = errors.iter_mut().map(|e| p99(e)).collect();
    println!(
        "messages per_s={:.0} p99_delay_error_ms_vip={} p99_delay_error_ms_free={} viewers={VIEWERS}",
        delivered as f64 / window,
        p[0],
        p[3]
    );
    println!(
        "messages created={created} delivered={delivered} window_s={window:.1} p99_delay_error_ms_premium={} p99_delay_error_ms_basic={} success_rate_percent={:.1}",
        p[1],
        p[2],
        figures.success_rate_percent.unwrap_or(0.0)
    );
}
