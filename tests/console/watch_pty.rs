//! The real binary as a moderator watching three rooms of a real server:
//! the grid, a room opened, a viewer banned from it, the refund in the
//! ledger.

use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::protocol::CreateToken;

use crate::support::pty::Console;
use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_moderator_bans_a_viewer_from_one_of_three_watched_rooms() {
    let t = TestServer::start().await;
    let admin = t.client(ADMIN);
    admin.create_room("r3", "p3").await.unwrap();
    for room in [OTHER_ROOM, "r3"] {
        admin.broadcast(&room.into(), true).await.unwrap();
    }
    let integration = t.client(&t.tokens.integration);
    for (room, performer, user, key) in [
        (ROOM, PERFORMER, "u1", "w-1"),
        (ROOM, PERFORMER, "u1", "w-2"),
        (ROOM, PERFORMER, "u2", "w-3"),
        (OTHER_ROOM, "p2", "u1", "w-4"),
        ("r3", "p3", "u3", "w-5"),
    ] {
        let payload = serde_json::to_vec(
            &PayloadBuilder::new(performer, user, key, 40)
                .display_name(&format!("Fan-{user}"))
                .json(),
        )
        .unwrap();
        integration
            .intake(&room.into(), &payload, key, false)
            .await
            .expect("intake accepted");
    }
    let spec = CreateToken {
        role: "moderator".into(),
        room: None,
        rooms: vec![ROOM.into(), OTHER_ROOM.into(), "r3".into()],
        user: None,
        expires_at: None,
    };
    let token = admin.create_token(&spec).await.unwrap().token;
    let url = t.url().to_string();
    let mut console = tokio::task::spawn_blocking(move || {
        Console::spawn(&["console", "--server", &url], &[("CUEDECK_TOKEN", &token)])
    })
    .await
    .unwrap();

    let grid = tokio::task::block_in_place(|| {
        console.wait_until("the three rooms", |s| {
            s.contains("watching 3 rooms")
                && s.contains("r1")
                && s.contains("r2")
                && s.contains("r3")
        })
    });
    assert!(grid.contains("q 3 · 120 tk escrow"), "{grid}");

    tokio::task::block_in_place(|| {
        console.press("\x1b[5~"); // page up: the first room, r1
        console.press("\r");
        console.wait_for("moderator (read-only)");
        console.press("b");
        console.wait_for("Ban Fan-u1");
        console.press("\r"); // harassment, this room
        console.wait_for("refunded 40 tk of #2 (moderation)");
    });
    assert_eq!(
        admin.balance(&"u1".into()).await.unwrap().tokens,
        10_000 - 40,
        "both of u1's items in r1 refunded, the one in r2 kept"
    );
    let r1 = admin.snapshot(&ROOM.into()).await.unwrap();
    assert_eq!(r1.waiting.len(), 1, "only u2's item is left in r1");
    assert_eq!(r1.totals.refunded, 80);
    let r2 = admin.snapshot(&OTHER_ROOM.into()).await.unwrap();
    assert_eq!(r2.waiting.len(), 1, "a room ban leaves r2 alone");

    let status = tokio::task::block_in_place(|| {
        console.press("\x1b"); // back to the grid
        console.wait_for("ban just made");
        console.press("q");
        console.wait_exit()
    });
    assert!(status.success(), "{status:?}");
    t.stop().await;
}
