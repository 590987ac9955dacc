//! Riding through a take-over: a request that a standby refused
//! (`not_leader`), or that got no answer from its node, is tried again on
//! the node the [`ServerList`] moves to, for a bounded time with a short
//! backoff. Only when that is safe: a request that is idempotent by its
//! method, or a command carrying an `Idempotency-Key` (the server answers
//! a retried key with the original outcome). Anything else is handed back
//! at once, the list having moved on so the caller's next try goes to the
//! leader.

use std::future::Future;
use std::time::Duration;

use reqwest::Method;
use tokio::time::Instant;

use super::{ClientError, ServerList, ServerUrl};
use crate::protocol::{ApiError, ErrorCode};

/// How long and how often a refused or unanswered request is tried again.
#[derive(Debug, Clone, Copy)]
pub struct FailOver {
    /// No new try starts after this long (a take-over takes a few seconds).
    pub budget: Duration,
    /// The wait after the first failure; doubles per failure up to `backoff_max`.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
}

impl Default for FailOver {
    fn default() -> Self {
        FailOver {
            budget: Duration::from_secs(10),
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_secs(1),
        }
    }
}

impl FailOver {
    /// One try only: the node's own answer (a test of one node's
    /// answers, a standby's refusal included). The list still moves on.
    pub fn none() -> Self {
        FailOver {
            budget: Duration::ZERO,
            ..FailOver::default()
        }
    }

    fn backoff(&self, failures: u32) -> Duration {
        self.backoff_base
            .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
            .min(self.backoff_max)
    }
}

/// How one try on one node went.
pub(super) enum Attempt<T> {
    /// The node answered: a success, or a refusal that is the answer.
    Answered(Result<T, ClientError>),
    /// A standby refused before doing anything; `leader` as it named it.
    NotLeader {
        leader: Option<String>,
        error: ClientError,
    },
    /// No answer: the node could not be reached, or the connection failed
    /// (the request may have been carried out).
    Unreachable(ClientError),
}

/// Whether a request may be sent again after a failure: its method is
/// idempotent, or it carries an idempotency key.
pub(super) fn safe_to_retry(method: &Method, key: Option<&str>) -> bool {
    key.is_some() || method.is_idempotent()
}

/// The `not_leader` refusal in a body, when `status` and `body` are one.
/// Read flat (the API's error shape) or wrapped in `{"error": …}`.
pub(super) fn not_leader(status: u16, body: &[u8]) -> Option<ApiError> {
    #[derive(serde::Deserialize)]
    struct Wrapped {
        error: ApiError,
    }
    if status != 503 {
        return None;
    }
    serde_json::from_slice::<ApiError>(body)
        .or_else(|_| serde_json::from_slice::<Wrapped>(body).map(|w| w.error))
        .ok()
        .filter(|error| error.code == ErrorCode::NotLeader)
}

/// How a failed WebSocket upgrade on `node` counts: a 503 is a node that
/// does not serve (a standby, read for the leader it names; the body may
/// be cut short), another HTTP status is an answer every node would give,
/// anything else is a node not reached.
pub(super) fn upgrade_failed<T>(
    node: &ServerUrl,
    err: tokio_tungstenite::tungstenite::Error,
) -> Attempt<T> {
    use tokio_tungstenite::tungstenite::Error;
    match err {
        Error::Http(response) if response.status().as_u16() == 503 => {
            let body = response.body().as_deref().unwrap_or_default();
            let error = not_leader(503, body).unwrap_or_else(|| {
                ApiError::new(ErrorCode::Unavailable, format!("{node} answered 503"))
            });
            Attempt::NotLeader {
                leader: error.leader.clone(),
                error: ClientError::Api { status: 503, error },
            }
        }
        Error::Http(response) => {
            let status = response.status().as_u16();
            let body = response.body().as_deref().unwrap_or_default();
            let error = match serde_json::from_slice::<ApiError>(body) {
                Ok(error) => ClientError::Api { status, error },
                Err(_) => ClientError::Http {
                    status,
                    body: String::from_utf8_lossy(body).into_owned(),
                },
            };
            Attempt::Answered(Err(error))
        }
        other => Attempt::Unreachable(ClientError::Transport(format!("{node}: {other}"))),
    }
}

/// Run `attempt` on the list's current node, and again on the node it
/// moves to while that is safe and the budget lasts. A leader named by a
/// standby is tried at once; otherwise the next try waits a backoff. The
/// final error names every node tried.
pub(super) async fn with_fail_over<T, F, Fut>(
    servers: &ServerList,
    policy: FailOver,
    safe: bool,
    mut attempt: F,
) -> Result<T, ClientError>
where
    F: FnMut(ServerUrl) -> Fut,
    Fut: Future<Output = Attempt<T>>,
{
    let deadline = Instant::now() + policy.budget;
    let mut tried: Vec<ServerUrl> = Vec::new();
    let mut failures = 0u32;
    let mut followed_leader = false;
    loop {
        let node = servers.current();
        if !tried.contains(&node) {
            tried.push(node.clone());
        }
        let (error, moved) = match attempt(node.clone()).await {
            Attempt::Answered(result) => return result,
            Attempt::NotLeader { leader, error } => {
                (error, Some(servers.move_on(&node, leader.as_deref())))
            }
            Attempt::Unreachable(error) if servers.has_standbys() => {
                (error, Some(servers.move_on(&node, None)))
            }
            Attempt::Unreachable(error) => (error, None),
        };
        let Some(moved) = moved.filter(|_| safe) else {
            return Err(naming(error, &tried, failures));
        };
        failures += 1;
        // A named leader is tried at once, but not twice in a row: two
        // standbys naming each other must not spin.
        let wait = if moved.leader && !followed_leader {
            Duration::ZERO
        } else {
            policy.backoff(failures)
        };
        followed_leader = moved.leader;
        if Instant::now() + wait >= deadline {
            return Err(naming(error, &tried, failures));
        }
        tokio::time::sleep(wait).await;
    }
}

/// The last error, saying which nodes were tried when there was a retry.
fn naming(error: ClientError, tried: &[ServerUrl], retries: u32) -> ClientError {
    if retries == 0 {
        return error;
    }
    let nodes: Vec<String> = tried.iter().map(ToString::to_string).collect();
    let tail = format!(
        " (tried {}, {} times in all)",
        nodes.join(", "),
        retries + 1
    );
    match error {
        ClientError::Transport(detail) => ClientError::Transport(detail + &tail),
        ClientError::Api { status, mut error } => {
            error.message.push_str(&tail);
            ClientError::Api { status, error }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn refused(leader: Option<&str>) -> Attempt<String> {
        let error = ApiError::not_leader(leader.map(str::to_string));
        Attempt::NotLeader {
            leader: error.leader.clone(),
            error: ClientError::Api { status: 503, error },
        }
    }

    fn down() -> Attempt<String> {
        Attempt::Unreachable(ClientError::Transport("connection refused".into()))
    }

    /// The nodes tried, in order, by a run of `answer`.
    async fn run(
        list: &str,
        safe: bool,
        answer: impl Fn(&str, Duration) -> Attempt<String>,
    ) -> (Result<String, ClientError>, Vec<String>, Duration) {
        let servers = ServerList::parse(list).unwrap();
        let start = Instant::now();
        let log = Arc::new(Mutex::new(Vec::new()));
        let result = with_fail_over(&servers, FailOver::default(), safe, |node| {
            log.lock().unwrap().push(node.to_string());
            let outcome = answer(&node.to_string(), start.elapsed());
            async move { outcome }
        })
        .await;
        let tried = log.lock().unwrap().clone();
        (result, tried, start.elapsed())
    }

    #[tokio::test(start_paused = true)]
    async fn a_named_leader_is_tried_at_once() {
        let (result, tried, took) = run("http://a:1,http://b:1", true, |node, _| match node {
            "http://a:1" => refused(Some("http://b:1")),
            _ => Attempt::Answered(Ok(node.to_string())),
        })
        .await;
        assert_eq!(result.unwrap(), "http://b:1");
        assert_eq!(tried, ["http://a:1", "http://b:1"]);
        assert_eq!(took, Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_take_over_of_a_few_seconds_is_ridden_through() {
        // a died; b is a standby with no leader until 4 s, then leads.
        let (result, tried, took) = run("http://a:1,http://b:1", true, |node, at| {
            match (node, at < Duration::from_secs(4)) {
                ("http://a:1", _) => down(),
                (_, true) => refused(None),
                (_, false) => Attempt::Answered(Ok(node.to_string())),
            }
        })
        .await;
        assert_eq!(result.unwrap(), "http://b:1");
        assert!(tried.len() > 4 && tried.iter().any(|n| n == "http://a:1"));
        assert!(
            took >= Duration::from_secs(4) && took < Duration::from_secs(6),
            "{took:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn no_leader_within_the_budget_gives_up_naming_the_nodes() {
        let (result, tried, took) = run("http://a:1,http://b:1", true, |_, _| refused(None)).await;
        let err = result.unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::NotLeader));
        let text = err.to_string();
        assert!(text.contains("tried http://a:1, http://b:1"), "{text}");
        assert!(took <= FailOver::default().budget, "{took:?}");
        assert!(tried.len() >= 10 && tried.len() <= 20, "{}", tried.len());
    }

    #[tokio::test(start_paused = true)]
    async fn an_unsafe_request_is_tried_once_and_the_list_still_moves() {
        let servers = ServerList::parse("http://a:1,http://b:1").unwrap();
        let mut calls = 0;
        let result: Result<String, _> =
            with_fail_over(&servers, FailOver::default(), false, |_| {
                calls += 1;
                async { refused(Some("http://b:1")) }
            })
            .await;
        assert_eq!(calls, 1);
        let text = result.unwrap_err().to_string();
        assert!(
            text.contains("the leader is http://b:1") && !text.contains("tried"),
            "{text}"
        );
        assert_eq!(servers.current().to_string(), "http://b:1");
    }

    #[tokio::test(start_paused = true)]
    async fn one_server_unreachable_fails_at_once_as_before() {
        let (result, tried, took) = run("http://a:1", true, |_, _| down()).await;
        assert_eq!(
            result.unwrap_err().to_string(),
            "cannot reach the server: connection refused"
        );
        assert_eq!((tried.len(), took), (1, Duration::ZERO));
    }

    #[tokio::test(start_paused = true)]
    async fn two_standbys_naming_each_other_do_not_spin() {
        let (result, tried, _) = run("http://a:1,http://b:1", true, |node, _| match node {
            "http://a:1" => refused(Some("http://b:1")),
            _ => refused(Some("http://a:1")),
        })
        .await;
        assert!(result.is_err());
        assert!(tried.len() <= 40, "{}", tried.len());
    }

    #[test]
    fn the_refusal_is_read_flat_or_wrapped_and_only_with_503() {
        let flat = br#"{"code":"not_leader","message":"standby","leader":"http://b:1"}"#;
        let wrapped =
            br#"{"error":{"code":"not_leader","message":"standby","leader":"http://b:1"}}"#;
        for body in [&flat[..], &wrapped[..]] {
            let error = not_leader(503, body).unwrap();
            assert_eq!(error.leader.as_deref(), Some("http://b:1"));
        }
        assert!(not_leader(500, flat).is_none());
        assert!(not_leader(503, br#"{"code":"unavailable","message":"x"}"#).is_none());
        assert!(not_leader(503, b"<html>").is_none());
        assert!(safe_to_retry(&Method::GET, None) && safe_to_retry(&Method::PUT, None));
        assert!(safe_to_retry(&Method::POST, Some("k")) && !safe_to_retry(&Method::POST, None));
    }
}
