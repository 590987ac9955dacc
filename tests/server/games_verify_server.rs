//! `cuedeck verify --server URL --room ROOM` and `--viewer`, the real
//! binary against a real server: fair spins and whole nonces pass with one
//! summary line; a store row tampered with afterwards is reported unfair.

use super::games_api::*;
use super::games_listing::{all_spins, rotate};
use crate::support::*;

fn verify_cli(args: Vec<String>) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cuedeck"))
        .arg("verify")
        .args(&args)
        .env_remove("CUEDECK_TOKEN")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn verify(args: &[&str]) -> (Option<i32>, String, String) {
    let args = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || verify_cli(args))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_checks_a_room_and_a_viewer_and_reports_a_tampered_row() {
    let t = TestServer::start_on_sqlite().await;
    put_game(&t, WHEEL, fast_wheel(0)).await;
    let (u1, u2) = (viewer(&t, "u1").await, viewer(&t, "u2").await);
    for n in 0..3 {
        spun(&t, &u1, WHEEL, &format!("a{n}"), 1).await;
        spun(&t, &u2, WHEEL, &format!("a{n}"), 2).await;
    }
    rotate(&t, WHEEL).await;
    spun(&t, &u1, WHEEL, "b", 1).await;
    let url = t.url().http("");

    let (code, out, err) = verify(&["--server", &url, "--room", ROOM]).await;
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(out.lines().count(), 1, "one summary line: {out}");
    assert!(
        out.starts_with("room r1: 7 spins (spin_wheel 7): 6 fair, 1 not revealed yet, 0 unfair"),
        "{out}"
    );
    let (code, out, err) = verify(&["--server", &url, "--viewer", "--token", &u1]).await;
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.starts_with(
            "viewer u1: 4 spins (spin_wheel 4): 3 fair, 1 not revealed yet, 0 unfair; \
             2 server seeds, nonces whole"
        ),
        "{out}"
    );
    let (code, _, err) = verify(&["--server", &url, "--viewer"]).await;
    assert_eq!(code, Some(2), "no token: {err}");
    let (code, _, err) = verify(&["--server", &url, "--viewer", "--token", ADMIN]).await;
    assert_eq!(code, Some(2), "not a viewer: {err}");
    assert!(err.contains("forbidden"), "{err}");

    // Someone with the database changes a revealed spin's value, and
    // makes u1's last spin under the first seed reuse nonce 1.
    let spins = all_spins(&t, WHEEL, "", 100).await;
    let changed = &spins[0];
    let reused = spins
        .iter()
        .filter(|s| s.spin_id != changed.spin_id)
        .nth(3)
        .unwrap();
    assert_eq!(reused.nonce, 2);
    {
        let db = rusqlite::Connection::open(db(&t.dir)).unwrap();
        db.execute(
            "UPDATE game_spins SET value = (value + 1) % total WHERE spin_id = ?1",
            [&changed.spin_id],
        )
        .unwrap();
        db.execute(
            "UPDATE game_spins SET nonce = 1 WHERE spin_id = ?1",
            [&reused.spin_id],
        )
        .unwrap();
    }
    let (code, out, err) = verify(&["--server", &url, "--room", ROOM, "--game", WHEEL]).await;
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.contains(&format!("unfair: spin {} ", changed.spin_id)) && out.contains("draw value"),
        "{out}"
    );
    assert!(
        out.contains(&format!("unfair: spin {} ", reused.spin_id)),
        "{out}"
    );
    assert!(
        out.lines()
            .last()
            .unwrap()
            .contains("4 fair, 1 not revealed yet, 2 unfair"),
        "{out}"
    );
    let (code, out, _) = verify(&["--server", &url, "--viewer", "--token", &u1]).await;
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("1 repeated nonce(s), missing []"), "{out}");
    assert!(
        out.lines()
            .last()
            .unwrap()
            .contains("1 fair, 1 not revealed yet, 2 unfair"),
        "{out}"
    );
    assert!(out.contains("NOT whole"), "{out}");
}
