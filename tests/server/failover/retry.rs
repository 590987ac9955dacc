//! A client of several nodes that finds the leader by itself: a request
//! that meets a dead, paused or standby node (a connection error, a
//! timeout, `503 not_leader` or `unavailable`) is sent again, with the same
//! idempotency key, to the next node (the one a standby names first) until
//! one answers or the time runs out.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;

/// How long one request may take before the node counts as unresponsive.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a request is retried across the nodes before it counts as
/// unanswered.
const RETRY_FOR: Duration = Duration::from_secs(25);

/// An answer from a node that was in a position to answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

pub struct Retrying {
    urls: Vec<String>,
    http: reqwest::Client,
    /// The node that answered last: tried first.
    preferred: AtomicUsize,
    /// Requests answered only after another attempt failed.
    rerouted: AtomicUsize,
}

impl Retrying {
    pub fn new(urls: Vec<String>) -> Retrying {
        Retrying {
            urls,
            http: reqwest::Client::builder()
                .timeout(ATTEMPT_TIMEOUT)
                .tcp_nodelay(true)
                .build()
                .expect("an HTTP client"),
            preferred: AtomicUsize::new(0),
            rerouted: AtomicUsize::new(0),
        }
    }

    /// How many requests were answered only after another attempt failed.
    pub fn rerouted(&self) -> usize {
        self.rerouted.load(Ordering::Relaxed)
    }

    /// Send until a node answers (anything but a node's "not me, not now");
    /// the error says why nothing did.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Answer, String> {
        let deadline = Instant::now() + RETRY_FOR;
        let mut node = self.preferred.load(Ordering::Relaxed);
        let mut last = String::new();
        let mut attempts = 0;
        loop {
            for _ in 0..self.urls.len() {
                attempts += 1;
                match self.once(node, &method, path, token, key, body).await {
                    Ok(answer) if !elsewhere(&answer) => {
                        self.preferred.store(node, Ordering::Relaxed);
                        if attempts > 1 {
                            self.rerouted.fetch_add(1, Ordering::Relaxed);
                        }
                        return Ok(answer);
                    }
                    Ok(answer) => {
                        last = format!("{}: {} {}", self.urls[node], answer.status, answer.body);
                        let named = answer.body["leader"].as_str();
                        match named.and_then(|url| self.urls.iter().position(|u| u == url)) {
                            Some(leader) if leader != node => node = leader,
                            _ => node = (node + 1) % self.urls.len(),
                        }
                    }
                    Err(err) => {
                        last = format!("{}: {err}", self.urls[node]);
                        node = (node + 1) % self.urls.len();
                    }
                }
            }
            if Instant::now() > deadline {
                return Err(format!("unanswered for {RETRY_FOR:?}; last: {last}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// One attempt on one node.
    async fn once(
        &self,
        node: usize,
        method: &Method,
        path: &str,
        token: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Answer, reqwest::Error> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.urls[node]))
            .bearer_auth(token);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Ok(Answer { status, body })
    }
}

/// A node's "ask another node, or later": it does not lead, or cannot serve now.
fn elsewhere(answer: &Answer) -> bool {
    answer.status == 503
        && matches!(
            answer.body["code"].as_str(),
            Some("not_leader" | "unavailable")
        )
}
