//! The bank the fail-over tests run: rooms live with a one-item menu,
//! viewers with full wallets, and viewers buying concurrently through the
//! retrying client, each purchase with its own idempotency key. Some
//! purchases are sent a second time once answered, to check that a retry
//! gets the original answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use cuedeck::client::{RestClient, ServerUrl};
use cuedeck::menus::MenuSpec;
use cuedeck::menus::client::MenuClient;
use cuedeck::protocol::CreateToken;
use reqwest::Method;
use serde_json::{Value, json};

use super::retry::Retrying;
use crate::support::ADMIN;

pub const MINTED: u64 = 1_000_000;
const PRICE: u64 = 7;

pub struct Room {
    pub id: String,
    pub performer_token: String,
    /// The purchase path of its menu's one item.
    pub purchase_path: String,
}

pub struct Viewer {
    pub user: String,
    pub token: String,
}

pub struct Bank {
    pub rooms: Vec<Room>,
    pub viewers: Vec<Viewer>,
}

async fn token(admin: &RestClient, role: &str, room: Option<&str>, user: Option<&str>) -> String {
    let spec = CreateToken {
        role: role.into(),
        room: room.map(Into::into),
        rooms: vec![],
        user: user.map(Into::into),
        expires_at: None,
    };
    admin.create_token(&spec).await.expect("a token").token
}

impl Bank {
    /// Rooms `room-1..` and viewers `viewer-1..`, set up through `leader`.
    pub async fn open(leader: &str, rooms: usize, viewers: usize) -> Bank {
        let url = ServerUrl::parse(leader).unwrap();
        let admin = RestClient::new(url.clone(), ADMIN);
        let menu: MenuSpec = serde_json::from_value(json!({
            "name": "Bank", "queueMode": "on",
            "items": [{"title": "Dance", "baseTokens": PRICE}]
        }))
        .unwrap();
        let mut bank = Bank {
            rooms: Vec::new(),
            viewers: Vec::new(),
        };
        for n in 1..=rooms {
            let (room, performer) = (format!("room-{n}"), format!("performer-{n}"));
            admin.create_room(&room, &performer).await.unwrap();
            admin.broadcast(&room.as_str().into(), true).await.unwrap();
            let performer_token = token(&admin, "performer", Some(&room), None).await;
            let view = MenuClient::new(RestClient::new(url.clone(), &performer_token))
                .create(&room.as_str().into(), &menu)
                .await
                .unwrap();
            let purchase_path = format!(
                "/api/v1/rooms/{room}/menus/{}/items/{}/purchase",
                view.id, view.items[0].id
            );
            bank.rooms.push(Room {
                id: room,
                performer_token,
                purchase_path,
            });
        }
        for n in 1..=viewers {
            let user = format!("viewer-{n}");
            admin
                .mint(&user, MINTED, Some(&format!("mint-{user}")))
                .await
                .unwrap();
            let token = token(&admin, "viewer", None, Some(&user)).await;
            bank.viewers.push(Viewer { user, token });
        }
        bank
    }
}

/// A purchase a node acknowledged.
#[derive(Debug, Clone)]
pub struct Acked {
    pub key: String,
    pub user: String,
    pub room: String,
    pub receipt: Value,
}

impl Acked {
    pub fn item(&self) -> i64 {
        self.receipt["queueItem"].as_i64().expect("a queue item")
    }

    pub fn price(&self) -> i64 {
        self.receipt["price"].as_i64().expect("a price")
    }
}

/// What the buyers saw.
#[derive(Debug, Default)]
pub struct Tally {
    pub acked: Vec<Acked>,
    /// A purchase sent again with its key: the key, the first answer, the second.
    pub retried: Vec<(String, Value, Value)>,
    /// Purchases answered with an error, or never answered.
    pub failed: Vec<String>,
}

impl Tally {
    pub fn merge(&mut self, other: Tally) {
        self.acked.extend(other.acked);
        self.retried.extend(other.retried);
        self.failed.extend(other.failed);
    }
}

/// Viewers buying in a loop until stopped; `acked` counts as they go.
pub struct Buyers {
    pub acked: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<Tally>>,
}

impl Buyers {
    /// Every viewer buys in turn in every room; purchase keys are
    /// `{prefix}-{viewer}-{n}`, and every `resend_every`th is sent twice.
    pub fn start(bank: &Bank, client: Arc<Retrying>, prefix: &str, resend_every: u64) -> Buyers {
        let acked = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let paths: Arc<Vec<(String, String)>> = Arc::new(
            bank.rooms
                .iter()
                .map(|r| (r.id.clone(), r.purchase_path.clone()))
                .collect(),
        );
        let tasks = bank
            .viewers
            .iter()
            .enumerate()
            .map(|(v, viewer)| {
                let (client, paths, acked, stop) =
                    (client.clone(), paths.clone(), acked.clone(), stop.clone());
                let (user, token) = (viewer.user.clone(), viewer.token.clone());
                let prefix = prefix.to_string();
                tokio::spawn(async move {
                    let mut tally = Tally::default();
                    let body = json!({});
                    let mut n = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        n += 1;
                        let (room, path) = &paths[(v + n as usize) % paths.len()];
                        let key = format!("{prefix}-{user}-{n}");
                        let send =
                            || client.send(Method::POST, path, &token, Some(&key), Some(&body));
                        match send().await {
                            Ok(answer) if answer.is_success() => {
                                acked.fetch_add(1, Ordering::Relaxed);
                                if n.is_multiple_of(resend_every) {
                                    let again = match send().await {
                                        Ok(again) => again.body,
                                        Err(err) => Value::String(err),
                                    };
                                    tally
                                        .retried
                                        .push((key.clone(), answer.body.clone(), again));
                                }
                                tally.acked.push(Acked {
                                    key,
                                    user: user.clone(),
                                    room: room.clone(),
                                    receipt: answer.body,
                                });
                            }
                            Ok(answer) => tally
                                .failed
                                .push(format!("{key}: {} {}", answer.status, answer.body)),
                            Err(err) => tally.failed.push(format!("{key}: {err}")),
                        }
                    }
                    tally
                })
            })
            .collect();
        Buyers { acked, stop, tasks }
    }

    pub fn count(&self) -> usize {
        self.acked.load(Ordering::Relaxed)
    }

    /// Stop after each buyer's purchase in flight is answered.
    pub async fn stop(self) -> Tally {
        self.stop.store(true, Ordering::Relaxed);
        let mut tally = Tally::default();
        for task in self.tasks {
            tally.merge(task.await.expect("a buyer"));
        }
        tally
    }
}
