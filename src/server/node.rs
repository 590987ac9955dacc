//! A node's place among servers sharing one PostgreSQL database: leader or
//! standby, the lease epoch, who leads. Health and metrics report it; a
//! standby answers everything else with `not_leader`, naming the leader.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::protocol::{ApiError, Health, PROTOCOL_VERSION};

#[derive(Debug, Default)]
pub struct NodeRole {
    leader: AtomicBool,
    epoch: AtomicI64,
    takeovers: AtomicU64,
    leader_url: Mutex<Option<String>>,
}

impl NodeRole {
    pub fn is_leader(&self) -> bool {
        self.leader.load(Ordering::Relaxed)
    }

    pub fn epoch(&self) -> i64 {
        self.epoch.load(Ordering::Relaxed)
    }

    pub fn leader_url(&self) -> Option<String> {
        self.leader_url
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// This node took the lease at `epoch` and serves at `url`.
    pub fn lead(&self, epoch: i64, url: &str) {
        self.epoch.store(epoch, Ordering::Relaxed);
        self.takeovers.fetch_add(1, Ordering::Relaxed);
        self.set_leader_url(Some(url.to_string()));
        self.leader.store(true, Ordering::Relaxed);
    }

    /// This node waits; `leader` is who holds the lease now, if anyone.
    pub fn stand_by(&self, leader: Option<(i64, String)>) {
        self.leader.store(false, Ordering::Relaxed);
        if let Some((epoch, _)) = &leader {
            self.epoch.store(*epoch, Ordering::Relaxed);
        }
        self.set_leader_url(leader.map(|(_, url)| url));
    }

    fn set_leader_url(&self, url: Option<String>) {
        *self.leader_url.lock().unwrap_or_else(|e| e.into_inner()) = url;
    }

    /// `role` and `leader` for `/healthz`.
    pub fn health_fields(&self) -> (Option<String>, Option<String>) {
        let role = if self.is_leader() {
            "leader"
        } else {
            "standby"
        };
        (Some(role.to_string()), self.leader_url())
    }

    /// The lease lines of `/metrics`.
    pub fn render(&self, out: &mut String) {
        let lines = [
            (
                "cuedeck_leader",
                "gauge",
                "1 on the node that holds the lease, 0 on a standby.",
                i64::from(self.is_leader()),
            ),
            (
                "cuedeck_lease_epoch",
                "gauge",
                "The lease's fencing epoch as this node last saw it.",
                self.epoch(),
            ),
            (
                "cuedeck_takeovers_total",
                "counter",
                "Times this node took the lease.",
                self.takeovers.load(Ordering::Relaxed) as i64,
            ),
        ];
        for (name, kind, help, value) in lines {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            let _ = writeln!(out, "{name} {value}");
        }
    }
}

/// What a standby serves: health and metrics, and `not_leader` for the rest.
pub fn standby_routes(node: std::sync::Arc<NodeRole>, epoch: String) -> Router {
    let health_node = node.clone();
    let metrics_node = node.clone();
    Router::new()
        .route(
            "/healthz",
            get(move || {
                let (role, leader) = health_node.health_fields();
                let health = Health {
                    ok: false,
                    protocol: PROTOCOL_VERSION,
                    epoch: epoch.clone(),
                    role,
                    leader,
                };
                async move { (StatusCode::SERVICE_UNAVAILABLE, Json(health)) }
            }),
        )
        .route(
            "/metrics",
            get(move || {
                let mut text = String::new();
                metrics_node.render(&mut text);
                async move {
                    (
                        [(
                            axum::http::header::CONTENT_TYPE,
                            "text/plain; version=0.0.4",
                        )],
                        text,
                    )
                }
            }),
        )
        .fallback(move || {
            let leader = node.leader_url();
            async move { not_leader(leader) }
        })
}

fn not_leader(leader: Option<String>) -> Response {
    let error = ApiError::not_leader(leader);
    (super::errors::status(error.code), Json(error)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metrics_say_who_leads() {
        let node = NodeRole::default();
        node.stand_by(Some((4, "http://a:7070".into())));
        let mut text = String::new();
        node.render(&mut text);
        assert!(text.contains("cuedeck_leader 0\n"), "{text}");
        assert!(text.contains("cuedeck_lease_epoch 4\n"), "{text}");
        node.lead(5, "http://b:7070");
        let mut text = String::new();
        node.render(&mut text);
        assert!(text.contains("cuedeck_leader 1\n"), "{text}");
        assert!(text.contains("cuedeck_takeovers_total 1\n"), "{text}");
        assert_eq!(
            node.health_fields(),
            (Some("leader".into()), Some("http://b:7070".into()))
        );
    }
}
