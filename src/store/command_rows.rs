//! The rows a batch of commands commits: each command's log row (its
//! idempotency record), the postings of its transfers, item rows, events
//! with their room sequence numbers, closed items' records, points history,
//! moderation log and private messages, all in the writer's transaction.

use super::StoreError;
use super::games::insert_spin;
use super::sql::{Conn, ConnExt, params};
use super::writer::{Attachment, Job};
use crate::domain::EventKind;

/// Write every job of the batch in the open transaction `tx`.
/// Commands are numbered on from `last_command`, which ends at the last.
pub(super) fn write(
    tx: &dyn Conn,
    batch: &[Job],
    last_command: &mut i64,
) -> Result<(), StoreError> {
    {
        let mut insert_command = tx.prepare_cached(
            "INSERT INTO commands (id, at, kind, room, idem_key, body, reply)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut insert_posting = tx.prepare_cached(
            "INSERT INTO postings (command_id, transfer_no, account, unit, amount, kind, item, idem_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let mut insert_item = tx.prepare_cached(
            "INSERT INTO items (id, room, user_id, state, token_cost, settled, view, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let mut update_item = tx.prepare_cached(
            "UPDATE items SET state = ?2, settled = ?3, refunded = ?4, updated_at = ?5 WHERE id = ?1",
        )?;
        let mut start_item = tx.prepare_cached(
            "UPDATE items SET state = 'in_progress', updated_at = ?2 WHERE id = ?1",
        )?;
        let mut return_item =
            tx.prepare_cached("UPDATE items SET state = 'queued', updated_at = ?2 WHERE id = ?1")?;
        let mut keep_record = tx.prepare_cached("UPDATE items SET record = ?2 WHERE id = ?1")?;
        let mut insert_moderation = tx.prepare_cached(
            "INSERT INTO moderation_log (command_id, at, room, action, actor_role, actor_token, target, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let mut insert_points = tx.prepare_cached(
            "INSERT INTO points_entries (command_id, at, kind, user_id, performer, room, item, amount,
                 source, reason, source_event, ticket, idem_key, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?;
        let mut insert_message = tx.prepare_cached(
            "INSERT INTO messages (room, viewer, tier, kind, key, vars, created_at, event_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let mut insert_event = tx.prepare_cached(
            "INSERT INTO events (room, seq, at, type, body, command_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;

        for job in batch {
            let Job {
                request,
                outcome,
                attachment,
                ..
            } = job;
            let at = outcome.at.0;
            *last_command += 1;
            let command_id = *last_command;
            insert_command.execute(params![
                command_id,
                at,
                request.command.name(),
                request.command.room().map(|r| r.as_str()),
                request.idempotency_key().map(|k| k.as_str()),
                serde_json::to_string(request)?,
                serde_json::to_string(&outcome.reply)?,
            ])?;
            if let Some(Attachment::Spin(record)) = attachment {
                insert_spin(tx, record, request, outcome, command_id)?;
            }

            for (no, t) in outcome.transfers.iter().enumerate() {
                let unit = match t.from.unit() {
                    crate::domain::ledger::Unit::Tokens => "tokens",
                    crate::domain::ledger::Unit::Points => "points",
                };
                let amount = i64::try_from(t.amount)
                    .map_err(|_| StoreError::Sqlite("amount exceeds i64".into()))?;
                let item = t.item.map(|i| i.0 as i64);
                let key = t.key.as_ref().map(|k| k.as_str());
                for (account, signed) in [(&t.from, -amount), (&t.to, amount)] {
                    insert_posting.execute(params![
                        command_id,
                        no as i64,
                        account.key(),
                        unit,
                        signed,
                        t.kind.as_str(),
                        item,
                        key
                    ])?;
                }
            }

            for event in &outcome.events {
                match &event.kind {
                    EventKind::ItemQueued { item: view, .. }
                    | EventKind::TipQueued { item: view, .. }
                    | EventKind::InstantSettled { item: view } => {
                        let (state, settled) = if view.instant {
                            ("finished", view.token_cost)
                        } else {
                            ("queued", 0)
                        };
                        insert_item.execute(params![
                            view.id.0 as i64,
                            view.room.as_str(),
                            view.user_id.as_str(),
                            state,
                            view.token_cost as i64,
                            settled as i64,
                            serde_json::to_string(view)?,
                            at
                        ])?;
                    }
                    EventKind::ItemStarted { item, .. } | EventKind::LaneStarted { item, .. } => {
                        start_item.execute(params![item.0 as i64, at])?;
                    }
                    EventKind::LaneReturned { item, .. } => {
                        return_item.execute(params![item.0 as i64, at])?;
                    }
                    EventKind::ItemFinished { item, settled, .. }
                    | EventKind::LaneSettled { item, settled } => {
                        update_item.execute(params![
                            item.0 as i64,
                            "finished",
                            *settled as i64,
                            0,
                            at
                        ])?;
                    }
                    EventKind::ItemRefunded {
                        item,
                        amount,
                        settled,
                        ..
                    } => {
                        update_item.execute(params![
                            item.0 as i64,
                            "refunded",
                            *settled as i64,
                            *amount as i64,
                            at
                        ])?;
                    }
                    EventKind::PrivateMessage {
                        user,
                        tier,
                        key,
                        vars,
                        ..
                    } => {
                        insert_message.execute(params![
                            event.room.as_str(),
                            user.as_str(),
                            tier.label(),
                            super::messages::kind_of_key(key),
                            key.as_str(),
                            serde_json::to_string(vars)?,
                            at,
                            event.seq as i64
                        ])?;
                    }
                    _ => {}
                }
                super::broadcasts::record(tx, event)?;
                insert_event.execute(params![
                    event.room.as_str(),
                    event.seq as i64,
                    event.at.0,
                    event.kind.name(),
                    serde_json::to_string(event)?,
                    command_id
                ])?;
            }
            for item in &outcome.closed {
                keep_record.execute(params![item.id().0 as i64, serde_json::to_string(item)?])?;
            }
            for entry in &outcome.points {
                insert_points.execute(params![
                    command_id,
                    entry.at.0,
                    entry.kind.as_str(),
                    entry.user.as_ref().map(|u| u.as_str()),
                    entry.performer.as_ref().map(|p| p.as_str()),
                    entry.room.as_ref().map(|r| r.as_str()),
                    entry.item.map(|i| i.0 as i64),
                    entry.amount,
                    &*entry.source,
                    &*entry.reason,
                    entry.source_event.as_deref(),
                    entry.ticket.as_deref(),
                    entry.key.as_ref().map(|k| k.as_str()),
                    serde_json::to_string(entry)?
                ])?;
            }
            for entry in &outcome.moderation {
                let note = &entry.note;
                insert_moderation.execute(params![
                    command_id,
                    entry.at.0,
                    entry.room.as_ref().map(|r| r.as_str()),
                    note.action.as_str(),
                    note.by.role.as_str(),
                    &*note.by.id,
                    note.target.as_deref(),
                    serde_json::to_string(entry)?
                ])?;
            }
        }
    }
    Ok(())
}
