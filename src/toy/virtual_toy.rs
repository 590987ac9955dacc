//! An in-process toy: takes the same bytes as a real one, replies as a real
//! one would, records its intensity over time, and injects faults on demand
//! (dropped writes, slow replies, disconnects). The demo, the simulator, the
//! tests and the bench drive it.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::codec::Command;
use super::command_parse::parse_command;
use super::models::{Drive, ModelSpec, OutputKind};
use super::outputs::{self, Levels};
use super::transport::{
    Backend, INBOUND_CAPACITY, Inbound, Transport, TransportError, take_inbound,
};

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
    spec: &'static ModelSpec,
    firmware: u16,
    mac: String,
    battery: u8,
    /// Each output's level in its own range.
    levels: Levels,
    /// Rotation turned around by `RotateChange;` an odd number of times.
    reversed: bool,
    /// The stored pattern running (`Preset:N;`), 0 for none.
    preset: u8,
    connected: bool,
    stop_on_disconnect: bool,
    resume_on_reconnect: bool,
    /// (when, intensity) at every change of the strongest output.
    timeline: Vec<(Instant, u8)>,
    /// (when, levels) at every change of any output.
    history: Vec<(Instant, Levels)>,
    /// Every write that reached the toy.
    writes: Vec<(Instant, Vec<u8>)>,
    dropped: u32,
    faults: Faults,
    /// Output levels when the link dropped, for a toy allowed to resume.
    before_drop: Levels,
}

impl State {
    fn intensity(&self) -> u8 {
        outputs::strongest(self.spec, &self.levels)
    }

    fn set_levels(&mut self, levels: Levels, now: Instant) {
        let before = self.intensity();
        if levels != self.levels {
            self.history.push((now, levels));
        }
        self.levels = levels;
        if self.intensity() != before {
            let level = self.intensity();
            self.timeline.push((now, level));
        }
    }

    fn stop(&mut self, now: Instant) {
        self.set_levels(Levels::zero(self.spec.outputs.len()), now);
        self.preset = 0;
    }

    /// Whether this model takes `cmd` (a real toy answers `ERR;` otherwise).
    fn supports(&self, cmd: &Command) -> bool {
        let spec = self.spec;
        let has = |f: fn(&OutputKind) -> bool| spec.outputs.iter().any(|o| f(&o.kind));
        match cmd {
            Command::VibrateMotor(m, _) => m.index() < spec.outputs.len() && spec.outputs.len() > 1,
            Command::Rotate(_) => has(|k| matches!(k, OutputKind::Rotate { .. })),
            Command::RotateChange => has(|k| *k == OutputKind::Rotate { reversible: true }),
            Command::Air(_) => has(|k| *k == OutputKind::Air),
            Command::Mply(m) => match spec.drive {
                Drive::Mply => m.values().len() == spec.outputs.len(),
                Drive::Stroker { .. } => m.values().len() == 2,
                _ => false,
            },
            _ => true,
        }
    }

    /// Applies one command; returns the reply text.
    fn apply(&mut self, text: &str, now: Instant) -> String {
        let Ok(cmd) = parse_command(text) else {
            return "ERR;".to_owned();
        };
        if !self.supports(&cmd) {
            return "ERR;".to_owned();
        }
        match cmd {
            Command::DeviceType => {
                return format!("{}:{}:{};", self.model_code, self.firmware, self.mac);
            }
            Command::Battery => {
                let busy = if self.intensity() > 0 { "s" } else { "" };
                return format!("{busy}{};", self.battery);
            }
            Command::GetAutoSwitch => {
                return format!(
                    "AutoSwith:{}:{};",
                    on_off(self.stop_on_disconnect),
                    on_off(self.resume_on_reconnect)
                );
            }
            Command::SetAutoSwitch {
                stop_on_disconnect,
                resume_on_reconnect,
            } => {
                self.stop_on_disconnect = stop_on_disconnect;
                self.resume_on_reconnect = resume_on_reconnect;
            }
            Command::PowerOff => self.stop(now),
            Command::RotateChange => self.reversed = !self.reversed,
            Command::Preset(n) => self.preset = n,
            motion => {
                let mut levels = self.levels;
                outputs::apply(self.spec, &motion, &mut levels);
                self.set_levels(levels, now);
            }
        }
        "OK;".to_owned()
    }
}

fn on_off(b: bool) -> &'static str {
    if b { "On" } else { "Off" }
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

    /// Any model of the table, by code (`EA`) or name (`Gravity`): answers
    /// `DeviceType;` as that model and keeps a level per output.
    pub fn model(label: &str, spec: &'static ModelSpec) -> (VirtualToy, VirtualControl) {
        let firmware = if spec.codes.contains(&"EI-FW3") {
            3
        } else {
            11
        };
        VirtualToy::new(label, spec.wire_code(), firmware, "0082059AD3BD", 85)
    }

    pub fn new(
        label: &str,
        model_code: &str,
        firmware: u16,
        mac: &str,
        battery: u8,
    ) -> (VirtualToy, VirtualControl) {
        let spec = ModelSpec::for_code(model_code, Some(firmware));
        let zero = Levels::zero(spec.outputs.len());
        let state = Arc::new(Mutex::new(State {
            model_code: model_code.to_owned(),
            spec,
            firmware,
            mac: mac.to_owned(),
            battery: battery.min(100),
            levels: zero,
            reversed: false,
            preset: 0,
            connected: true,
            // Real toys ship with resume on; the driver must turn it off.
            stop_on_disconnect: false,
            resume_on_reconnect: true,
            timeline: vec![(Instant::now(), 0)],
            history: vec![(Instant::now(), zero)],
            writes: Vec::new(),
            dropped: 0,
            faults: Faults::default(),
            before_drop: zero,
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

    fn backend(&self) -> Backend {
        Backend::Virtual
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
        take_inbound(&mut self.rx)
    }

    async fn close(&self) -> Result<(), TransportError> {
        let mut s = lock(&self.state);
        s.connected = false;
        if s.stop_on_disconnect {
            s.stop(Instant::now());
        }
        Ok(())
    }
}

impl VirtualControl {
    /// The strongest output now, on the 0..=20 scale.
    pub fn intensity(&self) -> u8 {
        lock(&self.state).intensity()
    }

    /// Each output's level now, in its own range.
    pub fn levels(&self) -> Levels {
        lock(&self.state).levels
    }

    /// (when, levels) at every change of any output, from creation.
    pub fn history(&self) -> Vec<(Instant, Levels)> {
        lock(&self.state).history.clone()
    }

    pub fn spec(&self) -> &'static ModelSpec {
        lock(&self.state).spec
    }

    /// Whether `RotateChange;` turned the rotation around (odd count).
    pub fn rotation_reversed(&self) -> bool {
        lock(&self.state).reversed
    }

    /// The stored pattern running, 0 for none.
    pub fn preset(&self) -> u8 {
        lock(&self.state).preset
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
            s.before_drop = s.levels;
            if s.stop_on_disconnect {
                s.stop(Instant::now());
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
                s.set_levels(before, Instant::now());
            }
        }
        let _ = self.tx.send(Inbound::Reconnected).await;
    }
}
