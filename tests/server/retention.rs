//! Items past the retention window, over a real loopback server (amounts at
//! the ledger's limit are in `bad_input.rs`).

use crate::support::*;
use cuedeck::domain::time::Clock;
use cuedeck::domain::{ItemId, ItemState, Stamp};
use cuedeck::protocol::ErrorCode;
use cuedeck::server::ServerConfig;

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_item_past_the_window_is_still_audited_from_the_store() {
    let clock = Clock::default();
    let config = ServerConfig {
        clock: clock.clone(),
        ..ServerConfig::default()
    };
    let mut t = TestServer::start_with(config).await;
    let item = ItemId(t.intake("u1", "old-1", 30).await);
    let performer = t.client(&t.tokens.performer);
    performer.start(&ROOM.into(), None, "s1").await.unwrap();
    performer.finish(&ROOM.into(), None, "f1").await.unwrap();

    // Two days on, the engine has let the item go: the store answers.
    let day_us = 24 * 3600 * 1_000_000i64;
    clock.set(Stamp(Stamp::now().0 + 2 * day_us));
    t.intake("u2", "new-1", 10).await;
    for _ in 0..2 {
        let record = performer.audit(&ROOM.into(), item).await.unwrap();
        assert_eq!(record.state, ItemState::Finished);
        assert_eq!((record.settled, record.audit.len()), (30, 3));
        let err = t
            .client(ADMIN)
            .audit(&OTHER_ROOM.into(), item)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::UnknownItem), "{err:?}");
        t.restart().await;
    }
    t.stop().await;
}
