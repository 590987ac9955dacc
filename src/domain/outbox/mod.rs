//! The delivery service's rules, pure: a per-viewer outbox that releases
//! each private message at its tier's time, in priority order among those
//! due together, numbers it in the viewer's inbox, retries with backoff
//! while the viewer has no stream, and fails it after the retention period
//! or when the viewer is banned from its room. The caller passes the time
//! and stores every change it hands back.

mod letter;
mod policy;
pub mod reply;

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap, HashSet};

pub use letter::{FailReason, Letter, MessageId, NewLetter, Status, attempt_errors};
pub use policy::{DeliveryPolicy, TierRule};

use super::ids::{RoomId, UserId};
use super::time::Stamp;

/// A ban as the outbox sees it: from `at`, until `until` if it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BanSpan {
    at: Stamp,
    until: Option<Stamp>,
}

impl BanSpan {
    fn covers(&self, at: Stamp) -> bool {
        self.at <= at && self.until.is_none_or(|until| at < until)
    }
}

#[derive(Debug, Default)]
pub struct Outbox {
    policy: DeliveryPolicy,
    letters: HashMap<MessageId, Letter>,
    /// Pending letters by (next attempt, higher priority first, id).
    schedule: BTreeSet<(Stamp, Reverse<u8>, MessageId)>,
    by_viewer: HashMap<UserId, BTreeSet<MessageId>>,
    online: HashSet<UserId>,
    last_seq: HashMap<UserId, u64>,
    bans: HashMap<(UserId, RoomId), BanSpan>,
}

impl Outbox {
    pub fn new(policy: DeliveryPolicy) -> Self {
        Outbox {
            policy,
            ..Outbox::default()
        }
    }

    pub fn policy(&self) -> &DeliveryPolicy {
        &self.policy
    }

    /// Letters held (pending or sent, not yet delivered).
    pub fn len(&self) -> usize {
        self.letters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.letters.is_empty()
    }

    pub fn get(&self, id: MessageId) -> Option<&Letter> {
        self.letters.get(&id)
    }

    /// The viewer's highest inbox number so far (from the store at start).
    pub fn note_last_seq(&mut self, viewer: &UserId, seq: u64) {
        let last = self.last_seq.entry(viewer.clone()).or_default();
        *last = (*last).max(seq);
    }

    pub fn last_seq(&self, viewer: &UserId) -> u64 {
        self.last_seq.get(viewer).copied().unwrap_or(0)
    }

    /// A new message: pending until its tier's time, or failed at once when
    /// its viewer is banned from its room.
    pub fn admit(&mut self, new: NewLetter) -> Letter {
        let rule = self.policy.rule(new.tier);
        let due_at = new.created_at.plus_millis(rule.delay_ms);
        let letter = Letter {
            id: new.id,
            viewer: new.viewer,
            room: new.room,
            tier: new.tier,
            priority: rule.priority,
            created_at: new.created_at,
            due_at,
            status: Status::Pending,
            seq: None,
            attempts: 0,
            next_at: due_at,
            sent_at: None,
            delivered_at: None,
            read_at: None,
            failed_at: None,
            reason: None,
            last_error: None,
        };
        if self.banned(&letter.viewer, &letter.room, letter.created_at) {
            return fail(letter, FailReason::Banned, new.created_at);
        }
        self.hold(letter.clone());
        letter
    }

    /// A message read back from the store after a restart. One that was
    /// sent and not known to be written goes back to pending with its
    /// inbox number (returned, to be kept): it is written again on the
    /// viewer's next stream, or fails at retention like any other.
    pub fn restore(&mut self, mut letter: Letter) -> Option<Letter> {
        if let Some(seq) = letter.seq {
            self.note_last_seq(&letter.viewer, seq);
        }
        if letter.is_final() {
            return None;
        }
        let changed = letter.status == Status::Sent;
        if changed {
            letter.status = Status::Pending;
            letter.next_at = letter.due_at;
        }
        self.hold(letter.clone());
        changed.then_some(letter)
    }

    fn hold(&mut self, letter: Letter) {
        if letter.status == Status::Pending {
            self.schedule
                .insert((letter.next_at, Reverse(letter.priority), letter.id));
        }
        self.by_viewer
            .entry(letter.viewer.clone())
            .or_default()
            .insert(letter.id);
        self.letters.insert(letter.id, letter);
    }

    fn release(&mut self, id: MessageId) -> Option<Letter> {
        let letter = self.letters.remove(&id)?;
        self.schedule
            .remove(&(letter.next_at, Reverse(letter.priority), id));
        if let Some(ids) = self.by_viewer.get_mut(&letter.viewer) {
            ids.remove(&id);
            if ids.is_empty() {
                self.by_viewer.remove(&letter.viewer);
            }
        }
        Some(letter)
    }

    /// When the next attempt is due, if any.
    pub fn next_wake(&self) -> Option<Stamp> {
        self.schedule.first().map(|(at, _, _)| *at)
    }

    /// Every attempt due by `now`, in priority order (then by tier's time,
    /// then by id): sent when the viewer has a stream, retried later when
    /// not, failed once past retention.
    pub fn due(&mut self, now: Stamp) -> Vec<Letter> {
        let mut ready: Vec<MessageId> = Vec::new();
        while let Some(&(at, prio, id)) = self.schedule.first() {
            if at > now {
                break;
            }
            self.schedule.remove(&(at, prio, id));
            ready.push(id);
        }
        ready.sort_by_key(|id| {
            let l = &self.letters[id];
            (Reverse(l.priority), l.due_at, l.id)
        });
        ready
            .into_iter()
            .filter_map(|id| self.attempt(id, now))
            .collect()
    }

    fn attempt(&mut self, id: MessageId, now: Stamp) -> Option<Letter> {
        let mut letter = self.release(id)?;
        if self.expired(&letter, now) {
            return Some(fail(letter, FailReason::RetentionExpired, now));
        }
        if self.online.contains(&letter.viewer) {
            self.number(&mut letter);
            letter.status = Status::Sent;
            letter.sent_at = Some(now);
        } else {
            letter.attempts += 1;
            letter.last_error = Some(attempt_errors::NO_STREAM);
            letter.next_at = self.retry_at(&letter, now);
        }
        self.hold(letter.clone());
        Some(letter)
    }

    fn expired(&self, letter: &Letter, now: Stamp) -> bool {
        now >= letter.created_at.plus_millis(self.policy.retention_ms)
    }

    /// The next attempt, never past the retention deadline (which is when
    /// the message fails).
    fn retry_at(&self, letter: &Letter, now: Stamp) -> Stamp {
        let deadline = letter.created_at.plus_millis(self.policy.retention_ms);
        now.plus_millis(self.policy.backoff_ms(letter.attempts))
            .min(deadline)
    }

    fn number(&mut self, letter: &mut Letter) {
        if letter.seq.is_none() {
            let last = self.last_seq.entry(letter.viewer.clone()).or_default();
            *last += 1;
            letter.seq = Some(*last);
        }
    }

    /// The viewer opened their stream, having seen their inbox up to
    /// `seen` (a resume). Sent letters they have seen are delivered; their
    /// other sent letters are written again by the stream's replay; letters
    /// waiting for a retry go now if their tier's time has come (those
    /// already numbered first, in their order, as the caller writes a
    /// batch in inbox order).
    pub fn connect(&mut self, viewer: &UserId, seen: Option<u64>, now: Stamp) -> Vec<Letter> {
        self.online.insert(viewer.clone());
        let mut changed = Vec::new();
        for id in self.viewer_ids(viewer) {
            let letter = &self.letters[&id];
            let seen_before = letter.seq.is_some() && letter.seq <= seen;
            match letter.status {
                Status::Sent | Status::Pending if seen_before => {
                    let mut letter = self.release(id).expect("held");
                    letter.status = Status::Delivered;
                    letter.delivered_at = Some(now);
                    changed.push(letter);
                }
                Status::Pending if letter.due_at <= now && letter.next_at > now => {
                    let mut letter = self.release(id).expect("held");
                    letter.next_at = now;
                    self.hold(letter);
                }
                _ => {}
            }
        }
        changed
    }

    /// The viewer's last stream closed: what was sent and not written is
    /// retried on their next stream (or fails at retention).
    pub fn disconnect(&mut self, viewer: &UserId, now: Stamp) -> Vec<Letter> {
        self.online.remove(viewer);
        let mut changed = Vec::new();
        for id in self.viewer_ids(viewer) {
            if self.letters[&id].status != Status::Sent {
                continue;
            }
            let mut letter = self.release(id).expect("held");
            letter.attempts += 1;
            letter.last_error = Some(attempt_errors::STREAM_CLOSED);
            letter.status = Status::Pending;
            letter.next_at = self.retry_at(&letter, now);
            self.hold(letter.clone());
            changed.push(letter);
        }
        changed
    }

    pub fn is_online(&self, viewer: &UserId) -> bool {
        self.online.contains(viewer)
    }

    fn viewer_ids(&self, viewer: &UserId) -> Vec<MessageId> {
        self.by_viewer
            .get(viewer)
            .map(|ids| ids.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The letter reached the viewer's socket: delivered.
    pub fn written(&mut self, id: MessageId, now: Stamp) -> Option<Letter> {
        if self.letters.get(&id)?.status != Status::Sent {
            return None;
        }
        let mut letter = self.release(id)?;
        letter.status = Status::Delivered;
        letter.delivered_at = Some(now);
        Some(letter)
    }

    /// The viewer pulled their inbox: everything of theirs whose tier's
    /// time has come is numbered and delivered, in priority order.
    pub fn fetch(&mut self, viewer: &UserId, now: Stamp) -> Vec<Letter> {
        let mut ids = self.viewer_ids(viewer);
        ids.sort_by_key(|id| {
            let l = &self.letters[id];
            (l.seq.is_none(), Reverse(l.priority), l.due_at, l.id)
        });
        let mut changed = Vec::new();
        for id in ids {
            let letter = &self.letters[&id];
            let ready = letter.status == Status::Sent
                || (letter.status == Status::Pending && letter.due_at <= now);
            if !ready {
                continue;
            }
            if self.expired(letter, now) {
                let letter = self.release(id).expect("held");
                changed.push(fail(letter, FailReason::RetentionExpired, now));
                continue;
            }
            let mut letter = self.release(id).expect("held");
            self.number(&mut letter);
            letter.sent_at.get_or_insert(now);
            letter.status = Status::Delivered;
            letter.delivered_at = Some(now);
            changed.push(letter);
        }
        changed
    }

    /// A letter still held (sent, not yet written) marked read by its own
    /// viewer; letters already delivered are the store's to mark.
    pub fn read(&mut self, viewer: &UserId, id: MessageId, now: Stamp) -> Option<Letter> {
        let held = self.letters.get(&id)?;
        if &held.viewer != viewer || held.status != Status::Sent {
            return None;
        }
        let mut letter = self.release(id)?;
        letter.delivered_at.get_or_insert(now);
        letter.status = Status::Read;
        letter.read_at = Some(now);
        Some(letter)
    }

    /// `viewer` is banned from `room` from `at` (until `until`): what was
    /// not yet written to them there fails, and so does anything created for
    /// that room while the ban lasts.
    pub fn ban(
        &mut self,
        viewer: &UserId,
        room: &RoomId,
        at: Stamp,
        until: Option<Stamp>,
    ) -> Vec<Letter> {
        self.bans
            .insert((viewer.clone(), room.clone()), BanSpan { at, until });
        let mut changed = Vec::new();
        for id in self.viewer_ids(viewer) {
            let letter = &self.letters[&id];
            if &letter.room == room {
                let letter = self.release(id).expect("held");
                changed.push(fail(letter, FailReason::Banned, at));
            }
        }
        changed
    }

    pub fn unban(&mut self, viewer: &UserId, room: &RoomId) {
        self.bans.remove(&(viewer.clone(), room.clone()));
    }

    fn banned(&self, viewer: &UserId, room: &RoomId, at: Stamp) -> bool {
        self.bans
            .get(&(viewer.clone(), room.clone()))
            .is_some_and(|span| span.covers(at))
    }
}

fn fail(mut letter: Letter, reason: FailReason, at: Stamp) -> Letter {
    letter.status = Status::Failed;
    letter.reason = Some(reason);
    letter.failed_at = Some(at);
    letter
}
