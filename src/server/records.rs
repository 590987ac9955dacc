//! Item records for the API (audit, purchase receipts, spin answers). An
//! open item comes from the engine; a closed one from the store, which
//! wrote its record in the commit that closed it (the engine keeps only a
//! closed item's facts, and only for the retention window). That commit
//! may still be on its way when the engine already shows the item closed
//! (a ban refunding a purchase whose answer is being written), so a closed
//! item is read once the store has caught up with the engine.

use std::sync::{Arc, Mutex};

use super::engine_task::CoreHandle;
use super::errors::{domain_error, unavailable};
use crate::domain::{DomainError, Item, ItemId, RoomId};
use crate::protocol::ApiError;
use crate::store::Reader;

pub struct Records {
    db: crate::store::Database,
    /// Opened on first use, then kept.
    reader: Mutex<Option<Reader>>,
}

enum Found {
    Open(Box<Item>),
    Closed,
    /// Closed and past the window: the store knows its room.
    Forgotten,
    Missing,
    NoRoom,
}

impl Records {
    pub fn new(db: crate::store::Database) -> Self {
        Records {
            db,
            reader: Mutex::new(None),
        }
    }

    /// The whole record of `item`, if it exists in `room`; `unknown_room`
    /// when the room does not.
    pub async fn item(
        self: &Arc<Self>,
        core: &CoreHandle,
        room: RoomId,
        item: ItemId,
    ) -> Result<Option<Item>, ApiError> {
        let asked = room.clone();
        let found = core
            .query(move |engine| match engine.entry(item) {
                Some(entry) if *entry.room() == room => match entry.open() {
                    Some(open) => Found::Open(Box::new(open.clone())),
                    None => Found::Closed,
                },
                _ if engine.room_info(&room).is_none() => Found::NoRoom,
                None if engine.forgot(item) => Found::Forgotten,
                _ => Found::Missing,
            })
            .await?;
        match found {
            Found::Open(open) => Ok(Some(*open)),
            Found::Missing => Ok(None),
            Found::NoRoom => Err(domain_error(&DomainError::UnknownRoom { room: asked })),
            Found::Closed => {
                core.durable().await?;
                self.stored(item, asked).await
            }
            Found::Forgotten => self.stored(item, asked).await,
        }
    }

    /// A closed item's record as the store wrote it.
    async fn stored(
        self: &Arc<Self>,
        item: ItemId,
        room: RoomId,
    ) -> Result<Option<Item>, ApiError> {
        let records = self.clone();
        let record = tokio::task::spawn_blocking(move || records.closed(item))
            .await
            .map_err(|_| unavailable())??;
        Ok(record.filter(|record| record.view.room == room))
    }

    fn closed(&self, item: ItemId) -> Result<Option<Item>, ApiError> {
        let mut reader = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        let result = match reader.as_ref() {
            Some(open) => open.closed_item(item),
            None => Reader::open(&self.db).and_then(|opened| {
                let found = opened.closed_item(item);
                *reader = Some(opened);
                found
            }),
        };
        result.map_err(|err| {
            tracing::error!(error = %err, item = item.0, "reading a closed item's record failed");
            unavailable()
        })
    }
}
