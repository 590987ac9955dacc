//! `cargo bench --bench idle`
//!
//! The console's CPU use while idle with a timer running: the real binary in
//! a pseudo-terminal against a real server, an item on stage, nothing else
//! happening for 30 s (CUEDECK_IDLE_SECONDS to change). CPU time comes from
//! /proc/PID/stat (utime + stime). Ends with:
//! `idle_seconds=30 cpu_ms=... cpu_percent=...`

use std::time::Duration;

use cuedeck::client::{RestClient, ServerUrl};
use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::protocol::CreateToken;

#[path = "support/console_cpu.rs"]
mod console_cpu;

const ADMIN: &str = "idle-bench-admin-token-0";

fn main() {
    let seconds: u64 = std::env::var("CUEDECK_IDLE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (server, url, performer) = runtime.block_on(async {
        let config = cuedeck::server::ServerConfig {
            listen: "127.0.0.1:0".into(),
            admin_token: Some(ADMIN.into()),
            ..Default::default()
        };
        let server = cuedeck::server::start(config, dir.path().join("idle.db"))
            .await
            .unwrap();
        let url = ServerUrl::parse(&server.url()).unwrap();
        let admin = RestClient::new(url.clone(), ADMIN);
        admin.create_room("room", "perf").await.unwrap();
        admin.broadcast(&"room".into(), true).await.unwrap();
        admin.mint("viewer", 1000, None).await.unwrap();
        let body = serde_json::to_vec(
            &PayloadBuilder::new("perf", "viewer", "k1", 10)
                .duration_ms(3_600_000)
                .json(),
        )
        .unwrap();
        admin
            .intake(&"room".into(), &body, "k1", false)
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
        (server, url, performer)
    });

    let url_text = url.to_string();
    let args = ["--server", url_text.as_str(), "--room", "room"];
    let mut child = console_cpu::spawn_console(dir.path(), &args, &performer, (80, 24));
    let pid = child.process_id().expect("a pid");
    // Let it connect and draw, then measure a quiet stretch.
    std::thread::sleep(Duration::from_secs(2));
    let cpu_percent = console_cpu::cpu_percent(pid, seconds);
    let _ = child.kill();
    let _ = child.wait();
    runtime.block_on(server.stop());
    let cpu_ms = cpu_percent * seconds as f64 * 10.0;
    println!("idle_seconds={seconds} cpu_ms={cpu_ms:.0} cpu_percent={cpu_percent:.2}");
}
