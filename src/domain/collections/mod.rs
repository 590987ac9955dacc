//! The containers the engine keeps its growing state in: lists that grow at
//! the back and shrink at the front without copying what they hold, and a
//! compact hash index over them. Nothing here knows a queue rule.

pub(crate) mod chunked;
pub(crate) mod compact_index;
pub(crate) mod idempotency;
pub(crate) mod item_list;

pub(crate) use compact_index::CompactIndex;
pub(crate) use idempotency::{IdemRecord, IdempotencyRecords};
pub use item_list::ItemList;
