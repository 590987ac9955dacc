//! A tip's one canonical intake: the payload and the command the server
//! builds from a tip request and the room's tip levels. The request never
//! names a level or a duration: the amount is matched here, and what it
//! matched is fixed in the command (and so in the log and the item).

use std::sync::Arc;

use crate::domain::command::Command;
use crate::domain::ids::{IdemKey, PerformerId, RoomId, UserId};
use crate::domain::intake::{ActionType, Chat, IntakePayload, Metadata, PaidAction, Source};
use crate::domain::messages::keys;

use super::levels::TipLevels;
use super::matching::{TipMatch, tip_draw};

/// What a tip request carries, and what the server adds.
#[derive(Debug, Clone)]
pub struct TipAsk<'a> {
    pub performer: &'a PerformerId,
    pub user: &'a UserId,
    pub amount: u64,
    pub key: &'a IdemKey,
    /// The platform's own event id when an integration tips on a viewer's
    /// behalf; else one is derived from the key.
    pub source_event_id: Option<&'a str>,
    pub display_name: Option<&'a str>,
    /// The server's intake time, RFC 3339.
    pub created_at: &'a str,
}

/// The tip command for `room`: a toy tip when the amount matches a level
/// or a special, a plain tip otherwise.
pub fn tip_command(room: &RoomId, ask: &TipAsk<'_>, levels: &TipLevels) -> Command {
    let source_event_id: Arc<str> = match ask.source_event_id {
        Some(id) => Arc::from(id),
        None => Arc::from(format!("tip-{}", ask.key.as_str())),
    };
    let draw = tip_draw(
        room.as_str(),
        ask.user.as_str(),
        &source_event_id,
        ask.amount,
    );
    let matched = levels.match_amount(ask.amount, draw);
    let (action_type, title, description) = match &matched {
        TipMatch::Toy(toy) => (
            ActionType::ToyActivation,
            Arc::from(format!("Tip: {}", toy.label)),
            Arc::from(format!(
                "{} tokens: {} for {} s",
                ask.amount,
                toy.label,
                toy.duration_ms / 1000
            )),
        ),
        TipMatch::Plain => (
            ActionType::PerformanceAction,
            Arc::from("Tip"),
            Arc::from(format!("{} tokens", ask.amount)),
        ),
    };
    let payload = IntakePayload {
        source: Source::Tip,
        source_event_id,
        idempotency_key: ask.key.clone(),
        performer_id: ask.performer.clone(),
        user_id: ask.user.clone(),
        token_cost: ask.amount,
        action: PaidAction {
            action_type,
            title,
            description,
            menu_item_id: None,
            rank: None,
            duration_hint_ms: None,
        },
        created_at_high_precision: Arc::from(ask.created_at),
        chat: Chat {
            public_announce_template_key: Arc::from(keys::TIP_RECEIVED),
            private_user_message_template_keys: Vec::new(),
        },
        metadata: Metadata {
            user_display_name: ask.display_name.map(Arc::from),
            ..Metadata::default()
        },
        effects: None,
    };
    Command::Tip {
        room: room.clone(),
        payload: Box::new(payload),
        toy: match matched {
            TipMatch::Toy(toy) => Some(Box::new(toy)),
            TipMatch::Plain => None,
        },
    }
}
