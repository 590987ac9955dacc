//! One task per toy owns its transport: it paces commands, matches replies
//! to requests, handles link drops, and always ends with `Vibrate:0;`.
//!
//! The handle is cheap to clone. `set_level` and `stop_now` never block and
//! never allocate a task, so the panic hook can call them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use thiserror::Error;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::time::{Instant, sleep_until, timeout};

use super::codec::{CodecError, Command, Level, Reply, ReplySplitter};
use super::identify::{Identity, identify_advertised};
use super::models::{ModelSpec, UNKNOWN};
use super::outputs::{self, FeatureLevels, Levels, ModelMaps};
use super::pacing::{MIN_GAP, Next, Pacer, Pending, ReplyMatcher, coalesces};
use super::transport::{Inbound, Transport, TransportError};

#[derive(Debug, Clone)]
pub struct DriverConfig {
    /// Least time between two writes (100 ms: 10 commands per second).
    pub min_gap: Duration,
    /// A request with no reply after this is given up.
    pub reply_timeout: Duration,
    /// How often a motor command that got no `OK;` is sent again.
    pub motion_retries: u8,
}

impl Default for DriverConfig {
    fn default() -> Self {
        DriverConfig {
            min_gap: MIN_GAP,
            reply_timeout: Duration::from_millis(1000),
            motion_retries: 2,
        }
    }
}

/// What happened on the link, in order: the transcript and the console's
/// toy strip read these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToyEvent {
    Sent(String),
    Received(String),
    BadReply(CodecError),
    /// The toy answered `ERR;` to this command.
    Refused(String),
    /// No reply to this command in time.
    NoReply(String),
    WriteFailed(String),
    Disconnected,
    Reconnected,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DeviceError {
    #[error("the toy refused {0}")]
    Refused(String),
    #[error("no reply to {0} in time")]
    NoReply(String),
    #[error("the toy's driver has stopped")]
    Gone,
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// What the console's toy strip shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToyStatus {
    pub connected: bool,
    /// The strongest output now, on the 0..=20 scale (the last all-motor
    /// level sent, for a one-motor toy).
    pub level: u8,
    /// Each output's level in its own range, as last written.
    pub outputs: Levels,
    pub battery: Option<u8>,
    pub identity: Option<Identity>,
    /// Output halted by the panic key until `resume`.
    pub halted: bool,
}

type Responder = oneshot::Sender<Result<Reply, DeviceError>>;

enum Control {
    Send(Command),
    Request(Command, Responder),
    Shutdown(oneshot::Sender<()>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Target {
    /// The effect's level, spread over the outputs by the toy's shaping.
    level: Level,
    /// Levels per output set by hand (the toy screen), instead of `level`.
    explicit: Option<Levels>,
    /// A multi-feature pattern step, instead of `level`.
    features: Option<FeatureLevels>,
    urgent: bool,
}

/// How an effect level becomes output levels for this toy: the intensity
/// cap and the console's per-model output maps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shaping {
    pub cap: u8,
    pub maps: Arc<ModelMaps>,
}

impl Default for Shaping {
    fn default() -> Self {
        Shaping {
            cap: crate::domain::toy_effect::MAX_INTENSITY,
            maps: Arc::default(),
        }
    }
}

type SharedShaping = Arc<RwLock<Shaping>>;

fn read(s: &SharedShaping) -> Shaping {
    s.read().unwrap_or_else(PoisonError::into_inner).clone()
}

#[derive(Clone)]
pub struct ToyHandle {
    label: Arc<str>,
    target: Arc<watch::Sender<Target>>,
    control: mpsc::UnboundedSender<Control>,
    events: broadcast::Sender<ToyEvent>,
    status: Arc<watch::Sender<ToyStatus>>,
    halted: Arc<AtomicBool>,
    shaping: SharedShaping,
}

/// Events kept for a slow reader before the oldest are skipped.
const EVENT_CAPACITY: usize = 1024;

/// Starts the driver task for one toy. The receiver sees every event from
/// the first write on. Call inside a tokio runtime.
pub fn spawn_toy(
    mut transport: Box<dyn Transport>,
    config: DriverConfig,
) -> Result<(ToyHandle, broadcast::Receiver<ToyEvent>), TransportError> {
    let inbound = transport.subscribe()?;
    let label: Arc<str> = transport.label().into();
    let (target_tx, target_rx) = watch::channel(Target {
        level: Level::OFF,
        explicit: None,
        features: None,
        urgent: false,
    });
    let shaping = SharedShaping::default();
    let (control_tx, control_rx) = mpsc::unbounded_channel();
    let (events_tx, events_rx) = broadcast::channel(EVENT_CAPACITY);
    let (status_tx, _) = watch::channel(ToyStatus {
        connected: true,
        level: 0,
        outputs: Levels::zero(1),
        battery: None,
        identity: None,
        halted: false,
    });
    let status = Arc::new(status_tx);
    let driver = Driver {
        label: label.clone(),
        transport,
        inbound,
        target: target_rx,
        control: control_rx,
        events: events_tx.clone(),
        status: status.clone(),
        pacer: Pacer::new(config.min_gap),
        matcher: ReplyMatcher::default(),
        splitter: ReplySplitter::default(),
        responders: std::collections::VecDeque::new(),
        retry: None,
        last_written: None,
        connected: true,
        send_at: None,
        shaping: shaping.clone(),
        config,
    };
    tokio::spawn(driver.run());
    let handle = ToyHandle {
        label,
        target: Arc::new(target_tx),
        control: control_tx,
        events: events_tx,
        status,
        halted: Arc::new(AtomicBool::new(false)),
        shaping,
    };
    Ok((handle, events_rx))
}

impl ToyHandle {
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Sets an effect level: every output the shaping drives, scaled to
    /// its range, capped; latest wins. Ignored (kept at 0) while halted.
    pub fn set_level(&self, level: Level) {
        if self.halted.load(Ordering::SeqCst) && !level.is_off() {
            return;
        }
        self.target.send_replace(Target {
            level,
            explicit: None,
            features: None,
            urgent: false,
        });
    }

    /// Sets the outputs from one step of a multi-feature pattern (each
    /// feature to the output it names; shaping and cap as for a level).
    pub fn set_features(&self, features: FeatureLevels) {
        if self.halted.load(Ordering::SeqCst) && !features.is_off() {
            return;
        }
        self.target.send_replace(Target {
            level: Level::OFF,
            explicit: None,
            features: Some(features),
            urgent: false,
        });
    }

    /// Sets each output by hand (in its own range; the cap still holds).
    /// Ignored while halted unless all are 0.
    pub fn set_outputs(&self, levels: Levels) {
        if self.halted.load(Ordering::SeqCst) && !levels.is_off() {
            return;
        }
        self.target.send_replace(Target {
            level: Level::OFF,
            explicit: Some(levels),
            features: None,
            urgent: false,
        });
    }

    /// The cap and per-model output maps (the scheduler sets them).
    pub fn set_shaping(&self, shaping: Shaping) {
        *self.shaping.write().unwrap_or_else(PoisonError::into_inner) = shaping;
    }

    /// Reverses the rotation of a toy that can (`RotateChange;`).
    pub fn reverse_rotation(&self) -> Result<(), DeviceError> {
        self.send(Command::RotateChange)
    }

    /// Runs the toy's own stored pattern N (`Preset:N;`; 0 stops it).
    pub fn preset(&self, n: u8) -> Result<(), DeviceError> {
        if self.halted.load(Ordering::SeqCst) && n != 0 {
            return Ok(());
        }
        self.send(Command::Preset(n))
    }

    /// Stops all outputs at once, ahead of pacing.
    pub fn stop_now(&self) {
        self.target.send_replace(Target {
            level: Level::OFF,
            explicit: None,
            features: None,
            urgent: true,
        });
    }

    /// Stops and refuses any level above 0 until `resume` (the panic key).
    pub fn halt(&self) {
        self.halted.store(true, Ordering::SeqCst);
        self.stop_now();
        self.status.send_modify(|s| s.halted = true);
    }

    pub fn resume(&self) {
        self.halted.store(false, Ordering::SeqCst);
        self.status.send_modify(|s| s.halted = false);
    }

    pub fn is_halted(&self) -> bool {
        self.halted.load(Ordering::SeqCst)
    }

    /// Sends a command through pacing, no reply awaited.
    pub fn send(&self, cmd: Command) -> Result<(), DeviceError> {
        self.control
            .send(Control::Send(cmd))
            .map_err(|_| DeviceError::Gone)
    }

    /// Sends a command and waits for its reply (`ERR;` is an error).
    pub async fn request(&self, cmd: Command) -> Result<Reply, DeviceError> {
        let (tx, rx) = oneshot::channel();
        self.control
            .send(Control::Request(cmd, tx))
            .map_err(|_| DeviceError::Gone)?;
        rx.await.map_err(|_| DeviceError::Gone)?
    }

    /// Battery percent.
    pub async fn battery(&self) -> Result<u8, DeviceError> {
        match self.request(Command::Battery).await? {
            Reply::Battery { percent, .. } => Ok(percent),
            _ => Err(DeviceError::NoReply(Command::Battery.text())),
        }
    }

    /// Asks `DeviceType;` up to `tries` times, `every` apart; falls back to
    /// the advertised name. Records the result in the status.
    pub async fn identify(&self, advertised: &str, tries: u32, every: Duration) -> Identity {
        self.identify_advertised(advertised, &[], tries, every)
            .await
    }

    /// Like `identify`, falling back to the name, then to the model code the
    /// advertised services spell.
    pub async fn identify_advertised(
        &self,
        advertised: &str,
        services: &[uuid::Uuid],
        tries: u32,
        every: Duration,
    ) -> Identity {
        let mut identity = None;
        for _ in 0..tries {
            if let Ok(Ok(Reply::DeviceType(info))) =
                timeout(every, self.request(Command::DeviceType)).await
            {
                identity = Some(Identity::from_device_type(&info));
                break;
            }
        }
        let identity = identity
            .or_else(|| identify_advertised(advertised, services))
            .unwrap_or_else(Identity::unknown);
        self.set_identity(identity.clone());
        identity
    }

    /// Records who the toy is; commands from now on follow its model.
    pub fn set_identity(&self, identity: Identity) {
        let outputs = identity.outputs().len();
        self.status.send_modify(|s| {
            s.identity = Some(identity);
            s.outputs = Levels::zero(outputs);
        });
    }

    pub fn events(&self) -> broadcast::Receiver<ToyEvent> {
        self.events.subscribe()
    }

    pub fn status(&self) -> watch::Receiver<ToyStatus> {
        self.status.subscribe()
    }

    /// Stops (a final `Vibrate:0;`, always sent), waits briefly for its
    /// `OK;`, then closes the link.
    pub async fn shutdown(&self) {
        let (tx, rx) = oneshot::channel();
        if self.control.send(Control::Shutdown(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

struct Token {
    responder: Option<Responder>,
}

struct Driver {
    label: Arc<str>,
    transport: Box<dyn Transport>,
    inbound: mpsc::Receiver<Inbound>,
    target: watch::Receiver<Target>,
    control: mpsc::UnboundedReceiver<Control>,
    events: broadcast::Sender<ToyEvent>,
    status: Arc<watch::Sender<ToyStatus>>,
    pacer: Pacer,
    matcher: ReplyMatcher<Token>,
    splitter: ReplySplitter,
    /// Responders for queued commands, in the pacer's queue order.
    responders: std::collections::VecDeque<Option<Responder>>,
    /// The motor command being retried and how often it was.
    retry: Option<(Command, u8)>,
    /// The last command written, and whether the toy said `OK;` to it.
    last_written: Option<(Command, bool)>,
    connected: bool,
    /// When the pacer allows the next write, if something waits.
    send_at: Option<Instant>,
    shaping: SharedShaping,
    config: DriverConfig,
}

impl Driver {
    /// The model the toy was identified as; one vibrator until then.
    fn spec(&self) -> &'static ModelSpec {
        self.status
            .borrow()
            .identity
            .as_ref()
            .map_or(&UNKNOWN, |i| i.spec())
    }

    fn on_target(&mut self, t: Target) {
        if t.urgent {
            self.pacer.stop_now();
            return;
        }
        let spec = self.spec();
        let shaping = read(&self.shaping);
        let map = outputs::map_for(&shaping.maps, spec);
        let levels = match (t.explicit, t.features) {
            (Some(levels), _) => outputs::clamp(spec, levels, shaping.cap),
            (None, Some(f)) => outputs::levels_for_features(spec, &f, shaping.cap, map),
            (None, None) => outputs::levels_for(spec, t.level.get(), shaping.cap, map),
        };
        for cmd in outputs::commands_for(spec, levels) {
            self.pacer.submit(cmd);
        }
    }

    /// Keeps the status's per-output levels in step with what was written.
    fn record(&self, cmd: &Command) {
        if !cmd.is_motion() {
            return;
        }
        let spec = self.spec();
        self.status.send_modify(|s| {
            if s.outputs.values().len() != spec.outputs.len() {
                s.outputs = Levels::zero(spec.outputs.len());
            }
            outputs::apply(spec, cmd, &mut s.outputs);
            s.level = match cmd {
                Command::Vibrate(level) if spec.outputs.len() == 1 => level.get(),
                _ => outputs::strongest(spec, &s.outputs),
            };
        });
    }

    async fn run(mut self) {
        // Safety first: stop on an accidental disconnect, never resume.
        self.queue(Command::SAFE_AUTO_SWITCH, None);
        loop {
            self.flush().await;
            let expiry = self.matcher.next_deadline(self.config.reply_timeout);
            let wake = match (self.send_at, expiry) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            tokio::select! {
                biased;
                changed = self.target.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    let t = *self.target.borrow_and_update();
                    self.on_target(t);
                }
                // Replies before new requests: shutdown then sees the last OK.
                inbound = self.inbound.recv() => match inbound {
                    Some(msg) => self.on_inbound(msg),
                    None => {
                        tracing::warn!(toy = %self.label, "transport ended");
                        self.connected = false;
                        self.emit(ToyEvent::Closed);
                        self.status.send_modify(|s| s.connected = false);
                        return;
                    }
                },
                control = self.control.recv() => match control {
                    Some(Control::Send(cmd)) => self.submit(cmd),
                    Some(Control::Request(cmd, tx)) => self.queue(cmd, Some(tx)),
                    Some(Control::Shutdown(done)) => {
                        self.shutdown().await;
                        let _ = done.send(());
                        return;
                    }
                    None => break,
                },
                () = sleep_until(wake.unwrap_or_else(Instant::now)), if wake.is_some() => {
                    self.expire();
                }
            }
        }
        self.shutdown().await;
    }

    fn emit(&self, event: ToyEvent) {
        // No subscriber is fine: nobody is watching the transcript.
        let _ = self.events.send(event);
    }

    fn submit(&mut self, cmd: Command) {
        if coalesces(&cmd) {
            self.pacer.submit(cmd);
        } else {
            self.queue(cmd, None);
        }
    }

    fn queue(&mut self, cmd: Command, responder: Option<Responder>) {
        self.pacer.enqueue(cmd);
        self.responders.push_back(responder);
    }

    /// Writes everything the pacer allows now.
    async fn flush(&mut self) {
        self.send_at = None;
        while self.connected {
            match self.pacer.next(Instant::now()) {
                Next::Send { cmd, queued } => {
                    let responder = if queued {
                        self.responders.pop_front().flatten()
                    } else {
                        None
                    };
                    self.write(cmd, responder).await;
                }
                Next::WaitUntil(at) => {
                    self.send_at = Some(at);
                    break;
                }
                Next::Idle => break,
            }
        }
    }

    async fn write(&mut self, cmd: Command, responder: Option<Responder>) {
        let text = cmd.text();
        match self.transport.write(text.as_bytes()).await {
            Ok(()) => {
                tracing::debug!(toy = %self.label, command = %text, "sent");
                self.record(&cmd);
                self.emit(ToyEvent::Sent(text));
                self.last_written = Some((cmd, false));
                let now = Instant::now();
                for given_up in self.matcher.sent(cmd, now, Token { responder }) {
                    self.no_reply(given_up);
                }
            }
            Err(e) => {
                tracing::warn!(toy = %self.label, command = %text, error = %e, "write failed");
                self.emit(ToyEvent::WriteFailed(text.clone()));
                if let Some(tx) = responder {
                    let _ = tx.send(Err(DeviceError::Transport(e)));
                }
                self.retry_motion(cmd);
            }
        }
    }

    /// Sends a motor command again if it is still the latest, within budget.
    fn retry_motion(&mut self, cmd: Command) {
        if !coalesces(&cmd) {
            return;
        }
        let tries = match self.retry {
            Some((c, n)) if c == cmd => n,
            _ => 0,
        };
        if tries < self.config.motion_retries {
            self.retry = Some((cmd, tries + 1));
            self.pacer.resend(cmd);
        } else {
            tracing::warn!(toy = %self.label, command = %cmd, "giving up on a motor command");
            self.pacer.forget(cmd);
        }
    }

    fn no_reply(&mut self, p: Pending<Token>) {
        let text = p.cmd.text();
        tracing::warn!(toy = %self.label, command = %text, "no reply");
        self.emit(ToyEvent::NoReply(text.clone()));
        if let Some(tx) = p.token.responder {
            let _ = tx.send(Err(DeviceError::NoReply(text)));
        }
        if self.connected {
            self.retry_motion(p.cmd);
        }
    }

    fn expire(&mut self) {
        for p in self
            .matcher
            .expire(Instant::now(), self.config.reply_timeout)
        {
            self.no_reply(p);
        }
    }

    fn on_inbound(&mut self, msg: Inbound) {
        match msg {
            Inbound::Data(bytes) => {
                for (raw, parsed) in self.splitter.push(&bytes) {
                    self.emit(ToyEvent::Received(
                        String::from_utf8_lossy(&raw).into_owned(),
                    ));
                    match parsed {
                        Ok(reply) => self.on_reply(reply),
                        Err(e) => {
                            tracing::warn!(toy = %self.label, error = %e, "bad reply");
                            self.emit(ToyEvent::BadReply(e));
                        }
                    }
                }
            }
            Inbound::Disconnected => {
                tracing::warn!(toy = %self.label, "disconnected");
                self.connected = false;
                // AutoSwith:On:Off; has stopped the toy; nothing resumes.
                self.pacer.assume_stopped();
                self.splitter.reset();
                for p in self.matcher.drain() {
                    if let Some(tx) = p.token.responder {
                        let _ = tx.send(Err(DeviceError::Transport(TransportError::NotConnected)));
                    }
                }
                self.status.send_modify(|s| {
                    s.connected = false;
                    s.level = 0;
                    s.outputs = Levels::zero(s.outputs.values().len());
                });
                self.emit(ToyEvent::Disconnected);
            }
            Inbound::Reconnected => {
                tracing::info!(toy = %self.label, "reconnected");
                self.connected = true;
                self.status.send_modify(|s| s.connected = true);
                self.emit(ToyEvent::Reconnected);
                self.queue(Command::SAFE_AUTO_SWITCH, None);
            }
        }
    }

    fn on_reply(&mut self, reply: Reply) {
        if let Reply::Battery { percent, .. } = reply {
            self.status.send_modify(|s| s.battery = Some(percent));
        }
        let live = |t: &Token| t.responder.as_ref().is_none_or(|r| !r.is_closed());
        let Some(p) = self.matcher.on_reply(&reply, live) else {
            tracing::debug!(toy = %self.label, "reply matched no request");
            return;
        };
        if self.retry.is_some_and(|(c, _)| c == p.cmd) {
            self.retry = None;
        }
        if reply == Reply::Ok
            && let Some((last, acked)) = self.last_written.as_mut()
            && *last == p.cmd
        {
            *acked = true;
        }
        let result = if reply == Reply::Err {
            let text = p.cmd.text();
            tracing::warn!(toy = %self.label, command = %text, "refused");
            self.emit(ToyEvent::Refused(text.clone()));
            Err(DeviceError::Refused(text))
        } else {
            Ok(reply)
        };
        if let Some(tx) = p.token.responder {
            let _ = tx.send(result);
        }
    }

    /// The last word is always `Vibrate:0;`: sent unless the last command
    /// written was exactly that and the toy acknowledged it; then a zero for
    /// every other output still set (rotation, air, single motors, `Mply`).
    async fn shutdown(&mut self) {
        let stop = Command::Vibrate(Level::OFF);
        let zeros = self.pacer.zeros_needed();
        if self.connected && (self.last_written != Some((stop, true)) || !zeros.is_empty()) {
            for zero in zeros {
                self.write(zero, None).await;
            }
            self.write(stop, None).await;
            let deadline = Instant::now() + self.config.reply_timeout;
            while !self.matcher.is_empty() {
                tokio::select! {
                    msg = self.inbound.recv() => match msg {
                        Some(msg) => self.on_inbound(msg),
                        None => break,
                    },
                    () = sleep_until(deadline) => break,
                }
            }
        }
        if let Err(e) = self.transport.close().await {
            tracing::warn!(toy = %self.label, error = %e, "close failed");
        }
        self.connected = false;
        self.status.send_modify(|s| {
            s.connected = false;
            s.level = 0;
            s.outputs = Levels::zero(s.outputs.values().len());
        });
        self.emit(ToyEvent::Closed);
    }
}
