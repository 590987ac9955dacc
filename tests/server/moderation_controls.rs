//! Moderation's controls over the real API: pauses, each kill switch, a ban
//! racing purchases, and a menu purchase refused by a ban, a pause and the
//! switch. Money is conserved after every step.

use super::moderation::*;
use crate::support::*;
use cuedeck::client::{LogQuery, RestClient};
use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::{
    BanReason, ItemId, ItemState, ModerationAction, RefundReason, Reply, Source, Switch,
};
use cuedeck::protocol::{BanScope, CreateToken, ErrorCode};
use cuedeck::server::ServerConfig;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_paused_room_takes_nothing_new_but_its_queue_goes_on() {
    let t = TestServer::start().await;
    let first = t.intake("u1", "p1", 10).await;
    let second = t.intake("u2", "p2", 10).await;
    let performer = t.client(&t.tokens.performer);
    performer
        .pause(&ROOM.into(), Some("back in 5"))
        .await
        .unwrap();
    assert!(performer.snapshot(&ROOM.into()).await.unwrap().paused);
    assert_eq!(
        intake_code(&t, payload("u3", "while-paused", 5), "while-paused").await,
        Err(ErrorCode::Paused)
    );
    let err = performer.pause(&ROOM.into(), None).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::AlreadyPaused));
    // Start, finish and refund go on.
    performer.start(&ROOM.into(), None, "s1").await.unwrap();
    performer.finish(&ROOM.into(), None, "f1").await.unwrap();
    performer
        .refund(
            &ROOM.into(),
            ItemId(second),
            None,
            RefundReason::Goodwill,
            None,
            "r1",
        )
        .await
        .unwrap();
    assert_eq!(item_state(&t, first).await.0, ItemState::Finished);
    assert_conserved(&t).await;

    t.client(&t.tokens.moderator)
        .resume(&ROOM.into())
        .await
        .unwrap();
    assert!(!performer.snapshot(&ROOM.into()).await.unwrap().paused);
    intake_code(&t, payload("u3", "after-resume", 5), "after-resume")
        .await
        .expect("resumed");
    let err = performer.resume(&ROOM.into()).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotPaused));
    let log = performer
        .moderation_log(&LogQuery {
            action: Some(ModerationAction::Pause),
            ..LogQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(log.entries.len(), 1);
    assert_eq!(log.entries[0].entry.note.note.as_deref(), Some("back in 5"));
    assert_conserved(&t).await;
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_kill_switch_refuses_what_it_names_and_only_that() {
    let mut config = ServerConfig::default();
    config.kill_switches.purchases = Some(true);
    let mut t = TestServer::start_with(config).await;
    let admin = t.client(ADMIN);

    // From the config: purchases and spins refused, other intakes taken.
    assert_eq!(
        intake_code(&t, payload("u1", "menu", 5), "menu").await,
        Err(ErrorCode::KillSwitchPurchases)
    );
    let spin = serde_json::to_vec(
        &PayloadBuilder::new(PERFORMER, "u1", "spin", 5)
            .source(Source::SpinWheel)
            .json(),
    )
    .unwrap();
    assert_eq!(
        intake_code(&t, spin, "spin").await,
        Err(ErrorCode::KillSwitchPurchases)
    );
    intake_code(&t, admin_payload("u1", "admin-item", 5), "admin-item")
        .await
        .expect("not a purchase");
    admin
        .set_switch(Switch::Purchases, false, Some("provider back"))
        .await
        .unwrap();
    intake_code(&t, payload("u1", "menu-2", 5), "menu-2")
        .await
        .expect("purchases again");

    admin.set_switch(Switch::Intakes, true, None).await.unwrap();
    assert_eq!(
        intake_code(&t, admin_payload("u1", "any", 5), "any").await,
        Err(ErrorCode::KillSwitchIntakes)
    );
    admin
        .set_switch(Switch::Intakes, false, None)
        .await
        .unwrap();

    admin.set_switch(Switch::Tokens, true, None).await.unwrap();
    let spec = CreateToken {
        role: "integration".into(),
        room: None,
        rooms: vec![],
        user: None,
        expires_at: None,
    };
    let err = admin.create_token(&spec).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::KillSwitchTokens));
    admin.set_switch(Switch::Tokens, false, None).await.unwrap();
    admin.create_token(&spec).await.expect("tokens again");

    admin.set_switch(Switch::Rooms, true, None).await.unwrap();
    let err = admin.create_room("r9", "p9").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::KillSwitchRooms));
    assert!(err.to_string().contains("`rooms`"), "{err}");
    assert_conserved(&t).await;

    // A switch set through the API survives a restart; the one the config
    // names is set back to the config's position at start.
    t.restart().await;
    let admin = t.client(ADMIN);
    let on: Vec<Switch> = admin
        .switches()
        .await
        .unwrap()
        .switches
        .into_iter()
        .filter(|s| s.on)
        .map(|s| s.switch)
        .collect();
    assert_eq!(on, vec![Switch::Purchases, Switch::Rooms]);
    let log = admin
        .moderation_log(&LogQuery {
            action: Some(ModerationAction::Switch),
            ..LogQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        log.entries.len(),
        8,
        "the config's, seven by the admin, the config's again after the restart"
    );
    for row in [log.entries.first().unwrap(), log.entries.last().unwrap()] {
        assert_eq!(row.entry.room, None);
        assert_eq!(row.entry.note.by.role, cuedeck::domain::Role::System);
        assert_eq!(row.entry.note.target.as_deref(), Some("purchases"));
    }
    assert_conserved(&t).await;
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ban_racing_purchases_never_leaves_one_charged_and_kept() {
    let t = TestServer::start().await;
    let url = t.url();
    let integration = t.tokens.integration.clone();
    let mut purchases = Vec::new();
    for n in 0..20 {
        let client = RestClient::new(url.clone(), integration.clone());
        purchases.push(tokio::spawn(async move {
            let key = format!("race-{n}");
            client
                .intake(&ROOM.into(), &payload("u3", &key, 10), &key, false)
                .await
        }));
    }
    let moderator = t.client(&t.tokens.moderator);
    let ban = moderator
        .ban(
            &ROOM.into(),
            &ban_request("u3", BanScope::Room, BanReason::Fraud),
            None,
        )
        .await
        .unwrap();
    let mut accepted = 0;
    for purchase in purchases {
        match purchase.await.unwrap() {
            Ok(reply) => {
                accepted += 1;
                let item = reply.item().unwrap().0;
                assert_eq!(
                    item_state(&t, item).await,
                    (ItemState::Refunded, Some(RefundReason::Moderation)),
                    "taken before the ban, so refunded by it"
                );
            }
            Err(err) => assert_eq!(err.code(), Some(ErrorCode::Banned)),
        }
    }
    let Reply::Banned { refunded, .. } = ban else {
        panic!("{ban:?}")
    };
    assert_eq!(refunded, accepted);
    assert_eq!(
        t.client(ADMIN).balance(&"u3".into()).await.unwrap().tokens,
        10_000,
        "nothing charged and kept"
    );
    assert_conserved(&t).await;
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_menu_purchase_is_refused_by_a_ban_a_pause_and_the_switch_and_charges_nothing() {
    use cuedeck::menus::api::PurchaseBody;
    use cuedeck::menus::client::MenuClient;
    let t = TestServer::start().await;
    let menu: cuedeck::menus::MenuSpec = serde_json::from_value(json!({
        "name": "Quick Fun",
        "queueMode": "on",
        "items": [{"title": "Wink", "baseTokens": 5}]
    }))
    .unwrap();
    MenuClient::new(t.client(&t.tokens.performer))
        .create(&ROOM.into(), &menu)
        .await
        .unwrap();
    let viewer = MenuClient::new(t.client(&t.tokens.viewer));
    let buy = |key: &'static str| {
        let viewer = &viewer;
        async move {
            viewer
                .purchase(&ROOM.into(), "m1", "m1-1", key, &PurchaseBody::default())
                .await
                .map(|receipt| receipt.price)
                .map_err(|e| e.code().unwrap_or(ErrorCode::Unrecognized))
        }
    };
    assert_eq!(buy("first").await, Ok(5));
    let wallet = || async { t.client(ADMIN).balance(&"u1".into()).await.unwrap().tokens };
    let before = wallet().await;

    let performer = t.client(&t.tokens.performer);
    performer.pause(&ROOM.into(), None).await.unwrap();
    assert_eq!(buy("paused").await, Err(ErrorCode::Paused));
    performer.resume(&ROOM.into()).await.unwrap();

    let admin = t.client(ADMIN);
    admin
        .set_switch(Switch::Purchases, true, None)
        .await
        .unwrap();
    assert_eq!(buy("switched").await, Err(ErrorCode::KillSwitchPurchases));
    admin
        .set_switch(Switch::Purchases, false, None)
        .await
        .unwrap();

    performer
        .ban(
            &ROOM.into(),
            &ban_request("u1", BanScope::Room, BanReason::Harassment),
            None,
        )
        .await
        .unwrap();
    assert_eq!(buy("banned").await, Err(ErrorCode::Banned));
    // The ban refunded the first purchase, which was waiting.
    assert_eq!(wallet().await, before + 5);
    assert_conserved(&t).await;
    t.stop().await;
}
