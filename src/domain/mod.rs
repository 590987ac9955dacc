//! The pure core: queue rules, the ledger, intake validation, timers and
//! message keys. Deterministic, no IO, the clock passed in.

pub mod builder;
pub(crate) mod collections;
pub mod command;
pub mod daily;
pub mod engine;
pub mod error;
pub mod event;
pub mod ids;
pub mod intake;
pub mod item;
pub mod json;
pub mod ledger;
pub mod messages;
pub mod pii;
pub mod queue;
pub mod refund;
pub mod room;
pub mod time;
pub mod timer;
pub mod toy_effect;

pub use command::{Command, IntakeMode, Outcome, Reply, Request};
pub use engine::{Engine, EngineConfig};
pub use error::DomainError;
pub use event::{Event, EventKind};
pub use ids::{IdemKey, ItemId, PerformerId, RoomId, UserId};
pub use intake::{IntakeLimits, IntakePayload, Source};
pub use item::{Actor, ClosedItem, Item, ItemEntry, ItemState, ItemView, Role};
pub use ledger::{Account, InvariantViolation, Ledger, MAX_SUPPLY, Transfer, TransferKind};
pub use messages::Tier;
pub use refund::RefundReason;
pub use room::{RoomSettings, RoomTotals, RoomView};
pub use time::Stamp;
pub use timer::Phase;
