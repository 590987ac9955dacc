//! The real `cuedeck console` binary in a pseudo-terminal against a real
//! server: start, finish and refund through keys, checked on the parsed
//! screen and on the server's ledger.

use crate::support::pty::Console;
use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn start_finish_and_refund_through_keys() {
    let t = TestServer::start().await;
    for (n, user) in ["u1", "u2", "u3"].iter().enumerate() {
        t.intake(user, &format!("e2e-{n}"), 40).await;
    }
    let admin = t.client(ADMIN);
    let url = t.url().to_string();
    let token = t.tokens.performer.clone();
    let mut console = tokio::task::spawn_blocking(move || {
        Console::spawn(
            &["console", "--server", &url, "--room", ROOM],
            &[("CUEDECK_TOKEN", &token)],
        )
    })
    .await
    .unwrap();

    let screen = tokio::task::block_in_place(|| console.wait_for("Queue (3)"));
    assert!(screen.contains("LIVE"), "{screen}");

    tokio::task::block_in_place(|| {
        console.press("s");
        console.wait_for("Now performing #1");
    });
    let snapshot = admin.snapshot(&ROOM.into()).await.unwrap();
    assert_eq!(snapshot.in_progress.map(|r| r.item.id.0), Some(1));

    tokio::task::block_in_place(|| {
        console.press("f");
        console.wait_for("done 1");
    });
    let snapshot = admin.snapshot(&ROOM.into()).await.unwrap();
    assert_eq!(snapshot.totals.earned, 40, "finish settled the item");

    // Refund the selected row (the next waiting item) in full.
    tokio::task::block_in_place(|| {
        console.press("r");
        console.wait_for("Refund #2");
        console.press("\r");
        console.wait_for("refunded 40 tk of #2");
    });
    assert_eq!(
        admin.balance(&"u2".into()).await.unwrap().tokens,
        10_000,
        "u2 got the tokens back"
    );
    let snapshot = admin.snapshot(&ROOM.into()).await.unwrap();
    assert_eq!(snapshot.totals.refunded, 40);
    assert_eq!(snapshot.waiting.len(), 1);

    // Quit: the console leaves the alternate screen and exits cleanly.
    let status = tokio::task::block_in_place(|| {
        console.press("q");
        console.wait_exit()
    });
    assert!(status.success(), "{status:?}");
    t.stop().await;
}
