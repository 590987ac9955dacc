//! `toy scan|test --intiface` leave the real buttplug server with the
//! WebSocket close handshake (the engine logs `ResetWithoutClosingHandshake`
//! otherwise): the proxy in front of the server reads the client's frames
//! and notes whether a Close frame came before the connection ended. A
//! client that just drops its socket is seen as such, so the check can fail.

use std::time::Duration;

use tokio::time::{Instant, sleep};

use super::real_engine::Engine;

async fn run(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_cuedeck"))
            .args(&args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

/// Waits until `n` client connections have ended, and gives how each did.
async fn ended(engine: &Engine, n: usize) -> Vec<bool> {
    let deadline = Instant::now() + Duration::from_secs(5);
    while engine.closes().len() < n {
        assert!(Instant::now() < deadline, "{:?}", engine.closes());
        sleep(Duration::from_millis(20)).await;
    }
    engine.closes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_and_test_close_with_the_handshake_a_dropped_socket_does_not() {
    let mut engine = Engine::start(0).await;
    let url = engine.url.clone();
    // A client that drops its socket: no Close frame.
    let (ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    sleep(Duration::from_millis(100)).await;
    drop(ws);
    assert_eq!(ended(&engine, 1).await, [false], "a dropped socket");

    for round in 0..3 {
        let out = run(["toy", "scan", "--intiface", &url, "--seconds", "1"]
            .map(str::to_owned)
            .to_vec())
        .await;
        assert!(out.status.success(), "{out:?}");
        let closes = ended(&engine, 2 + round).await;
        assert!(closes[1 + round], "scan {round}: {closes:?}");
    }
    let _toy = engine.add_toy("Z").await;
    let out = run(["toy", "test", "--intiface", &url, "--seconds", "1"]
        .map(str::to_owned)
        .to_vec())
    .await;
    assert!(out.status.success(), "{out:?}");
    let closes = ended(&engine, 5).await;
    assert!(closes[4], "test: {closes:?}");
}
