//! One trait for every way bytes reach a toy: Bluetooth LE, the virtual toy,
//! Lovense Remote, Intiface Central, and the fake transport of the tests.

use async_trait::async_trait;

use super::ahead::OutputsAhead;
use thiserror::Error;
use tokio::sync::mpsc;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransportError {
    #[error("the toy is not connected")]
    NotConnected,
    #[error("the notification stream was already taken")]
    AlreadySubscribed,
    #[error("write failed: {0}")]
    Write(String),
    #[error("{0}")]
    Other(String),
}

/// What arrives from a toy, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// One notification on RX: part of a reply, one reply or several.
    Data(Vec<u8>),
    /// The link dropped. With `AutoSwith:On:Off;` the toy has stopped.
    Disconnected,
    /// The link is back (the transport reconnected on its own).
    Reconnected,
    /// A message as it went over a link of its own (buttplug JSON for
    /// Intiface, a request body or answer for Lovense Remote): the
    /// transcript shows these instead of the Lovense text inside cuedeck.
    Wire(WireLine),
    /// Something the performer must know about the link (shown on the
    /// strip and in `toy` mode until replaced; `None` clears it).
    Notice(Option<String>),
}

/// One message on a backend's own link, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireLine {
    /// cuedeck sent this.
    Out(String),
    /// The other side sent this.
    In(String),
}

/// What carries a toy's commands (the console's `toy.backend`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    #[default]
    Bluetooth,
    Virtual,
    /// Lovense Remote on the local network.
    Remote,
    /// Intiface Central (the buttplug protocol over a WebSocket).
    Intiface,
}

impl Backend {
    /// True when the link has messages of its own (`Inbound::Wire`): the
    /// Lovense text the driver writes then never leaves cuedeck.
    pub fn has_own_wire(self) -> bool {
        matches!(self, Backend::Remote | Backend::Intiface)
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Bluetooth => "bluetooth",
            Backend::Virtual => "virtual",
            Backend::Remote => "remote",
            Backend::Intiface => "intiface",
        }
    }
}

/// Capacity of the inbound channel; a toy sends a few bytes per command.
pub const INBOUND_CAPACITY: usize = 256;

#[async_trait]
pub trait Transport: Send + Sync {
    /// A short label for logs and the transcript (the advertised name).
    fn label(&self) -> &str;

    /// What carries the commands, for the toy strip.
    fn backend(&self) -> Backend {
        Backend::Bluetooth
    }

    /// Writes one command. Without response where the toy allows it.
    async fn write(&self, bytes: &[u8]) -> Result<(), TransportError>;

    /// The inbound stream; can be taken once.
    fn subscribe(&mut self) -> Result<mpsc::Receiver<Inbound>, TransportError>;

    /// Drops the link on purpose (no reconnect afterwards).
    async fn close(&self) -> Result<(), TransportError>;

    /// The output levels due next, given before the writes of each new
    /// target (`None`: nothing foreseen). Only a transport that can send a
    /// stretch of steps at once uses them.
    fn ahead(&self, _ahead: Option<OutputsAhead>) {}
}

/// `subscribe` for a transport that keeps its receiver until asked: the
/// stream can be taken once.
pub fn take_inbound(
    rx: &mut Option<mpsc::Receiver<Inbound>>,
) -> Result<mpsc::Receiver<Inbound>, TransportError> {
    rx.take().ok_or(TransportError::AlreadySubscribed)
}
