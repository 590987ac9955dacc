//! A tap on the buttplug connection: every message as it goes over the
//! WebSocket (the transcript shows these, not the Lovense text the driver
//! writes inside cuedeck), and a signal once the link has really closed, so
//! leaving waits for the WebSocket close handshake instead of dropping the
//! socket with the process.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use buttplug_core::connector::ButtplugConnectorResultFuture;
use buttplug_core::connector::transport::{
    ButtplugConnectorTransport, ButtplugTransportIncomingMessage,
};
use buttplug_core::message::serializer::ButtplugSerializedMessage;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use tokio::sync::{Notify, broadcast, mpsc};

use super::transport::WireLine;

/// Lines kept for a transcript that reads slowly.
const WIRE_CAPACITY: usize = 1024;

/// What the tap shares with its session.
pub struct Wire {
    lines: broadcast::Sender<WireLine>,
    closed: AtomicBool,
    closed_note: Notify,
    /// Ids of our pings: they and their `Ok`s are left out of the lines
    /// (one every 400 ms would bury the transcript).
    pings: Mutex<HashSet<u64>>,
}

impl Wire {
    pub fn new() -> Arc<Wire> {
        Arc::new(Wire {
            lines: broadcast::channel(WIRE_CAPACITY).0,
            closed: AtomicBool::new(false),
            closed_note: Notify::new(),
            pings: Mutex::new(HashSet::new()),
        })
    }

    pub fn lines(&self) -> broadcast::Receiver<WireLine> {
        self.lines.subscribe()
    }

    /// True once the transport has closed the WebSocket (or lost it).
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Waits until the transport has closed the link.
    pub async fn closed(&self) {
        loop {
            let notified = self.closed_note.notified();
            if self.is_closed() {
                return;
            }
            notified.await;
        }
    }

    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.closed_note.notify_waiters();
    }

    fn pings(&self) -> std::sync::MutexGuard<'_, HashSet<u64>> {
        self.pings.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn out(&self, text: &str) {
        if let Some(id) = only(text, "Ping") {
            self.pings().insert(id);
            return;
        }
        let _ = self.lines.send(WireLine::Out(text.to_owned()));
    }

    fn incoming(&self, text: &str) {
        if let Some(id) = only(text, "Ok")
            && self.pings().remove(&id)
        {
            return;
        }
        let _ = self.lines.send(WireLine::In(text.to_owned()));
    }
}

/// The id of a message array holding exactly one `kind` message.
fn only(text: &str, kind: &str) -> Option<u64> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let [message] = value.as_array()?.as_slice() else {
        return None;
    };
    message.get(kind)?.get("Id")?.as_u64()
}

/// Wraps a connector transport (the WebSocket client, or the tests'
/// in-memory one), copying every message to the [`Wire`].
pub struct Tapped<T> {
    inner: T,
    wire: Arc<Wire>,
}

impl<T> Tapped<T> {
    pub fn new(inner: T, wire: Arc<Wire>) -> Tapped<T> {
        Tapped { inner, wire }
    }
}

impl<T: ButtplugConnectorTransport> ButtplugConnectorTransport for Tapped<T> {
    fn connect(
        &self,
        mut outgoing: mpsc::Receiver<ButtplugSerializedMessage>,
        incoming: mpsc::Sender<ButtplugTransportIncomingMessage>,
    ) -> BoxFuture<'static, Result<(), buttplug_core::connector::ButtplugConnectorError>> {
        let (out_tx, out_rx) = mpsc::channel(256);
        let (in_tx, mut in_rx) = mpsc::channel(256);
        let connecting = self.inner.connect(out_rx, in_tx);
        let wire = self.wire.clone();
        async move {
            connecting.await?;
            let out_wire = wire.clone();
            tokio::spawn(async move {
                // When the client lets go, dropping `out_tx` makes the
                // transport close the WebSocket with its handshake.
                while let Some(msg) = outgoing.recv().await {
                    if let ButtplugSerializedMessage::Text(t) = &msg {
                        out_wire.out(t);
                    }
                    if out_tx.send(msg).await.is_err() {
                        break;
                    }
                }
            });
            tokio::spawn(async move {
                while let Some(msg) = in_rx.recv().await {
                    let closing = matches!(msg, ButtplugTransportIncomingMessage::Close(_));
                    if let ButtplugTransportIncomingMessage::Message(
                        ButtplugSerializedMessage::Text(t),
                    ) = &msg
                    {
                        wire.incoming(t);
                    }
                    if closing {
                        wire.close();
                    }
                    if incoming.send(msg).await.is_err() {
                        break;
                    }
                }
                wire.close();
            });
            Ok(())
        }
        .boxed()
    }

    fn disconnect(self) -> ButtplugConnectorResultFuture {
        self.inner.disconnect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pings_and_their_oks_are_left_out() {
        let wire = Wire::new();
        let mut lines = wire.lines();
        wire.out(r#"[{"Ping":{"Id":7}}]"#);
        wire.incoming(r#"[{"Ok":{"Id":7}}]"#);
        wire.out(r#"[{"StopCmd":{"Id":8}}]"#);
        wire.incoming(r#"[{"Ok":{"Id":8}}]"#);
        assert_eq!(
            lines.try_recv().unwrap(),
            WireLine::Out(r#"[{"StopCmd":{"Id":8}}]"#.into())
        );
        assert_eq!(
            lines.try_recv().unwrap(),
            WireLine::In(r#"[{"Ok":{"Id":8}}]"#.into())
        );
        assert!(lines.try_recv().is_err());
    }
}
