//! Every rule that must hold between commands, checked from the state alone.

use crate::domain::item::{ItemEntry, ItemState};
use crate::domain::ledger::InvariantViolation;
use crate::domain::queue::Entry;
use crate::domain::room::Room;

use super::Engine;

impl Engine {
    /// Every rule that must hold between commands. Tests call this after
    /// every step; the store calls it after rebuilding from disk.
    pub fn check_invariants(&self) -> Result<(), InvariantViolation> {
        self.ledger.check()?;
        let open_in_rooms = self.check_rooms()?;
        let mut open_items = 0usize;
        for item in self.items.iter() {
            if !item.state().is_closed() {
                open_items += 1;
            }
            self.check_item(item)?;
        }
        if open_items != open_in_rooms {
            return broken(format!(
                "{open_items} open items but {open_in_rooms} in rooms"
            ));
        }
        Ok(())
    }

    /// Each room runs and waits on its own open items, in queue order, and
    /// counts their escrow; returns how many open items the rooms hold.
    fn check_rooms(&self) -> Result<usize, InvariantViolation> {
        let mut open_in_rooms = 0usize;
        for room in self.rooms.values() {
            if let Some(id) = room.in_progress {
                match self.item(id) {
                    Some(item)
                        if item.state == ItemState::InProgress && item.view.room == room.id => {}
                    _ => {
                        return broken(format!(
                            "room {} runs {id} which is not in progress there",
                            room.id
                        ));
                    }
                }
                open_in_rooms += 1;
            }
            let mut previous: Option<&Entry> = None;
            for index in 0..room.waiting.len() {
                let entry = room.waiting.get(index).expect("in range");
                match self.item(entry.id) {
                    Some(item) if item.state == ItemState::Queued && item.view.room == room.id => {}
                    _ => {
                        return broken(format!(
                            "room {} waits on {} which is not queued there",
                            room.id, entry.id
                        ));
                    }
                }
                // The head, when nothing is in progress, is pinned ahead of
                // whatever arrives later.
                let pinned = index == 1 && room.in_progress.is_none();
                if let Some(prev) = previous
                    && !pinned
                    && prev.order_key() > entry.order_key()
                {
                    return broken(format!("room {} is out of order at {}", room.id, entry.id));
                }
                previous = Some(entry);
                open_in_rooms += 1;
            }
            open_in_rooms += self.check_lane(room)?;
            let tips = room.lane.running.map(|r| r.item).into_iter();
            let open: u64 = room
                .in_progress
                .into_iter()
                .chain(room.waiting.ids())
                .chain(tips.chain(room.lane.waiting.iter().map(|e| e.item)))
                .map(|id| self.ledger.escrow_of(id))
                .sum();
            if open != room.totals.escrow {
                return broken(format!(
                    "room {} counts {} in escrow, its items hold {open}",
                    room.id, room.totals.escrow
                ));
            }
        }
        Ok(open_in_rooms)
    }

    /// The lane runs at most one tip and waits on its own open toy tips in
    /// intake order; returns how many it holds.
    fn check_lane(&self, room: &Room) -> Result<usize, InvariantViolation> {
        let lane = &room.lane;
        let mut held = 0usize;
        if let Some(run) = lane.running {
            match self.item(run.item) {
                Some(item)
                    if item.state == ItemState::InProgress
                        && item.view.room == room.id
                        && item.view.tip.is_some() => {}
                _ => return broken(format!("room {} lane runs {} wrongly", room.id, run.item)),
            }
            held += 1;
        }
        let mut previous = None;
        for entry in &lane.waiting {
            let seq = match self.item(entry.item) {
                Some(item)
                    if item.state == ItemState::Queued
                        && item.view.room == room.id
                        && item.view.tip.is_some() =>
                {
                    item.view.seq
                }
                _ => {
                    return broken(format!(
                        "room {} lane waits on {} which is not a queued tip there",
                        room.id, entry.item
                    ));
                }
            };
            if entry.remaining_ms == 0 {
                return broken(format!("tip {} has no time left to run", entry.item));
            }
            // A returned run was the head when taken, so it is older than
            // every tip behind it: the lane is always in intake order.
            if let Some(prev) = previous
                && prev > seq
            {
                return broken(format!(
                    "room {} lane is out of order at {}",
                    room.id, entry.item
                ));
            }
            previous = Some(seq);
            held += 1;
        }
        if lane.orphan.is_some() && lane.running.is_none() {
            return broken(format!(
                "room {} lane waits for a console with nothing running",
                room.id
            ));
        }
        Ok(held)
    }

    /// A closed item holds nothing and paid out its cost; an open one holds
    /// its cost in escrow.
    fn check_item(&self, item: &ItemEntry) -> Result<(), InvariantViolation> {
        let id = item.id();
        let escrow = self.ledger.escrow_of(id);
        let cost = item.token_cost();
        if item.state().is_closed() != matches!(item, ItemEntry::Closed(_)) {
            return broken(format!("item {id} is {} but kept as open", item.state()));
        }
        if item.state().is_closed() {
            if escrow != 0 {
                return broken(format!("closed item {id} still holds {escrow} in escrow"));
            }
            if item.settled() + item.refunded() != cost {
                return broken(format!(
                    "closed item {id} paid out {} of {cost}",
                    item.settled() + item.refunded()
                ));
            }
        } else if escrow != cost {
            return broken(format!(
                "open item {id} holds {escrow} in escrow, costs {cost}"
            ));
        }
        Ok(())
    }
}

fn broken<T>(what: String) -> Result<T, InvariantViolation> {
    Err(InvariantViolation(what))
}
