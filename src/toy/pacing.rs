//! Pacing and reply matching for one toy. Pure: the caller passes `now`.
//!
//! - The first command goes out at once; after that one command per
//!   `min_gap` (100 ms: at most 10 per second).
//! - Motor commands coalesce per motor: the latest wins, and one identical to
//!   the last sent on that motor is skipped.
//! - Other commands (queries, settings) queue in order and are never dropped.
//! - An urgent stop skips the gap: stopping a toy on someone's body beats
//!   pacing. It is the only command allowed to break the 10/s rule.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

use super::codec::{Command, Level, Motor, Reply};

pub const MIN_GAP: Duration = Duration::from_millis(100);

/// True for commands that coalesce (latest wins per motor).
pub fn coalesces(cmd: &Command) -> bool {
    channel(cmd).is_some()
}

/// The motor a motion command drives; commands on one motor coalesce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Channel {
    All,
    One,
    Two,
    Three,
    Rotate,
    Air,
    Mply,
    Preset,
}

const CHANNELS: usize = 8;
const SINGLES: [Channel; 3] = [Channel::One, Channel::Two, Channel::Three];

fn channel(cmd: &Command) -> Option<Channel> {
    match cmd {
        Command::Vibrate(_) => Some(Channel::All),
        Command::VibrateMotor(Motor::One, _) => Some(Channel::One),
        Command::VibrateMotor(Motor::Two, _) => Some(Channel::Two),
        Command::VibrateMotor(Motor::Three, _) => Some(Channel::Three),
        Command::Rotate(_) => Some(Channel::Rotate),
        Command::Air(_) => Some(Channel::Air),
        Command::Mply(_) => Some(Channel::Mply),
        Command::Preset(_) => Some(Channel::Preset),
        _ => None,
    }
}

/// The command that stops what `cmd` started; `None` if it stops nothing.
fn zero_of(cmd: &Command) -> Option<Command> {
    let zero = match *cmd {
        Command::Vibrate(_) => Command::Vibrate(Level::OFF),
        Command::VibrateMotor(m, _) => Command::VibrateMotor(m, Level::OFF),
        Command::Rotate(_) => Command::Rotate(Level::OFF),
        Command::Air(_) => Command::Air(0),
        Command::Mply(m) => Command::Mply(m.zeroed()),
        Command::Preset(_) => Command::Preset(0),
        _ => return None,
    };
    Some(zero)
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// `queued` when it came from the in-order queue (not a coalesced motor).
    Send {
        cmd: Command,
        queued: bool,
    },
    /// Nothing may go out before this instant; something is waiting.
    WaitUntil(Instant),
    Idle,
}

#[derive(Debug)]
pub struct Pacer {
    min_gap: Duration,
    last_sent_at: Option<Instant>,
    last: [Option<Command>; CHANNELS],
    /// Per channel, the last command sent that set something going, until a
    /// zero goes out on that very channel (`Vibrate:0;` is not taken to stop
    /// a single motor: the Gravity's second "motor" is its thrust).
    live: [Option<Command>; CHANNELS],
    pending: [Option<Command>; CHANNELS],
    queue: VecDeque<Command>,
    urgent_stop: bool,
    /// Where the next look for a pending motor command starts: turn by
    /// turn, so a motor whose level changes every gap cannot starve another.
    turn: usize,
}

impl Pacer {
    pub fn new(min_gap: Duration) -> Pacer {
        Pacer {
            min_gap,
            last_sent_at: None,
            last: [None; CHANNELS],
            live: [None; CHANNELS],
            pending: [None; CHANNELS],
            queue: VecDeque::new(),
            urgent_stop: false,
            turn: 0,
        }
    }

    /// Offers a command. Motion commands replace any pending one on the same
    /// motor; everything else queues.
    pub fn submit(&mut self, cmd: Command) {
        match channel(&cmd) {
            Some(ch) => {
                // All motors and single motors overlap: the newer wins, so
                // an older pending command on the other side must not follow.
                if ch == Channel::All {
                    for c in SINGLES {
                        self.pending[c as usize] = None;
                    }
                } else if SINGLES.contains(&ch) {
                    self.pending[Channel::All as usize] = None;
                }
                self.pending[ch as usize] = Some(cmd);
            }
            None => self.queue.push_back(cmd),
        }
    }

    /// Queues a command in order, never coalesced or skipped.
    pub fn enqueue(&mut self, cmd: Command) {
        self.queue.push_back(cmd);
    }

    /// Stops all motors now, ahead of the gap and of anything queued:
    /// `Vibrate:0;` at once, then every other output ever set (single
    /// motors, rotation, air, `Mply`, a running preset) zeroed, paced.
    /// Skipped, like any repeat, when everything was last told 0.
    pub fn stop_now(&mut self) {
        self.pending = [None; CHANNELS];
        let off = Some(Command::Vibrate(Level::OFF));
        let singles_off = SINGLES.iter().all(|c| self.live[*c as usize].is_none());
        self.urgent_stop = !(self.last[Channel::All as usize] == off && singles_off);
        for zero in self.zeros_needed() {
            if let Some(ch) = channel(&zero) {
                self.pending[ch as usize] = Some(zero);
            }
        }
    }

    /// The zeros `stop_now` would send after `Vibrate:0;`, for a final stop
    /// written without pacing.
    pub fn zeros_needed(&self) -> Vec<Command> {
        (0..CHANNELS)
            .filter(|i| *i != Channel::All as usize)
            .filter_map(|i| zero_of(&self.live[i]?))
            .collect()
    }

    /// The toy's state is unknown or known to be off (after a disconnect with
    /// auto-stop): pending motion is dropped, the motors are taken as off.
    pub fn assume_stopped(&mut self) {
        self.pending = [None; CHANNELS];
        self.urgent_stop = false;
        self.last = [None; CHANNELS];
        self.live = [None; CHANNELS];
        self.last[Channel::All as usize] = Some(Command::Vibrate(Level::OFF));
    }

    /// A motion command was lost (no acknowledgement): send it again unless
    /// something newer has replaced it.
    pub fn resend(&mut self, cmd: Command) {
        let Some(ch) = channel(&cmd) else { return };
        let i = ch as usize;
        if self.last[i] == Some(cmd) && self.pending[i].is_none() {
            self.last[i] = None;
            self.pending[i] = Some(cmd);
        }
    }

    /// A motion command may not have reached the toy (given up after
    /// retries): do not take the motor as set, so a repeat is not skipped.
    pub fn forget(&mut self, cmd: Command) {
        if let Some(ch) = channel(&cmd)
            && self.last[ch as usize] == Some(cmd)
        {
            self.last[ch as usize] = None;
            // A lost zero may have left the output going.
            if zero_of(&cmd) == Some(cmd) && self.live[ch as usize].is_none() {
                self.live[ch as usize] = Some(cmd);
            }
        }
    }

    /// The last command sent on the all-motors channel.
    pub fn last_vibrate(&self) -> Option<Command> {
        self.last[Channel::All as usize]
    }

    pub fn next(&mut self, now: Instant) -> Next {
        if self.urgent_stop {
            self.urgent_stop = false;
            return self.sent(Command::Vibrate(Level::OFF), false, now);
        }
        // Drop pending commands identical to what the motor already has.
        for i in 0..CHANNELS {
            if self.pending[i].is_some() && self.pending[i] == self.last[i] {
                self.pending[i] = None;
            }
        }
        let has_work = !self.queue.is_empty() || self.pending.iter().any(Option::is_some);
        if !has_work {
            return Next::Idle;
        }
        if let Some(at) = self.last_sent_at {
            let ready = at + self.min_gap;
            if now < ready {
                return Next::WaitUntil(ready);
            }
        }
        if let Some(cmd) = self.queue.pop_front() {
            return self.sent(cmd, true, now);
        }
        let found = (0..CHANNELS)
            .map(|k| (self.turn + k) % CHANNELS)
            .find(|i| self.pending[*i].is_some());
        match found.and_then(|i| self.pending[i].take().map(|cmd| (i, cmd))) {
            Some((i, cmd)) => {
                self.turn = (i + 1) % CHANNELS;
                self.sent(cmd, false, now)
            }
            None => Next::Idle,
        }
    }

    fn sent(&mut self, cmd: Command, queued: bool, now: Instant) -> Next {
        self.last_sent_at = Some(now);
        if let Some(ch) = channel(&cmd) {
            self.last[ch as usize] = Some(cmd);
            self.live[ch as usize] = (zero_of(&cmd) != Some(cmd)).then_some(cmd);
            // `Vibrate:N;` also sets each single motor.
            if ch == Channel::All {
                for c in SINGLES {
                    self.last[c as usize] = None;
                }
            } else if SINGLES.contains(&ch) {
                self.last[Channel::All as usize] = None;
            }
        }
        Next::Send { cmd, queued }
    }
}

/// A request waiting for its reply.
#[derive(Debug)]
pub struct Pending<T> {
    pub cmd: Command,
    pub sent_at: Instant,
    pub token: T,
}

/// Matches replies to requests: each reply goes to the oldest request that
/// expects its kind (battery values share the stream with `OK;`).
#[derive(Debug)]
pub struct ReplyMatcher<T> {
    pending: VecDeque<Pending<T>>,
}

/// More outstanding requests than this means the toy stopped answering;
/// the oldest are given up.
pub const MAX_PENDING: usize = 32;

impl<T> Default for ReplyMatcher<T> {
    fn default() -> Self {
        ReplyMatcher {
            pending: VecDeque::new(),
        }
    }
}

impl<T> ReplyMatcher<T> {
    /// Records a request; returns any given up to stay within `MAX_PENDING`.
    pub fn sent(&mut self, cmd: Command, at: Instant, token: T) -> Vec<Pending<T>> {
        self.pending.push_back(Pending {
            cmd,
            sent_at: at,
            token,
        });
        let mut evicted = Vec::new();
        while self.pending.len() > MAX_PENDING {
            evicted.extend(self.pending.pop_front());
        }
        evicted
    }

    /// The request this reply answers, if any: the oldest of its kind whose
    /// asker still waits (`live`), else the oldest of its kind.
    pub fn on_reply(&mut self, reply: &Reply, live: impl Fn(&T) -> bool) -> Option<Pending<T>> {
        let fits = |p: &Pending<T>| reply.answers(p.cmd.expects());
        let i = self
            .pending
            .iter()
            .position(|p| fits(p) && live(&p.token))
            .or_else(|| self.pending.iter().position(fits))?;
        self.pending.remove(i)
    }

    /// Requests older than `timeout`, removed.
    pub fn expire(&mut self, now: Instant, timeout: Duration) -> Vec<Pending<T>> {
        let mut expired = Vec::new();
        while let Some(p) = self.pending.front() {
            if now.duration_since(p.sent_at) >= timeout {
                expired.extend(self.pending.pop_front());
            } else {
                break;
            }
        }
        expired
    }

    /// When the oldest request times out.
    pub fn next_deadline(&self, timeout: Duration) -> Option<Instant> {
        self.pending.front().map(|p| p.sent_at + timeout)
    }

    /// Everything outstanding (the link dropped: no reply will come).
    pub fn drain(&mut self) -> Vec<Pending<T>> {
        self.pending.drain(..).collect()
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}
