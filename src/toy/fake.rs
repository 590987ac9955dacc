//! A fake transport for scripted exchanges: it records every write with its
//! time and lets the test inject notifications. No replies of its own.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

use super::transport::{INBOUND_CAPACITY, Inbound, Transport, TransportError, take_inbound};

#[derive(Debug, Default)]
struct Shared {
    writes: Vec<(Instant, Vec<u8>)>,
    connected: bool,
}

/// The transport half, handed to the toy driver.
pub struct FakeTransport {
    label: String,
    shared: Arc<Mutex<Shared>>,
    written: Arc<Notify>,
    inbound_rx: Option<mpsc::Receiver<Inbound>>,
}

/// The test's half: read what was written, inject what the toy says.
#[derive(Clone)]
pub struct FakeRemote {
    shared: Arc<Mutex<Shared>>,
    written: Arc<Notify>,
    inbound_tx: mpsc::Sender<Inbound>,
}

pub fn fake_transport(label: &str) -> (FakeTransport, FakeRemote) {
    let shared = Arc::new(Mutex::new(Shared {
        connected: true,
        ..Shared::default()
    }));
    let written = Arc::new(Notify::new());
    let (tx, rx) = mpsc::channel(INBOUND_CAPACITY);
    (
        FakeTransport {
            label: label.to_owned(),
            shared: shared.clone(),
            written: written.clone(),
            inbound_rx: Some(rx),
        },
        FakeRemote {
            shared,
            written,
            inbound_tx: tx,
        },
    )
}

fn lock(m: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[async_trait]
impl Transport for FakeTransport {
    fn label(&self) -> &str {
        &self.label
    }

    async fn write(&self, bytes: &[u8]) -> Result<(), TransportError> {
        {
            let mut s = lock(&self.shared);
            if !s.connected {
                return Err(TransportError::NotConnected);
            }
            s.writes.push((Instant::now(), bytes.to_vec()));
        }
        self.written.notify_waiters();
        Ok(())
    }

    fn subscribe(&mut self) -> Result<mpsc::Receiver<Inbound>, TransportError> {
        take_inbound(&mut self.inbound_rx)
    }

    async fn close(&self) -> Result<(), TransportError> {
        lock(&self.shared).connected = false;
        Ok(())
    }
}

impl FakeRemote {
    /// Every write so far, as text.
    pub fn writes(&self) -> Vec<String> {
        lock(&self.shared)
            .writes
            .iter()
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .collect()
    }

    /// Every write so far with the instant it happened.
    pub fn timed_writes(&self) -> Vec<(Instant, String)> {
        lock(&self.shared)
            .writes
            .iter()
            .map(|(t, b)| (*t, String::from_utf8_lossy(b).into_owned()))
            .collect()
    }

    /// Waits until at least `n` writes have happened. Panics after a minute
    /// (of paused or real time), so a missing write fails a test, not hangs it.
    pub async fn wait_writes(&self, n: usize) {
        let wait = async {
            loop {
                let notified = self.written.notified();
                if lock(&self.shared).writes.len() >= n {
                    return;
                }
                notified.await;
            }
        };
        if tokio::time::timeout(std::time::Duration::from_secs(60), wait)
            .await
            .is_err()
        {
            panic!("expected {n} writes, got {:?}", self.writes());
        }
    }

    /// Injects one notification as if the toy had sent it.
    pub async fn notify(&self, bytes: &[u8]) {
        // A closed receiver means the driver is gone; the test sees that elsewhere.
        let _ = self.inbound_tx.send(Inbound::Data(bytes.to_vec())).await;
    }

    /// Simulates the link dropping: writes fail until `reconnect`.
    pub async fn disconnect(&self) {
        lock(&self.shared).connected = false;
        let _ = self.inbound_tx.send(Inbound::Disconnected).await;
    }

    pub async fn reconnect(&self) {
        lock(&self.shared).connected = true;
        let _ = self.inbound_tx.send(Inbound::Reconnected).await;
    }
}
