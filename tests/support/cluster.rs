//! Several real `cuedeck serve` processes on one PostgreSQL database, each
//! on a fixed loopback port: find the leader, kill it (`SIGKILL`), pause and
//! wake it (`SIGSTOP`/`SIGCONT`). Every process is killed when the cluster
//! is dropped, and each one's terminal output is kept in a file so a
//! failing test can show it (with `CUEDECK_KEEP_CLUSTER` set, the files and
//! the nodes' logs stay after the test, and their directory is printed).
//!
//! Self-contained (std, tokio, reqwest, tempfile) so that a bench can
//! include it too: `#[path = "../tests/support/cluster.rs"] mod cluster;`.
#![allow(dead_code)]

use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One server process.
pub struct Node {
    pub url: String,
    child: Option<Child>,
    output: PathBuf,
}

impl Node {
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// What the process printed so far (stdout and stderr).
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.output).unwrap_or_default()
    }
}

pub struct Cluster {
    pub nodes: Vec<Node>,
    pub db_url: String,
    /// HOME and XDG_DATA_HOME of the processes (their log files), and
    /// their terminal output.
    home: tempfile::TempDir,
    http: reqwest::Client,
}

/// How a node answered `/healthz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Leader,
    Standby,
    /// No answer in time (down, paused, not listening yet).
    Silent,
}

impl Cluster {
    /// Start `count` nodes of the `cuedeck` binary on `db_url`, with
    /// `admin_token` as their admin token; returns at once (see [`Cluster::leader`]).
    pub fn start(db_url: &str, count: usize, admin_token: &str) -> Cluster {
        let home = tempfile::Builder::new()
            .prefix("cuedeck-cluster-")
            .tempdir()
            .expect("a temporary directory");
        let mut cluster = Cluster {
            nodes: Vec::new(),
            db_url: db_url.to_string(),
            home,
            http: reqwest::Client::builder()
                .timeout(Duration::from_millis(500))
                .build()
                .expect("an HTTP client"),
        };
        for n in 0..count {
            let port = free_port();
            let output = cluster.home.path().join(format!("node-{n}.out"));
            let file = std::fs::File::create(&output).expect("an output file");
            let child = Command::new(env!("CARGO_BIN_EXE_cuedeck"))
                .args(["serve", "--db", db_url, "--listen"])
                .arg(format!("127.0.0.1:{port}"))
                .env("CUEDECK_ADMIN_TOKEN", admin_token)
                .env("HOME", cluster.home.path())
                .env("XDG_DATA_HOME", cluster.home.path().join("data"))
                .env_remove("CUEDECK_LISTEN")
                .stdin(Stdio::null())
                .stdout(file.try_clone().expect("the output file twice"))
                .stderr(file)
                .spawn()
                .expect("the cuedeck binary starts");
            cluster.nodes.push(Node {
                url: format!("http://127.0.0.1:{port}"),
                child: Some(child),
                output,
            });
        }
        cluster
    }

    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(|n| n.url.clone()).collect()
    }

    /// Node `n`'s role as its `/healthz` says.
    pub async fn role(&self, n: usize) -> Role {
        let url = format!("{}/healthz", self.nodes[n].url);
        let Ok(response) = self.http.get(url).send().await else {
            return Role::Silent;
        };
        let Ok(health) = response.json::<serde_json::Value>().await else {
            return Role::Silent;
        };
        match health["role"].as_str() {
            Some("leader") => Role::Leader,
            Some("standby") => Role::Standby,
            _ => Role::Silent,
        }
    }

    /// The lease epoch node `n` reports in `/metrics`.
    pub async fn lease_epoch(&self, n: usize) -> Option<i64> {
        let url = format!("{}/metrics", self.nodes[n].url);
        let text = self.http.get(url).send().await.ok()?.text().await.ok()?;
        text.lines()
            .find_map(|line| line.strip_prefix("cuedeck_lease_epoch "))
            .and_then(|value| value.trim().parse().ok())
    }

    /// The one node among `among` answering as the leader, polled until
    /// `within` runs out (panics then, with every node's output).
    pub async fn leader_among(&self, among: &[usize], within: Duration) -> usize {
        let deadline = Instant::now() + within;
        loop {
            let mut leaders = Vec::new();
            for &n in among {
                if self.role(n).await == Role::Leader {
                    leaders.push(n);
                }
            }
            if let [one] = leaders[..] {
                return one;
            }
            assert!(
                leaders.len() <= 1,
                "two nodes answer as the leader at once: {leaders:?}\n{}",
                self.outputs()
            );
            if Instant::now() > deadline {
                panic!(
                    "no leader among nodes {among:?} within {within:?}\n{}",
                    self.outputs()
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The leader among the nodes still running.
    pub async fn leader(&self, within: Duration) -> usize {
        let running: Vec<usize> = (0..self.nodes.len())
            .filter(|&n| self.nodes[n].is_running())
            .collect();
        self.leader_among(&running, within).await
    }

    /// `kill -9` node `n` and reap it.
    pub fn kill(&mut self, n: usize) {
        if let Some(mut child) = self.nodes[n].child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// `SIGSTOP` node `n`: it keeps its sockets but does nothing.
    pub fn pause(&self, n: usize) {
        self.signal(n, "-STOP");
    }

    /// `SIGCONT` node `n`.
    pub fn wake(&self, n: usize) {
        self.signal(n, "-CONT");
    }

    fn signal(&self, n: usize, signal: &str) {
        let pid = self.nodes[n].pid().expect("the node runs");
        let status = Command::new("kill")
            .arg(signal)
            .arg(pid.to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal} {pid} failed");
    }

    /// Every node's output, for a failure message.
    pub fn outputs(&self) -> String {
        self.nodes
            .iter()
            .enumerate()
            .map(|(n, node)| format!("--- node {n} ({}):\n{}", node.url, node.output()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for n in 0..self.nodes.len() {
            self.kill(n);
        }
        if std::env::var_os("CUEDECK_KEEP_CLUSTER").is_some() {
            let home = std::mem::replace(&mut self.home, tempfile::tempdir().unwrap());
            eprintln!("cluster files kept in {}", home.keep().display());
        }
    }
}

/// A loopback port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}
