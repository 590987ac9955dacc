//! Chip menus over a real loopback server: editing with versions and
//! conflicts, the role matrix, strict validation, and every purchase rule
//! (live-only, rounding, visibility, whitelist, daily limits across UTC
//! midnight, instant vs queued, points on settle, no client prices,
//! idempotency, future purchases only), with the ledger checked after each.

use crate::support::*;
use cuedeck::client::RestClient;
use cuedeck::domain::time::Clock;
use cuedeck::domain::{ItemState, RefundReason, Reply, Stamp, Tier};
use cuedeck::menus::api::{PurchaseBody, SortKey};
use cuedeck::menus::client::{MenuClient, MenuClientError};
use cuedeck::menus::{MenuSpec, MenuView};
use cuedeck::protocol::CreateToken;
use cuedeck::protocol::ErrorCode;
use cuedeck::server::ServerConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn menus(t: &TestServer, token: &str) -> MenuClient {
    MenuClient::new(t.client(token))
}

async fn viewer_token(t: &TestServer, user: &str) -> String {
    t.client(ADMIN)
        .create_token(&CreateToken {
            role: "viewer".into(),
            room: None,
            rooms: vec![],
            user: Some(user.into()),
            expires_at: None,
        })
        .await
        .unwrap()
        .token
}

type Change = Box<dyn Fn(&mut Value)>;

fn spec(value: Value) -> MenuSpec {
    serde_json::from_value(value).unwrap()
}

/// A queue-ON menu of three items.
fn energy() -> MenuSpec {
    spec(json!({
        "name": "Private Energy",
        "queueMode": "on",
        "items": [
            {"title": "Slow dance", "baseTokens": 60, "bonusPoints": 5, "durationHintMs": 120000,
             "toy": {"enabled": true, "timing": "p50", "intensity": 10, "durationMs": 5000, "pattern": "wave"}},
            {"title": "Song request", "baseTokens": 40},
            {"title": "Ab", "baseTokens": 25, "hidden": true}
        ]
    }))
}

/// A queue-OFF menu.
fn quick() -> MenuSpec {
    spec(json!({
        "name": "Quick Fun",
        "queueMode": "off",
        "items": [
            {"title": "Wink", "baseTokens": 5, "bonusPoints": 2},
            {"title": "Quick buzz", "baseTokens": 21,
             "toy": {"enabled": true, "timing": "start", "intensity": 8, "durationMs": 3000, "pattern": "pulse"}}
        ]
    }))
}

/// Tokens are conserved: wallets + escrow + earned = minted.
async fn assert_conserved(t: &TestServer, minted: u64) {
    let admin = t.client(ADMIN);
    let mut total = 0;
    for user in ["u1", "u2", "u3", "u4"] {
        total += admin.balance(&user.into()).await.unwrap().tokens;
    }
    for room in [ROOM, OTHER_ROOM] {
        let totals = admin.snapshot(&room.into()).await.unwrap().totals;
        total += totals.escrow + totals.earned;
    }
    assert_eq!(total, minted, "tokens are conserved");
}

async fn wallet(t: &TestServer, user: &str) -> (u64, u64) {
    let b = t.client(ADMIN).balance(&user.into()).await.unwrap();
    (b.tokens, b.points)
}

fn code(err: &MenuClientError) -> ErrorCode {
    err.code().unwrap_or(ErrorCode::Unrecognized)
}

async fn buy(
    client: &MenuClient,
    menu: &str,
    item: &str,
    key: &str,
) -> Result<cuedeck::menus::PurchaseReceipt, MenuClientError> {
    client
        .purchase(&ROOM.into(), menu, item, key, &PurchaseBody::default())
        .await
}

mod availability;
mod editing;
mod purchases;
mod roles;
mod validation;
