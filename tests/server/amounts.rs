//! Amounts at the ledger's limit and items past the retention window, over
//! a real loopback server: a refusal changes nothing, the server keeps
//! taking commands, and a restart opens the database it wrote.

use crate::support::*;
use cuedeck::domain::{ItemId, ItemState, MAX_SUPPLY, Stamp};
use cuedeck::server::ServerConfig;
use cuedeck::server::config::Clock;
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn mint(t: &TestServer, user: &str, amount: u128) -> (StatusCode, serde_json::Value) {
    let body = format!("{{\"amount\": {amount}}}").into_bytes();
    t.client(ADMIN)
        .raw(
            Method::POST,
            &format!("/api/v1/wallets/{user}/mint"),
            None,
            Some(body),
        )
        .await
        .unwrap()
}

async fn tokens(t: &TestServer, user: &str) -> u64 {
    t.client(ADMIN).balance(&user.into()).await.unwrap().tokens
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mint_past_the_supply_is_refused_and_the_server_keeps_going() {
    let mut t = TestServer::start().await;
    // 2^63, u64::MAX, and 2^62 (two of which once left a database that
    // would not open).
    for amount in [1u128 << 63, u64::MAX as u128, 1 << 62, 1 << 62] {
        let (status, body) = mint(&t, "whale-a", amount).await;
        assert_eq!(status, StatusCode::CONFLICT, "{amount}: {body}");
        assert_eq!(body["code"], json!("overflow"), "{amount}: {body}");
        assert_eq!(tokens(&t, "whale-a").await, 0, "nothing shown for {amount}");
    }
    let (status, body) = mint(&t, "whale-a", 1).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // What is left of the supply, then not one more.
    let left = MAX_SUPPLY - 30_000 - 1;
    let (status, body) = mint(&t, "whale-b", u128::from(left)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = mint(&t, "whale-c", 1).await;
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::CONFLICT, &json!("overflow"))
    );
    t.intake("u1", "still-taking", 10).await;

    t.restart().await;
    assert_eq!(tokens(&t, "whale-a").await, 1);
    assert_eq!(tokens(&t, "whale-b").await, left);
    assert_eq!(tokens(&t, "u1").await, 10_000 - 10);
    t.stop().await;
}

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
        assert!(format!("{err:?}").contains("unknown_item"), "{err:?}");
        t.restart().await;
    }
    t.stop().await;
}
