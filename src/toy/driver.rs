//! The task that owns one toy's transport: it turns targets into the
//! model's commands, paces them, matches replies to requests, handles link
//! drops, and always ends with `Vibrate:0;`.

use std::sync::Arc;

use tokio::sync::{broadcast, mpsc, watch};
use tokio::time::{Instant, sleep_until};

use super::ahead::OutputsAhead;
use super::codec::{Command, Level, Reply, ReplySplitter};
use super::device::{
    Control, DeviceError, DriverConfig, Responder, SharedShaping, Target, ToyEvent, ToyStatus, read,
};
use super::models::{ModelSpec, UNKNOWN};
use super::outputs::{self, Levels};
use super::pacing::{Next, Pacer, Pending, ReplyMatcher, coalesces};
use super::transport::{Inbound, Transport, TransportError};

pub(super) struct Token {
    responder: Option<Responder>,
}

pub(super) struct Driver {
    pub(super) label: Arc<str>,
    pub(super) transport: Box<dyn Transport>,
    pub(super) inbound: mpsc::Receiver<Inbound>,
    pub(super) target: watch::Receiver<Target>,
    pub(super) control: mpsc::UnboundedReceiver<Control>,
    pub(super) events: broadcast::Sender<ToyEvent>,
    pub(super) status: Arc<watch::Sender<ToyStatus>>,
    pub(super) pacer: Pacer,
    pub(super) matcher: ReplyMatcher<Token>,
    pub(super) splitter: ReplySplitter,
    /// Responders for queued commands, in the pacer's queue order.
    pub(super) responders: std::collections::VecDeque<Option<Responder>>,
    /// The motor command being retried and how often it was.
    pub(super) retry: Option<(Command, u8)>,
    /// The last command written, and whether the toy said `OK;` to it.
    pub(super) last_written: Option<(Command, bool)>,
    pub(super) connected: bool,
    /// When the pacer allows the next write, if something waits.
    pub(super) send_at: Option<Instant>,
    pub(super) shaping: SharedShaping,
    pub(super) config: DriverConfig,
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
            // Nothing foreseen survives a stop.
            self.transport.ahead(None);
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
        // The coming steps, shaped like the level, before the level's writes.
        let ahead = t.ahead.map(|a| OutputsAhead {
            start: a.start,
            step_ms: a.step_ms,
            steps: a
                .levels
                .iter()
                .map(|l| outputs::levels_for(spec, *l, shaping.cap, map))
                .collect(),
        });
        self.transport.ahead(ahead);
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

    pub(super) async fn run(mut self) {
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
                    let t = self.target.borrow_and_update().clone();
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
            Inbound::Wire(line) => self.emit(ToyEvent::Wire(line)),
            Inbound::Notice(text) => {
                self.status.send_modify(|s| s.notice.clone_from(&text));
                self.emit(ToyEvent::Notice(text));
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
        self.transport.ahead(None);
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
        // What the link carried while closing (its last stop) is shown.
        while let Ok(msg) = self.inbound.try_recv() {
            if let Inbound::Wire(line) = msg {
                self.emit(ToyEvent::Wire(line));
            }
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
