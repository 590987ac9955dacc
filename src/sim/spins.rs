//! Viewers who spin the room's slot machine and spin wheel: at every tier,
//! some again inside their cooldown (refused, counted), some retrying a
//! spin with the same key (the same spin comes back, counted). Every spin
//! pins the commitment the spinners last read (`expectedCommitment`); a
//! spin refused because the seed rotated since is counted, and spun again
//! under the new commitment. One request at a time, drawn from the seed;
//! `pause_ms` between spins on the wall clock (0 for tests). A game the
//! room lacks is configured from the shipped template first.

use rand::RngExt;
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::sync::watch;

use super::SimError;
use super::runner::{create_token, failed, stream};
use crate::client::{RestClient, ServerList};
use crate::domain::{RoomId, UserId};
use crate::games::GameKind;

/// What the spinners do.
#[derive(Clone)]
pub struct SpinOptions {
    pub server: ServerList,
    pub room: String,
    /// An admin token.
    pub token: String,
    pub viewers: u32,
    /// Spins to attempt; `None` until cancelled.
    pub spins: Option<u64>,
    pub seed: u64,
    pub pause_ms: u64,
    /// Prefix of every user id and key.
    pub tag: String,
}

/// What the spinners saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpinSummary {
    /// Spins accepted (charged and queued), by tier 1..=3.
    pub spins: u64,
    pub by_tier: [u64; 3],
    /// Spins refused because the viewer was cooling down.
    pub cooldown_refused: u64,
    /// Retries with the same key that answered the original spin.
    pub retries_same: u64,
    /// Retries that did not (a bug if ever above 0).
    pub retries_different: u64,
    /// Spins refused because the seed rotated after the spinner read its
    /// commitment (each spun again under the new one).
    pub commitment_changed: u64,
    /// Other refusals (not live, no funds, ...).
    pub other_refused: u64,
}

impl SpinSummary {
    pub fn line(&self) -> String {
        format!(
            "spins={} tiers={}/{}/{} cooldown_refused={} retries_same={} retries_different={} commitment_changed={} other_refused={}",
            self.spins,
            self.by_tier[0],
            self.by_tier[1],
            self.by_tier[2],
            self.cooldown_refused,
            self.retries_same,
            self.retries_different,
            self.commitment_changed,
            self.other_refused
        )
    }
}

/// One spin's answer: the spin id when accepted, else the error code.
enum Answer {
    Spun(String),
    Refused(String),
}

/// One room's game as the spinners know it.
struct Spun {
    game: GameKind,
    tiers: u8,
    /// The commitment last read from the public fairness page.
    commitment: String,
}

async fn commitment(client: &RestClient, room: &str, game: GameKind) -> Result<String, SimError> {
    let path = format!("/api/v1/rooms/{room}/games/{game}/fairness?limit=1");
    let server = client.server().to_string();
    let (status, page) = client
        .raw(Method::GET, &path, None, None)
        .await
        .map_err(|e| failed(&server, &format!("reading the {game}'s commitment"), e))?;
    match page["commitment"].as_str() {
        Some(c) if status == StatusCode::OK => Ok(c.to_string()),
        _ => Err(SimError::Usage(format!(
            "reading the {game}'s commitment: {page}"
        ))),
    }
}

/// Spin with the commitment last read; when the seed rotated since, read
/// the new commitment and spin again (counted).
async fn spin(
    client: &RestClient,
    room: &str,
    spun: &mut Spun,
    key: &str,
    tier: u8,
    name: &str,
    summary: &mut SpinSummary,
) -> Result<Answer, SimError> {
    let server = client.server().to_string();
    let path = format!("/api/v1/rooms/{room}/games/{}/spin", spun.game);
    loop {
        let body = serde_json::to_vec(&json!({
            "tier": tier, "displayName": name, "expectedCommitment": spun.commitment
        }))
        .ok();
        let (status, answer) = client
            .raw(Method::POST, &path, Some(key), body)
            .await
            .map_err(|e| failed(&server, "spinning", e))?;
        if status == StatusCode::OK {
            return Ok(Answer::Spun(
                answer["spinId"].as_str().unwrap_or_default().to_string(),
            ));
        }
        let code = answer["code"].as_str().unwrap_or("unknown").to_string();
        if code != "commitment_changed" {
            return Ok(Answer::Refused(code));
        }
        summary.commitment_changed += 1;
        spun.commitment = commitment(client, room, spun.game).await?;
    }
}

/// The tier count of the room's game (configured and offered while live), configuring it from the shipped
/// template when the room has none.
pub async fn ensure_game(admin: &RestClient, room: &str, game: GameKind) -> Result<u8, SimError> {
    let server = admin.server().to_string();
    let path = format!("/api/v1/rooms/{room}/games/{game}");
    let read = |e| failed(&server, &format!("reading the {game}"), e);
    let (status, mut view) = admin
        .raw(Method::GET, &path, None, None)
        .await
        .map_err(read)?;
    if status != StatusCode::OK {
        let config = crate::games::templates::default_for(game)
            .map(|mut c| {
                c.version = 0;
                c
            })
            .ok_or_else(|| SimError::Usage(format!("no shipped {game} template")))?;
        let body = serde_json::to_vec(&config).ok();
        let (status, saved) = admin
            .raw(Method::PUT, &path, None, body)
            .await
            .map_err(|e| failed(&server, &format!("configuring the {game}"), e))?;
        if status != StatusCode::OK {
            return Err(SimError::Usage(format!("configuring the {game}: {saved}")));
        }
        view = saved;
    }
    let tiers = view["config"]["tiers"].as_array().map_or(1, Vec::len);
    Ok(u8::try_from(tiers).unwrap_or(1).max(1))
}

/// Spin until `options.spins` attempts are made or `cancel` says stop.
pub async fn run(
    options: SpinOptions,
    mut cancel: watch::Receiver<bool>,
) -> Result<SpinSummary, SimError> {
    let server = options.server.to_string();
    let admin = RestClient::new(options.server.clone(), &options.token);
    let room = RoomId::new(options.room.as_str());
    let mut viewers = Vec::new();
    for v in 0..options.viewers.max(1) {
        let user = UserId::new(format!("{}-spinner{v}", options.tag));
        admin
            .mint(user.as_str(), 1_000_000, Some(&format!("{user}-mint")))
            .await
            .map_err(|e| failed(&server, "minting a spinner's tokens", e))?;
        let token = create_token(&admin, &server, "viewer", None, Some(&user)).await?;
        viewers.push(RestClient::new(options.server.clone(), token));
    }
    let mut games = Vec::new();
    for game in [GameKind::SlotMachine, GameKind::SpinWheel] {
        let tiers = ensure_game(&admin, room.as_str(), game).await?;
        let commitment = commitment(&admin, room.as_str(), game).await?;
        games.push(Spun {
            game,
            tiers,
            commitment,
        });
    }
    let mut rng = stream(options.seed, 0x5350_494e);
    let mut summary = SpinSummary::default();
    let mut n = 0u64;
    while options.spins.is_none_or(|max| n < max) && !*cancel.borrow() {
        let v = rng.random_range(0..viewers.len());
        let (viewer, name) = (&viewers[v], format!("LuckySpinner{v}"));
        let spun = &mut games[rng.random_range(0..2)];
        let tier = rng.random_range(1..=spun.tiers);
        let key = format!("{}-spin{n}", options.tag);
        n += 1;
        let room = room.as_str();
        match spin(viewer, room, spun, &key, tier, &name, &mut summary).await? {
            Answer::Spun(id) => {
                summary.spins += 1;
                summary.by_tier[usize::from(tier - 1).min(2)] += 1;
                if rng.random_bool(0.3) {
                    match spin(viewer, room, spun, &key, tier, &name, &mut summary).await? {
                        Answer::Spun(again) if again == id => summary.retries_same += 1,
                        _ => summary.retries_different += 1,
                    }
                }
                if rng.random_bool(0.3) {
                    let again = format!("{key}-again");
                    match spin(viewer, room, spun, &again, tier, &name, &mut summary).await? {
                        Answer::Spun(_) => {
                            summary.spins += 1;
                            summary.by_tier[usize::from(tier - 1).min(2)] += 1;
                        }
                        Answer::Refused(code) if code == "cooldown" => {
                            summary.cooldown_refused += 1
                        }
                        Answer::Refused(_) => summary.other_refused += 1,
                    }
                }
            }
            Answer::Refused(code) if code == "cooldown" => summary.cooldown_refused += 1,
            Answer::Refused(_) => summary.other_refused += 1,
        }
        if options.pause_ms > 0 {
            let pause = std::time::Duration::from_millis(options.pause_ms);
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                _ = cancel.changed() => {}
            }
        }
    }
    Ok(summary)
}
