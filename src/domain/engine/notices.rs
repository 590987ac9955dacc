//! The messages the queue sends: private notes to a buyer and the
//! variables their templates are filled with.

use crate::domain::collections::ItemList;
use crate::domain::event::EventKind;
use crate::domain::intake::IntakePayload;
use crate::domain::item::ItemView;
use crate::domain::messages::{MessageVars, SOON_POSITION, TemplateKey, keys};
use crate::domain::room::Room;

use super::effects::Effects;
use super::item_mut;

pub(super) fn private_message(view: &ItemView, key: TemplateKey, vars: MessageVars) -> EventKind {
    EventKind::PrivateMessage {
        user: view.user_id.clone(),
        tier: view.tier,
        priority: view.tier.priority(),
        delay_ms: view.tier.delivery_delay_ms(),
        key,
        vars,
    }
}

pub(super) fn base_vars(view: &ItemView) -> MessageVars {
    MessageVars {
        user: view.user_name.clone(),
        item: Some(view.id),
        action: Some(view.action.title.clone()),
        tokens: Some(view.token_cost),
        ..MessageVars::default()
    }
}

/// The private messages a feature asked for on top of the receipt.
pub(super) fn extra_messages(
    fx: &mut Effects,
    room: &mut Room,
    view: &ItemView,
    payload: &IntakePayload,
    receipt: &str,
    vars: &MessageVars,
) {
    for extra in &payload.chat.private_user_message_template_keys {
        if &**extra != receipt {
            fx.emit(
                room,
                private_message(view, extra.clone().into(), vars.clone()),
            );
        }
    }
}

/// "It won't be long": once, to items that came in behind position 3 and
/// have now reached it.
pub(super) fn notify_soon(room: &mut Room, items: &mut ItemList, fx: &mut Effects) {
    for index in 0..room.waiting.len().min(SOON_POSITION as usize) {
        let position = room.position_of_index(index);
        if position > SOON_POSITION {
            break;
        }
        let id = room.waiting.get(index).expect("index in range").id;
        let item = item_mut(items, id);
        if !item.soon_sent {
            item.soon_sent = true;
            let vars = MessageVars {
                position: Some(position),
                ahead: Some(position - 1),
                ..base_vars(&item.view)
            };
            let message = private_message(&item.view, TemplateKey::fixed(keys::QUEUE_SOON), vars);
            fx.emit(room, message);
        }
    }
}
