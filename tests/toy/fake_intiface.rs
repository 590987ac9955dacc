//! A scripted Intiface Central: the buttplug JSON protocol (spec v4) as the
//! spec's messages, answered from a script; reachable in memory (a connector
//! transport, for paused-clock tests) or over a loopback WebSocket.

use std::sync::{Arc, Mutex};

use buttplug_core::connector::transport::{
    ButtplugConnectorTransport, ButtplugTransportIncomingMessage,
};
use buttplug_core::connector::{ButtplugConnectorError, ButtplugConnectorResultFuture};
use buttplug_core::message::serializer::ButtplugSerializedMessage;
use futures_util::{FutureExt, SinkExt, StreamExt, future::BoxFuture};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// A wand: a 100-step vibrator, a reversible rotation, a battery.
pub const WAND: &str = "Test Wand";

pub fn wand() -> Value {
    json!({"0": {
        "DeviceName": WAND,
        "DeviceIndex": 0,
        "DeviceMessageTimingGap": 0,
        "DeviceFeatures": {
            "0": {"FeatureIndex": 0, "FeatureDescription": "Vibrator",
                  "Output": {"Vibrate": {"Value": [0, 100]}}},
            "1": {"FeatureIndex": 1, "FeatureDescription": "Rotator",
                  "Output": {"Rotate": {"Value": [-20, 20]}}},
            "2": {"FeatureIndex": 2, "FeatureDescription": "Battery",
                  "Input": {"Battery": {"Value": [[0, 100]], "Command": ["Read"]}}}
        }
    }})
}

/// A one-vibrator device of 20 steps (the scheduler tests' toy).
pub fn bullet() -> Value {
    json!({"3": {
        "DeviceName": "Test Bullet",
        "DeviceIndex": 3,
        "DeviceMessageTimingGap": 0,
        "DeviceFeatures": {
            "0": {"FeatureIndex": 0, "FeatureDescription": "Vibrator",
                  "Output": {"Vibrate": {"Value": [0, 20]}}}
        }
    }})
}

#[derive(Default)]
struct State {
    /// Every client message, by name with its body, and when it came.
    received: Vec<(Instant, String, Value)>,
    devices: Value,
    /// Devices that appear when a scan starts.
    on_scan: Option<Value>,
    max_ping_ms: u64,
    /// Answer garbage to the next message.
    garbage: bool,
    /// Answer `OutputCmd` with an `Error`.
    refuse_outputs: bool,
    to_client: Option<mpsc::Sender<String>>,
    gone: bool,
}

#[derive(Clone, Default)]
pub struct FakeIntiface {
    state: Arc<Mutex<State>>,
}

impl FakeIntiface {
    pub fn with(devices: Value) -> FakeIntiface {
        let fake = FakeIntiface::default();
        fake.state.lock().unwrap().devices = devices;
        fake
    }

    pub fn scan_finds(&self, devices: Value) {
        self.state.lock().unwrap().on_scan = Some(devices);
    }

    pub fn set_max_ping(&self, ms: u64) {
        self.state.lock().unwrap().max_ping_ms = ms;
    }

    pub fn refuse_outputs(&self, on: bool) {
        self.state.lock().unwrap().refuse_outputs = on;
    }

    pub fn garbage_next(&self) {
        self.state.lock().unwrap().garbage = true;
    }

    /// The messages received, `(name, body)`, in order.
    pub fn received(&self) -> Vec<(String, Value)> {
        let s = self.state.lock().unwrap();
        s.received
            .iter()
            .map(|(_, n, v)| (n.clone(), v.clone()))
            .collect()
    }

    pub fn timed(&self) -> Vec<(Instant, String, Value)> {
        self.state.lock().unwrap().received.clone()
    }

    /// Commands only: `OutputCmd` and `StopCmd`.
    pub fn commands(&self) -> Vec<(String, Value)> {
        self.received()
            .into_iter()
            .filter(|(n, _)| n == "OutputCmd" || n == "StopCmd")
            .collect()
    }

    pub fn last_command(&self) -> Option<(String, Value)> {
        self.commands().pop()
    }

    /// The device disappears (a `DeviceList` without it).
    pub async fn remove_devices(&self) {
        let tx = {
            let mut s = self.state.lock().unwrap();
            s.devices = json!({});
            s.to_client.clone()
        };
        if let Some(tx) = tx {
            let _ = tx
                .send(json!([{"DeviceList": {"Id": 0, "Devices": {}}}]).to_string())
                .await;
        }
    }

    /// The server goes away: the connection closes, nothing is answered.
    pub fn go_away(&self) {
        let tx = {
            let mut s = self.state.lock().unwrap();
            s.gone = true;
            s.to_client.take()
        };
        // Wakes the connection's loop, which sees `gone` and closes.
        if let Some(tx) = tx {
            let _ = tx.try_send(String::new());
        }
    }

    /// The answers to one text frame of the client.
    fn answer(&self, text: &str) -> Vec<String> {
        let mut s = self.state.lock().unwrap();
        if s.gone {
            return Vec::new();
        }
        if std::mem::take(&mut s.garbage) {
            return vec!["[{\"NoSuchMessage\":{\"Id\":1}}]".into(), "not json".into()];
        }
        let Ok(Value::Array(messages)) = serde_json::from_str::<Value>(text) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for m in messages {
            let Some((name, body)) = m.as_object().and_then(|o| o.iter().next()) else {
                continue;
            };
            s.received
                .push((Instant::now(), name.clone(), body.clone()));
            let id = body["Id"].clone();
            let ok = json!([{"Ok": {"Id": id}}]);
            let reply = match name.as_str() {
                "RequestServerInfo" => json!([{"ServerInfo": {
                    "Id": id, "ServerName": "Fake Intiface",
                    "ProtocolVersionMajor": 4, "ProtocolVersionMinor": 0,
                    "MaxPingTime": s.max_ping_ms}}]),
                "RequestDeviceList" => {
                    json!([{"DeviceList": {"Id": id, "Devices": s.devices.clone()}}])
                }
                "StartScanning" => {
                    out.push(ok.to_string());
                    if let Some(found) = s.on_scan.take() {
                        s.devices = found.clone();
                        out.push(json!([{"DeviceList": {"Id": 0, "Devices": found}}]).to_string());
                    }
                    json!([{"ScanningFinished": {"Id": 0}}])
                }
                "OutputCmd" if s.refuse_outputs => json!([{"Error": {
                    "Id": id, "ErrorCode": 4, "ErrorMessage": "device refused"}}]),
                "InputCmd" => json!([{"InputReading": {
                    "Id": id, "DeviceIndex": body["DeviceIndex"],
                    "FeatureIndex": body["FeatureIndex"],
                    "Reading": {"Battery": {"Value": 85}}}}]),
                _ => ok,
            };
            out.push(reply.to_string());
        }
        out
    }

    /// An in-memory connection for `Session::over`.
    pub fn transport(&self) -> MemoryTransport {
        MemoryTransport { fake: self.clone() }
    }

    /// Serves the WebSocket protocol on a loopback port; returns `ws://...`.
    pub async fn serve(&self) -> String {
        self.serve_on("127.0.0.1:0").await
    }

    pub async fn serve_on(&self, addr: &str) -> String {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let url = format!("ws://{}", listener.local_addr().unwrap());
        let fake = self.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let fake = fake.clone();
                tokio::spawn(async move {
                    let Ok(ws) = tokio_tungstenite::accept_async(socket).await else {
                        return;
                    };
                    let (mut sink, mut stream) = ws.split();
                    let (tx, mut rx) = mpsc::channel::<String>(64);
                    fake.state.lock().unwrap().to_client = Some(tx.clone());
                    loop {
                        tokio::select! {
                            msg = stream.next() => match msg {
                                Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t))) => {
                                    for a in fake.answer(&t) {
                                        let _ = tx.send(a).await;
                                    }
                                }
                                Some(Ok(_)) => {}
                                _ => return,
                            },
                            out = rx.recv() => {
                                let gone = fake.state.lock().unwrap().gone;
                                match out {
                                    Some(text) if !gone => {
                                        if sink.send(text.into()).await.is_err() {
                                            return;
                                        }
                                    }
                                    _ => {
                                        let _ = sink.close().await;
                                        return;
                                    }
                                }
                            }
                        }
                    }
                });
            }
        });
        url
    }
}

pub struct MemoryTransport {
    fake: FakeIntiface,
}

impl ButtplugConnectorTransport for MemoryTransport {
    fn connect(
        &self,
        mut outgoing: mpsc::Receiver<ButtplugSerializedMessage>,
        incoming: mpsc::Sender<ButtplugTransportIncomingMessage>,
    ) -> BoxFuture<'static, Result<(), ButtplugConnectorError>> {
        let fake = self.fake.clone();
        async move {
            let (tx, mut rx) = mpsc::channel::<String>(64);
            fake.state.lock().unwrap().to_client = Some(tx.clone());
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        msg = outgoing.recv() => match msg {
                            Some(ButtplugSerializedMessage::Text(t)) => {
                                for a in fake.answer(&t) {
                                    let _ = tx.send(a).await;
                                }
                            }
                            Some(_) => {}
                            None => return,
                        },
                        out = rx.recv() => {
                            let gone = fake.state.lock().unwrap().gone;
                            let msg = match out {
                                Some(text) if !gone => ButtplugTransportIncomingMessage::Message(
                                    ButtplugSerializedMessage::Text(text),
                                ),
                                _ => ButtplugTransportIncomingMessage::Close("gone".into()),
                            };
                            let close = matches!(msg, ButtplugTransportIncomingMessage::Close(_));
                            if incoming.send(msg).await.is_err() || close {
                                return;
                            }
                        }
                    }
                }
            });
            Ok(())
        }
        .boxed()
    }

    fn disconnect(self) -> ButtplugConnectorResultFuture {
        async { Ok(()) }.boxed()
    }
}
