//! Loyalty points in a simulated room: the platform credits points when an
//! item the simulator bought is finished (an earn event per item), a viewer
//! with enough points now and then pays the room's reward item in points,
//! and the performer now and then awards a viewer in the room from an
//! allowance granted at setup. Its own random stream, so what the rest of
//! a run draws does not depend on it; deterministic per seed.

use std::collections::HashMap;

use rand::RngExt;
use rand::rngs::StdRng;
use reqwest::Method;
use serde_json::{Value, json};

use super::*;
use crate::client::RestClient;
use crate::domain::ItemId;

/// What the reward item costs in points.
const REWARD_POINTS: u64 = 20;
/// The performer's allowance, granted once at setup.
const ALLOWANCE: u64 = 1_000_000;
/// The share of finishes after which the buyer, with enough points,
/// redeems the reward item.
const REDEEM_SHARE: f64 = 0.3;
/// The share of finishes after which the performer awards someone.
const AWARD_SHARE: f64 = 0.25;

pub(super) struct PointsPlay {
    integration: RestClient,
    rng: StdRng,
    /// Who bought each item this run queued, by index into the viewers.
    pub buyers: HashMap<ItemId, usize>,
    /// What the simulator knows each viewer to hold.
    balances: Vec<u64>,
    /// The reward item's purchase path; none when no performer is simulated.
    reward: Option<String>,
    sent: u64,
}

impl PointsPlay {
    pub fn new(integration: RestClient, rng: StdRng, viewers: usize) -> Self {
        PointsPlay {
            integration,
            rng,
            buyers: HashMap::new(),
            balances: vec![0; viewers],
            reward: None,
            sent: 0,
        }
    }
}

/// The points an item of `tokens` earns when it settles.
fn earned_for(tokens: u64) -> u64 {
    tokens / 2 + 1
}

impl Sim {
    /// The reward menu (its item priced in points) and the performer's
    /// allowance, when the simulator plays the performer.
    pub(super) async fn setup_points(&mut self, performer_id: &str) -> Result<(), SimError> {
        let Some(performer) = self.performer.clone() else {
            return Ok(());
        };
        let menu = json!({"name": "Rewards", "queueMode": "on",
            "items": [{"title": "Shout-out", "baseTokens": 5, "pointsPrice": REWARD_POINTS}]});
        let path = format!("/api/v1/rooms/{}/menus", self.room);
        let made = call(&performer, Method::POST, &path, None, menu, &self.server).await?;
        let (Some(menu), Some(item)) = (made["id"].as_str(), made["items"][0]["id"].as_str())
        else {
            return Err(SimError::Usage(format!(
                "the server made no reward menu: {made}"
            )));
        };
        self.points.reward = Some(format!(
            "/api/v1/rooms/{}/menus/{menu}/items/{item}/purchase",
            self.room
        ));
        let grant = json!({"performer": performer_id, "amount": ALLOWANCE});
        call(
            &self.admin,
            Method::POST,
            "/api/v1/points/allowances",
            None,
            grant,
            &self.server,
        )
        .await?;
        Ok(())
    }

    /// After the performer finished `item`: its buyer earns, maybe redeems,
    /// and the performer maybe awards a viewer in the room.
    pub(super) async fn points_after_finish(&mut self, item: ItemId) -> Result<(), SimError> {
        if let (Some(&v), Some(&(_, tokens))) =
            (self.points.buyers.get(&item), self.items.get(&item))
        {
            let amount = earned_for(tokens);
            let earn = json!({"user": self.viewers[v].user, "amount": amount,
                "sourceEventId": format!("{}-settle-{}", self.prefix, item.0), "reason": "item_settled",
                "room": self.room});
            let client = self.points.integration.clone();
            if self
                .send_points(&client, "/api/v1/points/earn", None, earn)
                .await?
            {
                self.summary.points_earned += amount;
                self.points.balances[v] += amount;
            }
            let redeem = self.points.rng.random_bool(REDEEM_SHARE);
            if redeem && self.points.balances[v] >= REWARD_POINTS && self.viewers[v].present {
                self.redeem(v).await?;
            }
        }
        if self.points.rng.random_bool(AWARD_SHARE) {
            self.award().await?;
        }
        Ok(())
    }

    async fn redeem(&mut self, v: usize) -> Result<(), SimError> {
        let Some(path) = self.points.reward.clone() else {
            return Ok(());
        };
        let key = self.points_key('p');
        let client = self.viewers[v].client.clone();
        let body = json!({"payWith": "points"});
        if self.send_points(&client, &path, Some(&key), body).await? {
            self.summary.points_redeemed += REWARD_POINTS;
            self.summary.redeems += 1;
            self.points.balances[v] -= REWARD_POINTS;
        }
        Ok(())
    }

    async fn award(&mut self) -> Result<(), SimError> {
        let Some(performer) = self.performer.clone() else {
            return Ok(());
        };
        let present: Vec<usize> = (0..self.viewers.len())
            .filter(|&v| self.viewers[v].present)
            .collect();
        if present.is_empty() || !self.live {
            return Ok(());
        }
        let v = present[self.points.rng.random_range(0..present.len())];
        let amount = self.points.rng.random_range(5..=30u64);
        let key = self.points_key('a');
        let path = format!("/api/v1/rooms/{}/points/awards", self.room);
        let body =
            json!({"user": self.viewers[v].user, "amount": amount, "note": "thanks for coming"});
        if self
            .send_points(&performer, &path, Some(&key), body)
            .await?
        {
            self.summary.points_awarded += amount;
            self.points.balances[v] += amount;
        }
        Ok(())
    }

    fn points_key(&mut self, what: char) -> String {
        self.points.sent += 1;
        format!("{}-pt{what}{}", self.prefix, self.points.sent)
    }

    /// Whether the server took it; a refusal (a limit, a lock, a viewer
    /// gone) is counted with the other refusals and the run goes on.
    async fn send_points(
        &mut self,
        client: &RestClient,
        path: &str,
        key: Option<&str>,
        body: Value,
    ) -> Result<bool, SimError> {
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        match client.raw(Method::POST, path, key, Some(bytes)).await {
            Ok((status, _)) if status.is_success() => Ok(true),
            Ok((status, answer)) if status.as_u16() < 500 => {
                self.summary.other_refused += 1;
                tracing::info!(room = %self.room, path, code = %answer["code"], "points refused");
                Ok(false)
            }
            Ok((status, answer)) => Err(SimError::Usage(format!("{path}: {status} {answer}"))),
            Err(e) => Err(failed(&self.server, "a points request", e)),
        }
    }
}

async fn call(
    client: &RestClient,
    method: Method,
    path: &str,
    key: Option<&str>,
    body: Value,
    server: &str,
) -> Result<Value, SimError> {
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    match client.raw(method, path, key, Some(bytes)).await {
        Ok((status, answer)) if status.is_success() => Ok(answer),
        Ok((status, answer)) => Err(SimError::Usage(format!("{path}: {status} {answer}"))),
        Err(e) => Err(failed(server, path, e)),
    }
}
