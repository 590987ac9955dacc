//! The real buttplug server in process, as Intiface Central runs it: the
//! `buttplug_server` crates with their WebSocket device manager, and a
//! simulated Lovense toy that joins that manager and answers in the Lovense
//! protocol (`DeviceType;` with its model code, `OK;` to the rest),
//! recording every command it gets. Clients reach the server through a
//! loopback proxy the tests can cut (a dropped link) or freeze (a console
//! that hangs).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use buttplug_core::connector::ButtplugConnector;
use buttplug_server::ButtplugServerBuilder;
use buttplug_server::connector::ButtplugRemoteServerConnector;
use buttplug_server::device::{ServerDeviceManager, ServerDeviceManagerBuilder};
use buttplug_server::message::serializer::ButtplugServerJSONSerializer;
use buttplug_server_device_config::load_protocol_configs;
use buttplug_server_hwmgr_websocket::WebsocketServerDeviceCommunicationManagerBuilder;
use buttplug_transport_websocket_tungstenite::{
    ButtplugWebsocketServerTransport, ButtplugWebsocketServerTransportBuilder,
};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep, timeout};
use tokio_tungstenite::tungstenite::Message;

use super::ws_frames::FrameWatch;

/// The name a WebSocket device gives to be taken as a Lovense toy (as a
/// user adds one in Intiface Central's device settings).
const DEVICE_NAME: &str = "LVSDevice";

/// Binds a free loopback port and gives it back.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// What the simulated toy received, with when.
#[derive(Clone, Default)]
pub struct Received(Arc<Mutex<Vec<(Instant, String)>>>);

impl Received {
    pub fn all(&self) -> Vec<(Instant, String)> {
        self.0.lock().unwrap().clone()
    }

    /// The motion commands only (not the identification or battery).
    pub fn motion(&self) -> Vec<String> {
        self.all()
            .into_iter()
            .map(|(_, c)| c)
            .filter(|c| {
                !matches!(c.as_str(), "DeviceType;" | "Battery;") && !c.starts_with("GetAS")
            })
            .collect()
    }

    pub fn last(&self) -> Option<String> {
        self.motion().pop()
    }
}

pub struct Engine {
    /// Where clients connect (the proxy in front of the server).
    pub url: String,
    device_port: u16,
    cut: Arc<Notify>,
    frozen: Arc<AtomicBool>,
    /// For each client connection that ended: whether the client sent a
    /// WebSocket Close frame first (the close handshake).
    closes: Arc<Mutex<Vec<bool>>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Engine {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Engine {
    /// A server with this Max Ping Time (0: no ping timer, the default).
    pub async fn start(max_ping_ms: u32) -> Engine {
        let user = format!(
            r#"{{"version":{{"major":5,"minor":0}},"user_configs":{{"protocols":{{"lovense":{{"communication":[{{"websocket":{{"name":"{DEVICE_NAME}"}}}}]}}}}}}}}"#
        );
        let dcm = load_protocol_configs(&None, &Some(user), true)
            .unwrap()
            .finish()
            .unwrap();
        let device_port = free_port();
        let mut dm = ServerDeviceManagerBuilder::new(dcm);
        dm.comm_manager(
            WebsocketServerDeviceCommunicationManagerBuilder::default().server_port(device_port),
        );
        let devices = Arc::new(dm.finish().unwrap());
        let server_port = Arc::new(AtomicU16::new(0));
        let bound = Arc::new(Notify::new());
        let serving = tokio::spawn(serve(
            devices,
            max_ping_ms,
            server_port.clone(),
            bound.clone(),
        ));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}", listener.local_addr().unwrap());
        let cut = Arc::new(Notify::new());
        let frozen = Arc::new(AtomicBool::new(false));
        let closes = Arc::new(Mutex::new(Vec::new()));
        let proxy = tokio::spawn(proxy(
            listener,
            server_port,
            bound,
            (cut.clone(), frozen.clone()),
            closes.clone(),
        ));
        Engine {
            url,
            device_port,
            cut,
            frozen,
            closes,
            tasks: vec![serving, proxy],
        }
    }

    /// A simulated Lovense toy (`code`: `Z` Hush, `A` Nora, `P` Edge)
    /// joins the device manager.
    pub async fn add_toy(&mut self, code: &str) -> Received {
        let received = Received::default();
        let url = format!("ws://127.0.0.1:{}", self.device_port);
        let mut tries = 0;
        let ws = loop {
            match tokio_tungstenite::connect_async(&url).await {
                Ok((ws, _)) => break ws,
                Err(e) if tries > 50 => panic!("device manager not listening: {e}"),
                Err(_) => {
                    tries += 1;
                    sleep(Duration::from_millis(20)).await;
                }
            }
        };
        let toy = tokio::spawn(lovense_toy(ws, code.to_owned(), received.clone()));
        self.tasks.push(toy);
        received
    }

    /// Drops the client's TCP connection (a crashed console, a lost network).
    pub fn cut(&self) {
        self.cut.notify_waiters();
    }

    /// For each client connection that ended so far: whether it closed
    /// with the WebSocket close handshake.
    pub fn closes(&self) -> Vec<bool> {
        self.closes.lock().unwrap().clone()
    }

    /// Stops carrying bytes but keeps the connection open (a hung console).
    pub fn freeze(&self) {
        self.frozen.store(true, Ordering::SeqCst);
    }
}

/// The server's accept loop: one client at a time, a fresh server over the
/// same devices for each, as the engine does.
async fn serve(
    devices: Arc<ServerDeviceManager>,
    max_ping_ms: u32,
    port: Arc<AtomicU16>,
    bound: Arc<Notify>,
) {
    loop {
        let server = Arc::new(
            ButtplugServerBuilder::with_shared_device_manager(devices.clone())
                .name("in-process engine")
                .max_ping_time(max_ping_ms)
                .finish()
                .unwrap(),
        );
        let transport: ButtplugWebsocketServerTransport = {
            let port = port.clone();
            let bound = bound.clone();
            ButtplugWebsocketServerTransportBuilder::default()
                .listen_address(SocketAddr::from(([127, 0, 0, 1], 0)))
                .on_listener_bound(move |p| {
                    port.store(p, Ordering::SeqCst);
                    bound.notify_waiters();
                })
                .finish()
        };
        let mut connector =
            ButtplugRemoteServerConnector::<_, ButtplugServerJSONSerializer>::new(transport);
        let (tx, mut rx) = mpsc::channel(256);
        if connector.connect(tx).await.is_err() {
            continue;
        }
        let connector = Arc::new(connector);
        let mut events = Box::pin(server.event_stream());
        loop {
            tokio::select! {
                msg = rx.recv() => {
                    let Some(msg) = msg else { break };
                    let reply = server.parse_message(msg);
                    let connector = connector.clone();
                    tokio::spawn(async move {
                        let reply = reply.await.unwrap_or_else(|e| e);
                        let _ = connector.send(reply).await;
                    });
                }
                event = events.next() => {
                    let Some(event) = event else { break };
                    let _ = connector.send(event).await;
                }
            }
        }
        // The client is gone: the engine stops every device.
        let _ = server.disconnect().await;
        port.store(0, Ordering::SeqCst);
    }
}

/// Forwards each client to the server's current listener until cut.
async fn proxy(
    listener: TcpListener,
    port: Arc<AtomicU16>,
    bound: Arc<Notify>,
    (cut, frozen): (Arc<Notify>, Arc<AtomicBool>),
    closes: Arc<Mutex<Vec<bool>>>,
) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            return;
        };
        let server = loop {
            let notified = bound.notified();
            let p = port.load(Ordering::SeqCst);
            if p != 0
                && let Ok(s) = TcpStream::connect(("127.0.0.1", p)).await
            {
                break s;
            }
            let _ = timeout(Duration::from_millis(50), notified).await;
        };
        let (mut cr, mut cw) = client.into_split();
        let (mut sr, mut sw) = server.into_split();
        let mut client_frames = FrameWatch::default();
        let up = pump(&mut cr, &mut sw, &frozen, |b| client_frames.feed(b));
        let down = pump(&mut sr, &mut cw, &frozen, |_| {});
        // Either side closing closes the other, as a direct connection
        // would (a killed console's socket is closed by its kernel).
        tokio::select! {
            () = up => {}
            () = down => {}
            () = cut.notified() => {}
        }
        closes.lock().unwrap().push(client_frames.closed);
        // Both halves dropped here: the sockets close without a handshake.
    }
}

async fn pump(
    from: &mut (impl AsyncReadExt + Unpin),
    to: &mut (impl AsyncWriteExt + Unpin),
    frozen: &AtomicBool,
    mut seen: impl FnMut(&[u8]),
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if frozen.load(Ordering::SeqCst) {
            // A hung process: nothing more goes through, nothing closes.
            std::future::pending::<()>().await;
        }
        seen(&buf[..n]);
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// The simulated toy: announces itself, then answers every command.
async fn lovense_toy(
    ws: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>,
    code: String,
    received: Received,
) {
    let (mut tx, mut rx) = ws.split();
    let hello = format!(r#"{{"identifier":"{DEVICE_NAME}","address":"sim-{code}","version":0}}"#);
    if tx.send(Message::Text(hello.into())).await.is_err() {
        return;
    }
    while let Some(Ok(msg)) = rx.next().await {
        let bytes = match msg {
            Message::Binary(b) => b.to_vec(),
            Message::Text(t) => t.as_bytes().to_vec(),
            Message::Close(_) => return,
            _ => continue,
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        received
            .0
            .lock()
            .unwrap()
            .push((Instant::now(), text.clone()));
        let reply = match text.as_str() {
            "DeviceType;" => format!("{code}:11:0082059AD3BD;"),
            "Battery;" => "85;".to_owned(),
            "GetAS;" => "AutoSwith:1:0;".to_owned(),
            _ => "OK;".to_owned(),
        };
        if tx.send(Message::Text(reply.into())).await.is_err() {
            return;
        }
    }
}
