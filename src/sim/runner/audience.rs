//! The audience's side of the timeline: arrivals, purchases and what a
//! real client gets wrong (retries, reused keys, top-ups, disputes).

use crate::protocol::ErrorCode;

use rand::RngExt;
use rand::rngs::StdRng;

use super::timeline::*;
use super::*;
use crate::client::ClientError;
use crate::domain::{RefundReason, Reply};
use crate::sim::SimError;
use crate::sim::catalog::{self, Menu, Offer};
use crate::sim::shop::{Prepared, Purchase};

impl Sim {
    pub(super) fn schedule_arrival(&mut self) {
        let rate = self.rate_per_min * self.scenario.rate_factor_at(self.now);
        if rate <= 0.0 {
            return;
        }
        let u: f64 = self.audience.random();
        let gap_ms = -(1.0 - u).ln() / (rate / 60_000.0);
        let gap = gap_ms.clamp(1.0, 1e12).ceil() as u64;
        self.push(self.now + gap, What::Arrival);
    }

    pub(super) async fn join(&mut self, v: usize) -> Result<(), SimError> {
        let viewer = &self.viewers[v];
        match viewer.client.join(&self.room, viewer.tier).await {
            Ok(_) => {
                self.viewers[v].present = true;
                self.summary.joins += 1;
                tracing::debug!(room = %self.room, user = %self.viewers[v].user, "joined");
                Ok(())
            }
            Err(e) => self.refused("join", e),
        }
    }

    pub(super) async fn leave(
        &mut self,
        v: usize,
        back_after_ms: Option<u64>,
    ) -> Result<(), SimError> {
        if !self.viewers[v].present {
            return Ok(());
        }
        match self.viewers[v].client.leave(&self.room).await {
            Ok(_) => {
                self.viewers[v].present = false;
                self.summary.leaves += 1;
                tracing::debug!(room = %self.room, user = %self.viewers[v].user, "left");
                if let Some(back) = back_after_ms {
                    self.push(self.now + back, What::Rejoin(v));
                }
                Ok(())
            }
            Err(e) => self.refused("leave", e),
        }
    }

    pub(super) async fn arrival(&mut self) -> Result<(), SimError> {
        self.schedule_arrival();
        let spend = self.scenario.audience.spend;
        let eligible: Vec<(usize, u32)> = self
            .viewers
            .iter()
            .enumerate()
            .filter(|(_, v)| v.present && !v.leaving)
            .map(|(i, v)| (i, spend.get(v.tier)))
            .collect();
        let Some(v) = pick(&mut self.audience, &eligible) else {
            return Ok(());
        };
        let p = &self.scenario.purchases;
        let kinds = [
            (Kind::Instant, p.instant),
            (Kind::Queued, p.queued),
            (Kind::Private, p.private_request),
        ];
        let kind = pick(&mut self.audience, &kinds).unwrap_or(Kind::Queued);
        let offer = match kind {
            Kind::Instant => cheaper_first(&mut self.audience, catalog::instant_offers()),
            Kind::Private => {
                let all = catalog::private_requests();
                &all[self.audience.random_range(0..all.len())]
            }
            Kind::Queued => {
                let subscriber = self.viewers[v].subscriber;
                let menus: Vec<&'static Menu> = catalog::queued_menus(subscriber).collect();
                let menu = menus[self.audience.random_range(0..menus.len())];
                cheaper_first(&mut self.audience, &menu.items)
            }
        };
        // Every follow-up is drawn now, whatever the answer, so the draws
        // stay in step with the seed.
        let (p, c) = (&self.scenario.purchases, &self.scenario.churn);
        let rng = &mut self.audience;
        let retry = rng
            .random_bool(p.timeout_retry.0)
            .then(|| span_ms(rng, p.retry_after_s));
        let top_up = rng
            .random_bool(p.top_up.0)
            .then(|| span_ms(rng, p.top_up_after_s));
        let conflict = rng
            .random_bool(p.key_conflict.0)
            .then(|| span_ms(rng, p.retry_after_s));
        let leave = rng
            .random_bool(c.leave_before_turn.0)
            .then(|| span_ms(rng, c.leave_after_s));
        let disconnect = rng.random_bool(c.disconnect.0).then(|| {
            (
                span_ms(rng, c.leave_after_s),
                span_ms(rng, c.disconnect_s).max(1),
            )
        });
        let dispute = rng
            .random_bool(c.dispute.0)
            .then(|| (span_ms(rng, c.dispute_after_s), rng.random_bool(0.5)));

        let n = self.purchases.len();
        let key = format!("{}-p{n}", self.prefix);
        let stamp = self.client_stamp();
        let viewer = &self.viewers[v];
        let prepared = self.shop.prepare(&Purchase {
            user: viewer.user.as_str(),
            display_name: &viewer.name,
            offer,
            instant: kind == Kind::Instant,
            private_request: kind == Kind::Private,
            key: &key,
            client_stamp: &stamp,
        });
        tracing::debug!(room = %self.room, user = %viewer.user, key = %key, item = %offer.id, "purchase");
        let outcome = self.send_purchase(&prepared).await?;
        if let Ok(reply) = &outcome {
            if kind == Kind::Private {
                self.summary.private_requests += 1;
            }
            if let Some(item) = reply.item() {
                self.items.insert(item, (offer.duration_ms, offer.tokens));
                self.points.buyers.insert(item, v);
            }
        }
        let accepted = outcome.is_ok();
        let dry = outcome.as_ref().err() == Some(&ErrorCode::InsufficientFunds);
        self.purchases.push(PurchaseRecord {
            viewer: v,
            offer,
            prepared,
            outcome,
        });
        let now = self.now;
        if accepted {
            if let Some(after) = retry {
                self.push(now + after, What::Retry(n));
            }
            if let Some(after) = conflict {
                self.push(now + after, What::Conflict(n));
            }
            if kind != Kind::Instant
                && let Some((after, partial)) = dispute
            {
                self.push(
                    now + after,
                    What::Dispute {
                        purchase: n,
                        partial,
                    },
                );
            }
            if kind != Kind::Instant
                && let Some(after) = leave
            {
                self.viewers[v].leaving = true;
                self.push(
                    now + after,
                    What::Leave {
                        viewer: v,
                        back_after_ms: None,
                    },
                );
            } else if let Some((after, away)) = disconnect {
                self.push(
                    now + after,
                    What::Leave {
                        viewer: v,
                        back_after_ms: Some(away),
                    },
                );
            }
        } else if dry && let Some(after) = top_up {
            self.push(now + after, What::TopUp(n));
        }
        Ok(())
    }

    /// Send a purchase and count the answer: accepted (`Ok`) or refused
    /// with an error code (`Err`).
    pub(super) async fn send_purchase(
        &mut self,
        prepared: &Prepared,
    ) -> Result<Result<Reply, ErrorCode>, SimError> {
        match self.shop.send(prepared).await {
            Ok(reply) => {
                match reply {
                    Reply::Queued { .. } => self.summary.intakes += 1,
                    Reply::Settled { .. } => self.summary.instant += 1,
                    _ => {}
                }
                Ok(Ok(reply))
            }
            Err(ClientError::Api { status, error }) if status < 500 && status != 401 => {
                self.summary.rejected += 1;
                if error.code == ErrorCode::InsufficientFunds {
                    self.summary.insufficient += 1;
                }
                tracing::debug!(room = %self.room, key = %prepared.key, code = %error.code, "purchase refused");
                Ok(Err(error.code))
            }
            Err(e) => Err(failed(&self.server, "posting a purchase", e)),
        }
    }

    /// The client timed out on an accepted purchase and sends it again, same
    /// key, same bytes: the answer must be the original one and the wallet
    /// must not move.
    pub(super) async fn retry(&mut self, p: usize) -> Result<(), SimError> {
        let record = &self.purchases[p];
        let Ok(original) = record.outcome.clone() else {
            return Ok(());
        };
        let user = self.viewers[record.viewer].user.clone();
        let prepared = record.prepared.clone();
        let before = self.balance(&user).await?;
        let again = self.shop.send(&prepared).await;
        let after = self.balance(&user).await?;
        self.summary.retries += 1;
        match again {
            Ok(reply) if reply == original => {}
            Ok(reply) => {
                self.summary.anomalies += 1;
                tracing::warn!(room = %self.room, key = %prepared.key, ?original, ?reply, "a retry got a different answer");
            }
            Err(ClientError::Api { error, .. }) => {
                self.summary.anomalies += 1;
                tracing::warn!(room = %self.room, key = %prepared.key, code = %error.code, "a retry of an accepted purchase was refused");
            }
            Err(e) => return Err(failed(&self.server, "retrying a purchase", e)),
        }
        // Only a charge takes tokens out of a wallet; a server timer may
        // put some back (an auto-refund), never take them.
        if after < before {
            self.summary.anomalies += 1;
            tracing::warn!(room = %self.room, key = %prepared.key, before, after, "a retry charged the wallet again");
        }
        Ok(())
    }

    /// A viewer refused for insufficient funds tops up and sends the same
    /// purchase again with the same key: refusals are not remembered, so
    /// the server weighs it afresh.
    pub(super) async fn top_up(&mut self, p: usize) -> Result<(), SimError> {
        let record = &self.purchases[p];
        let user = self.viewers[record.viewer].user.clone();
        let amount = record.offer.tokens * 3;
        let key = format!("{}-top", record.prepared.key);
        let prepared = record.prepared.clone();
        let offer = record.offer;
        self.admin
            .mint(user.as_str(), amount, Some(&key))
            .await
            .map_err(|e| failed(&self.server, "topping up a wallet", e))?;
        self.summary.minted += amount;
        self.summary.top_ups += 1;
        let outcome = self.send_purchase(&prepared).await?;
        if let Some(item) = outcome.as_ref().ok().and_then(Reply::item) {
            self.items.insert(item, (offer.duration_ms, offer.tokens));
            self.points.buyers.insert(item, self.purchases[p].viewer);
        }
        self.purchases[p].outcome = outcome;
        Ok(())
    }

    /// A buggy client reuses an accepted purchase's key for a different
    /// purchase: the server must refuse it.
    pub(super) async fn conflict(&mut self, p: usize) -> Result<(), SimError> {
        let record = &self.purchases[p];
        let viewer = &self.viewers[record.viewer];
        let stamp = self.client_stamp();
        let prepared = self.shop.prepare_conflicting(&Purchase {
            user: viewer.user.as_str(),
            display_name: &viewer.name,
            offer: record.offer,
            instant: record.prepared.instant,
            private_request: false,
            key: &record.prepared.key,
            client_stamp: &stamp,
        });
        self.summary.conflicts += 1;
        match self.send_purchase(&prepared).await? {
            Err(ErrorCode::IdempotencyConflict) => {}
            Err(code) => {
                tracing::info!(room = %self.room, key = %prepared.key, code = %code, "a reused key was refused for another reason");
            }
            Ok(_) => {
                self.summary.anomalies += 1;
                tracing::warn!(room = %self.room, key = %prepared.key, "a reused key was accepted for a different purchase");
            }
        }
        Ok(())
    }

    /// A viewer disputes a queued purchase; support (the admin token)
    /// refunds it with reason `dispute`, half or all of it.
    pub(super) async fn dispute(&mut self, p: usize, partial: bool) -> Result<(), SimError> {
        let record = &self.purchases[p];
        let Some(item) = record.outcome.as_ref().ok().and_then(Reply::item) else {
            return Ok(());
        };
        let cost = record.offer.tokens;
        let amount = (partial && cost >= 2).then_some(cost / 2);
        let key = format!("{}-d{}", self.prefix, self.disputes_sent);
        self.disputes_sent += 1;
        self.summary.disputes += 1;
        match self
            .admin
            .refund(&self.room, item, amount, RefundReason::Dispute, None, &key)
            .await
        {
            Ok(_) => {
                self.summary.refunds += 1;
                Ok(())
            }
            Err(e) => self.refused("dispute refund", e),
        }
    }
}

/// Pick an offer, cheaper ones more often (weight 1000 / price).
fn cheaper_first(rng: &mut StdRng, offers: &'static [Offer]) -> &'static Offer {
    let weights: Vec<(usize, u32)> = offers
        .iter()
        .enumerate()
        .map(|(i, o)| (i, (1000 / o.tokens.max(1)).max(1) as u32))
        .collect();
    &offers[pick(rng, &weights).unwrap_or(0)]
}
