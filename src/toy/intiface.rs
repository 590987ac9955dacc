//! Intiface Central (the buttplug protocol, v4, over a WebSocket) through
//! the buttplug project's own client: one [`Session`] per connection, kept
//! alive by a ping from its own task, so a console that hangs is stopped by
//! the server's ping timeout ("Max Ping Time" in Intiface Central).
//!
//! A server without a ping timer (Max Ping Time 0, the engine's and
//! Intiface Central's default) answers a ping with `PingTimerNotRunning`:
//! that is a normal server, so the session stops pinging and keeps going,
//! and says (in [`Session::notice`]) that a hung console is then not
//! stopped by the server.
//!
//! The session also watches the server: a lost connection or a device
//! removed is reported to the device's transport, which says
//! `Inbound::Disconnected` to the driver (the strip shows it, the level goes
//! to 0). Whenever the session decides its link is lost it first sends
//! `StopAllDevices` if it still can, then closes the WebSocket, so the
//! server's own disconnect stop fires too. The transport itself is in
//! [`super::intiface_transport`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::Duration;

use buttplug_client::connector::ButtplugRemoteClientConnector;
use buttplug_client::serializer::ButtplugClientJSONSerializer;
use buttplug_client::{ButtplugClient, ButtplugClientError, ButtplugClientEvent};
use buttplug_core::connector::transport::ButtplugConnectorTransport;
use buttplug_transport_websocket_tungstenite::ButtplugWebsocketClientTransport;
use futures_util::StreamExt;
use thiserror::Error;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::timeout;

use super::intiface_device::IntifaceDevice;
use super::intiface_wire::{Tapped, Wire};
use super::transport::WireLine;

/// Where Intiface Central listens unless told otherwise.
pub const DEFAULT_URL: &str = "ws://127.0.0.1:12345";
/// How often the session pings. Intiface Central's "Max Ping Time" must be
/// longer than this (1000 ms or more); 0 there means it never times out.
pub const PING_EVERY: Duration = Duration::from_millis(400);
/// A request the server has not answered in this long has failed.
pub const REQUEST_TIMEOUT: Duration = Duration::from_millis(1_500);
/// How long to scan for a device when the server knows none yet.
pub const SCAN_FOR: Duration = Duration::from_secs(5);
/// How long a stop sent on a link being given up may take.
const LAST_STOP_WITHIN: Duration = Duration::from_millis(500);
/// How long leaving waits for the WebSocket's close handshake.
const CLOSE_WITHIN: Duration = Duration::from_secs(1);

/// What the server said about its ping timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PingTimer {
    /// No ping answered yet.
    Unknown,
    /// Pings are answered: a console that hangs is stopped by the server.
    Running,
    /// Max Ping Time 0: the server never times us out; we stop pinging.
    Off,
}

/// What the strip and `toy` mode say about a server without a ping timer.
pub const NO_PING_TIMER: &str = "Intiface's Max Ping Time is 0: a hung console is not stopped by Intiface (set Max Ping Time to 1000 ms in its server settings)";

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IntifaceError {
    #[error(
        "Intiface Central is not reachable at {0}: is it running, with its server started (\"Start Server\")?"
    )]
    Unreachable(String),
    #[error("{0:?} is no Intiface address: give a ws:// URL such as {DEFAULT_URL}")]
    BadUrl(String),
    #[error("Intiface Central did not answer in time")]
    Timeout,
    #[error("Intiface Central refused: {0}")]
    Refused(String),
    #[error("Intiface Central reports no device{0}: is the toy on, and connected in Intiface?")]
    NoDevice(String),
}

impl IntifaceError {
    /// Hardware mode's exit code 2.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, IntifaceError::Unreachable(_) | IntifaceError::Timeout)
    }
}

fn client_error(url: &str, e: &ButtplugClientError) -> IntifaceError {
    match e {
        ButtplugClientError::ButtplugConnectorError(c) => {
            IntifaceError::Unreachable(format!("{url} ({c})"))
        }
        other => IntifaceError::Refused(other.to_string()),
    }
}

/// One connection to the server.
pub struct Session {
    pub(super) client: ButtplugClient,
    pub url: String,
    lost: AtomicBool,
    /// We are leaving: the link ending is no loss to report.
    leaving: AtomicBool,
    /// Bumped whenever the server's devices, the link or the ping timer
    /// change.
    changes: watch::Sender<u64>,
    ping_timer: AtomicU8,
    wire: Arc<Wire>,
    tasks: std::sync::Mutex<Vec<JoinHandle<()>>>,
}

impl Drop for Session {
    fn drop(&mut self) {
        let tasks = self.tasks.get_mut().unwrap_or_else(|e| e.into_inner());
        for task in tasks.drain(..) {
            task.abort();
        }
    }
}

/// Only `ws://host:port` URLs: the connector would panic on anything it
/// cannot parse, and Intiface Central serves plain WebSockets locally.
fn check_url(url: &str) -> Result<String, IntifaceError> {
    let url = url.trim();
    let bad = || IntifaceError::BadUrl(url.to_owned());
    let with_scheme = if url.contains("://") {
        url.to_owned()
    } else {
        format!("ws://{url}")
    };
    let parsed = reqwest::Url::parse(&with_scheme).map_err(|_| bad())?;
    if parsed.scheme() != "ws" || parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad());
    }
    Ok(with_scheme)
}

/// Connects to the server at `url` (`ws://host:port`, or `host:port`).
pub async fn connect(url: &str) -> Result<Arc<Session>, IntifaceError> {
    let url = check_url(url)?;
    Session::over(
        ButtplugWebsocketClientTransport::new_insecure_connector(&url),
        &url,
    )
    .await
}

impl Session {
    /// The handshake over any connector transport (the tests' in-memory one).
    pub async fn over<T>(transport: T, url: &str) -> Result<Arc<Session>, IntifaceError>
    where
        T: ButtplugConnectorTransport + 'static,
    {
        let wire = Wire::new();
        let connector = ButtplugRemoteClientConnector::<_, ButtplugClientJSONSerializer>::new(
            Tapped::new(transport, wire.clone()),
        );
        let client = ButtplugClient::new("cuedeck");
        let events = client.event_stream();
        match timeout(REQUEST_TIMEOUT * 2, client.connect(connector)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(client_error(url, &e)),
            Err(_) => {
                // Never leave a half-open link behind.
                let _ = timeout(CLOSE_WITHIN, client.disconnect()).await;
                return Err(IntifaceError::Timeout);
            }
        }
        let (changes, _) = watch::channel(0);
        let session = Arc::new(Session {
            client,
            url: url.to_owned(),
            lost: AtomicBool::new(false),
            leaving: AtomicBool::new(false),
            changes,
            ping_timer: AtomicU8::new(PingTimer::Unknown as u8),
            wire,
            tasks: std::sync::Mutex::new(Vec::new()),
        });
        let watcher = tokio::spawn(watch_events(Arc::downgrade(&session), events));
        let pinger = tokio::spawn(ping(Arc::downgrade(&session)));
        if let Ok(mut tasks) = session.tasks.lock() {
            tasks.extend([watcher, pinger]);
        }
        Ok(session)
    }

    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst) || !self.client.connected()
    }

    pub(super) fn mark_lost(&self) {
        if !self.lost.swap(true, Ordering::SeqCst) && !self.leaving.load(Ordering::SeqCst) {
            tracing::warn!(url = %self.url, "Intiface connection lost");
        }
        self.changes.send_modify(|n| *n += 1);
    }

    /// What the server said about its ping timer.
    pub fn ping_timer(&self) -> PingTimer {
        match self.ping_timer.load(Ordering::SeqCst) {
            x if x == PingTimer::Running as u8 => PingTimer::Running,
            x if x == PingTimer::Off as u8 => PingTimer::Off,
            _ => PingTimer::Unknown,
        }
    }

    fn set_ping_timer(&self, timer: PingTimer) {
        if self.ping_timer.swap(timer as u8, Ordering::SeqCst) != timer as u8 {
            if timer == PingTimer::Off {
                tracing::info!(url = %self.url, "Intiface has no ping timer: pings stopped");
            }
            self.changes.send_modify(|n| *n += 1);
        }
    }

    /// A warning to show beside the toy, if any.
    pub fn notice(&self) -> Option<&'static str> {
        (self.ping_timer() == PingTimer::Off).then_some(NO_PING_TIMER)
    }

    /// Every message on the link from now on, as text (pings left out).
    pub fn wire(&self) -> tokio::sync::broadcast::Receiver<WireLine> {
        self.wire.lines()
    }

    /// Gives the link up: `StopAllDevices` if the server still listens,
    /// then the WebSocket closed, so the server's disconnect stop fires
    /// too. Never leaves a link open and undriven.
    pub async fn give_up(&self) {
        self.mark_lost();
        if self.client.connected() {
            let _ = timeout(LAST_STOP_WITHIN, self.client.stop_all_devices()).await;
        }
        self.close().await;
    }

    /// Closes the WebSocket and waits (bounded) for its close handshake.
    async fn close(&self) {
        if self.client.connected() {
            let _ = timeout(REQUEST_TIMEOUT, self.client.disconnect()).await;
        }
        let _ = timeout(CLOSE_WITHIN, self.wire.closed()).await;
    }

    /// Told whenever the link or the device list changes.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// The devices the server has now, by index.
    pub fn devices(&self) -> Vec<IntifaceDevice> {
        self.client
            .devices()
            .values()
            .map(IntifaceDevice::of)
            .collect()
    }

    /// Scans for `within` (less if the server says it is done), then lists
    /// the devices.
    pub async fn scan(&self, within: Duration) -> Result<Vec<IntifaceDevice>, IntifaceError> {
        let mut events = self.client.event_stream();
        self.request(self.client.start_scanning()).await?;
        let _ = timeout(within, async {
            while let Some(event) = events.next().await {
                if matches!(event, ButtplugClientEvent::ScanningFinished) {
                    break;
                }
            }
        })
        .await;
        // The server may have finished on its own: a refusal is fine here.
        let _ = timeout(REQUEST_TIMEOUT, self.client.stop_scanning()).await;
        Ok(self.devices())
    }

    /// The device with this name or index, else the first; scans for up to
    /// `within` if the server has none yet.
    pub async fn find(
        &self,
        wanted: Option<&str>,
        within: Duration,
    ) -> Result<IntifaceDevice, IntifaceError> {
        let pick = |devices: Vec<IntifaceDevice>| {
            devices.into_iter().find(|d| {
                wanted.is_none_or(|w| d.name.eq_ignore_ascii_case(w) || d.index.to_string() == w)
            })
        };
        if let Some(found) = pick(self.devices()) {
            return Ok(found);
        }
        let mut changes = self.changes();
        self.request(self.client.start_scanning()).await?;
        let found = timeout(within, async {
            loop {
                if let Some(found) = pick(self.devices()) {
                    return Some(found);
                }
                if changes.changed().await.is_err() || self.is_lost() {
                    return None;
                }
            }
        })
        .await
        .ok()
        .flatten();
        let _ = timeout(REQUEST_TIMEOUT, self.client.stop_scanning()).await;
        let what = wanted.map(|w| format!(" named {w:?}")).unwrap_or_default();
        found.ok_or(IntifaceError::NoDevice(what))
    }

    /// `StopAllDevices`: every device of the server stops.
    pub async fn stop_all(&self) -> Result<(), IntifaceError> {
        self.request(self.client.stop_all_devices()).await
    }

    /// Runs one request with the timeout; a connector error marks the link
    /// lost.
    pub(super) async fn request<T>(
        &self,
        fut: impl std::future::Future<Output = Result<T, ButtplugClientError>>,
    ) -> Result<T, IntifaceError> {
        match timeout(REQUEST_TIMEOUT, fut).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => {
                let e = client_error(&self.url, &e);
                if e.is_unreachable() {
                    self.mark_lost();
                }
                Err(e)
            }
            Err(_) => Err(IntifaceError::Timeout),
        }
    }

    /// Leaves the server (after a stop): best effort, waiting for the
    /// WebSocket's close handshake.
    pub async fn disconnect(&self) {
        self.leaving.store(true, Ordering::SeqCst);
        self.close().await;
    }
}

async fn watch_events(
    session: std::sync::Weak<Session>,
    mut events: impl futures_util::Stream<Item = ButtplugClientEvent> + Unpin,
) {
    while let Some(event) = events.next().await {
        let Some(session) = session.upgrade() else {
            return;
        };
        match event {
            ButtplugClientEvent::ServerDisconnect | ButtplugClientEvent::PingTimeout => {
                session.give_up().await;
            }
            ButtplugClientEvent::DeviceAdded(_)
            | ButtplugClientEvent::DeviceRemoved(_)
            | ButtplugClientEvent::DeviceListReceived => {
                session.changes.send_modify(|n| *n += 1);
            }
            ButtplugClientEvent::Error(e) => {
                tracing::warn!(error = %e, "Intiface sent an error no request was waiting for");
            }
            ButtplugClientEvent::ScanningFinished | ButtplugClientEvent::ServerConnect => {}
        }
    }
    if let Some(session) = session.upgrade() {
        session.give_up().await;
    }
}

/// Whether the server answered a ping with "no ping timer running".
fn is_no_ping_timer(e: &ButtplugClientError) -> bool {
    use buttplug_core::errors::{ButtplugError, ButtplugPingError};
    matches!(
        e,
        ButtplugClientError::ButtplugError(ButtplugError::ButtplugPingError(
            ButtplugPingError::PingTimerNotRunning
        ))
    ) || e.to_string().contains("PingTimerNotRunning")
        || e.to_string().contains("Ping timer not running")
}

/// Pings while the session lives and the server has a ping timer; a ping
/// that fails, or a link found lost, gives the link up (stop, then close).
async fn ping(session: std::sync::Weak<Session>) {
    let mut every = tokio::time::interval(PING_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every.tick().await;
    loop {
        every.tick().await;
        let Some(session) = session.upgrade() else {
            return;
        };
        if session.leaving.load(Ordering::SeqCst) {
            return;
        }
        if session.is_lost() {
            session.give_up().await;
            return;
        }
        if session.ping_timer() == PingTimer::Off {
            continue;
        }
        match timeout(REQUEST_TIMEOUT, session.client.ping()).await {
            Ok(Ok(())) => session.set_ping_timer(PingTimer::Running),
            Ok(Err(e)) if is_no_ping_timer(&e) => session.set_ping_timer(PingTimer::Off),
            Ok(Err(e)) => {
                tracing::warn!(url = %session.url, error = %e, "Intiface ping failed");
                session.give_up().await;
                return;
            }
            Err(_) => {
                tracing::warn!(url = %session.url, "Intiface did not answer a ping");
                session.give_up().await;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ws_urls_are_taken() {
        assert_eq!(
            check_url("127.0.0.1:12345").unwrap(),
            "ws://127.0.0.1:12345"
        );
        assert!(check_url("ws://localhost:12345").is_ok());
        for bad in ["wss://x:1", "http://x:1", "ws://", "::::", ""] {
            assert!(
                matches!(check_url(bad), Err(IntifaceError::BadUrl(_))),
                "{bad}"
            );
        }
    }
}
