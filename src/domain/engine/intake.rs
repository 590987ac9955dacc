//! Taking an item in: every check first, then the hold, the queue entry (or
//! the instant settlement) and the messages.

use std::sync::Arc;

use crate::domain::command::Reply;
use crate::domain::error::DomainError;
use crate::domain::event::EventKind;
use crate::domain::ids::RoomId;
use crate::domain::intake::{ActionType, IntakeLimits, IntakePayload, Source};
use crate::domain::item::{
    Actor, AuditEntry, ClosedItem, Item, ItemEntry, ItemState, ItemView, Role, Transition,
};
use crate::domain::lane::LaneEntry;
use crate::domain::ledger::{Account, Ledger, Transfer, TransferKind, Unit};
use crate::domain::messages::{MessageVars, SIT_BACK_AHEAD, SOON_POSITION, TemplateKey, keys};
use crate::domain::queue::Entry;
use crate::domain::room::{Member, Room};
use crate::domain::tips::{MAX_TIP_SECONDS, TipToy};
use crate::domain::toy_effect::ToyEffect;

use super::Engine;
use super::effects::{Effects, settlement};
use super::notices::{base_vars, extra_messages, private_message};
use super::room_in;

/// How an intake is paid beyond its tokens.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Pay {
    /// Loyalty points credited when it settles.
    pub bonus: u64,
    /// Loyalty points paid for it (then it costs 0 tokens).
    pub points_price: u64,
}

/// Where an item goes at intake.
#[derive(Clone, Copy)]
pub(super) enum Placement<'a> {
    Queue,
    /// Held and settled at once.
    Instant,
    /// A toy tip: into the room's lane with what its level fixed.
    Lane(&'a TipToy),
}

impl Engine {
    /// A tip: a toy tip waits in the lane, a plain one settles at once.
    pub(super) fn tip(
        &mut self,
        room_id: &RoomId,
        payload: &IntakePayload,
        toy: Option<&TipToy>,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        if payload.source != Source::Tip {
            return Err(DomainError::invalid("source", "a tip's source is `tip`"));
        }
        let placement = match toy {
            Some(toy) => {
                if payload.action.action_type != ActionType::ToyActivation {
                    return Err(DomainError::invalid(
                        "action.actionType",
                        "a toy tip is a `toy_activation`",
                    ));
                }
                if !(1_000..=u64::from(MAX_TIP_SECONDS) * 1000).contains(&toy.duration_ms) {
                    return Err(DomainError::invalid(
                        "toy.durationMs",
                        format!("must be within 1000..={}", MAX_TIP_SECONDS * 1000),
                    ));
                }
                Placement::Lane(toy)
            }
            None => Placement::Instant,
        };
        self.intake(room_id, placement, payload, Pay::default(), fx)
    }

    pub(super) fn intake(
        &mut self,
        room_id: &RoomId,
        placement: Placement<'_>,
        payload: &IntakePayload,
        pay: Pay,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let Pay {
            bonus: loyalty_points,
            points_price,
        } = pay;
        if payload.source == Source::Tip && matches!(placement, Placement::Queue) {
            return Err(DomainError::invalid(
                "source",
                "tips come in through the tip endpoint, which matches the room's tip levels",
            ));
        }
        self.check_intake_allowed(room_id, payload)?;
        // The room is held mutably from here; the checks below read other
        // fields of the engine, so nothing changes until all have passed.
        let room = room_in(&mut self.rooms, room_id)?;
        payload.validate(&IntakeLimits {
            max_token_cost: room.settings.max_token_cost,
            paid_in_points: points_price > 0,
        })?;
        if payload.performer_id != room.performer {
            return Err(DomainError::invalid(
                "performerId",
                format!("room `{}` belongs to another performer", room.id),
            ));
        }
        if !room.live {
            return Err(DomainError::NotLive {
                room: room.id.clone(),
            });
        }
        let source_event = (payload.source, &*payload.source_event_id);
        let source_hash = self.source_events.hash(source_event);
        let items = &self.items;
        let taken = |low: u32| {
            items
                .get(items.id_of_low_bits(low))
                .is_some_and(|item| (item.source(), item.source_event_id()) == source_event)
        };
        if self.source_events.find(source_hash, taken).is_some() {
            return Err(DomainError::DuplicateSourceEvent {
                source_event_id: payload.source_event_id.to_string(),
            });
        }
        let cost = payload.token_cost;
        let available = self.ledger.wallet(&payload.user_id);
        if available < cost {
            return Err(DomainError::InsufficientFunds {
                user: payload.user_id.clone(),
                needed: cost,
                available,
            });
        }
        if !self.ledger.can_mint(Unit::Points, loyalty_points) {
            return Err(DomainError::Overflow);
        }
        if points_price > 0 {
            let user = &payload.user_id;
            self.points
                .refuse_if_locked(user, crate::domain::points::LockKind::Redeem, fx.at)?;
            let available = self.ledger.points(user);
            if available < points_price {
                return Err(DomainError::InsufficientPoints {
                    account: Account::Points(user.clone()).key(),
                    needed: points_price,
                    available,
                });
            }
        }

        // Everything is checked: from here on nothing can fail.
        // Share the room's copies of the ids: every item of a user or a
        // performer points at one string instead of keeping its own.
        let member = room
            .members
            .entry(payload.user_id.clone())
            .or_insert_with(|| Member::new(payload.user_id.clone()));
        member.refund_at = None; // buying means being here
        let (user_id, tier) = (member.id.clone(), member.tier);
        let user_name = match &payload.metadata.user_display_name {
            Some(name) => name.clone(),
            None => user_id.shared(),
        };
        let id = self.items.next_id();
        self.next_intake_seq += 1;
        let private = payload.is_private_request();
        let view = Arc::new(ItemView {
            id,
            room: room.id.clone(),
            source: payload.source,
            source_event_id: payload.source_event_id.clone(),
            performer_id: room.performer.clone(),
            user_id,
            user_name,
            tier,
            action: payload.action.clone(),
            token_cost: cost,
            duration_ms: match placement {
                Placement::Lane(toy) => toy.duration_ms,
                _ => payload
                    .action
                    .duration_hint_ms
                    .unwrap_or(room.settings.default_duration_ms),
            },
            effects: shared_effects(payload),
            private,
            instant: matches!(placement, Placement::Instant),
            stamp: fx.at,
            seq: self.next_intake_seq,
            client_stamp: payload.created_at_high_precision.clone(),
            loyalty_points,
            points_cost: points_price,
            tip: match placement {
                Placement::Lane(toy) => Some(Arc::new(toy.clone())),
                _ => None,
            },
        });
        let mut item = Item {
            view: view.clone(),
            key: payload.idempotency_key.clone(),
            state: ItemState::Queued,
            started_at: None,
            closed_at: None,
            settled: 0,
            refunded: 0,
            refund_reason: None,
            audit: Vec::with_capacity(3),
            intake_position: 0,
            soon_sent: true,
        };
        fx.post(
            &mut self.ledger,
            Transfer {
                kind: TransferKind::Hold,
                from: Account::Wallet(view.user_id.clone()),
                to: Account::Escrow(id),
                amount: cost,
                item: Some(id),
                key: Some(item.key.clone()),
            },
        );
        super::redeem::hold_points(&mut self.ledger, &view, fx);
        let vars = base_vars(&view);
        let public_key = TemplateKey::from(payload.chat.public_announce_template_key.clone());
        let by = integration_actor(payload.source);

        let reply = match placement {
            Placement::Lane(toy) => {
                let position = room.lane.next_position();
                room.lane.waiting.push_back(LaneEntry {
                    item: id,
                    remaining_ms: toy.duration_ms,
                });
                room.totals.escrow += cost;
                item.intake_position = position;
                item.audit.push(AuditEntry {
                    at: fx.at,
                    transition: Transition::Queued { position },
                    by,
                });
                fx.emit(
                    room,
                    EventKind::TipQueued {
                        item: view.clone(),
                        position,
                    },
                );
                announce(fx, room, payload.source, public_key, &vars);
                let queue_vars = MessageVars {
                    position: Some(position),
                    ahead: Some(position - 1),
                    seconds: Some(toy.duration_ms / 1000),
                    action: Some(toy.label.clone()),
                    ..vars
                };
                if position > 1 || room.lane.paused {
                    fx.emit(
                        room,
                        EventKind::Announcement {
                            key: TemplateKey::fixed(keys::TIP_TOY_QUEUED),
                            vars: queue_vars.clone(),
                        },
                    );
                }
                let receipt = TemplateKey::fixed(keys::QUEUE_RECEIPT);
                fx.emit(room, private_message(&view, receipt, queue_vars.clone()));
                extra_messages(fx, room, &view, payload, keys::QUEUE_RECEIPT, &queue_vars);
                self.items.push(ItemEntry::Open(item));
                Reply::TipQueued { item: id, position }
            }
            Placement::Queue => {
                let entry = Entry {
                    id,
                    private,
                    stamp: view.stamp,
                    cost,
                    seq: view.seq,
                };
                let index = room.waiting.insert(entry, room.in_progress.is_none());
                let position = room.position_of_index(index);
                room.totals.escrow += cost;
                item.intake_position = position;
                item.soon_sent = position <= SOON_POSITION;
                item.audit.push(AuditEntry {
                    at: fx.at,
                    transition: Transition::Queued { position },
                    by,
                });
                fx.emit(
                    room,
                    EventKind::ItemQueued {
                        item: view.clone(),
                        position,
                    },
                );
                announce(fx, room, payload.source, public_key, &vars);
                let ahead = position - 1;
                let queue_vars = MessageVars {
                    position: Some(position),
                    ahead: Some(ahead),
                    ..vars
                };
                let receipt = TemplateKey::fixed(keys::QUEUE_RECEIPT);
                fx.emit(room, private_message(&view, receipt, queue_vars.clone()));
                if ahead > SIT_BACK_AHEAD {
                    let key = TemplateKey::fixed(keys::QUEUE_SIT_BACK);
                    fx.emit(room, private_message(&view, key, queue_vars.clone()));
                }
                extra_messages(fx, room, &view, payload, keys::QUEUE_RECEIPT, &queue_vars);
                self.items.push(ItemEntry::Open(item));
                Reply::Queued { item: id, position }
            }
            Placement::Instant => {
                let settle = settlement(&view, cost, Some(item.key.clone()));
                fx.post(&mut self.ledger, settle);
                credit_points(&mut self.ledger, &view, fx);
                super::redeem::burn_points(&mut self.ledger, &view, fx);
                item.state = ItemState::Finished;
                item.closed_at = Some(fx.at);
                item.settled = cost;
                room.totals.earned += cost;
                room.totals.done += 1;
                item.audit.push(AuditEntry {
                    at: fx.at,
                    transition: Transition::Settled { amount: cost },
                    by,
                });
                fx.emit(room, EventKind::InstantSettled { item: view.clone() });
                announce(fx, room, payload.source, public_key, &vars);
                let receipt = TemplateKey::fixed(keys::INSTANT_RECEIPT);
                fx.emit(room, private_message(&view, receipt, vars.clone()));
                extra_messages(fx, room, &view, payload, keys::INSTANT_RECEIPT, &vars);
                self.items.push(ItemEntry::Closed(ClosedItem::of(&item)));
                fx.close(item);
                Reply::Settled { item: id }
            }
        };
        self.source_events.insert(source_hash, id.0 as u32);
        if let (Source::ChipMenu, Some(menu_item)) = (payload.source, &payload.action.menu_item_id)
        {
            self.daily.add(fx.at, room_id, &payload.user_id, menu_item);
        }
        Ok(reply)
    }
}

/// The public announcement; a game's spin also announces its winner.
fn announce(
    fx: &mut Effects,
    room: &mut Room,
    source: Source,
    key: TemplateKey,
    vars: &MessageVars,
) {
    fx.emit(
        room,
        EventKind::Announcement {
            key,
            vars: vars.clone(),
        },
    );
    if let Some(winner) = source.winner_announcement() {
        fx.emit(
            room,
            EventKind::Announcement {
                key: TemplateKey::fixed(winner),
                vars: vars.clone(),
            },
        );
    }
}

/// Loyalty points for a settled item, if it carries any.
pub(super) fn credit_points(ledger: &mut Ledger, view: &ItemView, fx: &mut Effects) {
    if view.loyalty_points == 0 {
        return;
    }
    fx.post(
        ledger,
        Transfer {
            kind: TransferKind::Points,
            from: Account::PointsMint,
            to: Account::Points(view.user_id.clone()),
            amount: view.loyalty_points,
            item: Some(view.id),
            key: None,
        },
    );
    fx.points(crate::domain::points::PointsEntry {
        room: Some(view.room.clone()),
        item: Some(view.id),
        ..super::points::entry(
            crate::domain::points::PointsKind::Earn,
            &view.user_id,
            view.loyalty_points as i64,
            "menu_item",
            &std::sync::Arc::from("settled"),
            &crate::domain::item::Actor::system(),
            None,
            fx.at,
        )
    });
}

/// The item's enabled toy effects; items without any share one empty list.
fn shared_effects(payload: &IntakePayload) -> Arc<[ToyEffect]> {
    static NONE: std::sync::LazyLock<Arc<[ToyEffect]>> = std::sync::LazyLock::new(|| Arc::from([]));
    if payload.toy_effects().next().is_none() {
        return NONE.clone();
    }
    payload.toy_effects().cloned().collect()
}

/// The integration that posted an item, for its audit record: one shared
/// actor per source rather than a new string per intake.
fn integration_actor(source: Source) -> Actor {
    use Source::*;
    static IDS: std::sync::LazyLock<[Arc<str>; 6]> = std::sync::LazyLock::new(|| {
        [ChipMenu, SlotMachine, SpinWheel, Admin, System, Tip].map(|s| Arc::from(s.as_str()))
    });
    // Exhaustive, so a new source cannot be left out; the order is the array's.
    let index = match source {
        ChipMenu => 0,
        SlotMachine => 1,
        SpinWheel => 2,
        Admin => 3,
        System => 4,
        Tip => 5,
    };
    Actor {
        role: Role::Integration,
        id: IDS[index].clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_source_is_its_own_integration_actor() {
        use Source::*;
        for source in [ChipMenu, SlotMachine, SpinWheel, Admin, System, Tip] {
            let actor = integration_actor(source);
            assert_eq!(actor, Actor::new(Role::Integration, source.as_str()));
        }
    }
}
