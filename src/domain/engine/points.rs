//! Loyalty points: earn events, allowances and awards, operators'
//! adjustments (a second admin above the threshold) and locks. Every
//! movement is one transfer in the shared ledger, in the points unit, with
//! its history entry beside it; everything is checked before anything moves.

use std::sync::Arc;

use super::awards::AwardBook;
use super::effects::Effects;
use super::{Engine, room_in};
use crate::domain::command::Reply;
use crate::domain::error::DomainError;
use crate::domain::ids::{IdemKey, PerformerId, RoomId, UserId, id_problem};
use crate::domain::item::Actor;
use crate::domain::ledger::{Account, Transfer, TransferKind, Unit};
use crate::domain::moderation::{ModerationAction, ModerationEntry, ModerationNote, check_note};
use crate::domain::points::{
    AdjustReason, Adjustment, AdjustmentState, AwardRoom, LockKind, LockReason, PointsEntry,
    PointsKind, PointsLock,
};
use crate::domain::time::Stamp;

type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// The points state beside the ledger's balances.
#[derive(Debug, Clone, Default)]
pub struct PointsState {
    /// Each user's locks, at most one of each kind.
    locks: HashMap<UserId, Vec<PointsLock>>,
    /// Every adjustment, by id - 1.
    adjustments: Vec<Adjustment>,
    /// Earn events of the retention window, by source event id: each
    /// enters once (older ones are the store's to recognise).
    earned: HashMap<Arc<str>, Reply>,
    /// The same events in the order they came, to let them go.
    earned_order: std::collections::VecDeque<(Stamp, Arc<str>)>,
    pub(crate) awards: AwardBook,
}

/// An earn event of the platform.
pub(crate) struct EarnAsk<'a> {
    pub user: &'a UserId,
    pub amount: u64,
    pub source_event: &'a Arc<str>,
    pub reason: &'a Arc<str>,
    pub room: Option<&'a RoomId>,
    pub by: &'a Actor,
}

/// A performer's award to a viewer in their room.
pub(crate) struct AwardAsk<'a> {
    pub room: &'a RoomId,
    pub user: &'a UserId,
    pub amount: u64,
    pub note: Option<&'a str>,
    pub by: &'a Actor,
}

/// An operator's adjustment.
pub(crate) struct AdjustAsk<'a> {
    pub user: &'a UserId,
    pub amount: i64,
    pub reason: AdjustReason,
    pub ticket: &'a Arc<str>,
    pub by: &'a Actor,
}

/// A lock to set.
pub(crate) struct LockAsk<'a> {
    pub user: &'a UserId,
    pub kind: LockKind,
    pub reason: LockReason,
    pub note: Option<&'a str>,
    pub expires_at: Option<Stamp>,
    pub by: &'a Actor,
}

fn check_user(user: &UserId) -> Result<(), DomainError> {
    match id_problem(user.as_str()) {
        Some(problem) => Err(DomainError::invalid("user", problem)),
        None => Ok(()),
    }
}

fn check_amount(amount: u64) -> Result<(), DomainError> {
    if amount == 0 {
        return Err(DomainError::invalid("amount", "must be at least 1"));
    }
    Ok(())
}

/// A short required text (ticket, reason): trimmed, 1..=200 characters.
fn check_text(field: &str, text: &str) -> Result<(), DomainError> {
    let len = text.chars().count();
    if text.trim().is_empty() || len > 200 || text.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            field,
            "must be 1 to 200 characters, no control characters",
        ));
    }
    Ok(())
}

impl PointsState {
    /// The active lock on `user` that refuses `action`, if any.
    pub fn lock_refusing(
        &self,
        user: &UserId,
        action: LockKind,
        now: Stamp,
    ) -> Option<&PointsLock> {
        self.locks
            .get(user)?
            .iter()
            .find(|l| l.active_at(now) && l.kind.refuses(action))
    }

    /// `user`'s locks still in force at `now`.
    pub fn locks_of(&self, user: &UserId, now: Stamp) -> Vec<PointsLock> {
        let mut locks: Vec<PointsLock> = self
            .locks
            .get(user)
            .map(|l| l.iter().filter(|l| l.active_at(now)).cloned().collect())
            .unwrap_or_default();
        locks.sort_by_key(|l| l.kind);
        locks
    }

    pub fn adjustments(&self) -> &[Adjustment] {
        &self.adjustments
    }

    pub fn earned_reply(&self, source_event: &str) -> Option<&Reply> {
        self.earned.get(source_event)
    }

    /// Let earn events older than `retention_ms` go.
    pub(super) fn forget_old_earns(&mut self, now: Stamp, retention_ms: u64) {
        while let Some((at, event)) = self.earned_order.front() {
            if at.plus_millis(retention_ms) > now {
                break;
            }
            self.earned.remove(event);
            self.earned_order.pop_front();
        }
    }

    /// Refuse with the lock's name when one stops `user` from `action`.
    pub fn refuse_if_locked(
        &self,
        user: &UserId,
        action: LockKind,
        now: Stamp,
    ) -> Result<(), DomainError> {
        match self.lock_refusing(user, action, now) {
            Some(lock) => Err(DomainError::PointsLocked {
                user: user.clone(),
                lock: lock.kind,
                reason: lock.reason,
                until: lock.expires_at,
            }),
            None => Ok(()),
        }
    }
}

impl Engine {
    pub(super) fn points_earn(
        &mut self,
        ask: EarnAsk<'_>,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        check_user(ask.user)?;
        check_amount(ask.amount)?;
        check_text("sourceEventId", ask.source_event)?;
        check_text("reason", ask.reason)?;
        if let Some(room) = ask.room {
            self.room(room)?;
        }
        if self.points.earned.contains_key(ask.source_event) {
            return Err(DomainError::DuplicateSourceEvent {
                source_event_id: ask.source_event.to_string(),
            });
        }
        self.points
            .refuse_if_locked(ask.user, LockKind::Full, fx.at)?;
        if !self.ledger.can_mint(Unit::Points, ask.amount) {
            return Err(DomainError::Overflow);
        }
        let to = Account::Points(ask.user.clone());
        self.move_points(
            TransferKind::Earn,
            Account::PointsMint,
            to,
            ask.amount,
            key,
            fx,
        );
        fx.points(PointsEntry {
            room: ask.room.cloned(),
            source_event: Some(ask.source_event.clone()),
            ..entry(
                PointsKind::Earn,
                ask.user,
                ask.amount as i64,
                "platform",
                ask.reason,
                ask.by,
                key,
                fx.at,
            )
        });
        let reply = Reply::PointsEarned {
            user: ask.user.clone(),
            amount: ask.amount,
            balance: self.ledger.points(ask.user),
        };
        self.points
            .earned
            .insert(ask.source_event.clone(), reply.clone());
        self.points
            .earned_order
            .push_back((fx.at, ask.source_event.clone()));
        Ok(reply)
    }

    pub(super) fn points_grant(
        &mut self,
        performer: &PerformerId,
        amount: u64,
        by: &Actor,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        if let Some(problem) = id_problem(performer.as_str()) {
            return Err(DomainError::invalid("performer", problem));
        }
        check_amount(amount)?;
        if !self.ledger.can_mint(Unit::Points, amount) {
            return Err(DomainError::Overflow);
        }
        let to = Account::Allowance(performer.clone());
        self.move_points(
            TransferKind::Grant,
            Account::PointsMint,
            to,
            amount,
            key,
            fx,
        );
        fx.points(PointsEntry {
            kind: PointsKind::Grant,
            user: None,
            performer: Some(performer.clone()),
            room: None,
            item: None,
            amount: amount as i64,
            source: "operator".into(),
            reason: "allowance".into(),
            source_event: None,
            ticket: None,
            key: key.cloned(),
            by: by.clone(),
            at: fx.at,
        });
        Ok(Reply::AllowanceGranted {
            performer: performer.clone(),
            amount,
            allowance: self.ledger.allowance(performer),
        })
    }

    /// Whether `user` is in `room` now (an award's first condition).
    pub fn in_room(&self, room: &RoomId, user: &UserId) -> bool {
        self.rooms
            .get(room)
            .is_some_and(|r| r.members.contains_key(user))
    }

    /// What the limits allow the performer of `room` to award `user` now.
    pub fn award_room(&self, room: &RoomId, user: &UserId, now: Stamp) -> Option<AwardRoom> {
        let performer = &self.rooms.get(room)?.performer;
        let allowance = self.ledger.allowance(performer);
        Some(self.points.awards.left(
            &self.config.points.awards,
            performer,
            room,
            user,
            allowance,
            now,
        ))
    }

    pub(super) fn points_award(
        &mut self,
        ask: AwardAsk<'_>,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let AwardAsk {
            room: room_id,
            user,
            amount,
            note,
            by,
        } = ask;
        check_user(user)?;
        check_amount(amount)?;
        let note = check_note(note, false)?;
        let room = room_in(&mut self.rooms, room_id)?;
        if !room.live {
            return Err(DomainError::NotLive {
                room: room_id.clone(),
            });
        }
        if !room.members.contains_key(user) {
            return Err(DomainError::NotInRoom {
                room: room_id.clone(),
                user: user.clone(),
            });
        }
        let performer = room.performer.clone();
        self.points.refuse_if_locked(user, LockKind::Award, fx.at)?;
        let left = self
            .award_room(room_id, user, fx.at)
            .expect("the room exists");
        if let Some((limit, left)) = AwardBook::refusal(&left, amount) {
            return Err(DomainError::AwardLimit { limit, left });
        }
        if left.allowance < amount {
            return Err(DomainError::InsufficientPoints {
                account: Account::Allowance(performer).key(),
                needed: amount,
                available: left.allowance,
            });
        }
        let from = Account::Allowance(performer.clone());
        let to = Account::Points(user.clone());
        self.move_points(TransferKind::Award, from, to, amount, key, fx);
        self.points
            .awards
            .record(&performer, room_id, user, amount, fx.at);
        let reason: Arc<str> = note.unwrap_or_else(|| "award".into());
        fx.points(PointsEntry {
            performer: Some(performer.clone()),
            room: Some(room_id.clone()),
            ..entry(
                PointsKind::Award,
                user,
                amount as i64,
                "award",
                &reason,
                by,
                key,
                fx.at,
            )
        });
        Ok(Reply::PointsAwarded {
            user: user.clone(),
            amount,
            allowance: self.ledger.allowance(&performer),
        })
    }

    pub(super) fn points_adjust(
        &mut self,
        ask: AdjustAsk<'_>,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        check_user(ask.user)?;
        if ask.amount == 0 {
            return Err(DomainError::invalid("amount", "must not be 0"));
        }
        check_text("ticket", ask.ticket)?;
        let id = self.points.adjustments.len() as u64 + 1;
        let mut adjustment = Adjustment {
            id,
            user: ask.user.clone(),
            amount: ask.amount,
            reason: ask.reason,
            ticket: ask.ticket.clone(),
            state: AdjustmentState::Pending,
            at: fx.at,
            by: ask.by.clone(),
            decided_by: None,
            decided_at: None,
        };
        if ask.amount.unsigned_abs() <= self.config.points.approval_threshold {
            self.apply_adjustment(&adjustment, key, fx)?;
            adjustment.state = AdjustmentState::Applied;
            adjustment.decided_at = Some(fx.at);
        }
        self.points.adjustments.push(adjustment.clone());
        Ok(Reply::Adjustment {
            adjustment: Box::new(adjustment),
        })
    }

    /// Approve or reject a pending adjustment; never by the admin who
    /// asked for it.
    pub(super) fn points_decide(
        &mut self,
        id: u64,
        approve: bool,
        by: &Actor,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let index = usize::try_from(id.wrapping_sub(1)).unwrap_or(usize::MAX);
        let pending = self
            .points
            .adjustments
            .get(index)
            .ok_or(DomainError::UnknownAdjustment { adjustment: id })?
            .clone();
        if pending.state != AdjustmentState::Pending {
            return Err(DomainError::AdjustmentDecided {
                adjustment: id,
                state: pending.state,
            });
        }
        if pending.by.id == by.id {
            return Err(DomainError::SelfApproval { adjustment: id });
        }
        if approve {
            self.apply_adjustment(&pending, key, fx)?;
        }
        let decided = &mut self.points.adjustments[index];
        decided.state = if approve {
            AdjustmentState::Applied
        } else {
            AdjustmentState::Rejected
        };
        decided.decided_by = Some(by.clone());
        decided.decided_at = Some(fx.at);
        Ok(Reply::Adjustment {
            adjustment: Box::new(decided.clone()),
        })
    }

    /// Move an adjustment's points: from the program up, back to it down.
    fn apply_adjustment(
        &mut self,
        adjustment: &Adjustment,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> Result<(), DomainError> {
        let user = Account::Points(adjustment.user.clone());
        let amount = adjustment.amount.unsigned_abs();
        let (from, to) = if adjustment.amount > 0 {
            if !self.ledger.can_mint(Unit::Points, amount) {
                return Err(DomainError::Overflow);
            }
            (Account::PointsMint, user)
        } else {
            let available = self.ledger.points(&adjustment.user);
            if available < amount {
                return Err(DomainError::InsufficientPoints {
                    account: user.key(),
                    needed: amount,
                    available,
                });
            }
            (user, Account::PointsMint)
        };
        self.move_points(TransferKind::Adjust, from, to, amount, key, fx);
        fx.points(PointsEntry {
            ticket: Some(adjustment.ticket.clone()),
            ..entry(
                PointsKind::Adjust,
                &adjustment.user,
                adjustment.amount,
                "operator",
                &Arc::from(adjustment.reason.as_str()),
                &adjustment.by,
                key,
                fx.at,
            )
        });
        Ok(())
    }

    pub(super) fn points_lock(
        &mut self,
        ask: LockAsk<'_>,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        check_user(ask.user)?;
        let note = check_note(ask.note, false)?;
        if ask.expires_at.is_some_and(|end| end <= fx.at) {
            return Err(DomainError::invalid("expiresAt", "must be in the future"));
        }
        let lock = PointsLock {
            user: ask.user.clone(),
            kind: ask.kind,
            reason: ask.reason,
            note,
            expires_at: ask.expires_at,
            at: fx.at,
            by: ask.by.clone(),
        };
        let locks = self.points.locks.entry(ask.user.clone()).or_default();
        locks.retain(|l| l.kind != ask.kind && l.active_at(fx.at));
        locks.push(lock.clone());
        fx.log(ModerationEntry {
            at: fx.at,
            room: None,
            note: ModerationNote {
                target: Some(ask.user.as_str().into()),
                reason: Some(ask.reason.as_str().into()),
                note: lock.note.clone(),
                expires_at: ask.expires_at,
                lock: Some(ask.kind),
                ..ModerationNote::new(ModerationAction::PointsLock, ask.by.clone())
            },
        });
        Ok(Reply::PointsLocked {
            lock: Box::new(lock),
        })
    }

    pub(super) fn points_unlock(
        &mut self,
        user: &UserId,
        kind: LockKind,
        by: &Actor,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let now = fx.at;
        let locks = self.points.locks.get_mut(user);
        let held = locks
            .as_ref()
            .is_some_and(|l| l.iter().any(|l| l.kind == kind && l.active_at(now)));
        if !held {
            return Err(DomainError::NotLocked {
                user: user.clone(),
                lock: kind,
            });
        }
        if let Some(locks) = locks {
            locks.retain(|l| l.kind != kind && l.active_at(now));
            if locks.is_empty() {
                self.points.locks.remove(user);
            }
        }
        fx.log(ModerationEntry {
            at: now,
            room: None,
            note: ModerationNote {
                target: Some(user.as_str().into()),
                lock: Some(kind),
                ..ModerationNote::new(ModerationAction::PointsUnlock, by.clone())
            },
        });
        Ok(Reply::PointsUnlocked {
            user: user.clone(),
            lock: kind,
        })
    }

    /// Points the caller has checked the source covers.
    fn move_points(
        &mut self,
        kind: TransferKind,
        from: Account,
        to: Account,
        amount: u64,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) {
        fx.post(
            &mut self.ledger,
            Transfer {
                kind,
                from,
                to,
                amount,
                item: None,
                key: key.cloned(),
            },
        );
    }

    /// The points state (locks, adjustments, earn events).
    pub fn points_state(&self) -> &PointsState {
        &self.points
    }
}

/// A viewer's history entry with the fields every kind has.
#[allow(clippy::too_many_arguments)]
pub(super) fn entry(
    kind: PointsKind,
    user: &UserId,
    amount: i64,
    source: &str,
    reason: &Arc<str>,
    by: &Actor,
    key: Option<&IdemKey>,
    at: Stamp,
) -> PointsEntry {
    PointsEntry {
        kind,
        user: Some(user.clone()),
        performer: None,
        room: None,
        item: None,
        amount,
        source: source.into(),
        reason: reason.clone(),
        source_event: None,
        ticket: None,
        key: key.cloned(),
        by: by.clone(),
        at,
    }
}
