//! A builder for canonical intake payloads with sensible defaults, for the
//! simulator, benchmarks and tests.

use std::sync::Arc;

use super::command::{Command, IntakeMode};
use super::ids::{IdemKey, PerformerId, RoomId, UserId};
use super::intake::{ActionType, Chat, Effects, IntakePayload, Metadata, PaidAction, Source};
use super::toy_effect::{Pattern, Timing, ToyEffect};

#[derive(Debug, Clone)]
pub struct PayloadBuilder {
    payload: IntakePayload,
}

impl PayloadBuilder {
    /// A chip-menu performance action of `cost` tokens; the source event id
    /// is derived from the key, so distinct keys make distinct events.
    pub fn new(performer: &str, user: &str, key: &str, cost: u64) -> Self {
        PayloadBuilder {
            payload: IntakePayload {
                source: Source::ChipMenu,
                source_event_id: Arc::from(format!("evt-{key}")),
                idempotency_key: IdemKey::new(key),
                performer_id: PerformerId::new(performer),
                user_id: UserId::new(user),
                token_cost: cost,
                action: PaidAction {
                    action_type: ActionType::PerformanceAction,
                    title: Arc::from("Dance"),
                    description: Arc::from("A short dance"),
                    menu_item_id: None,
                    rank: None,
                    duration_hint_ms: None,
                },
                created_at_high_precision: Arc::from("2026-11-21T00:00:00.000000Z"),
                chat: Chat {
                    public_announce_template_key: Arc::from("menu.purchase"),
                    private_user_message_template_keys: Vec::new(),
                },
                metadata: Metadata::default(),
                effects: None,
            },
        }
    }

    pub fn private_request(mut self) -> Self {
        self.payload.action.action_type = ActionType::PrivateRequest;
        self
    }

    pub fn source(mut self, source: Source) -> Self {
        self.payload.source = source;
        self
    }

    pub fn source_event(mut self, id: &str) -> Self {
        self.payload.source_event_id = Arc::from(id);
        self
    }

    pub fn title(mut self, title: &str) -> Self {
        self.payload.action.title = Arc::from(title);
        self
    }

    pub fn description(mut self, text: &str) -> Self {
        self.payload.action.description = Arc::from(text);
        self
    }

    pub fn menu_item(mut self, id: &str) -> Self {
        self.payload.action.menu_item_id = Some(Arc::from(id));
        self
    }

    pub fn duration_ms(mut self, ms: u64) -> Self {
        self.payload.action.duration_hint_ms = Some(ms);
        self
    }

    pub fn display_name(mut self, name: &str) -> Self {
        self.payload.metadata.user_display_name = Some(Arc::from(name));
        self
    }

    pub fn announce(mut self, key: &str) -> Self {
        self.payload.chat.public_announce_template_key = Arc::from(key);
        self
    }

    /// Add a toy effect at `timing`.
    pub fn toy(
        mut self,
        timing: Timing,
        intensity: u8,
        duration_ms: Option<u64>,
        pattern: Pattern,
    ) -> Self {
        let effects = self.payload.effects.get_or_insert_with(Effects::default);
        effects.toy.push(ToyEffect {
            enabled: true,
            timing,
            intensity: Some(intensity),
            duration_ms,
            device_vendor: Some(Arc::from("lovense")),
            pattern: Some(pattern.into()),
        });
        self
    }

    pub fn build(self) -> IntakePayload {
        self.payload
    }

    /// The payload as the JSON a feature module would send.
    pub fn json(&self) -> serde_json::Value {
        serde_json::to_value(&self.payload).expect("payloads serialize")
    }

    /// A queued intake command into `room`.
    pub fn queued(self, room: &str) -> Command {
        self.command(room, IntakeMode::Queued)
    }

    /// An instant (non-queued) intake command into `room`.
    pub fn instant(self, room: &str) -> Command {
        self.command(room, IntakeMode::Instant)
    }

    fn command(self, room: &str, mode: IntakeMode) -> Command {
        Command::Intake {
            room: RoomId::new(room),
            mode,
            payload: Box::new(self.payload),
            loyalty_points: 0,
            points_price: 0,
        }
    }
}
