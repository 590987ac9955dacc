//! After the timeline, when asked for: most viewers open their own inbox
//! stream, take every private message the room's history lists for them
//! (each comes at its tier's time), and mark a seeded share read. The
//! summary counts delivered, read and failed per tier; who connects and
//! what is marked follow from the seed.

use std::collections::BTreeSet;
use std::time::Duration;

use rand::RngExt;

use super::{Sim, failed};
use crate::client::InboxSocket;
use crate::domain::Tier;
use crate::sim::SimError;

/// The share of viewers who open their inbox.
const CONNECT_SHARE: f64 = 0.85;
/// The share of their messages they mark read.
const READ_SHARE: f64 = 0.5;
/// The longest wait for one message (the free tier's delay and more).
const MESSAGE_WAIT: Duration = Duration::from_secs(90);

impl Sim {
    pub(super) async fn read_inboxes(&mut self) -> Result<(), SimError> {
        let Some(mut rng) = self.inbox.take() else {
            return Ok(());
        };
        for v in 0..self.viewers.len() {
            let connects = rng.random_bool(CONNECT_SHARE);
            let (user, tier, token) = {
                let viewer = &self.viewers[v];
                (viewer.user.clone(), viewer.tier, viewer.token.clone())
            };
            let query = format!("viewer={user}&limit=1000");
            let history = self
                .admin
                .message_history(&self.room, &query)
                .await
                .map_err(|e| failed(&self.server, "reading the message history", e))?;
            let index = Tier::ALL.iter().position(|t| *t == tier).unwrap_or(3);
            let counts = &mut self.summary.inbox[index];
            counts.failed += history
                .messages
                .iter()
                .filter(|m| m.status == "failed")
                .count() as u64;
            let expected: BTreeSet<u64> = history
                .messages
                .iter()
                .filter(|m| m.status != "failed")
                .map(|m| m.id)
                .collect();
            if !connects || expected.is_empty() {
                continue;
            }
            let mut socket = InboxSocket::connect(&self.url, &token, None)
                .await
                .map_err(|e| failed(&self.server, "opening an inbox", e))?;
            let mut got = BTreeSet::new();
            while !expected.is_subset(&got) {
                let next = tokio::time::timeout(MESSAGE_WAIT, socket.next_message()).await;
                match next {
                    Ok(Ok(Some(message))) => {
                        got.insert(message.id);
                    }
                    Ok(Err(e)) => return Err(failed(&self.server, "reading an inbox", e)),
                    Ok(Ok(None)) | Err(_) => break,
                }
            }
            let delivered: Vec<u64> = expected.intersection(&got).copied().collect();
            let to_read: Vec<u64> = delivered
                .iter()
                .copied()
                .filter(|_| rng.random_bool(READ_SHARE))
                .collect();
            let read = if to_read.is_empty() {
                0
            } else {
                self.viewers[v]
                    .client
                    .mark_read(to_read)
                    .await
                    .map_err(|e| failed(&self.server, "marking messages read", e))?
                    .read
                    .len() as u64
            };
            let counts = &mut self.summary.inbox[index];
            counts.delivered += delivered.len() as u64;
            counts.read += read;
        }
        Ok(())
    }
}
