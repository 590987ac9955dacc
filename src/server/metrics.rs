//! Prometheus metrics in the text exposition format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use crate::protocol::ErrorCode;

/// Upper bounds of the intake latency buckets, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
];

#[derive(Default)]
pub struct Metrics {
    /// Leader or standby, when this server shares its database.
    node: std::sync::OnceLock<std::sync::Arc<super::node::NodeRole>>,
    connections: AtomicI64,
    slow_consumers: AtomicU64,
    events: AtomicU64,
    events_last_second: AtomicU64,
    last_events_total: AtomicU64,
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_us: AtomicU64,
    errors: Mutex<BTreeMap<String, u64>>,
}

impl Metrics {
    pub fn connection_opened(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
    }

    pub fn connection_closed(&self) {
        self.connections.fetch_sub(1, Ordering::Relaxed);
    }

    /// A subscriber's buffer filled: the server stopped feeding it.
    pub fn slow_consumer(&self) {
        self.slow_consumers.fetch_add(1, Ordering::Relaxed);
    }

    pub fn events_published(&self, n: u64) {
        self.events.fetch_add(n, Ordering::Relaxed);
    }

    pub fn intake_latency(&self, took: Duration) {
        let secs = took.as_secs_f64();
        for (bound, count) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            if secs <= *bound {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_us
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    pub fn error(&self, code: ErrorCode) {
        let mut errors = self.errors.lock().unwrap_or_else(|e| e.into_inner());
        *errors.entry(code.as_str().to_string()).or_default() += 1;
    }

    /// Called once a second: the events-per-second gauge.
    pub fn tick_second(&self) {
        let total = self.events.load(Ordering::Relaxed);
        let before = self.last_events_total.swap(total, Ordering::Relaxed);
        self.events_last_second
            .store(total - before, Ordering::Relaxed);
    }

    pub fn set_node(&self, node: std::sync::Arc<super::node::NodeRole>) {
        let _ = self.node.set(node);
    }

    pub fn node(&self) -> Option<&super::node::NodeRole> {
        self.node.get().map(|n| &**n)
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Some(node) = self.node() {
            node.render(&mut out);
        }
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "# HELP cuedeck_connections Open WebSocket connections."
        );
        let _ = writeln!(out, "# TYPE cuedeck_connections gauge");
        let _ = writeln!(
            out,
            "cuedeck_connections {}",
            self.connections.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP cuedeck_slow_consumers_total Subscribers dropped because their buffer filled."
        );
        let _ = writeln!(out, "# TYPE cuedeck_slow_consumers_total counter");
        let _ = writeln!(
            out,
            "cuedeck_slow_consumers_total {}",
            load(&self.slow_consumers)
        );
        let _ = writeln!(
            out,
            "# HELP cuedeck_events_total Events published to rooms."
        );
        let _ = writeln!(out, "# TYPE cuedeck_events_total counter");
        let _ = writeln!(out, "cuedeck_events_total {}", load(&self.events));
        let _ = writeln!(
            out,
            "# HELP cuedeck_events_per_second Events published in the last second."
        );
        let _ = writeln!(out, "# TYPE cuedeck_events_per_second gauge");
        let _ = writeln!(
            out,
            "cuedeck_events_per_second {}",
            load(&self.events_last_second)
        );
        let _ = writeln!(
            out,
            "# HELP cuedeck_intake_seconds Intake latency, request to durable reply."
        );
        let _ = writeln!(out, "# TYPE cuedeck_intake_seconds histogram");
        for (bound, count) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            let _ = writeln!(
                out,
                "cuedeck_intake_seconds_bucket{{le=\"{bound}\"}} {}",
                load(count)
            );
        }
        let count = load(&self.latency_count);
        let _ = writeln!(out, "cuedeck_intake_seconds_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(
            out,
            "cuedeck_intake_seconds_sum {}",
            load(&self.latency_sum_us) as f64 / 1e6
        );
        let _ = writeln!(out, "cuedeck_intake_seconds_count {count}");
        let _ = writeln!(
            out,
            "# HELP cuedeck_errors_total Refused requests by error code."
        );
        let _ = writeln!(out, "# TYPE cuedeck_errors_total counter");
        for (code, n) in self.errors.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(out, "cuedeck_errors_total{{code=\"{code}\"}} {n}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_a_cumulative_histogram() {
        let m = Metrics::default();
        m.connection_opened();
        m.events_published(3);
        m.intake_latency(Duration::from_micros(700));
        m.intake_latency(Duration::from_millis(30));
        m.error(ErrorCode::Forbidden);
        m.tick_second();
        let text = m.render();
        assert!(text.contains("cuedeck_connections 1\n"));
        assert!(text.contains("cuedeck_events_total 3\n"));
        assert!(text.contains("cuedeck_events_per_second 3\n"));
        assert!(text.contains("cuedeck_intake_seconds_bucket{le=\"0.001\"} 1\n"));
        assert!(text.contains("cuedeck_intake_seconds_bucket{le=\"0.05\"} 2\n"));
        assert!(text.contains("cuedeck_intake_seconds_count 2\n"));
        assert!(text.contains("cuedeck_errors_total{code=\"forbidden\"} 1\n"));
    }
}
