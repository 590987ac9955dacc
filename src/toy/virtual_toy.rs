//! An in-process toy: takes the same bytes as a real one, replies as a real
//! one would, records its intensity over time, and injects faults on demand
//! (dropped writes, slow replies, disconnects). The demo, the simulator, the
//! tests and the bench drive it.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::transport::{INBOUND_CAPACITY, Inbound, Transport, TransportError};
use crate::domain::toy_effect::MAX_INTENSITY;

/// Faults to inject; all off by default.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// The next this many writes vanish (no effect, no reply), as a lost
    /// radio packet would.
    pub drop_next_writes: u32,
    /// Every reply arrives this late.
    pub reply_delay: Duration,
}

#[derive(Debug)]
struct State {
    model_code: String,
    firmware: u16,
    mac: String,
    battery: u8,
    motors: [u8; 2],
    rotate: u8,
    air: u8,
    connected: bool,
    stop_on_disconnect: bool,
    resume_on_reconnect: bool,
    /// (when, intensity) at every change of the strongest motor.
    timeline: Vec<(Instant, u8)>,
    /// Every write that reached the toy.
    writes: Vec<(Instant, Vec<u8>)>,
    dropped: u32,
    faults: Faults,
    /// Motor levels when the link dropped, for a toy allowed to resume.
    before_drop: [u8; 2],
}

impl State {
    fn intensity(&self) -> u8 {
        self.motors[0].max(self.motors[1])
    }

    fn set_motors(&mut self, motors: [u8; 2], now: Instant) {
        let before = self.intensity();
        self.motors = motors;
        if self.intensity() != before {
            let level = self.intensity();
            self.timeline.push((now, level));
        }
    }

    /// Applies one command; returns the reply text.
    fn apply(&mut self, cmd: &str, now: Instant) -> String {
        let level = |s: &str| s.parse::<u8>().ok().filter(|n| *n <= MAX_INTENSITY);
        let fields: Vec<&str> = cmd.split(':').collect();
        let ok = |applied: bool| if applied { "OK;" } else { "ERR;" }.to_owned();
        match fields.as_slice() {
            ["Vibrate", n] => ok(level(n).map(|n| self.set_motors([n, n], now)).is_some()),
            ["Vibrate1", n] => {
                let m2 = self.motors[1];
                ok(level(n).map(|n| self.set_motors([n, m2], now)).is_some())
            }
            ["Vibrate2", n] => {
                let m1 = self.motors[0];
                ok(level(n).map(|n| self.set_motors([m1, n], now)).is_some())
            }
            ["Rotate", n] => ok(level(n).map(|n| self.rotate = n).is_some()),
            ["RotateChange"] => ok(true),
            ["Air", "Level", n] => {
                let n = n.parse::<u8>().ok().filter(|n| *n <= 3);
                ok(n.map(|n| self.air = n).is_some())
            }
            ["DeviceType"] => format!("{}:{}:{};", self.model_code, self.firmware, self.mac),
            ["Battery"] => {
                let busy = if self.intensity() > 0 { "s" } else { "" };
                format!("{busy}{};", self.battery)
            }
            ["GetAS"] => format!(
                "AutoSwith:{}:{};",
                on_off(self.stop_on_disconnect),
                on_off(self.resume_on_reconnect)
            ),
            ["AutoSwith", stop, resume] => match (parse_on_off(stop), parse_on_off(resume)) {
                (Some(stop), Some(resume)) => {
                    self.stop_on_disconnect = stop;
                    self.resume_on_reconnect = resume;
                    ok(true)
                }
                _ => ok(false),
            },
            ["PowerOff"] => {
                self.set_motors([0, 0], now);
                self.rotate = 0;
                self.air = 0;
                ok(true)
            }
            _ => ok(false),
        }
    }
}

fn on_off(b: bool) -> &'static str {
    if b { "On" } else { "Off" }
}

fn parse_on_off(s: &str) -> Option<bool> {
    match s {
        "On" => Some(true),
        "Off" => Some(false),
        _ => None,
    }
}

/// The transport half of a virtual toy.
pub struct VirtualToy {
    label: String,
    state: Arc<Mutex<State>>,
    tx: mpsc::Sender<Inbound>,
    rx: Option<mpsc::Receiver<Inbound>>,
}

/// The control half: inspect the toy, inject faults. Cheap to clone.
#[derive(Clone)]
pub struct VirtualControl {
    state: Arc<Mutex<State>>,
    tx: mpsc::Sender<Inbound>,
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl VirtualToy {
    /// A Lush 3 (`S`, firmware 11) at 85 % battery, the made-up MAC below.
    pub fn lush(label: &str) -> (VirtualToy, VirtualControl) {
        VirtualToy::new(label, "S", 11, "0082059AD3BD", 85)
    }

    pub fn new(
        label: &str,
        model_code: &str,
        firmware: u16,
        mac: &str,
        battery: u8,
    ) -> (VirtualToy, VirtualControl) {
        let state = Arc::new(Mutex::new(State {
            model_code: model_code.to_owned(),
            firmware,
            mac: mac.to_owned(),
            battery: battery.min(100),
            motors: [0, 0],
            rotate: 0,
            air: 0,
            connected: true,
            // Real toys ship with resume on; the driver must turn it off.
            stop_on_disconnect: false,
            resume_on_reconnect: true,
            timeline: vec![(Instant::now(), 0)],
            writes: Vec::new(),
            dropped: 0,
            faults: Faults::default(),
            before_drop: [0, 0],
        }));
        let (tx, rx) = mpsc::channel(INBOUND_CAPACITY);
        let control = VirtualControl {
            state: state.clone(),
            tx: tx.clone(),
        };
        (
            VirtualToy {
                label: label.to_owned(),
                state,
                tx,
                rx: Some(rx),
            },
            control,
        )
    }
}

#[async_trait]
impl Transport for VirtualToy {
    fn label(&self) -> &str {
        &self.label
    }

    async fn write(&self, bytes: &[u8]) -> Result<(), TransportError> {
        let now = Instant::now();
        let (replies, delay) = {
            let mut s = lock(&self.state);
            if !s.connected {
                return Err(TransportError::NotConnected);
            }
            if s.faults.drop_next_writes > 0 {
                s.faults.drop_next_writes -= 1;
                s.dropped += 1;
                return Ok(());
            }
            s.writes.push((now, bytes.to_vec()));
            let text = String::from_utf8_lossy(bytes).into_owned();
            // The toy's own transcript, for end-to-end checks of a running console.
            tracing::debug!(toy = %self.label, command = %text, "virtual toy received");
            let replies: Vec<String> = text
                .split(';')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(|c| s.apply(c, now))
                .collect();
            (replies, s.faults.reply_delay)
        };
        for reply in replies {
            let tx = self.tx.clone();
            let msg = Inbound::Data(reply.into_bytes());
            if delay.is_zero() {
                // A full channel means nobody reads replies; a real toy would
                // not wait either.
                let _ = tx.try_send(msg);
            } else {
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let _ = tx.send(msg).await;
                });
            }
        }
        Ok(())
    }

    fn subscribe(&mut self) -> Result<mpsc::Receiver<Inbound>, TransportError> {
        self.rx.take().ok_or(TransportError::AlreadySubscribed)
    }

    async fn close(&self) -> Result<(), TransportError> {
        let mut s = lock(&self.state);
        s.connected = false;
        if s.stop_on_disconnect {
            s.set_motors([0, 0], Instant::now());
        }
        Ok(())
    }
}

impl VirtualControl {
    /// The strongest motor now.
    pub fn intensity(&self) -> u8 {
        lock(&self.state).intensity()
    }

    /// (when, intensity) at every change, starting with (creation, 0).
    pub fn timeline(&self) -> Vec<(Instant, u8)> {
        lock(&self.state).timeline.clone()
    }

    /// The intensity the toy had at `at`, from the timeline.
    pub fn intensity_at(&self, at: Instant) -> u8 {
        let s = lock(&self.state);
        s.timeline
            .iter()
            .take_while(|(t, _)| *t <= at)
            .last()
            .map_or(0, |(_, l)| *l)
    }

    /// Every write that reached the toy, as text.
    pub fn writes(&self) -> Vec<String> {
        lock(&self.state)
            .writes
            .iter()
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .collect()
    }

    pub fn timed_writes(&self) -> Vec<(Instant, String)> {
        lock(&self.state)
            .writes
            .iter()
            .map(|(t, b)| (*t, String::from_utf8_lossy(b).into_owned()))
            .collect()
    }

    pub fn dropped_writes(&self) -> u32 {
        lock(&self.state).dropped
    }

    pub fn battery(&self) -> u8 {
        lock(&self.state).battery
    }

    pub fn set_battery(&self, percent: u8) {
        lock(&self.state).battery = percent.min(100);
    }

    pub fn set_faults(&self, faults: Faults) {
        lock(&self.state).faults = faults;
    }

    /// Whether the toy stops when the link drops (set by `AutoSwith`).
    pub fn stops_on_disconnect(&self) -> bool {
        lock(&self.state).stop_on_disconnect
    }

    /// The link drops by accident: the toy stops if told to, the driver is told.
    pub async fn disconnect(&self) {
        {
            let mut s = lock(&self.state);
            s.connected = false;
            s.before_drop = s.motors;
            if s.stop_on_disconnect {
                s.set_motors([0, 0], Instant::now());
            }
        }
        let _ = self.tx.send(Inbound::Disconnected).await;
    }

    /// The link comes back; the toy resumes its last level only if allowed.
    pub async fn reconnect(&self) {
        {
            let mut s = lock(&self.state);
            s.connected = true;
            if s.resume_on_reconnect {
                let before = s.before_drop;
                s.set_motors(before, Instant::now());
            }
        }
        let _ = self.tx.send(Inbound::Reconnected).await;
    }
}
