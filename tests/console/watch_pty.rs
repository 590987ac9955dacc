//! The real binaries as a user runs them: `cuedeck serve`, three rooms fed
//! by `cuedeck sim` (one of them live while watched), and a moderator's
//! console over all three in a pseudo-terminal. A viewer is banned from one
//! room through the dialog (reason other with its note, an expiry); the
//! refunds are in the ledger. Then the server is killed: the grid says the
//! connection is lost, and says nothing of it once the server is back.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cuedeck::client::{RestClient, ServerUrl};
use cuedeck::protocol::CreateToken;

use crate::support::ADMIN;
use crate::support::pty::Console;

const ROOMS: [&str; 3] = ["mod-a", "mod-b", "mod-c"];

/// `cuedeck ARGS` with its own home under `dir`, output to `log`.
fn cuedeck(dir: &Path, log: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cuedeck"));
    let out = File::create(dir.join(log)).unwrap();
    cmd.args(args)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("CUEDECK_ADMIN_TOKEN", ADMIN)
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out);
    cmd
}

fn serve(dir: &Path, port: u16) -> Child {
    let listen = format!("127.0.0.1:{port}");
    let db = dir.join("cuedeck.db");
    cuedeck(
        dir,
        "serve.log",
        &["serve", "--listen", &listen, "--db", db.to_str().unwrap()],
    )
    .spawn()
    .unwrap()
}

async fn wait_up(admin: &RestClient) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while admin.health().await.is_err() {
        assert!(Instant::now() < deadline, "cuedeck serve never answered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The audience of `room`: `seconds` of simulated time, as fast as the
/// server answers, nobody performing, so a queue builds up.
fn fill(dir: &Path, url: &str, room: &str, seed: &str) {
    let status = cuedeck(
        dir,
        &format!("sim-{room}.log"),
        &[
            "sim",
            "--server",
            url,
            "--room",
            room,
            "--token",
            ADMIN,
            "--seed",
            seed,
            "--viewers",
            "6",
            "--rate",
            "40",
            "--seconds",
            "60",
            "--speed",
            "max",
            "--no-performer",
        ],
    )
    .status()
    .unwrap();
    assert!(status.success(), "sim {room}: {status:?}");
}

/// The user id in the ban dialog's first line, `│Ban NAME (ID)`.
fn banned_user(screen: &str) -> String {
    let line = screen
        .lines()
        .find_map(|l| l.split_once("│Ban ").map(|(_, rest)| rest))
        .expect("the ban dialog");
    let open = line.find('(').unwrap();
    let close = line[open..].find(')').unwrap() + open;
    line[open + 1..close].to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_moderator_watches_three_simulated_rooms_bans_a_viewer_and_sees_the_server_drop() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let admin = RestClient::new(ServerUrl::parse(&url).unwrap(), ADMIN);
    let mut server = serve(dir.path(), port);
    wait_up(&admin).await;
    for (n, room) in ROOMS.iter().enumerate() {
        let (dir, url, seed) = (dir.path().to_owned(), url.clone(), (n + 1).to_string());
        tokio::task::spawn_blocking(move || fill(&dir, &url, room, &seed))
            .await
            .unwrap();
    }
    // While watched, the last room goes on live: its performer starts and
    // finishes, its viewers keep buying.
    let mut live = cuedeck(
        dir.path(),
        "sim-live.log",
        &[
            "sim",
            "--server",
            &url,
            "--room",
            ROOMS[2],
            "--token",
            ADMIN,
            "--seed",
            "9",
            "--viewers",
            "6",
            "--rate",
            "30",
            "--seconds",
            "600",
        ],
    )
    .spawn()
    .unwrap();
    let room_a = admin.snapshot(&ROOMS[0].into()).await.unwrap();
    assert!(!room_a.waiting.is_empty(), "the simulator queued items");

    let spec = CreateToken {
        role: "moderator".into(),
        room: None,
        rooms: ROOMS.iter().map(|r| (*r).into()).collect(),
        user: None,
        expires_at: None,
    };
    let token = admin.create_token(&spec).await.unwrap().token;
    let console_url = url.clone();
    let mut console = tokio::task::spawn_blocking(move || {
        Console::spawn(
            &["console", "--server", &console_url],
            &[("CUEDECK_TOKEN", &token)],
        )
    })
    .await
    .unwrap();

    let (grid, dialog) = tokio::task::block_in_place(|| {
        let grid = console.wait_until("the three rooms", |s| {
            s.contains("watching 3 rooms") && ROOMS.iter().all(|r| s.contains(r))
        });
        // The first room is selected at the start, and kept by identity.
        console.wait_for("▸ mod-a");
        console.press("\r");
        console.wait_for("moderator (read-only)");
        console.press("b");
        console.wait_for("Ban ");
        console.press("\x1b[A"); // up from the first reason: other
        console.press("\r");
        console.wait_for("note: a ban for \"other\" needs a note");
        let dialog = console.text();
        console.press("\t\t");
        console.press("abusive in chat");
        console.press("\t2h");
        (grid, dialog)
    });
    assert!(grid.contains("tk escrow"), "{grid}");
    let user = banned_user(&dialog);
    let theirs: u64 = room_a
        .waiting
        .iter()
        .filter(|item| item.user_id.as_str() == user)
        .map(|item| item.token_cost)
        .sum();
    assert!(theirs > 0, "{user} has items waiting in mod-a");
    let before = admin.balance(&user.as_str().into()).await.unwrap().tokens;

    tokio::task::block_in_place(|| {
        console.press("\r");
        console.wait_for("(moderation)");
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = admin.balance(&user.as_str().into()).await.unwrap().tokens;
        if now == before + theirs {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "refunded {} of {theirs}",
            now - before
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let after = admin.snapshot(&ROOMS[0].into()).await.unwrap();
    assert!(after.waiting.iter().all(|i| i.user_id.as_str() != user));
    let bans = admin.bans(&ROOMS[0].into()).await.unwrap().bans;
    let ban = bans
        .iter()
        .find(|b| b.user.as_str() == user)
        .expect("banned");
    assert_eq!(ban.note.as_deref(), Some("abusive in chat"));
    let lasts = ban.expires_at.unwrap().0 - ban.at.0;
    assert!(
        (lasts - 7_200_000_000).abs() < 1_000_000,
        "two hours: {ban:?}"
    );
    let elsewhere = admin.bans(&ROOMS[1].into()).await.unwrap().bans;
    assert!(elsewhere.is_empty(), "a room ban stays in its room");

    tokio::task::block_in_place(|| {
        console.press("\x1b"); // back to the grid
        console.wait_for("ban just made");
    });
    server.kill().unwrap();
    server.wait().unwrap();
    // The banner and the cards come in one frame, but the pty may hand the
    // frame over in pieces: wait until no card still says LIVE.
    let lost = tokio::task::block_in_place(|| {
        console.wait_until("CONNECTION LOST and no card LIVE", |screen| {
            screen.contains("CONNECTION LOST") && !screen.contains("· LIVE")
        })
    });
    assert!(
        lost.contains("reconnecting") && lost.contains("was "),
        "{lost}"
    );
    assert!(!lost.contains("· LIVE"), "no room shown live: {lost}");

    let mut server = serve(dir.path(), port);
    wait_up(&admin).await;
    let status = tokio::task::block_in_place(|| {
        console.wait_until("the stream back", |s| {
            !s.contains("LOST") && !s.contains("was ") && s.contains("watching 3 rooms")
        });
        console.press("q");
        console.wait_exit()
    });
    assert!(status.success(), "{status:?}");
    // It may have stopped by itself when the server went away.
    let _ = live.kill();
    live.wait().unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
}
