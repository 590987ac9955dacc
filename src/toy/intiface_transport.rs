//! One Intiface device as a transport: the driver writes the same commands
//! as to a Bluetooth toy (for a device of another make, `Mply:a:b:c;` with
//! one value per output of its model row); this turns them into the
//! server's `OutputCmd`s, each level scaled to the output's step count, and
//! answers as a toy would (`OK;`, `ERR;`, the battery). Pacing, the cap and
//! every stop path stay the driver's and the scheduler's.
//!
//! Stops: `Vibrate:0;` (every stop path of the driver) and closing are
//! `StopAllDevices`; all outputs at 0 otherwise stop the device. One worker
//! sends in order; levels written while a send is on its way are merged
//! into one, so nothing queues up behind a slow server.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use buttplug_client::device::{ClientDeviceCommandValue, ClientDeviceOutputCommand};
use buttplug_core::message::OutputType;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::{Duration, Instant, sleep_until};

use super::codec::{Command, Level};
use super::command_parse::parse_command;
use super::intiface::{IntifaceError, REQUEST_TIMEOUT, Session};
use super::intiface_device::IntifaceDevice;
use super::models::ModelSpec;
use super::outputs::{self, Levels};
use super::transport::{
    Backend, INBOUND_CAPACITY, Inbound, Transport, TransportError, take_inbound,
};

/// A linear stroke at level 1 takes this long, at level 20 `FASTEST_STROKE`.
const SLOWEST_STROKE_MS: u32 = 1_000;
const FASTEST_STROKE_MS: u32 = 250;

/// How long one stroke of a linear output takes at `level` (1..=20).
pub fn stroke_ms(level: u8) -> u32 {
    let l = u32::from(level.clamp(1, 20));
    SLOWEST_STROKE_MS - (SLOWEST_STROKE_MS - FASTEST_STROKE_MS) * (l - 1) / 19
}

enum Job {
    /// Send the current levels, then answer `OK;` once.
    Levels,
    /// `StopAllDevices`, then `OK;`.
    StopAll,
    Battery,
    Close(oneshot::Sender<()>),
}

struct State {
    /// Each output's level in its row's range.
    levels: Levels,
    /// `RotateChange;` turned reversible rotations the other way.
    reversed: bool,
    connected: bool,
}

fn lock(s: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    s.lock().unwrap_or_else(PoisonError::into_inner)
}

pub struct IntifaceTransport {
    label: String,
    spec: &'static ModelSpec,
    state: Arc<Mutex<State>>,
    jobs: mpsc::UnboundedSender<Job>,
    inbound: mpsc::Sender<Inbound>,
    inbound_rx: Option<mpsc::Receiver<Inbound>>,
    worker: JoinHandle<()>,
}

impl IntifaceTransport {
    pub fn new(session: Arc<Session>, device: &IntifaceDevice) -> IntifaceTransport {
        let spec = device.spec();
        let state = Arc::new(Mutex::new(State {
            levels: Levels::zero(spec.outputs.len()),
            reversed: false,
            connected: true,
        }));
        let (inbound, inbound_rx) = mpsc::channel(INBOUND_CAPACITY);
        let (jobs, jobs_rx) = mpsc::unbounded_channel();
        let worker = Worker {
            session,
            device: device.clone(),
            spec,
            state: state.clone(),
            inbound: inbound.clone(),
            sent: vec![0; device.outputs.len()],
            stroke: vec![None; device.outputs.len()],
        };
        IntifaceTransport {
            label: format!("{} (intiface #{})", device.name, device.index),
            spec,
            state,
            jobs,
            inbound,
            inbound_rx: Some(inbound_rx),
            worker: tokio::spawn(worker.run(jobs_rx)),
        }
    }

    fn reply(&self, text: &str) {
        let _ = self
            .inbound
            .try_send(Inbound::Data(text.as_bytes().to_vec()));
    }

    fn job(&self, job: Job) -> Result<(), TransportError> {
        self.jobs
            .send(job)
            .map_err(|_| TransportError::NotConnected)
    }
}

impl Drop for IntifaceTransport {
    fn drop(&mut self) {
        self.worker.abort();
    }
}

#[async_trait]
impl Transport for IntifaceTransport {
    fn label(&self) -> &str {
        &self.label
    }

    fn backend(&self) -> Backend {
        Backend::Intiface
    }

    async fn write(&self, bytes: &[u8]) -> Result<(), TransportError> {
        if !lock(&self.state).connected {
            return Err(TransportError::NotConnected);
        }
        let Ok(cmd) = parse_command(&String::from_utf8_lossy(bytes)) else {
            self.reply("ERR;");
            return Ok(());
        };
        match cmd {
            Command::Battery => self.job(Job::Battery)?,
            // The server's own safety is its ping timeout.
            Command::SetAutoSwitch { .. } | Command::Preset(0) => self.reply("OK;"),
            Command::GetAutoSwitch => self.reply("AutoSwith:On:Off;"),
            // No stored patterns; the model comes from the server's list.
            Command::Preset(_) | Command::DeviceType => self.reply("ERR;"),
            Command::PowerOff | Command::Vibrate(Level::OFF) => {
                lock(&self.state).levels = Levels::zero(self.spec.outputs.len());
                self.job(Job::StopAll)?;
            }
            Command::RotateChange => {
                let mut s = lock(&self.state);
                s.reversed = !s.reversed;
                drop(s);
                self.job(Job::Levels)?;
            }
            motion => {
                outputs::apply(self.spec, &motion, &mut lock(&self.state).levels);
                self.job(Job::Levels)?;
            }
        }
        Ok(())
    }

    fn subscribe(&mut self) -> Result<mpsc::Receiver<Inbound>, TransportError> {
        take_inbound(&mut self.inbound_rx)
    }

    /// `StopAllDevices`, then leaves the server.
    async fn close(&self) -> Result<(), TransportError> {
        lock(&self.state).levels = Levels::zero(self.spec.outputs.len());
        let (tx, rx) = oneshot::channel();
        self.job(Job::Close(tx))?;
        let _ = tokio::time::timeout(REQUEST_TIMEOUT * 3, rx).await;
        Ok(())
    }
}

struct Worker {
    session: Arc<Session>,
    device: IntifaceDevice,
    spec: &'static ModelSpec,
    state: Arc<Mutex<State>>,
    inbound: mpsc::Sender<Inbound>,
    /// The step last sent per output.
    sent: Vec<i32>,
    /// A linear output's next stroke: when, and towards which end.
    stroke: Vec<Option<(Instant, bool)>>,
}

impl Worker {
    async fn run(mut self, mut jobs: mpsc::UnboundedReceiver<Job>) {
        let mut changes = self.session.changes();
        let mut wire = self.session.wire();
        let mut present = true;
        let mut notice = None;
        // A lost server: when to try again, and how often it was tried.
        let mut retry: Option<(Instant, u32)> = None;
        self.renotice(&mut notice, None).await;
        loop {
            let next_stroke = self.stroke.iter().flatten().map(|(at, _)| *at).min();
            let retry_at = retry.map(|(at, _)| at);
            tokio::select! {
                () = sleep_until(retry_at.unwrap_or_else(Instant::now)), if retry_at.is_some() => {
                    let attempt = retry.map_or(0, |(_, n)| n);
                    if self.reconnect().await {
                        retry = None;
                        present = true;
                        changes = self.session.changes();
                        wire = self.session.wire();
                        self.link(true).await;
                        self.renotice(&mut notice, None).await;
                    } else {
                        retry = Some((Instant::now() + reconnect_backoff(attempt + 1), attempt + 1));
                        self.renotice(&mut notice, Some(attempt + 1)).await;
                    }
                }
                job = jobs.recv() => {
                    let Some(job) = job else { return };
                    let mut batch = vec![job];
                    while let Ok(more) = jobs.try_recv() {
                        batch.push(more);
                    }
                    if self.handle(batch).await {
                        // The last stop and the close, into the transcript.
                        while let Ok(line) = wire.try_recv() {
                            let _ = self.inbound.try_send(Inbound::Wire(line));
                        }
                        return;
                    }
                }
                line = wire.recv() => match line {
                    Ok(line) => {
                        let _ = self.inbound.send(Inbound::Wire(line)).await;
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                        wire = self.session.wire();
                    }
                },
                changed = changes.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    let now = !self.session.is_lost()
                        && self.session.client.devices().contains_key(&self.device.index);
                    if now != present {
                        present = now;
                        self.link(now).await;
                    }
                    // The server itself is gone: connect again, with backoff.
                    if self.session.is_lost() && retry.is_none() {
                        retry = Some((Instant::now() + reconnect_backoff(0), 0));
                    }
                    self.renotice(&mut notice, retry.map(|(_, n)| n)).await;
                }
                () = sleep_until(next_stroke.unwrap_or_else(Instant::now)), if next_stroke.is_some() => {
                    self.strokes().await;
                }
            }
        }
    }

    /// Tells the driver when the warning changes: reconnecting (with the
    /// attempts so far), else the session's own.
    async fn renotice(&self, shown: &mut Option<String>, reconnecting: Option<u32>) {
        let now = match reconnecting {
            Some(n) => Some(format!(
                "Intiface lost: reconnecting to {} ({n} attempt(s) so far); effects resume once it is back",
                self.session.url
            )),
            None => self.session.notice().map(str::to_owned),
        };
        if now != *shown {
            shown.clone_from(&now);
            let _ = self.inbound.send(Inbound::Notice(now)).await;
        }
    }

    /// Connects to the server again and finds the same device by name.
    async fn reconnect(&mut self) -> bool {
        let Ok(session) = super::intiface::connect(&self.session.url).await else {
            return false;
        };
        match session.find(Some(&self.device.name), RECONNECT_FIND).await {
            Ok(found) => {
                tracing::info!(url = %session.url, device = %found.name, "Intiface reconnected");
                self.device = found;
                self.session = session;
                true
            }
            Err(_) => {
                session.disconnect().await;
                false
            }
        }
    }

    /// Handles jobs in order, levels merged; true once closed.
    async fn handle(&mut self, batch: Vec<Job>) -> bool {
        let mut oks = 0;
        for job in batch {
            match job {
                Job::Levels => oks += 1,
                Job::StopAll => {
                    oks += 1;
                    self.stop_all().await;
                }
                Job::Battery => {
                    let reply = self.battery().await;
                    self.say(&reply);
                }
                Job::Close(done) => {
                    self.stop_all().await;
                    self.session.disconnect().await;
                    let _ = done.send(());
                    return true;
                }
            }
        }
        if oks > 0 {
            let reply = match self.send_levels().await {
                Ok(()) => Some("OK;"),
                Err(e) if e.is_unreachable() => None,
                Err(_) => Some("ERR;"),
            };
            for _ in 0..oks {
                if let Some(r) = reply {
                    self.say(r);
                }
            }
        }
        false
    }

    async fn stop_all(&mut self) {
        if self.session.stop_all().await.is_ok() {
            self.sent.iter_mut().for_each(|v| *v = 0);
            self.stroke.iter_mut().for_each(|s| *s = None);
        }
    }

    /// The step each output should be at now.
    fn wanted(&self) -> Vec<i32> {
        let s = lock(&self.state);
        self.device
            .outputs
            .iter()
            .zip(self.spec.outputs)
            .zip(s.levels.values().iter().chain(std::iter::repeat(&0)))
            .map(|((d, o), v)| {
                let step = d.step(*v, o.max);
                if s.reversed && d.kind == OutputType::Rotate && d.min < 0 {
                    -step
                } else {
                    step
                }
            })
            .collect()
    }

    async fn send_levels(&mut self) -> Result<(), IntifaceError> {
        let wanted = self.wanted();
        if wanted.iter().all(|v| *v == 0) {
            if self.sent.iter().any(|v| *v != 0) {
                let device = self.client_device()?;
                self.session.request(device.stop()).await?;
                self.sent.iter_mut().for_each(|v| *v = 0);
                self.stroke.iter_mut().for_each(|s| *s = None);
            }
            return Ok(());
        }
        let now = Instant::now();
        for (i, want) in wanted.into_iter().enumerate() {
            if self.device.outputs[i].kind == OutputType::HwPositionWithDuration {
                // Strokes carry the speed; a new level takes effect at the
                // next stroke, or now when it starts.
                self.sent[i] = want;
                if want == 0 {
                    self.stroke[i] = None;
                } else if self.stroke[i].is_none() {
                    self.stroke[i] = Some((now, true));
                }
                continue;
            }
            if self.sent[i] != want {
                self.output(i, value_command(self.device.outputs[i].kind, want))
                    .await?;
                self.sent[i] = want;
            }
        }
        self.strokes().await;
        Ok(())
    }

    /// Sends the strokes that are due.
    async fn strokes(&mut self) {
        let now = Instant::now();
        for i in 0..self.stroke.len() {
            let Some((at, up)) = self.stroke[i] else {
                continue;
            };
            if at > now {
                continue;
            }
            let level = lock(&self.state).levels.values().get(i).copied();
            let Some(level) = level.filter(|l| *l > 0) else {
                self.stroke[i] = None;
                continue;
            };
            let out = &self.device.outputs[i];
            let ms = stroke_ms(level);
            let to = if up { out.max } else { out.min.max(0) };
            let cmd = ClientDeviceOutputCommand::HwPositionWithDuration(
                ClientDeviceCommandValue::Steps(to),
                ms,
            );
            let _ = self.output(i, cmd).await;
            self.stroke[i] = Some((now + Duration::from_millis(u64::from(ms)), !up));
        }
    }

    fn client_device(&self) -> Result<buttplug_client::ButtplugClientDevice, IntifaceError> {
        self.session
            .client
            .devices()
            .remove(&self.device.index)
            .ok_or_else(|| IntifaceError::NoDevice(format!(" #{}", self.device.index)))
    }

    async fn output(&self, i: usize, cmd: ClientDeviceOutputCommand) -> Result<(), IntifaceError> {
        let device = self.client_device()?;
        let feature = self.device.outputs[i].feature;
        let Some(feature) = device.device_features().get(&feature) else {
            return Err(IntifaceError::NoDevice(format!(" feature {feature}")));
        };
        self.session.request(feature.run_output(&cmd)).await
    }

    async fn battery(&self) -> String {
        if self.device.battery_feature.is_none() {
            return "ERR;".to_owned();
        }
        let Ok(device) = self.client_device() else {
            return "ERR;".to_owned();
        };
        match self.session.request(device.battery()).await {
            Ok(percent) => format!("{};", percent.min(100)),
            Err(_) => "ERR;".to_owned(),
        }
    }

    fn say(&self, text: &str) {
        let _ = self
            .inbound
            .try_send(Inbound::Data(text.as_bytes().to_vec()));
    }

    async fn link(&mut self, up: bool) {
        {
            let mut s = lock(&self.state);
            s.connected = up;
            if !up {
                // The server stops a device it loses, and every device when
                // the connection goes.
                s.levels = Levels::zero(self.spec.outputs.len());
            }
        }
        self.sent.iter_mut().for_each(|v| *v = 0);
        self.stroke.iter_mut().for_each(|s| *s = None);
        let msg = if up {
            Inbound::Reconnected
        } else {
            Inbound::Disconnected
        };
        let _ = self.inbound.send(msg).await;
    }
}

/// How long a reconnection scans for the device it drove.
const RECONNECT_FIND: Duration = Duration::from_secs(2);

/// 0.5 s, doubling to 8 s, as the Bluetooth link does.
fn reconnect_backoff(attempt: u32) -> Duration {
    Duration::from_millis(500u64 << attempt.min(4))
}

fn value_command(kind: OutputType, step: i32) -> ClientDeviceOutputCommand {
    let v = ClientDeviceCommandValue::Steps(step);
    match kind {
        OutputType::Rotate => ClientDeviceOutputCommand::Rotate(v),
        OutputType::Oscillate => ClientDeviceOutputCommand::Oscillate(v),
        OutputType::Constrict => ClientDeviceOutputCommand::Constrict(v),
        _ => ClientDeviceOutputCommand::Vibrate(v),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn strokes_speed_up_with_the_level() {
        assert_eq!(super::stroke_ms(1), 1_000);
        assert_eq!(super::stroke_ms(20), 250);
        assert!(super::stroke_ms(10) < super::stroke_ms(9));
    }
}
