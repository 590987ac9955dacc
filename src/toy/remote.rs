//! Lovense Remote on the local network as a transport: the driver writes the
//! same commands as to a Bluetooth toy; this turns them into the app's
//! `Function` requests (every output in one, `timeSec` bounded, refreshed
//! while something runs) and answers as a toy would (`OK;`, `ERR;`, the
//! battery, `DeviceType` from `GetToys`). Pacing, the cap and every stop
//! path stay the driver's and the scheduler's.
//!
//! One worker posts in order; a level superseded while a post is on its
//! way is not posted (the next request carries every output anyway), so
//! nothing queues up behind a slow app. A failed post marks the link down
//! (the strip says "disconnected"); the worker probes with `GetToys` and
//! reports the link back.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::ahead::OutputsAhead;
use super::codec::{Command, Level};
use super::command_parse::parse_command;
use super::models::ModelSpec;
use super::remote_api::{self, REFRESH_MS, RemoteError, RemoteToy, Request};
pub use super::remote_http::{HttpPoster, POST_TIMEOUT};
use super::remote_pattern;
use super::transport::{
    Backend, INBOUND_CAPACITY, Inbound, Transport, TransportError, WireLine, take_inbound,
};

/// Posts one JSON body to the app's `/command`, returning the answer's text.
#[async_trait]
pub trait Poster: Send + Sync {
    async fn post(&self, body: String) -> Result<String, RemoteError>;
}

/// The toys the app reports (`toy scan --remote`).
pub async fn list_toys(poster: &dyn Poster) -> Result<Vec<RemoteToy>, RemoteError> {
    remote_api::parse_toys(&poster.post(Request::GetToys.body()).await?)
}

/// The first connected toy, or the one whose id or name is `wanted`.
pub async fn find_toy(poster: &dyn Poster, wanted: Option<&str>) -> Result<RemoteToy, RemoteError> {
    let toys = list_toys(poster).await?;
    let what = wanted.map(|w| format!(" named {w:?}")).unwrap_or_default();
    let named = |t: &RemoteToy| {
        wanted.is_none_or(|w| {
            t.id.eq_ignore_ascii_case(w)
                || t.name.eq_ignore_ascii_case(w)
                || t.nickname.eq_ignore_ascii_case(w)
        })
    };
    if let Some(found) = toys.iter().find(|t| t.connected() && named(t)) {
        return Ok(found.clone());
    }
    // Known to the app but switched off or out of range: say so.
    match toys.iter().find(|t| named(t)) {
        Some(off) => Err(RemoteError::NotConnected(off.name.clone())),
        None => Err(RemoteError::NoToy(what)),
    }
}

enum Job {
    /// Post the current levels (or a stop), then answer `replies` × `OK;`.
    Levels {
        replies: u32,
    },
    Preset(u8),
    /// `DeviceType;` or `Battery;` answered from `GetToys`.
    Query(Command),
    Close(tokio::sync::oneshot::Sender<()>),
}

struct State {
    levels: Vec<u8>,
    /// The steps the driver foresees (a pattern's coming ticks).
    ahead: Option<OutputsAhead>,
    /// The window the last `Pattern` request carries while it plays:
    /// writes it foresaw need no post of their own.
    posted: Option<OutputsAhead>,
    /// False once the app refused a `Pattern` request: `Function` only.
    patterns: bool,
    preset: u8,
    connected: bool,
    /// While the app is lost: failed probes so far, and the next one's time.
    probes: (u32, tokio::time::Instant),
}

impl State {
    fn stop(&mut self) {
        self.levels.iter_mut().for_each(|v| *v = 0);
        self.preset = 0;
        self.posted = None;
    }

    /// Ends the pattern sent ahead, taking the levels it plays now as the
    /// toy's.
    fn take_playing(&mut self) {
        let now = tokio::time::Instant::now();
        let playing = self.posted.take().and_then(|p| {
            let i = p.index_at(now)?;
            Some(p.steps[i].values().to_vec())
        });
        if let Some(levels) = playing.filter(|l| l.len() == self.levels.len()) {
            self.levels = levels;
        }
    }

    /// Whether the pattern playing already brings the outputs to `levels`
    /// now (only the outputs that changed are looked at).
    fn foreseen(&self, before: &[u8], now: tokio::time::Instant) -> bool {
        let Some(posted) = &self.posted else {
            return false;
        };
        self.levels
            .iter()
            .zip(before)
            .enumerate()
            .filter(|(_, (new, old))| new != old)
            .all(|(i, (new, _))| posted.foresaw(now, i, *new))
    }
}

pub struct RemoteTransport {
    label: String,
    spec: &'static ModelSpec,
    state: Arc<Mutex<State>>,
    jobs: mpsc::UnboundedSender<Job>,
    inbound: mpsc::Sender<Inbound>,
    inbound_rx: Option<mpsc::Receiver<Inbound>>,
    worker: JoinHandle<()>,
}

fn lock(s: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    s.lock().unwrap_or_else(PoisonError::into_inner)
}

impl RemoteTransport {
    /// Drives `toy` through the app behind `poster`.
    pub fn new(poster: Arc<dyn Poster>, toy: &RemoteToy) -> RemoteTransport {
        let spec = toy.spec();
        let state = Arc::new(Mutex::new(State {
            levels: vec![0; spec.outputs.len()],
            ahead: None,
            posted: None,
            patterns: true,
            preset: 0,
            connected: true,
            probes: (0, tokio::time::Instant::now()),
        }));
        let (inbound, inbound_rx) = mpsc::channel(INBOUND_CAPACITY);
        let (jobs, jobs_rx) = mpsc::unbounded_channel();
        let worker = Worker {
            poster,
            toy_id: toy.id.clone(),
            functions: toy.functions(),
            notice: Mutex::new(None),
            spec,
            state: state.clone(),
            inbound: inbound.clone(),
        };
        let worker = tokio::spawn(worker.run(jobs_rx));
        RemoteTransport {
            label: format!("{} ({})", spec.name, toy.id),
            spec,
            state,
            jobs,
            inbound,
            inbound_rx: Some(inbound_rx),
            worker,
        }
    }

    fn reply(&self, text: &str) {
        // A full channel means nobody reads replies; a real toy would not wait.
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

impl Drop for RemoteTransport {
    fn drop(&mut self) {
        self.worker.abort();
    }
}

#[async_trait]
impl Transport for RemoteTransport {
    fn label(&self) -> &str {
        &self.label
    }

    fn backend(&self) -> Backend {
        Backend::Remote
    }

    async fn write(&self, bytes: &[u8]) -> Result<(), TransportError> {
        if !lock(&self.state).connected {
            return Err(TransportError::NotConnected);
        }
        let text = String::from_utf8_lossy(bytes);
        let Ok(cmd) = parse_command(&text) else {
            self.reply("ERR;");
            return Ok(());
        };
        match cmd {
            Command::DeviceType | Command::Battery => self.job(Job::Query(cmd))?,
            // The app's own safety is `timeSec`; the toy's setting is n/a.
            Command::SetAutoSwitch { .. } => self.reply("OK;"),
            Command::GetAutoSwitch => self.reply("AutoSwith:On:Off;"),
            Command::Preset(n) => self.job(Job::Preset(n))?,
            // A stop (the driver's urgent `Vibrate:0;`) is a `Stop` of every
            // output through the app, not a vibrator at 0 beside a rotation
            // still going for 100 ms.
            Command::PowerOff | Command::Vibrate(Level::OFF) => {
                let foreseen = {
                    let mut s = lock(&self.state);
                    let before = s.levels.clone();
                    s.levels.iter_mut().for_each(|v| *v = 0);
                    // A pattern's own zero (every stop clears the pattern
                    // first: the driver drops what it foresaw).
                    let foreseen = cmd != Command::PowerOff
                        && s.foreseen(&before, tokio::time::Instant::now());
                    if !foreseen {
                        s.stop();
                    }
                    foreseen
                };
                if foreseen {
                    self.reply("OK;");
                } else {
                    self.job(Job::Levels { replies: 1 })?;
                }
            }
            motion => {
                let (applied, foreseen) = {
                    let mut s = lock(&self.state);
                    let before = s.levels.clone();
                    let applied = remote_api::apply(self.spec, &motion, &mut s.levels).is_some();
                    let foreseen = applied && s.foreseen(&before, tokio::time::Instant::now());
                    if !foreseen {
                        s.posted = None;
                    }
                    (applied, foreseen)
                };
                if foreseen {
                    // The `Pattern` request playing brings the toy there.
                    self.reply("OK;");
                } else if applied {
                    self.job(Job::Levels { replies: 1 })?;
                } else {
                    self.reply("ERR;");
                }
            }
        }
        Ok(())
    }

    fn subscribe(&mut self) -> Result<mpsc::Receiver<Inbound>, TransportError> {
        take_inbound(&mut self.inbound_rx)
    }

    /// A pattern sent ahead that no longer agrees with what is foreseen
    /// (the item finished, a tip started) is replaced at once by the level
    /// it plays now (the writes that follow say what comes next).
    fn ahead(&self, ahead: Option<OutputsAhead>) {
        let repost = {
            let mut s = lock(&self.state);
            let now = tokio::time::Instant::now();
            let agrees = match (&s.posted, &ahead) {
                (Some(posted), Some(new)) => posted.agrees_with(new, now),
                (posted, _) => posted.is_none(),
            };
            s.ahead = ahead;
            if !agrees {
                s.take_playing();
            }
            !agrees && s.connected
        };
        if repost {
            let _ = self.job(Job::Levels { replies: 0 });
        }
    }

    /// Stops the toy through the app, then lets the link go.
    async fn close(&self) -> Result<(), TransportError> {
        lock(&self.state).stop();
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.job(Job::Close(tx))?;
        let _ = tokio::time::timeout(POST_TIMEOUT * 2, rx).await;
        Ok(())
    }
}

struct Worker {
    poster: Arc<dyn Poster>,
    toy_id: String,
    /// `fullFunctionNames`: whether the vibrators are driven one by one.
    functions: Vec<String>,
    /// The app's last error code, as shown on the strip.
    notice: Mutex<Option<String>>,
    spec: &'static ModelSpec,
    state: Arc<Mutex<State>>,
    inbound: mpsc::Sender<Inbound>,
}

impl Worker {
    async fn run(self, mut jobs: mpsc::UnboundedReceiver<Job>) {
        let mut refresh = tokio::time::interval(Duration::from_millis(REFRESH_MS));
        refresh.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                job = jobs.recv() => {
                    let Some(job) = job else { return };
                    // Levels waiting behind this one are covered by one post.
                    let mut batch = vec![job];
                    while let Ok(more) = jobs.try_recv() {
                        batch.push(more);
                    }
                    if self.handle(batch).await {
                        return;
                    }
                    // A post renews `timeSec`: the next refresh is a full
                    // period later, never on top of a level just sent.
                    refresh.reset();
                }
                _ = refresh.tick() => self.refresh().await,
            }
        }
    }

    /// Handles jobs in order, levels merged; true once closed.
    async fn handle(&self, batch: Vec<Job>) -> bool {
        let mut level_replies = 0;
        for job in batch {
            match job {
                Job::Levels { replies } => level_replies += replies,
                other => {
                    if level_replies > 0 {
                        self.post_levels(level_replies).await;
                        level_replies = 0;
                    }
                    match other {
                        Job::Preset(n) => self.post_preset(n).await,
                        Job::Query(cmd) => self.query(cmd).await,
                        Job::Close(done) => {
                            // Best effort: if it fails, `timeSec` stops the toy.
                            let _ = self.post(self.levels_request()).await;
                            let _ = done.send(());
                            return true;
                        }
                        Job::Levels { .. } => {}
                    }
                }
            }
        }
        if level_replies > 0 {
            self.post_levels(level_replies).await;
        }
        false
    }

    /// The current levels as one request: the coming steps as a `Pattern`
    /// where they fit its rules, else a `Function` (a `Stop` at 0).
    fn levels_request(&self) -> Request {
        let mut s = lock(&self.state);
        let names = remote_api::action_names(self.spec, &self.functions);
        let pattern = s
            .ahead
            .as_ref()
            .filter(|_| s.preset == 0 && s.patterns)
            .and_then(|a| {
                let now = tokio::time::Instant::now();
                remote_pattern::request(&self.toy_id, self.spec, &names, a, now, &s.levels)
            });
        match pattern {
            Some((request, window)) => {
                s.posted = Some(window);
                request
            }
            None => {
                // A pattern still playing has the toy at its step of now
                // (the writes may lag it): that level is held, not an
                // older one.
                s.take_playing();
                Request::function(&self.toy_id, &remote_api::merge_actions(names, &s.levels))
            }
        }
    }

    async fn post_levels(&self, replies: u32) {
        let answer = self.post_current().await;
        self.answer(answer.map(|_| ()), replies);
    }

    /// Posts the current levels; an app that refuses the `Pattern` request
    /// (an older one) gets `Function` posts from then on, this one at once.
    async fn post_current(&self) -> Result<String, RemoteError> {
        let request = self.levels_request();
        let pattern = matches!(request, Request::Pattern { .. });
        let answer = self.post(request).await;
        if pattern && matches!(answer, Err(RemoteError::App { .. })) {
            tracing::warn!("Lovense Remote refused a Pattern request: Function posts only");
            lock(&self.state).patterns = false;
            return self.post(self.levels_request()).await;
        }
        answer
    }

    async fn post_preset(&self, n: u8) {
        lock(&self.state).preset = n;
        let request = match Request::preset(&self.toy_id, n) {
            Some(r) => r,
            None if n == 0 => self.levels_request(),
            None => {
                self.say("ERR;");
                return;
            }
        };
        let answer = self.post(request).await;
        self.answer(answer.map(|_| ()), 1);
    }

    async fn query(&self, cmd: Command) {
        let toys = self
            .post(Request::GetToys)
            .await
            .and_then(|text| remote_api::parse_toys(&text));
        let toy = toys.map(|t| t.into_iter().find(|t| t.id == self.toy_id));
        let reply = match (toy, cmd) {
            (Ok(Some(t)), Command::DeviceType) => {
                let mac: String = t.id.chars().filter(char::is_ascii_hexdigit).collect();
                let mac = if mac.len() == 12 {
                    mac.to_ascii_uppercase()
                } else {
                    "0".repeat(12)
                };
                format!("{}:{}:{mac};", self.spec.wire_code(), t.firmware())
            }
            (Ok(Some(t)), _) => format!("{};", t.battery_percent()),
            (Ok(None), _) | (Err(RemoteError::App { .. }), _) => "ERR;".to_owned(),
            // Unreachable: no reply; the driver gives up and says so.
            (Err(_), _) => return,
        };
        self.say(&reply);
    }

    /// Posts one body, the body and the app's answer shown as they went.
    async fn send(&self, body: String) -> Result<String, RemoteError> {
        let _ = self
            .inbound
            .send(Inbound::Wire(WireLine::Out(body.clone())))
            .await;
        let answer = self.poster.post(body).await;
        let line = match &answer {
            Ok(text) => text.clone(),
            Err(e) => format!("(no answer: {e})"),
        };
        let _ = self.inbound.send(Inbound::Wire(WireLine::In(line))).await;
        answer
    }

    /// Posts, giving the link up on a network failure: a `Stop` is tried
    /// once more first (if the app still hears it, the toy stops now rather
    /// than when `timeSec` runs out).
    async fn post(&self, request: Request) -> Result<String, RemoteError> {
        let result = self.send(request.body()).await.and_then(|text| {
            remote_api::parse_answer(&text)?;
            Ok(text)
        });
        if let Err(e @ (RemoteError::Unreachable(_) | RemoteError::Timeout)) = &result {
            tracing::warn!(error = %e, "Lovense Remote request failed");
            if lock(&self.state).connected {
                let _ = self.send(Request::stop(&self.toy_id).body()).await;
            }
            self.link(false).await;
        }
        result
    }

    fn answer(&self, result: Result<(), RemoteError>, replies: u32) {
        self.renotice(&result);
        let text = match result {
            Ok(()) => "OK;",
            Err(RemoteError::App { .. } | RemoteError::BadAnswer(_)) => "ERR;",
            // The link is down: the driver's requests time out.
            Err(_) => return,
        };
        for _ in 0..replies {
            self.say(text);
        }
    }

    fn say(&self, text: &str) {
        let _ = self
            .inbound
            .try_send(Inbound::Data(text.as_bytes().to_vec()));
    }

    /// The app's error code and its documented meaning on the strip while
    /// it lasts (`Lovense Remote answered 402: toy not connected`).
    fn renotice(&self, result: &Result<(), RemoteError>) {
        let now = match result {
            Err(e @ RemoteError::App { .. }) => Some(e.to_string()),
            Ok(()) => None,
            Err(_) => return,
        };
        let mut shown = self.notice.lock().unwrap_or_else(PoisonError::into_inner);
        if *shown != now {
            shown.clone_from(&now);
            let _ = self.inbound.try_send(Inbound::Notice(now));
        }
    }

    async fn link(&self, up: bool) {
        let changed = {
            let mut s = lock(&self.state);
            let changed = s.connected != up;
            s.connected = up;
            if !up {
                // The app stops the toy by itself within `timeSec`.
                s.stop();
                if changed {
                    s.probes = (0, tokio::time::Instant::now());
                }
            }
            changed
        };
        if changed {
            let notice = (!up).then(|| {
                "Lovense Remote lost: reconnecting (probing 1 s, then up to 8 s apart); effects resume once it answers".to_owned()
            });
            self.notice
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone_from(&notice);
            let _ = self.inbound.send(Inbound::Notice(notice)).await;
            let msg = if up {
                Inbound::Reconnected
            } else {
                Inbound::Disconnected
            };
            let _ = self.inbound.send(msg).await;
        }
    }

    /// Keeps a running level alive (`timeSec` is short), or probes a link
    /// that is down.
    async fn refresh(&self) {
        let (connected, running, preset) = {
            let s = lock(&self.state);
            (
                s.connected,
                s.levels.iter().any(|v| *v > 0) || s.posted.is_some(),
                s.preset,
            )
        };
        if !connected {
            let (failed, due) = lock(&self.state).probes;
            if tokio::time::Instant::now() < due {
                return;
            }
            if self.send(Request::GetToys.body()).await.is_ok() {
                self.link(true).await;
            } else {
                // Backoff: 0.5 s doubling to 8 s (checked on each refresh).
                let next = Duration::from_millis(500u64 << (failed + 1).min(4));
                lock(&self.state).probes = (failed + 1, tokio::time::Instant::now() + next);
            }
            return;
        }
        if preset > 0 {
            if let Some(r) = Request::preset(&self.toy_id, preset) {
                let _ = self.post(r).await;
            }
        } else if running {
            let _ = self.post_current().await;
        }
    }
}
