//! Setting up a simulated room through the admin API: the room, the
//! tokens, the audience and its wallets, the subscriber list.

use crate::protocol::ErrorCode;
use std::collections::{BinaryHeap, HashMap};

use rand::RngExt;

use super::timeline::*;
use super::*;
use crate::client::{ClientError, RestClient};
use crate::domain::{RoomId, Tier, UserId};
use crate::menus::client::{MenuClient, MenuClientError};
use crate::protocol::CreateToken;
use crate::sim::catalog::{self};
use crate::sim::shop::Shop;
use crate::sim::{SimError, SimOptions, Summary};

impl Sim {
    pub(super) async fn setup(options: SimOptions) -> Result<Self, SimError> {
        let server = options.server.to_string();
        let admin = RestClient::new(options.server.clone(), options.token.clone());
        admin.health().await.map_err(|e| unreachable(&server, e))?;
        let room = RoomId::new(options.room.as_str());
        let prefix = prefix(&options);

        let wanted_performer = format!("perf-{}", options.room);
        let performer_id = match admin.create_room(room.as_str(), &wanted_performer).await {
            Ok(_) => {
                tracing::info!(room = %room, performer = %wanted_performer, "room created");
                wanted_performer
            }
            Err(e) if e.code() == Some(ErrorCode::RoomExists) => {
                let snapshot = admin
                    .snapshot(&room)
                    .await
                    .map_err(|e| failed(&server, "reading the existing room", e))?;
                tracing::info!(room = %room, performer = %snapshot.performer, "room exists");
                snapshot.performer
            }
            Err(e) => return Err(failed(&server, "creating the room", e)),
        };

        let integration = create_token(&admin, &server, "integration", None, None).await?;
        let performer = if options.performer {
            let token = create_token(&admin, &server, "performer", Some(&room), None).await?;
            Some(RestClient::new(options.server.clone(), token))
        } else {
            None
        };
        match admin.broadcast(&room, true).await {
            Ok(_) => {}
            Err(e) if e.code() == Some(ErrorCode::AlreadyLive) => {}
            Err(e) => return Err(failed(&server, "starting the broadcast", e)),
        }

        let scenario = options.scenario.clone();
        let mut setup = stream(options.seed, 1);
        let tier_weights: Vec<(Tier, u32)> = TIERS
            .iter()
            .map(|t| (*t, scenario.audience.tiers.get(*t)))
            .collect();
        let mut viewers = Vec::with_capacity(options.viewers as usize);
        let mut minted = 0;
        for i in 0..options.viewers as usize {
            let tier = pick(&mut setup, &tier_weights).unwrap_or(Tier::Free);
            let wallet = scenario.audience.wallets.get(tier);
            let amount = setup.random_range(wallet.0..=wallet.1);
            let (adjectives, nouns) = catalog::NAME_PARTS;
            let name = format!(
                "{}{}{}",
                adjectives[setup.random_range(0..adjectives.len())],
                nouns[setup.random_range(0..nouns.len())],
                i
            );
            let user = UserId::new(format!("{prefix}-v{i}"));
            let token = create_token(&admin, &server, "viewer", None, Some(&user)).await?;
            if amount > 0 {
                admin
                    .mint(user.as_str(), amount, Some(&format!("{prefix}-mint-v{i}")))
                    .await
                    .map_err(|e| failed(&server, "minting a wallet", e))?;
                minted += amount;
            }
            viewers.push(Viewer {
                user,
                name,
                tier,
                subscriber: false,
                client: RestClient::new(options.server.clone(), token.clone()),
                token,
                present: false,
                leaving: false,
            });
        }
        subscribe_some(&admin, &server, &room, &mut viewers, options.seed).await?;
        tracing::info!(room = %room, viewers = viewers.len(), minted, "audience ready");

        let points_client = RestClient::new(options.server.clone(), integration.clone());
        let shop = Shop::Intake {
            client: RestClient::new(options.server.clone(), integration),
            room: room.clone(),
            performer: performer_id.clone(),
        };
        let mut sim = Sim {
            room,
            prefix,
            rate_per_min: options.rate_per_min,
            pace: options.pace,
            seconds: options.seconds,
            server,
            admin,
            performer,
            shop,
            viewers,
            audience: stream(options.seed, 2),
            acting: stream(options.seed, 3),
            tipping: stream(options.seed, 11),
            inbox: options.inbox.then(|| stream(options.seed, 13)),
            url: options.server.clone(),
            tips_sent: 0,
            heap: BinaryHeap::new(),
            next_seq: 0,
            now: 0,
            purchases: Vec::new(),
            items: HashMap::new(),
            live: true,
            performer_actions: 0,
            disputes_sent: 0,
            summary: Summary {
                viewers: u64::from(options.viewers),
                minted,
                ..Summary::default()
            },
            scenario,
            points: super::points::PointsPlay::new(
                points_client,
                stream(options.seed, 12),
                options.viewers as usize,
            ),
        };
        sim.setup_points(&performer_id).await?;
        for v in 0..sim.viewers.len() {
            let at = span_ms(&mut sim.audience, sim.scenario.audience.arrival_s);
            sim.push(at, What::Join(v));
        }
        sim.schedule_arrival();
        sim.start_tipping().await?;
        if sim.performer.is_some() {
            let at = span_ms(&mut sim.acting, sim.scenario.performer.pause_s);
            sim.push(at, What::PerformerNext);
            sim.schedule_drop();
        }
        Ok(sim)
    }
}

/// The share of viewers the simulator puts on the room's subscriber list.
const SUBSCRIBER_SHARE: f64 = 0.3;

/// Put a seeded share of the viewers on the room's subscriber list through
/// the API, then read the list back: it alone says who may buy from a
/// subscribers-only menu.
async fn subscribe_some(
    admin: &RestClient,
    server: &str,
    room: &RoomId,
    viewers: &mut [Viewer],
    seed: u64,
) -> Result<(), SimError> {
    let menus = MenuClient::new(admin.clone());
    let mut draws = stream(seed, 7);
    for viewer in viewers.iter() {
        if draws.random_bool(SUBSCRIBER_SHARE) {
            menus
                .set_subscriber(room, &viewer.user, true)
                .await
                .map_err(|e| menu_failed(server, "adding a subscriber", e))?;
        }
    }
    let list = menus
        .subscribers(room)
        .await
        .map_err(|e| menu_failed(server, "reading the subscriber list", e))?;
    for viewer in viewers.iter_mut() {
        viewer.subscriber = list.users.contains(&viewer.user);
    }
    Ok(())
}

fn menu_failed(server: &str, what: &str, e: MenuClientError) -> SimError {
    let e = match e {
        MenuClientError::Client(e) => e,
        MenuClientError::Conflict(conflict) => ClientError::Api {
            status: 409,
            error: conflict.error(),
        },
    };
    failed(server, what, e)
}

pub(in crate::sim) async fn create_token(
    admin: &RestClient,
    server: &str,
    role: &str,
    room: Option<&RoomId>,
    user: Option<&UserId>,
) -> Result<String, SimError> {
    let spec = CreateToken {
        role: role.into(),
        room: room.cloned(),
        rooms: Vec::new(),
        user: user.cloned(),
        expires_at: None,
    };
    admin
        .create_token(&spec)
        .await
        .map(|created| created.token)
        .map_err(|e| failed(server, &format!("creating a {role} token"), e))
}
