//! Durable requests per second over HTTP: every viewer sends its requests
//! one after another, all viewers at once; shared by the benches that set
//! one kind of viewer action against chip-menu purchases.
// Each bench that includes this uses a part of it.
#![allow(dead_code)]

use std::time::Instant;

use cuedeck::client::ServerUrl;
use serde_json::Value;

/// Requests per second over the whole batch: each of `tokens` posts
/// `per_viewer` bodies (`body(n)`) to `path`, keyed `{prefix}-v{v}-n{n}`.
pub async fn batch(
    url: &ServerUrl,
    tokens: &[String],
    path: &str,
    prefix: &str,
    per_viewer: usize,
    body: fn(usize) -> Value,
) -> f64 {
    let http = reqwest::Client::new();
    let began = Instant::now();
    let tasks: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(v, token)| {
            let (http, token) = (http.clone(), token.clone());
            let (path, prefix) = (url.http(path), prefix.to_string());
            tokio::spawn(async move {
                for n in 0..per_viewer {
                    let response = http
                        .post(&path)
                        .bearer_auth(&token)
                        .header("Idempotency-Key", format!("{prefix}-v{v}-n{n}"))
                        .json(&body(n))
                        .send()
                        .await
                        .expect("the server answers");
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    assert!(status.is_success(), "{status}: {text}");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    (tokens.len() * per_viewer) as f64 / began.elapsed().as_secs_f64()
}

pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

/// A real server on loopback with a live room: `viewers` viewer tokens with
/// plenty of tokens, a queue-ON chip menu whose item `m1-1` costs 5, and
/// what `setup` asks of the admin (path, method, JSON body) before the
/// runs begin.
pub struct Shop {
    pub server: cuedeck::server::Server,
    pub url: ServerUrl,
    pub admin: cuedeck::client::RestClient,
    pub tokens: Vec<String>,
    _dir: tempfile::TempDir,
}

pub async fn shop(
    admin_token: &str,
    room: &str,
    viewers: usize,
    setup: Vec<(String, reqwest::Method, Value)>,
) -> Shop {
    use cuedeck::client::RestClient;
    use cuedeck::protocol::CreateToken;

    let dir = tempfile::tempdir().unwrap();
    let config = cuedeck::server::ServerConfig {
        listen: "127.0.0.1:0".into(),
        admin_token: Some(admin_token.into()),
        ..Default::default()
    };
    let server = cuedeck::server::start(config, dir.path().join("bench.db"))
        .await
        .unwrap();
    let url = ServerUrl::parse(&server.url()).unwrap();
    let admin = RestClient::new(url.clone(), admin_token);
    admin.create_room(room, "perf").await.unwrap();
    admin.broadcast(&room.into(), true).await.unwrap();
    let mut tokens = Vec::new();
    for v in 0..viewers {
        let user = format!("viewer{v}");
        admin.mint(&user, 1 << 40, None).await.unwrap();
        let spec = CreateToken {
            role: "viewer".into(),
            room: None,
            rooms: vec![],
            user: Some(user.as_str().into()),
            expires_at: None,
        };
        tokens.push(admin.create_token(&spec).await.unwrap().token);
    }
    let menu = serde_json::json!({
        "name": "Bench", "queueMode": "on",
        "items": [{"title": "Dance", "baseTokens": 5}]
    });
    let menus = (
        format!("/api/v1/rooms/{room}/menus"),
        reqwest::Method::POST,
        menu,
    );
    for (path, method, body) in setup.into_iter().chain([menus]) {
        let body = serde_json::to_vec(&body).unwrap();
        let (status, answer) = admin.raw(method, &path, None, Some(body)).await.unwrap();
        assert!(status.is_success(), "{path}: {answer}");
    }
    Shop {
        server,
        url,
        admin,
        tokens,
        _dir: dir,
    }
}

/// One kind of request a bench times: where it goes, what its keys start
/// with, and its body for the `n`-th request of a viewer.
pub struct Kind {
    pub name: &'static str,
    pub path: String,
    pub body: fn(usize) -> Value,
}

/// The queue-ON menu item of [`shop`], bought: what every bench compares with.
pub fn purchase(room: &str) -> Kind {
    Kind {
        name: "purchase",
        path: format!("/api/v1/rooms/{room}/menus/m1/items/m1-1/purchase"),
        body: |_| serde_json::json!({}),
    }
}

/// `rounds` batches of `action` and of purchases, the two taking turns going
/// first (so neither always meets the longer queue), after an uncounted
/// warm-up; each round's rates on stderr, and the medians (action,
/// purchases).
pub async fn versus(
    url: &ServerUrl,
    tokens: &[String],
    action: &Kind,
    purchase: &Kind,
    rounds: usize,
    per_viewer: usize,
) -> (f64, f64) {
    let run = |kind: &Kind, tokens: &[String], round: usize| {
        let prefix = format!("{}-r{round}", kind.name);
        let (path, body) = (kind.path.clone(), kind.body);
        let tokens = tokens.to_vec();
        let url = url.clone();
        async move { batch(&url, &tokens, &path, &prefix, per_viewer, body).await }
    };
    run(purchase, &tokens[..4], 99).await;
    run(action, &tokens[..4], 99).await;
    let (mut actions, mut purchases) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        if round % 2 == 0 {
            purchases.push(run(purchase, tokens, round).await);
            actions.push(run(action, tokens, round).await);
        } else {
            actions.push(run(action, tokens, round).await);
            purchases.push(run(purchase, tokens, round).await);
        }
    }
    eprintln!("purchases_per_s each round: {purchases:.0?}");
    eprintln!("{}s_per_s each round: {actions:.0?}", action.name);
    (median(actions), median(purchases))
}
