//! A real `cuedeck serve` on a loopback port with a temporary database,
//! and tokens for every role.
#![allow(dead_code)]

pub mod cluster;
pub mod postgres;
pub mod pty;
pub mod webdriver;

use std::path::PathBuf;

use cuedeck::client::{RestClient, ServerUrl};
use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::protocol::CreateToken;
use cuedeck::server::{self, Server, ServerConfig};

pub const ADMIN: &str = "admin-token-for-tests-0001";
pub const ROOM: &str = "r1";
pub const PERFORMER: &str = "p1";
pub const OTHER_ROOM: &str = "r2";

pub struct Tokens {
    pub admin: String,
    pub integration: String,
    pub performer: String,
    pub other_performer: String,
    pub moderator: String,
    pub other_moderator: String,
    pub viewer: String,
}

pub type WsSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct TestServer {
    pub server: Option<Server>,
    pub dir: tempfile::TempDir,
    pub config: ServerConfig,
    pub tokens: Tokens,
    /// The SQLite file in `dir`, or with `CUEDECK_TEST_DATABASE=postgres` a
    /// fresh database on the tests' throwaway PostgreSQL.
    pub database: cuedeck::store::Database,
}

/// Where a test server keeps its data (see [`TestServer::database`]).
fn database(dir: &tempfile::TempDir) -> cuedeck::store::Database {
    match std::env::var("CUEDECK_TEST_DATABASE").as_deref() {
        Ok("postgres") => {
            let url = postgres::shared().fresh_url("server");
            cuedeck::store::Database::parse(&url).expect("a PostgreSQL URL")
        }
        _ => db(dir).into(),
    }
}

pub fn db(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("cuedeck.db")
}

impl TestServer {
    /// A server with rooms r1 (live) and r2, and 10,000 tokens for u1..u3.
    pub async fn start() -> Self {
        Self::start_with(ServerConfig::default()).await
    }

    /// [`TestServer::start`] on the SQLite file in `dir` whatever
    /// `CUEDECK_TEST_DATABASE` says, for tests that read or move the file.
    pub async fn start_on_sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let file = db(&dir).into();
        Self::start_in(ServerConfig::default(), dir, file).await
    }

    pub async fn start_with(config: ServerConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = database(&dir);
        Self::start_in(config, dir, database).await
    }

    async fn start_in(
        mut config: ServerConfig,
        dir: tempfile::TempDir,
        database: cuedeck::store::Database,
    ) -> Self {
        config.listen = "127.0.0.1:0".into();
        config.admin_token = Some(ADMIN.into());
        let server = server::start(config.clone(), database.clone())
            .await
            .expect("server starts");
        let url = ServerUrl::parse(&server.url()).unwrap();
        let admin = RestClient::new(url, ADMIN);
        admin.create_room(ROOM, PERFORMER).await.unwrap();
        admin.create_room(OTHER_ROOM, "p2").await.unwrap();
        admin.broadcast(&ROOM.into(), true).await.unwrap();
        for user in ["u1", "u2", "u3"] {
            admin
                .mint(user, 10_000, Some(&format!("mint-{user}")))
                .await
                .unwrap();
        }
        let token = |role: &str, room: Option<&str>, rooms: &[&str], user: Option<&str>| {
            let spec = CreateToken {
                role: role.into(),
                room: room.map(Into::into),
                rooms: rooms.iter().map(|r| (*r).into()).collect(),
                user: user.map(Into::into),
                expires_at: None,
            };
            let admin = admin.clone();
            async move { admin.create_token(&spec).await.unwrap().token }
        };
        let tokens = Tokens {
            admin: ADMIN.into(),
            integration: token("integration", None, &[], None).await,
            performer: token("performer", Some(ROOM), &[], None).await,
            other_performer: token("performer", Some(OTHER_ROOM), &[], None).await,
            moderator: token("moderator", None, &[ROOM], None).await,
            other_moderator: token("moderator", None, &[OTHER_ROOM], None).await,
            viewer: token("viewer", None, &[], Some("u1")).await,
        };
        TestServer {
            server: Some(server),
            dir,
            config,
            tokens,
            database,
        }
    }

    pub fn url(&self) -> ServerUrl {
        ServerUrl::parse(&self.server.as_ref().expect("running").url()).unwrap()
    }

    pub fn client(&self, token: &str) -> RestClient {
        RestClient::new(self.url(), token)
    }

    /// Stop and start again on the same database (and the same port).
    pub async fn restart(&mut self) {
        let server = self.server.take().expect("running");
        let addr = server.addr();
        server.stop().await;
        let mut config = self.config.clone();
        config.listen = addr.to_string();
        self.server = Some(
            server::start(config, self.database.clone())
                .await
                .expect("server restarts"),
        );
    }

    /// Post one queued intake as the integration; returns the item number.
    pub async fn intake(&self, user: &str, key: &str, cost: u64) -> u64 {
        let payload = payload(user, key, cost);
        let reply = self
            .client(&self.tokens.integration)
            .intake(&ROOM.into(), &payload, key, false)
            .await
            .expect("intake accepted");
        reply.item().expect("an item").0
    }

    /// A WebSocket whose reader keeps a tiny receive window, so that a
    /// socket the test does not read backs up after a few events rather
    /// than after however much the kernel's autotuned buffers hold.
    pub async fn small_window_socket(&self, token: &str) -> WsSocket {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let addr = self.server.as_ref().expect("running").addr();
        let tcp = tokio::net::TcpSocket::new_v4().unwrap();
        tcp.set_recv_buffer_size(4096).unwrap();
        let stream = tcp.connect(addr).await.unwrap();
        let mut request = self.url().websocket().into_client_request().unwrap();
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse().unwrap());
        let stream = tokio_tungstenite::MaybeTlsStream::Plain(stream);
        let (socket, _) = tokio_tungstenite::client_async(request, stream)
            .await
            .unwrap();
        socket
    }

    /// Post intakes to r1, 200 at a time, until the server counts a slow
    /// consumer; false if 40,000 were not enough.
    pub async fn flood_until_slow_consumer(&self) -> bool {
        self.flood_until("cuedeck_slow_consumers_total 1").await
    }

    /// Post intakes to r1, 200 at a time, until the metrics show `line`;
    /// false if 40,000 were not enough.
    pub async fn flood_until(&self, line: &str) -> bool {
        let mut n = 0;
        while n < 40_000 {
            let mut batch = Vec::new();
            for _ in 0..200 {
                let client = self.client(&self.tokens.integration);
                let key = format!("flood-{n}");
                n += 1;
                batch.push(tokio::spawn(async move {
                    client
                        .intake(&ROOM.into(), &payload("u1", &key, 1), &key, false)
                        .await
                        .unwrap();
                }));
            }
            for task in batch {
                task.await.unwrap();
            }
            if self.metrics().await.contains(line) {
                return true;
            }
        }
        false
    }

    pub async fn metrics(&self) -> String {
        reqwest::get(self.url().http("/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
    }
}

pub fn payload(user: &str, key: &str, cost: u64) -> Vec<u8> {
    serde_json::to_vec(
        &PayloadBuilder::new(PERFORMER, user, key, cost)
            .display_name("Viewer")
            .json(),
    )
    .unwrap()
}
