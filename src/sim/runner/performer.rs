//! The performer's side of the timeline: start, perform for a drawn
//! share of the timer, finish or refund, and broadcast drops.

use crate::protocol::ErrorCode;

use rand::RngExt;

use super::timeline::*;
use super::*;
use crate::domain::{ItemId, RefundReason, Reply};
use crate::sim::SimError;

impl Sim {
    pub(super) fn schedule_drop(&mut self) {
        let every = self.scenario.performer.broadcast_drop_every_s;
        if every <= 0.0 || !every.is_finite() {
            return;
        }
        let u: f64 = self.acting.random();
        let gap = (-(1.0 - u).ln() * every * 1000.0).clamp(1.0, 1e12).ceil() as u64;
        self.push(self.now + gap, What::BroadcastDrop);
    }

    pub(super) fn performer_key(&mut self, what: char) -> String {
        let key = format!("{}-{what}{}", self.prefix, self.performer_actions);
        self.performer_actions += 1;
        key
    }

    pub(super) async fn performer_next(&mut self) -> Result<(), SimError> {
        let Some(performer) = self.performer.clone() else {
            return Ok(());
        };
        if !self.live {
            self.push(self.now + POLL_MS, What::PerformerNext);
            return Ok(());
        }
        let key = self.performer_key('s');
        let started = match performer.start(&self.room, None, &key).await {
            Ok(reply) => reply.item(),
            Err(e) => match e.code() {
                Some(ErrorCode::QueueEmpty | ErrorCode::NotLive) => None,
                Some(ErrorCode::Busy) => {
                    // Something this run did not start is on stage (a
                    // reused room): take it over.
                    let snapshot = performer
                        .snapshot(&self.room)
                        .await
                        .map_err(|e| failed(&self.server, "reading the room", e))?;
                    snapshot.in_progress.map(|running| {
                        let view = &running.item;
                        self.items
                            .entry(view.id)
                            .or_insert((view.duration_ms, view.token_cost));
                        view.id
                    })
                }
                _ => {
                    self.refused("start", e)?;
                    None
                }
            },
        };
        let Some(item) = started else {
            self.push(self.now + POLL_MS, What::PerformerNext);
            return Ok(());
        };
        self.summary.started += 1;
        if !self.items.contains_key(&item) {
            // Queued by someone else (a reused room): ask for its D and cost.
            let found = performer
                .audit(&self.room, item)
                .await
                .map_err(|e| failed(&self.server, "reading an item", e))?;
            self.items
                .insert(item, (found.view.duration_ms, found.view.token_cost));
        }
        let (duration_ms, _) = self.items.get(&item).copied().unwrap_or((90_000, 1));
        let s = &self.scenario.performer;
        let rng = &mut self.acting;
        let share = fraction(rng, s.perform);
        let refund = rng.random_bool(s.refund.0);
        let partial = rng.random_bool(s.partial.0);
        let reasons = [
            (RefundReason::Goodwill, s.reasons.goodwill),
            (RefundReason::Moderation, s.reasons.moderation),
            (RefundReason::Other, s.reasons.other),
        ];
        let reason = pick(rng, &reasons).unwrap_or(RefundReason::Goodwill);
        let note = NOTES[rng.random_range(0..NOTES.len())];
        let plan = if refund {
            EndPlan::Refund {
                partial,
                reason,
                note: (reason == RefundReason::Other).then_some(note),
            }
        } else {
            EndPlan::Finish
        };
        let perform_ms = ((duration_ms as f64) * share).round().max(1.0) as u64;
        self.push(self.now + perform_ms, What::PerformerEnd { item, plan });
        Ok(())
    }

    pub(super) async fn performer_end(
        &mut self,
        item: ItemId,
        plan: EndPlan,
    ) -> Result<(), SimError> {
        let Some(performer) = self.performer.clone() else {
            return Ok(());
        };
        let result = match plan {
            EndPlan::Finish => {
                let key = self.performer_key('f');
                performer.finish(&self.room, Some(item), &key).await
            }
            EndPlan::Refund {
                partial,
                reason,
                note,
            } => {
                let key = self.performer_key('r');
                let cost = self.items.get(&item).map_or(1, |(_, cost)| *cost);
                let amount = (partial && cost >= 2).then_some(cost / 2);
                performer
                    .refund(&self.room, item, amount, reason, note, &key)
                    .await
            }
        };
        match result {
            Ok(Reply::Finished { .. }) => {
                self.summary.finished += 1;
                self.points_after_finish(item).await?;
            }
            Ok(Reply::Refunded { .. }) => self.summary.refunds += 1,
            Ok(_) => {}
            Err(e) => self.refused("finish or refund", e)?,
        }
        let pause = span_ms(&mut self.acting, self.scenario.performer.pause_s);
        self.push(self.now + pause, What::PerformerNext);
        Ok(())
    }

    pub(super) async fn broadcast(&mut self, live: bool) -> Result<(), SimError> {
        let Some(performer) = self.performer.clone() else {
            return Ok(());
        };
        match performer.broadcast(&self.room, live).await {
            Ok(_) => {
                self.live = live;
                if !live {
                    self.summary.broadcast_drops += 1;
                }
            }
            Err(e) => self.refused("broadcast", e)?,
        }
        if live {
            self.schedule_drop();
        } else {
            let back = span_ms(&mut self.acting, self.scenario.performer.broadcast_drop_s);
            self.push(self.now + back.max(1), What::BroadcastBack);
        }
        Ok(())
    }
}
