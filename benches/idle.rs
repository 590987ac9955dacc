//! `cargo bench --bench idle`
//!
//! The console's CPU use while idle with a timer running: the real binary in
//! a pseudo-terminal against a real server, an item on stage, nothing else
//! happening for 30 s (CUEDECK_IDLE_SECONDS to change). CPU time comes from
//! /proc/PID/stat (utime + stime). Ends with:
//! `idle_seconds=30 cpu_ms=... cpu_percent=...`

use std::io::Read;
use std::time::Duration;

use cuedeck::client::{RestClient, ServerUrl};
use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::protocol::CreateToken;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const ADMIN: &str = "idle-bench-admin-token-0";

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat =
        std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat is readable");
    // Fields after the ")" that closes the command name: state is field 3,
    // utime field 14, stime field 15.
    let rest = &stat[stat.rfind(')').expect("a command name") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

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

    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cuedeck"));
    cmd.args(["console", "--server", &url.to_string(), "--room", "room"]);
    cmd.env("CUEDECK_TOKEN", performer);
    cmd.env("HOME", dir.path());
    cmd.env("XDG_CONFIG_HOME", dir.path().join("config"));
    cmd.env("XDG_DATA_HOME", dir.path().join("data"));
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    let pid = child.process_id().expect("a pid");
    let mut reader = pty.master.try_clone_reader().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while matches!(reader.read(&mut buf), Ok(n) if n > 0) {}
    });
    // Let it connect and draw, then measure a quiet stretch.
    std::thread::sleep(Duration::from_secs(2));
    let before = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(seconds));
    let after = cpu_ticks(pid);
    let _ = child.kill();
    let _ = child.wait();
    runtime.block_on(server.stop());
    // SAFETY: sysconf has no preconditions.
    let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let cpu_ms = (after - before) as f64 * 1000.0 / ticks_per_second;
    println!(
        "idle_seconds={seconds} cpu_ms={cpu_ms:.0} cpu_percent={:.2}",
        cpu_ms / (seconds as f64 * 10.0)
    );
}
