//! Moderation in the engine: bans (with the refund of the banned viewer's
//! waiting items), paused rooms, kill switches, the checks that refuse
//! intakes, joins and new rooms, and the log entry of every action.
//!
//! These are engine commands like any other, kept in the command log, so a
//! restart rebuilds every ban, pause and switch by replaying it.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::domain::command::Reply;
use crate::domain::error::DomainError;
use crate::domain::event::EventKind;
use crate::domain::ids::{IdemKey, ItemId, RoomId, UserId, id_problem};
use crate::domain::intake::{IntakePayload, Source};
use crate::domain::item::{Actor, ItemView};
use crate::domain::moderation::{
    Ban, BanReason, ModerationAction, ModerationEntry, ModerationNote, Pause, Switch, check_note,
};
use crate::domain::refund::RefundReason;
use crate::domain::time::Stamp;

use super::effects::Effects;
use super::{Engine, HashMap, room_in};

/// Bans, pauses and switches, as the command log has set them.
#[derive(Debug, Clone, Default)]
pub(super) struct ModerationState {
    bans: HashMap<RoomId, HashMap<UserId, Ban>>,
    paused: HashMap<RoomId, Pause>,
    switches: BTreeSet<Switch>,
}

/// What a ban command asks for.
pub(super) struct BanAsk<'a> {
    pub rooms: &'a [RoomId],
    pub user: &'a UserId,
    pub reason: BanReason,
    pub note: Option<&'a str>,
    pub expires_at: Option<Stamp>,
    pub by: &'a Actor,
}

/// The rooms named, each once, in the order given; every one must exist.
fn distinct_rooms(engine: &Engine, rooms: &[RoomId]) -> Result<Vec<RoomId>, DomainError> {
    if rooms.is_empty() {
        return Err(DomainError::invalid("rooms", "name at least one room"));
    }
    let mut out: Vec<RoomId> = Vec::with_capacity(rooms.len());
    for room in rooms {
        engine.room(room)?;
        if !out.contains(room) {
            out.push(room.clone());
        }
    }
    Ok(out)
}

fn emit_note(engine: &mut Engine, room: &RoomId, note: &ModerationNote, fx: &mut Effects) {
    let state = room_in(&mut engine.rooms, room).expect("caller checked the room");
    fx.emit(
        state,
        EventKind::Moderation {
            moderation: note.clone(),
        },
    );
    fx.log(ModerationEntry {
        at: fx.at,
        room: Some(room.clone()),
        note: note.clone(),
    });
}

/// The log entry of a refund for reason `moderation`.
pub(super) fn log_refund(
    fx: &mut Effects,
    view: &ItemView,
    amount: u64,
    note: Option<Arc<str>>,
    by: &Actor,
) {
    fx.log(ModerationEntry {
        at: fx.at,
        room: Some(view.room.clone()),
        note: ModerationNote {
            target: Some(view.user_id.shared()),
            reason: Some(Arc::from(RefundReason::Moderation.as_str())),
            note,
            item: Some(view.id),
            amount: Some(amount),
            ..ModerationNote::new(ModerationAction::Refund, by.clone())
        },
    });
}

impl Engine {
    // ---- checks other handlers call --------------------------------------

    /// A new intake into `room`: refused by a kill switch, a ban or a pause,
    /// before anything is charged.
    pub(super) fn check_intake_allowed(
        &self,
        room: &RoomId,
        payload: &IntakePayload,
    ) -> Result<(), DomainError> {
        let purchase = matches!(
            payload.source,
            Source::ChipMenu | Source::SlotMachine | Source::SpinWheel | Source::Tip
        );
        for (switch, applies) in [(Switch::Intakes, true), (Switch::Purchases, purchase)] {
            if applies && self.moderation.switches.contains(&switch) {
                return Err(DomainError::KillSwitch { switch });
            }
        }
        self.check_not_banned(room, &payload.user_id)?;
        if self.moderation.paused.contains_key(room) {
            return Err(DomainError::Paused { room: room.clone() });
        }
        Ok(())
    }

    pub(super) fn check_not_banned(&self, room: &RoomId, user: &UserId) -> Result<(), DomainError> {
        match self.ban_of(room, user) {
            Some(ban) => Err(DomainError::Banned {
                room: room.clone(),
                user: user.clone(),
                until: ban.expires_at,
            }),
            None => Ok(()),
        }
    }

    pub(super) fn check_new_room_allowed(&self) -> Result<(), DomainError> {
        if self.moderation.switches.contains(&Switch::Rooms) {
            return Err(DomainError::KillSwitch {
                switch: Switch::Rooms,
            });
        }
        Ok(())
    }

    // ---- what callers may read ---------------------------------------------

    /// The ban of `user` from `room`, if one is in force now.
    pub fn ban_of(&self, room: &RoomId, user: &UserId) -> Option<&Ban> {
        self.moderation
            .bans
            .get(room)?
            .get(user)
            .filter(|ban| ban.active_at(self.clock))
    }

    /// The bans in force in `room`, by user.
    pub fn bans(&self, room: &RoomId) -> Vec<Ban> {
        let mut bans: Vec<Ban> = self
            .moderation
            .bans
            .get(room)
            .into_iter()
            .flat_map(|bans| bans.values())
            .filter(|ban| ban.active_at(self.clock))
            .cloned()
            .collect();
        bans.sort_by(|a, b| a.user.cmp(&b.user));
        bans
    }

    pub fn pause_of(&self, room: &RoomId) -> Option<&Pause> {
        self.moderation.paused.get(room)
    }

    pub fn switch_on(&self, switch: Switch) -> bool {
        self.moderation.switches.contains(&switch)
    }

    /// The switches that are on.
    pub fn switches(&self) -> Vec<Switch> {
        self.moderation.switches.iter().copied().collect()
    }

    // ---- the commands -------------------------------------------------------

    pub(super) fn ban(
        &mut self,
        ask: BanAsk<'_>,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        if let Some(problem) = id_problem(ask.user.as_str()) {
            return Err(DomainError::invalid("user", problem));
        }
        let rooms = distinct_rooms(self, ask.rooms)?;
        let note = check_note(ask.note, ask.reason == BanReason::Other)?;
        if let Some(end) = ask.expires_at
            && end <= fx.at
        {
            return Err(DomainError::invalid("expiresAt", "must be in the future"));
        }

        // Everything is checked: from here on nothing can fail.
        let mut refunded = 0;
        for room in &rooms {
            let ban = Ban {
                user: ask.user.clone(),
                reason: ask.reason,
                note: note.clone(),
                expires_at: ask.expires_at,
                at: fx.at,
                by: ask.by.clone(),
            };
            self.moderation
                .bans
                .entry(room.clone())
                .or_default()
                .insert(ask.user.clone(), ban);
            let record = ModerationNote {
                target: Some(ask.user.shared()),
                reason: Some(Arc::from(ask.reason.as_str())),
                note: note.clone(),
                expires_at: ask.expires_at,
                ..ModerationNote::new(ModerationAction::Ban, ask.by.clone())
            };
            emit_note(self, room, &record, fx);
            // Their waiting items go back; an item on stage is the performer's call.
            let items = &self.items;
            let state = &self.rooms[room];
            let tips = state.lane.waiting.iter().map(|e| e.item);
            let victims: Vec<ItemId> = state
                .waiting
                .ids()
                .chain(tips)
                .filter(|id| items[*id].user_id() == ask.user)
                .collect();
            for id in victims {
                let cost = self.items[id].token_cost();
                self.refund_item(
                    room,
                    id,
                    cost,
                    RefundReason::Moderation,
                    note.clone(),
                    ask.by.clone(),
                    key,
                    fx,
                );
                refunded += 1;
            }
        }
        Ok(Reply::Banned {
            user: ask.user.clone(),
            rooms,
            refunded,
        })
    }

    pub(super) fn unban(
        &mut self,
        rooms: &[RoomId],
        user: &UserId,
        by: &Actor,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let rooms = distinct_rooms(self, rooms)?;
        let lifted: Vec<RoomId> = rooms
            .into_iter()
            .filter(|room| {
                self.moderation
                    .bans
                    .get(room)
                    .is_some_and(|bans| bans.contains_key(user))
            })
            .collect();
        if lifted.is_empty() {
            return Err(DomainError::NotBanned { user: user.clone() });
        }
        for room in &lifted {
            if let Some(bans) = self.moderation.bans.get_mut(room) {
                bans.remove(user);
                if bans.is_empty() {
                    self.moderation.bans.remove(room);
                }
            }
            let record = ModerationNote {
                target: Some(user.shared()),
                ..ModerationNote::new(ModerationAction::Unban, by.clone())
            };
            emit_note(self, room, &record, fx);
        }
        Ok(Reply::Unbanned {
            user: user.clone(),
            rooms: lifted,
        })
    }

    pub(super) fn pause(
        &mut self,
        room: &RoomId,
        note: Option<&str>,
        by: &Actor,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        self.room(room)?;
        let note = check_note(note, false)?;
        if self.moderation.paused.contains_key(room) {
            return Err(DomainError::AlreadyPaused { room: room.clone() });
        }
        let pause = Pause {
            at: fx.at,
            by: by.clone(),
            note: note.clone(),
        };
        self.moderation.paused.insert(room.clone(), pause);
        let record = ModerationNote {
            note,
            ..ModerationNote::new(ModerationAction::Pause, by.clone())
        };
        emit_note(self, room, &record, fx);
        Ok(Reply::Paused { room: room.clone() })
    }

    pub(super) fn resume(
        &mut self,
        room: &RoomId,
        by: &Actor,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        self.room(room)?;
        if self.moderation.paused.remove(room).is_none() {
            return Err(DomainError::NotPaused { room: room.clone() });
        }
        let record = ModerationNote::new(ModerationAction::Resume, by.clone());
        emit_note(self, room, &record, fx);
        Ok(Reply::Resumed { room: room.clone() })
    }

    pub(super) fn set_switch(
        &mut self,
        switch: Switch,
        on: bool,
        note: Option<&str>,
        by: &Actor,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let note = check_note(note, false)?;
        if on {
            self.moderation.switches.insert(switch);
        } else {
            self.moderation.switches.remove(&switch);
        }
        let record = ModerationNote {
            target: Some(Arc::from(switch.as_str())),
            note,
            on: Some(on),
            ..ModerationNote::new(ModerationAction::Switch, by.clone())
        };
        if switch.touches_rooms() {
            // Every room's intake is affected: tell every room, in a fixed order.
            let mut rooms: Vec<RoomId> = self.rooms.keys().cloned().collect();
            rooms.sort();
            for room in rooms {
                let state = room_in(&mut self.rooms, &room).expect("listed");
                fx.emit(
                    state,
                    EventKind::Moderation {
                        moderation: record.clone(),
                    },
                );
            }
        }
        fx.log(ModerationEntry {
            at: fx.at,
            room: None,
            note: record,
        });
        Ok(Reply::SwitchSet { switch, on })
    }
}
