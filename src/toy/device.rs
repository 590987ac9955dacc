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
use tokio::time::timeout;

use super::ahead::Ahead;
use super::codec::{CodecError, Command, Level, Reply, ReplySplitter};
use super::identify::{Identity, identify_advertised};
use super::outputs::{FeatureLevels, Levels, ModelMaps};
use super::pacing::{MIN_GAP, Pacer, ReplyMatcher};
use super::transport::{Backend, Transport, TransportError, WireLine};

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
    /// A message on the backend's own link (Intiface, Lovense Remote).
    Wire(WireLine),
    /// A warning about the link, or `None` once it no longer holds.
    Notice(Option<String>),
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
    /// What carries the commands.
    pub backend: Backend,
    /// A warning about the link the performer must see (no ping timer on
    /// Intiface, a Lovense Remote error).
    pub notice: Option<String>,
}

pub(super) type Responder = oneshot::Sender<Result<Reply, DeviceError>>;

pub(super) enum Control {
    Send(Command),
    Request(Command, Responder),
    Shutdown(oneshot::Sender<()>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Target {
    /// The effect's level, spread over the outputs by the toy's shaping.
    pub(super) level: Level,
    /// Levels per output set by hand (the toy screen), instead of `level`.
    pub(super) explicit: Option<Levels>,
    /// A multi-feature pattern step, instead of `level`.
    pub(super) features: Option<FeatureLevels>,
    /// The levels `level` is due to take next (a pattern's coming ticks).
    pub(super) ahead: Option<Ahead>,
    pub(super) urgent: bool,
}

impl Target {
    const IDLE: Target = Target {
        level: Level::OFF,
        explicit: None,
        features: None,
        ahead: None,
        urgent: false,
    };

    fn is_off(&self) -> bool {
        self.level.is_off()
            && self.explicit.is_none_or(|l| l.is_off())
            && self.features.is_none_or(|f| f.is_off())
    }
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

pub(super) type SharedShaping = Arc<RwLock<Shaping>>;

pub(super) fn read(s: &SharedShaping) -> Shaping {
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
    let (target_tx, target_rx) = watch::channel(Target::IDLE);
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
        backend: transport.backend(),
        notice: None,
    });
    let status = Arc::new(status_tx);
    let driver = super::driver::Driver {
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
        self.aim(Target {
            level,
            ..Target::IDLE
        });
    }

    /// Sets an effect level and the levels it is due to take next (see
    /// `ahead`): a transport that sends steps ahead may use them.
    pub fn set_level_ahead(&self, level: Level, ahead: Ahead) {
        self.aim(Target {
            level,
            ahead: Some(ahead),
            ..Target::IDLE
        });
    }

    /// Sets the outputs from one step of a multi-feature pattern (each
    /// feature to the output it names; shaping and cap as for a level).
    pub fn set_features(&self, features: FeatureLevels) {
        self.aim(Target {
            features: Some(features),
            ..Target::IDLE
        });
    }

    /// Sets each output by hand (in its own range; the cap still holds).
    pub fn set_outputs(&self, levels: Levels) {
        self.aim(Target {
            explicit: Some(levels),
            ..Target::IDLE
        });
    }

    /// A new target, latest wins; while halted only one that sets nothing.
    fn aim(&self, mut target: Target) {
        if self.halted.load(Ordering::SeqCst) && !target.is_off() {
            return;
        }
        // An off level right behind a stop keeps the stop's urgency (latest
        // wins: the driver may not have read the stop yet).
        if target.is_off() && self.target.borrow().urgent {
            target.urgent = true;
        }
        self.target.send_replace(target);
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
            urgent: true,
            ..Target::IDLE
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
