//! Who is here: viewers joining and leaving, the broadcast going on and
//! off, and the grace periods after which waiting items are refunded.

use crate::domain::command::Reply;
use crate::domain::error::DomainError;
use crate::domain::event::EventKind;
use crate::domain::ids::{ItemId, RoomId, UserId, id_problem};
use crate::domain::item::Actor;
use crate::domain::messages::Tier;
use crate::domain::refund::RefundReason;
use crate::domain::room::Member;
use crate::domain::time::Stamp;

use super::effects::Effects;
use super::{Engine, room_in};

/// A grace period that ends at a stamp; checked against the room when due,
/// so one that was cancelled (the user came back) simply does nothing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Deadline {
    Leave {
        room: RoomId,
        user: UserId,
    },
    Offline {
        room: RoomId,
    },
    /// A running tip whose console went away goes back to the lane's head.
    LaneOrphan {
        room: RoomId,
        item: ItemId,
        started_at: Stamp,
    },
}

impl Engine {
    pub(super) fn join(
        &mut self,
        room_id: &RoomId,
        user: UserId,
        tier: Tier,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        if let Some(problem) = id_problem(user.as_str()) {
            return Err(DomainError::invalid("user", problem));
        }
        self.room(room_id)?;
        self.check_not_banned(room_id, &user)?;
        let room = self.room_mut(room_id)?;
        room.members.insert(
            user.clone(),
            Member {
                id: user.clone(),
                tier,
                refund_at: None,
            },
        );
        fx.emit(
            room,
            EventKind::UserJoined {
                user: user.clone(),
                tier,
            },
        );
        Ok(Reply::Joined {
            room: room_id.clone(),
            user,
        })
    }

    pub(super) fn leave(
        &mut self,
        room_id: &RoomId,
        user: UserId,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let at = fx.at;
        let room = self.room_mut(room_id)?;
        let grace = room.settings.leave_grace_ms;
        let member = room
            .members
            .get_mut(&user)
            .filter(|m| m.refund_at.is_none())
            .ok_or_else(|| DomainError::NotInRoom {
                room: room_id.clone(),
                user: user.clone(),
            })?;
        let refund_at = at.plus_millis(grace);
        member.refund_at = Some(refund_at);
        fx.emit(
            room,
            EventKind::UserLeft {
                user: user.clone(),
                refund_at,
            },
        );
        self.deadlines.insert((
            refund_at,
            Deadline::Leave {
                room: room_id.clone(),
                user: user.clone(),
            },
        ));
        Ok(Reply::Left {
            room: room_id.clone(),
            user,
            refund_at,
        })
    }

    pub(super) fn broadcast_start(
        &mut self,
        room_id: &RoomId,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let room = room_in(&mut self.rooms, room_id)?;
        if room.live {
            return Err(DomainError::AlreadyLive {
                room: room_id.clone(),
            });
        }
        room.live = true;
        room.offline_refund_at = None;
        self.points.awards.new_broadcast(room_id);
        fx.emit(room, EventKind::BroadcastStarted);
        Ok(Reply::BroadcastStarted {
            room: room_id.clone(),
        })
    }

    pub(super) fn broadcast_end(
        &mut self,
        room_id: &RoomId,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let at = fx.at;
        let room = self.room_mut(room_id)?;
        if !room.live {
            return Err(DomainError::NotLive {
                room: room_id.clone(),
            });
        }
        let refund_at = at.plus_millis(room.settings.offline_grace_ms);
        room.live = false;
        room.offline_refund_at = Some(refund_at);
        fx.emit(room, EventKind::BroadcastEnded { refund_at });
        self.deadlines.insert((
            refund_at,
            Deadline::Offline {
                room: room_id.clone(),
            },
        ));
        Ok(Reply::BroadcastEnded {
            room: room_id.clone(),
            refund_at,
        })
    }

    /// Apply every grace period that has run out: refund the waiting items
    /// of users who did not come back, and of broadcasts that did not resume.
    pub(super) fn tick(&mut self, fx: &mut Effects) -> Reply {
        let mut refunded = 0;
        while let Some((due, _)) = self.deadlines.first() {
            if *due > fx.at {
                break;
            }
            let (due, deadline) = self.deadlines.pop_first().expect("just looked");
            if let Deadline::LaneOrphan {
                room,
                item,
                started_at,
            } = &deadline
            {
                self.lane_orphan_due(room, *item, *started_at, due, fx);
                continue;
            }
            let Some((room_id, victims)) = self.due_refunds(due, deadline) else {
                continue;
            };
            for id in victims {
                let cost = self.items[id].token_cost();
                self.refund_item(
                    &room_id,
                    id,
                    cost,
                    RefundReason::SystemAuto,
                    None,
                    Actor::system(),
                    None,
                    fx,
                );
                refunded += 1;
            }
        }
        Reply::Ticked { refunded }
    }

    /// The waiting items a deadline that fell due at `due` refunds, if it
    /// still stands.
    fn due_refunds(&mut self, due: Stamp, deadline: Deadline) -> Option<(RoomId, Vec<ItemId>)> {
        match deadline {
            Deadline::Leave { room, user } => {
                let state = self.rooms.get_mut(&room)?;
                let still_away = state
                    .members
                    .get(&user)
                    .is_some_and(|m| m.refund_at == Some(due));
                if !still_away {
                    return None;
                }
                state.members.remove(&user);
                let items = &self.items;
                let victims = state
                    .waiting
                    .ids()
                    .filter(|id| *items[*id].user_id() == user)
                    .collect();
                Some((room, victims))
            }
            Deadline::LaneOrphan { .. } => None,
            Deadline::Offline { room } => {
                let state = self.rooms.get_mut(&room)?;
                if state.live || state.offline_refund_at != Some(due) {
                    return None;
                }
                state.offline_refund_at = None;
                // The lane's waiting tips too; a running one is the console's to end.
                let tips = state.lane.waiting.iter().map(|e| e.item);
                let victims = state.waiting.ids().chain(tips).collect();
                Some((room, victims))
            }
        }
    }
}
