//! Durable requests per second over HTTP: every viewer sends its requests
//! one after another, all viewers at once; shared by the benches that set
//! one kind of viewer action against chip-menu purchases.

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
