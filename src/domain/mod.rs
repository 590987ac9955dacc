//! The pure core: queue rules, the ledger, intake validation, timers and
//! message keys. Deterministic, no IO, the clock passed in.

pub mod builder;
pub(crate) mod collections;
pub mod command;
pub mod daily;
pub mod engine;
pub mod error;
pub mod event;
mod field_checks;
pub mod ids;
pub mod intake;
pub mod item;
pub mod json;
pub mod lane;
pub mod ledger;
pub mod messages;
pub mod moderation;
pub mod outbox;
pub mod pattern_ref;
pub mod pii;
pub mod points;
pub mod price_fields;
pub mod queue;
pub mod refund;
pub mod room;
pub mod time;
pub mod timer;
pub mod tips;
pub mod toy_effect;

pub use command::{Checked, Command, IntakeMode, Outcome, Reply, Request};
pub use engine::{Engine, EngineConfig};
pub use error::DomainError;
pub use event::{Event, EventKind};
pub use ids::{IdemKey, ItemId, PerformerId, RoomId, UserId};
pub use intake::{IntakeLimits, IntakePayload, Source};
pub use item::{Actor, ClosedItem, Item, ItemEntry, ItemState, ItemView, Role};
pub use ledger::{Account, InvariantViolation, Ledger, MAX_SUPPLY, Transfer, TransferKind};
pub use messages::Tier;
pub use moderation::{Ban, BanReason, ModerationAction, ModerationEntry, ModerationNote, Switch};
pub use refund::RefundReason;
pub use room::{RoomInfo, RoomSettings, RoomTotals, RoomView};
pub use time::Stamp;
pub use timer::Phase;
