//! Bluetooth LE through btleplug (BlueZ over D-Bus on Linux).
//!
//! Thin edge: find the toy, connect, find TX/RX in one of the three Lovense
//! layouts, subscribe, forward notifications, write without response (with
//! response when TX lacks it), and reconnect with backoff when the link
//! drops. Everything protocol-shaped lives in the driver and the codec.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use btleplug::api::{
    Central, CentralEvent, CharPropFlags, Characteristic, Manager as _, Peripheral as _,
    ScanFilter, WriteType,
};
use btleplug::platform::{Adapter, Manager, Peripheral};
use futures_util::StreamExt;
use thiserror::Error;
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinHandle;

use super::identify::{
    GattLayout, Identity, identify_advertised, is_lovense_name, layout_for_service,
};
use super::transport::{INBOUND_CAPACITY, Inbound, Transport, TransportError, take_inbound};

#[derive(Debug, Error)]
pub enum BleError {
    #[error(
        "Bluetooth is unavailable: cannot reach the BlueZ service over the D-Bus system bus ({0}). \
         Hardware mode needs a running D-Bus system bus and bluetoothd."
    )]
    NoBluetoothService(String),
    #[error("no Bluetooth adapter found: plug one in or power it on (bluetoothctl power on)")]
    NoAdapter,
    #[error("no Lovense toy found{0}")]
    NotFound(String),
    #[error("{0} offers none of the known Lovense services")]
    NoLovenseService(String),
    #[error("Bluetooth error: {0}")]
    Ble(#[from] btleplug::Error),
}

/// A toy seen while scanning.
#[derive(Debug, Clone)]
pub struct Found {
    pub name: String,
    pub address: String,
    pub rssi: Option<i16>,
    /// From the name, else the model code the service spells.
    pub identity: Option<Identity>,
    /// The Lovense service it advertises, if any.
    pub layout: Option<GattLayout>,
    peripheral: Peripheral,
}

/// The first Bluetooth adapter, or a plain error saying what is missing.
pub async fn first_adapter() -> Result<Adapter, BleError> {
    let manager = Manager::new()
        .await
        .map_err(|e| BleError::NoBluetoothService(e.to_string()))?;
    let adapters = manager
        .adapters()
        .await
        .map_err(|e| BleError::NoBluetoothService(e.to_string()))?;
    adapters.into_iter().next().ok_or(BleError::NoAdapter)
}

/// Scans for `duration`, returning Lovense toys by name or service layout.
pub async fn scan(adapter: &Adapter, duration: Duration) -> Result<Vec<Found>, BleError> {
    adapter.start_scan(ScanFilter::default()).await?;
    tokio::time::sleep(duration).await;
    let found = lovense_peripherals(adapter).await;
    if let Err(e) = adapter.stop_scan().await {
        tracing::debug!(error = %e, "stop_scan failed");
    }
    found
}

async fn lovense_peripherals(adapter: &Adapter) -> Result<Vec<Found>, BleError> {
    let mut found = Vec::new();
    for peripheral in adapter.peripherals().await? {
        let Ok(Some(props)) = peripheral.properties().await else {
            continue;
        };
        let name = props
            .local_name
            .or(props.advertisement_name)
            .unwrap_or_default();
        let layout = props.services.iter().find_map(|s| layout_for_service(*s));
        if !is_lovense_name(&name) && layout.is_none() {
            continue;
        }
        found.push(Found {
            identity: identify_advertised(&name, &props.services),
            layout,
            name,
            address: props.address.to_string(),
            rssi: props.rssi,
            peripheral,
        });
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.rssi.unwrap_or(i16::MIN)));
    Ok(found)
}

/// Scans until a toy matching `wanted` (name or address; any Lovense toy if
/// `None`) shows up, for at most `within`.
pub async fn find(
    adapter: &Adapter,
    wanted: Option<&str>,
    within: Duration,
) -> Result<Found, BleError> {
    adapter.start_scan(ScanFilter::default()).await?;
    let deadline = tokio::time::Instant::now() + within;
    let matches = |f: &Found| {
        wanted.is_none_or(|w| f.name.eq_ignore_ascii_case(w) || f.address.eq_ignore_ascii_case(w))
    };
    let result = loop {
        if let Some(f) = lovense_peripherals(adapter)
            .await?
            .into_iter()
            .find(matches)
        {
            break Ok(f);
        }
        if tokio::time::Instant::now() >= deadline {
            let what = wanted.map(|w| format!(" named {w:?}")).unwrap_or_default();
            break Err(BleError::NotFound(format!(
                "{what} within {}s",
                within.as_secs()
            )));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    if let Err(e) = adapter.stop_scan().await {
        tracing::debug!(error = %e, "stop_scan failed");
    }
    result
}

/// The live link: TX to write, RX forwarded as notifications.
struct Link {
    layout: GattLayout,
    tx: Characteristic,
    write_type: WriteType,
    forwarder: JoinHandle<()>,
}

impl Drop for Link {
    fn drop(&mut self) {
        self.forwarder.abort();
    }
}

pub struct BleTransport {
    label: String,
    layout: GattLayout,
    peripheral: Peripheral,
    link: Arc<Mutex<Option<Link>>>,
    connected: Arc<AtomicBool>,
    closing: Arc<AtomicBool>,
    inbound_rx: Option<mpsc::Receiver<Inbound>>,
    supervisor: JoinHandle<()>,
}

/// Connects, finds TX/RX, subscribes, and watches the link.
pub async fn connect(adapter: &Adapter, found: &Found) -> Result<BleTransport, BleError> {
    let (inbound_tx, inbound_rx) = mpsc::channel(INBOUND_CAPACITY);
    let peripheral = found.peripheral.clone();
    let link = open_link(&peripheral, &found.name, inbound_tx.clone()).await?;
    let layout = link.layout;
    let link = Arc::new(Mutex::new(Some(link)));
    let connected = Arc::new(AtomicBool::new(true));
    let closing = Arc::new(AtomicBool::new(false));
    let events = adapter.events().await?;
    let supervisor = tokio::spawn(supervise(
        adapter.clone(),
        peripheral.clone(),
        found.name.clone(),
        events,
        link.clone(),
        connected.clone(),
        closing.clone(),
        inbound_tx,
    ));
    Ok(BleTransport {
        label: found.name.clone(),
        layout,
        peripheral,
        link,
        connected,
        closing,
        inbound_rx: Some(inbound_rx),
        supervisor,
    })
}

async fn open_link(
    peripheral: &Peripheral,
    name: &str,
    inbound: mpsc::Sender<Inbound>,
) -> Result<Link, BleError> {
    if !peripheral.is_connected().await? {
        peripheral.connect().await?;
    }
    peripheral.discover_services().await?;
    let layout = peripheral
        .services()
        .iter()
        .find_map(|s| layout_for_service(s.uuid))
        .ok_or_else(|| BleError::NoLovenseService(name.to_owned()))?;
    let chars = peripheral.characteristics();
    let find = |uuid| chars.iter().find(|c| c.uuid == uuid).cloned();
    let (Some(tx), Some(rx)) = (find(layout.tx), find(layout.rx)) else {
        return Err(BleError::NoLovenseService(name.to_owned()));
    };
    peripheral.subscribe(&rx).await?;
    let mut notifications = peripheral.notifications().await?;
    let rx_uuid = rx.uuid;
    let forwarder = tokio::spawn(async move {
        while let Some(n) = notifications.next().await {
            if n.uuid == rx_uuid && inbound.send(Inbound::Data(n.value)).await.is_err() {
                break;
            }
        }
    });
    let write_type = if tx
        .properties
        .contains(CharPropFlags::WRITE_WITHOUT_RESPONSE)
    {
        WriteType::WithoutResponse
    } else {
        WriteType::WithResponse
    };
    if !layout.listed {
        tracing::warn!(service = %layout.service, "Lovense-shaped service not in the public tables: trying it");
    }
    tracing::info!(generation = ?layout.generation, ?write_type, "toy link open");
    Ok(Link {
        layout,
        tx,
        write_type,
        forwarder,
    })
}

/// Backoff between reconnect attempts: 0.5 s doubling to 8 s.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500u64 << attempt.min(4))
}

#[allow(clippy::too_many_arguments)]
async fn supervise(
    adapter: Adapter,
    peripheral: Peripheral,
    name: String,
    mut events: std::pin::Pin<Box<dyn futures_util::Stream<Item = CentralEvent> + Send>>,
    link: Arc<Mutex<Option<Link>>>,
    connected: Arc<AtomicBool>,
    closing: Arc<AtomicBool>,
    inbound: mpsc::Sender<Inbound>,
) {
    let id = peripheral.id();
    while let Some(event) = events.next().await {
        let CentralEvent::DeviceDisconnected(gone) = event else {
            continue;
        };
        if gone != id || closing.load(Ordering::SeqCst) {
            continue;
        }
        connected.store(false, Ordering::SeqCst);
        // Dropping the old link stops its forwarder.
        link.lock().await.take();
        if inbound.send(Inbound::Disconnected).await.is_err() {
            return;
        }
        let mut attempt = 0;
        while !closing.load(Ordering::SeqCst) {
            tokio::time::sleep(backoff(attempt)).await;
            attempt += 1;
            // Rescan so BlueZ sees the toy advertise again.
            let _ = adapter.start_scan(ScanFilter::default()).await;
            match open_link(&peripheral, &name, inbound.clone()).await {
                Ok(new) => {
                    let _ = adapter.stop_scan().await;
                    *link.lock().await = Some(new);
                    connected.store(true, Ordering::SeqCst);
                    if inbound.send(Inbound::Reconnected).await.is_err() {
                        return;
                    }
                    break;
                }
                Err(e) => tracing::warn!(attempt, error = %e, "reconnect failed"),
            }
        }
    }
}

impl BleTransport {
    /// The service and characteristics in use.
    pub fn layout(&self) -> GattLayout {
        self.layout
    }
}

impl Drop for BleTransport {
    fn drop(&mut self) {
        // No reconnecting on behalf of a driver that is gone.
        self.closing.store(true, Ordering::SeqCst);
        self.supervisor.abort();
    }
}

#[async_trait]
impl Transport for BleTransport {
    fn label(&self) -> &str {
        &self.label
    }

    async fn write(&self, bytes: &[u8]) -> Result<(), TransportError> {
        if !self.connected.load(Ordering::SeqCst) {
            return Err(TransportError::NotConnected);
        }
        let guard = self.link.lock().await;
        let link = guard.as_ref().ok_or(TransportError::NotConnected)?;
        self.peripheral
            .write(&link.tx, bytes, link.write_type)
            .await
            .map_err(|e| TransportError::Write(e.to_string()))
    }

    fn subscribe(&mut self) -> Result<mpsc::Receiver<Inbound>, TransportError> {
        take_inbound(&mut self.inbound_rx)
    }

    async fn close(&self) -> Result<(), TransportError> {
        self.closing.store(true, Ordering::SeqCst);
        self.supervisor.abort();
        self.link.lock().await.take();
        self.connected.store(false, Ordering::SeqCst);
        self.peripheral
            .disconnect()
            .await
            .map_err(|e| TransportError::Other(e.to_string()))
    }
}
