//! `cargo bench --bench watch`
//!
//! The watch grid: (1) drawing 200 rooms, each with a timer running, at
//! 200x60 (the mean of many draws, in µs); (2) the real binary's CPU while
//! an admin console watches 50 rooms of a real server, each with an item on
//! stage, one intake a second across them, for 30 s (CUEDECK_WATCH_SECONDS
//! to change); utime + stime from /proc/PID/stat. The draw's own CPU time
//! goes to standard error (on a busy machine the wall clock also counts
//! waiting for a core). Ends with:
//! `watch rooms=200 render_us=... cpu_percent_50_rooms=...`

use std::time::{Duration, Instant};

use cuedeck::client::{RestClient, ServerUrl, StreamEvent};
use cuedeck::console::app::App;
use cuedeck::console::keymap::Keymap;
use cuedeck::console::theme::Theme;
use cuedeck::console::watch::WatchGrid;
use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::*;

#[path = "support/console_cpu.rs"]
mod console_cpu;

const ADMIN: &str = "watch-bench-admin-token-0";
const T0: Stamp = Stamp(1_795_000_000_000_000);

/// An App watching `rooms` rooms, each with an item on stage.
fn grid(rooms: usize) -> App {
    let mut engine = Engine::new(EngineConfig::default());
    let mut app = App::new(
        "watch".into(),
        Keymap::default_keymap(),
        Theme::default_theme(),
    );
    app.watch = Some(WatchGrid::default());
    let mint = Command::Mint {
        user: "viewer".into(),
        amount: 1_000_000,
    };
    engine.execute(T0, &Request::new(mint)).unwrap();
    for n in 0..rooms {
        let room = format!("room-{n:03}");
        let performer = format!("perf-{n:03}");
        let commands = [
            Command::CreateRoom {
                room: room.as_str().into(),
                performer: performer.as_str().into(),
            },
            Command::BroadcastStart {
                room: room.as_str().into(),
            },
            PayloadBuilder::new(&performer, "viewer", &format!("k{n}"), 30)
                .title("Dance")
                .duration_ms(600_000)
                .queued(&room),
            Command::Start {
                room: room.as_str().into(),
                item: None,
                by: Actor::new(Role::Performer, "p"),
            },
        ];
        for command in commands {
            engine.execute(T0, &Request::new(command)).unwrap();
        }
        let id: RoomId = room.as_str().into();
        let snapshot = cuedeck::server::snapshot_of(&engine, &id, "e").unwrap();
        app.on_watch(Some(id), StreamEvent::Snapshot(Box::new(snapshot)), T0);
    }
    app
}

/// This thread's CPU time in µs: what a draw costs whatever else the
/// machine runs (the wall clock counts waits for a shared core too).
fn thread_cpu_us() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid out-pointer for clock_gettime.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 * 1e6 + t.tv_nsec as f64 / 1e3
}

/// Mean µs a draw, wall clock and this thread's CPU.
fn render_us(rooms: usize) -> (f64, f64) {
    let app = grid(rooms);
    let backend = ratatui::backend::TestBackend::new(200, 60);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    let draws = 300;
    let started = Instant::now();
    let cpu_before = thread_cpu_us();
    for n in 0..draws {
        // A new second each draw: every timer changes.
        let now = T0.plus_millis(1000 * (n + 1));
        terminal
            .draw(|frame| cuedeck::console::view::draw(frame, &app, now))
            .unwrap();
    }
    let wall = started.elapsed().as_secs_f64() * 1e6 / draws as f64;
    let cpu = (thread_cpu_us() - cpu_before) / draws as f64;
    (wall, cpu)
}

fn cpu_percent(rooms: usize, seconds: u64) -> f64 {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (server, url) = runtime.block_on(async {
        let config = cuedeck::server::ServerConfig {
            listen: "127.0.0.1:0".into(),
            admin_token: Some(ADMIN.into()),
            ..Default::default()
        };
        let server = cuedeck::server::start(config, dir.path().join("watch.db"))
            .await
            .unwrap();
        let url = ServerUrl::parse(&server.url()).unwrap();
        let admin = RestClient::new(url.clone(), ADMIN);
        admin.mint("viewer", 10_000_000, None).await.unwrap();
        for n in 0..rooms {
            let room = format!("room-{n:02}");
            let performer = format!("perf-{n:02}");
            admin.create_room(&room, &performer).await.unwrap();
            admin.broadcast(&room.as_str().into(), true).await.unwrap();
            let key = format!("first-{n}");
            let body = serde_json::to_vec(
                &PayloadBuilder::new(&performer, "viewer", &key, 10)
                    .duration_ms(3_600_000)
                    .json(),
            )
            .unwrap();
            admin
                .intake(&room.as_str().into(), &body, &key, false)
                .await
                .unwrap();
            admin
                .start(&room.as_str().into(), None, &format!("start-{n}"))
                .await
                .unwrap();
        }
        (server, url)
    });

    let url_text = url.to_string();
    let mut child =
        console_cpu::spawn_console(dir.path(), &["--server", &url_text], ADMIN, (200, 60));
    let pid = child.process_id().expect("a pid");
    std::thread::sleep(Duration::from_secs(2));
    // One intake a second, round the rooms.
    let feeder = runtime.spawn({
        let admin = RestClient::new(url.clone(), ADMIN);
        async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            for n in 0.. {
                tick.tick().await;
                let room = format!("room-{:02}", n % rooms);
                let performer = format!("perf-{:02}", n % rooms);
                let key = format!("feed-{n}");
                let body =
                    serde_json::to_vec(&PayloadBuilder::new(&performer, "viewer", &key, 10).json())
                        .unwrap();
                let _ = admin
                    .intake(&room.as_str().into(), &body, &key, false)
                    .await;
            }
        }
    });
    let cpu_percent = console_cpu::cpu_percent(pid, seconds);
    feeder.abort();
    let _ = child.kill();
    let _ = child.wait();
    runtime.block_on(server.stop());
    cpu_percent
}

fn main() {
    let seconds: u64 = std::env::var("CUEDECK_WATCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let (render, render_cpu) = render_us(200);
    let cpu = cpu_percent(50, seconds);
    eprintln!("render_cpu_us={render_cpu:.0} (the drawing thread's CPU time a draw)");
    println!("watch rooms=200 render_us={render:.0} cpu_percent_50_rooms={cpu:.2}");
}
