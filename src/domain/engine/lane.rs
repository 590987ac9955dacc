//! The toy lane's commands: take the head, report it done (settle), skip
//! (refund), clear (refund all), pause, resume, give a cut run back, and
//! the console's absence. A toy tip settles only when the toy ran it.

use crate::domain::command::Reply;
use crate::domain::error::DomainError;
use crate::domain::event::{EventKind, LaneCut};
use crate::domain::ids::{IdemKey, ItemId, RoomId};
use crate::domain::item::{Actor, AuditEntry, ItemState, Transition};
use crate::domain::lane::{LaneRun, Orphan};
use crate::domain::messages::{MessageVars, TemplateKey, keys};
use crate::domain::refund::RefundReason;
use crate::domain::room::Room;
use crate::domain::time::Stamp;

use super::effects::{Effects, settlement};
use super::notices::base_vars;
use super::presence::Deadline;
use super::{Engine, item_in, item_mut, retire, room_in};

impl Engine {
    pub(super) fn lane_take(
        &mut self,
        room_id: &RoomId,
        expected: Option<ItemId>,
        by: &Actor,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let room = room_in(&mut self.rooms, room_id)?;
        if !room.live {
            return Err(DomainError::NotLive {
                room: room.id.clone(),
            });
        }
        if room.lane.paused {
            return Err(DomainError::LanePaused {
                room: room.id.clone(),
            });
        }
        if let Some(run) = room.lane.running {
            return Err(DomainError::Busy { item: run.item });
        }
        let head = room
            .lane
            .waiting
            .front()
            .copied()
            .ok_or(DomainError::QueueEmpty)?;
        if let Some(item) = expected
            && item != head.item
        {
            check_in_lane(&self.items, room, item)?;
            return Err(DomainError::NotHead {
                item,
                head: Some(head.item),
            });
        }

        room.lane.waiting.pop_front();
        room.lane.running = Some(LaneRun {
            item: head.item,
            started_at: fx.at,
            remaining_ms: head.remaining_ms,
        });
        let item = item_mut(&mut self.items, head.item);
        let tip = item.view.tip.clone().expect("a lane item is a toy tip");
        if item.state == ItemState::Queued {
            item.started_at = Some(fx.at);
        }
        item.state = ItemState::InProgress;
        item.audit.push(AuditEntry {
            at: fx.at,
            transition: Transition::Started,
            by: by.clone(),
        });
        let vars = MessageVars {
            seconds: Some(head.remaining_ms.div_ceil(1000)),
            action: Some(tip.label.clone()),
            ..base_vars(&item.view)
        };
        fx.emit(
            room,
            EventKind::LaneStarted {
                item: head.item,
                started_at: fx.at,
                remaining_ms: head.remaining_ms,
                tip,
            },
        );
        fx.emit(
            room,
            EventKind::Announcement {
                key: TemplateKey::fixed(keys::TIP_TOY_STARTED),
                vars,
            },
        );
        Ok(Reply::LaneStarted {
            item: head.item,
            remaining_ms: head.remaining_ms,
        })
    }

    pub(super) fn lane_done(
        &mut self,
        room_id: &RoomId,
        expected: Option<ItemId>,
        by: &Actor,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let room = room_in(&mut self.rooms, room_id)?;
        let run = running(&self.items, room, expected)?;
        room.lane.remove(run.item);
        let escrow = self.ledger.escrow_of(run.item);
        room.totals.escrow -= escrow;
        room.totals.earned += escrow;
        room.totals.done += 1;
        let item = item_mut(&mut self.items, run.item);
        fx.post(
            &mut self.ledger,
            settlement(&item.view, escrow, key.cloned()),
        );
        item.state = ItemState::Finished;
        item.closed_at = Some(fx.at);
        item.settled = escrow;
        item.audit.push(AuditEntry {
            at: fx.at,
            transition: Transition::Finished { settled: escrow },
            by: by.clone(),
        });
        fx.emit(
            room,
            EventKind::LaneSettled {
                item: run.item,
                settled: escrow,
            },
        );
        retire(&mut self.items, run.item, fx);
        Ok(Reply::Finished {
            item: run.item,
            settled: escrow,
        })
    }

    pub(super) fn lane_skip(
        &mut self,
        room_id: &RoomId,
        id: ItemId,
        by: &Actor,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let room = self.room(room_id)?;
        check_in_lane(&self.items, room, id)?;
        let (cost, settled) = self.refund_tip(room_id, id, by, key, fx);
        Ok(Reply::Refunded {
            item: id,
            amount: cost,
            settled,
        })
    }

    pub(super) fn lane_clear(
        &mut self,
        room_id: &RoomId,
        by: &Actor,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let room = self.room(room_id)?;
        let victims: Vec<ItemId> = room
            .lane
            .running
            .map(|r| r.item)
            .into_iter()
            .chain(room.lane.waiting.iter().map(|e| e.item))
            .collect();
        for &id in &victims {
            self.refund_tip(room_id, id, by, key, fx);
        }
        let refunded = victims.len() as u32;
        let room = self.room_mut(room_id)?;
        fx.emit(
            room,
            EventKind::LaneCleared {
                refunded,
                by: by.role,
            },
        );
        Ok(Reply::LaneCleared {
            room: room_id.clone(),
            refunded,
        })
    }

    /// A tip back to its tipper in full, by the performer's choice
    /// (goodwill); returns its cost and what was settled (nothing).
    fn refund_tip(
        &mut self,
        room_id: &RoomId,
        id: ItemId,
        by: &Actor,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> (u64, u64) {
        let cost = self.items[id].token_cost();
        let reason = RefundReason::Goodwill;
        let settled = self.refund_item(room_id, id, cost, reason, None, by.clone(), key, fx);
        (cost, settled)
    }

    pub(super) fn lane_pause(
        &mut self,
        room_id: &RoomId,
        by: &Actor,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let room = room_in(&mut self.rooms, room_id)?;
        if room.lane.paused {
            return Err(DomainError::LanePaused {
                room: room.id.clone(),
            });
        }
        room.lane.paused = true;
        fx.emit(room, EventKind::LanePaused { by: by.role });
        let cut = Cut {
            why: LaneCut::Paused,
            ran_ms: None,
        };
        return_running(room, &mut self.items, cut, by, fx);
        Ok(Reply::LanePaused {
            room: room_id.clone(),
        })
    }

    pub(super) fn lane_resume(
        &mut self,
        room_id: &RoomId,
        by: &Actor,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let room = room_in(&mut self.rooms, room_id)?;
        if !room.lane.paused {
            return Err(DomainError::LaneNotPaused {
                room: room.id.clone(),
            });
        }
        room.lane.paused = false;
        fx.emit(room, EventKind::LaneResumed { by: by.role });
        Ok(Reply::LaneResumed {
            room: room_id.clone(),
        })
    }

    pub(super) fn lane_release(
        &mut self,
        room_id: &RoomId,
        expected: Option<ItemId>,
        ran_ms: Option<u64>,
        by: &Actor,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let room = room_in(&mut self.rooms, room_id)?;
        let run = running(&self.items, room, expected)?;
        let cut = Cut {
            why: LaneCut::Released,
            ran_ms,
        };
        let remaining_ms =
            return_running(room, &mut self.items, cut, by, fx).unwrap_or(run.remaining_ms);
        Ok(Reply::LaneReturned {
            item: run.item,
            remaining_ms,
        })
    }

    /// The server saw the room's last console go: the running tip (if any)
    /// goes back to the head after the grace period unless reported first.
    pub(super) fn lane_console_gone(
        &mut self,
        room_id: &RoomId,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let room = room_in(&mut self.rooms, room_id)?;
        let Some(run) = room.lane.running else {
            return Ok(Reply::LaneNoted {
                room: room_id.clone(),
            });
        };
        if room.lane.orphan.is_some() {
            return Ok(Reply::LaneNoted {
                room: room_id.clone(),
            });
        }
        let returns_at = fx.at.plus_millis(room.settings.leave_grace_ms);
        room.lane.orphan = Some(Orphan {
            at: returns_at,
            remaining_ms: run.left_at(fx.at),
        });
        fx.emit(
            room,
            EventKind::LaneConsoleGone {
                item: run.item,
                returns_at,
            },
        );
        self.deadlines.insert((
            returns_at,
            Deadline::LaneOrphan {
                room: room_id.clone(),
                item: run.item,
                started_at: run.started_at,
            },
        ));
        Ok(Reply::LaneNoted {
            room: room_id.clone(),
        })
    }

    /// A console-gone deadline fell due: if the same run still stands, it
    /// goes back to the head with what was left when the console went.
    pub(super) fn lane_orphan_due(
        &mut self,
        room_id: &RoomId,
        item: ItemId,
        started_at: Stamp,
        due: Stamp,
        fx: &mut Effects,
    ) {
        let Some(room) = self.rooms.get_mut(room_id) else {
            return;
        };
        let same_run = room
            .lane
            .running
            .is_some_and(|r| r.item == item && r.started_at == started_at);
        let Some(orphan) = room.lane.orphan.filter(|o| same_run && o.at == due) else {
            return;
        };
        room.lane.running = None;
        room.lane.orphan = None;
        room.lane
            .waiting
            .push_front(crate::domain::lane::LaneEntry {
                item,
                remaining_ms: orphan.remaining_ms,
            });
        back_to_waiting(&mut self.items, item, &Actor::system(), fx.at);
        fx.emit(
            room,
            EventKind::LaneReturned {
                item,
                remaining_ms: orphan.remaining_ms,
                why: LaneCut::ConsoleGone,
            },
        );
    }
}

/// The running tip, which `expected` (when given) must name.
fn running(
    items: &super::ItemList,
    room: &Room,
    expected: Option<ItemId>,
) -> Result<LaneRun, DomainError> {
    let run = room.lane.running.ok_or(DomainError::NothingInProgress)?;
    if let Some(item) = expected
        && item != run.item
    {
        check_in_lane(items, room, item)?;
        return Err(DomainError::NotInProgress { item });
    }
    Ok(run)
}

/// Refuse an item that is not an open tip of this room's lane, naming why.
fn check_in_lane(items: &super::ItemList, room: &Room, id: ItemId) -> Result<(), DomainError> {
    let state = item_in(items, room, id)?.state();
    if state.is_closed() {
        return Err(DomainError::ItemClosed { item: id, state });
    }
    if !room.lane.holds(id) {
        return Err(DomainError::NotInLane { item: id });
    }
    Ok(())
}

/// Why a run goes back, and how long the console says it ran.
struct Cut {
    why: LaneCut,
    ran_ms: Option<u64>,
}

/// Put the running tip (if any) back at the head; returns its time left.
fn return_running(
    room: &mut Room,
    items: &mut super::ItemList,
    cut: Cut,
    by: &Actor,
    fx: &mut Effects,
) -> Option<u64> {
    let entry = room.lane.return_running(fx.at, cut.ran_ms)?;
    back_to_waiting(items, entry.item, by, fx.at);
    fx.emit(
        room,
        EventKind::LaneReturned {
            item: entry.item,
            remaining_ms: entry.remaining_ms,
            why: cut.why,
        },
    );
    Some(entry.remaining_ms)
}

fn back_to_waiting(items: &mut super::ItemList, id: ItemId, by: &Actor, at: Stamp) {
    let item = item_mut(items, id);
    item.state = ItemState::Queued;
    item.audit.push(AuditEntry {
        at,
        transition: Transition::Queued { position: 1 },
        by: by.clone(),
    });
}
