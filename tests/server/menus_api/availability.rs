//! Who is offered what, when: live-only, visibility, whitelist, hidden
//! items, and daily limits across UTC midnight.

use super::*;

#[tokio::test(flavor = "multi_thread")]
async fn menus_are_offered_and_sold_only_while_live() {
    let t = TestServer::start().await;
    let room2 = OTHER_ROOM.into();
    let p2 = menus(&t, &t.tokens.other_performer);
    p2.create(&room2, &quick()).await.unwrap();
    let viewer = menus(&t, &t.tokens.viewer);

    let offer = viewer.offer(&room2, None).await.unwrap();
    assert!(!offer.live && offer.menus.is_empty(), "{offer:?}");
    let err = viewer
        .purchase(&room2, "m1", "m1-1", "off-air", &PurchaseBody::default())
        .await
        .unwrap_err();
    assert_eq!(code(&err), ErrorCode::NotLive);
    assert!(err.to_string().contains("only during a broadcast"), "{err}");
    assert_eq!(wallet(&t, "u1").await.0, 10_000);

    let performer2 = t.client(&t.tokens.other_performer);
    performer2.broadcast(&room2, true).await.unwrap();
    let offer = viewer.offer(&room2, None).await.unwrap();
    assert!(offer.live);
    assert_eq!(offer.menus[0].items.len(), 2);
    let receipt = viewer
        .purchase(&room2, "m1", "m1-1", "on-air", &PurchaseBody::default())
        .await
        .unwrap();
    assert_eq!(receipt.price, 5);

    performer2.broadcast(&room2, false).await.unwrap();
    let err = viewer
        .purchase(&room2, "m1", "m1-1", "off-again", &PurchaseBody::default())
        .await
        .unwrap_err();
    assert_eq!(code(&err), ErrorCode::NotLive);
    assert!(viewer.offer(&room2, None).await.unwrap().menus.is_empty());
    assert_eq!(wallet(&t, "u1").await.0, 10_000 - 5);
    assert_conserved(&t, 30_000).await;
    t.stop().await;
}

/// Midnight UTC a few days from now, so the engine's clock only moves forward.
fn a_future_midnight() -> Stamp {
    let day = 24 * 3600 * 1_000_000i64;
    Stamp((Stamp::now().0.div_euclid(day) + 3) * day)
}

#[tokio::test(flavor = "multi_thread")]
async fn daily_limits_count_per_user_per_utc_day() {
    let clock = Clock::default();
    let config = ServerConfig {
        clock: clock.clone(),
        ..ServerConfig::default()
    };
    let mut t = TestServer::start_with(config).await;
    let room = ROOM.into();
    let p = menus(&t, &t.tokens.performer);
    p.create(
        &room,
        &spec(json!({"name": "Limited", "queueMode": "on", "items": [
            {"title": "Twice a day", "baseTokens": 10, "dailyLimit": 2},
            {"title": "Once a day", "baseTokens": 10, "dailyLimit": 1}
        ]})),
    )
    .await
    .unwrap();
    let u1 = menus(&t, &t.tokens.viewer);
    let u2 = menus(&t, &viewer_token(&t, "u2").await);
    let midnight = a_future_midnight();
    let remaining = |offer: &cuedeck::menus::Offer| {
        offer.menus[0]
            .items
            .iter()
            .map(|i| i.remaining_today)
            .collect::<Vec<_>>()
    };

    clock.set(Stamp(midnight.0 - 2_000_000)); // 23:59:58
    buy(&u1, "m1", "m1-1", "day1-a").await.unwrap();
    buy(&u1, "m1", "m1-1", "day1-b").await.unwrap();
    let err = buy(&u1, "m1", "m1-1", "day1-c").await.unwrap_err();
    assert_eq!(code(&err), ErrorCode::DailyLimitReached);
    assert!(
        err.to_string().contains(&midnight.to_string()),
        "says when it resets: {err}"
    );
    assert_eq!(
        remaining(&u1.offer(&room, None).await.unwrap()),
        [Some(0), Some(1)]
    );
    // Per user: u2 has its own count.
    buy(&u2, "m1", "m1-1", "u2-day1").await.unwrap();

    // Past midnight UTC, a new day.
    clock.set(Stamp(midnight.0 + 500_000)); // 00:00:00.5
    assert_eq!(
        remaining(&u1.offer(&room, None).await.unwrap()),
        [Some(2), Some(1)]
    );
    let receipt = buy(&u1, "m1", "m1-1", "day2-a").await.unwrap();
    let item = t
        .client(ADMIN)
        .audit(&room, receipt.queue_item)
        .await
        .unwrap();
    assert!(item.view.stamp >= midnight, "stamped by the server's clock");
    buy(&u1, "m1", "m1-1", "day2-b").await.unwrap();
    assert_eq!(
        code(&buy(&u1, "m1", "m1-1", "day2-c").await.unwrap_err()),
        ErrorCode::DailyLimitReached
    );

    // Two purchases at once cannot both pass a limit of 1.
    let mut racers = Vec::new();
    for i in 0..8 {
        let u1 = u1.clone();
        racers.push(tokio::spawn(async move {
            buy(&u1, "m1", "m1-2", &format!("race-{i}")).await
        }));
    }
    let mut won = 0;
    for racer in racers {
        match racer.await.unwrap() {
            Ok(_) => won += 1,
            Err(err) => assert_eq!(code(&err), ErrorCode::DailyLimitReached),
        }
    }
    assert_eq!(won, 1, "exactly one purchase passes a limit of 1");

    // A purchase refunded in full frees its place; the count survives a restart.
    let err = buy(&u1, "m1", "m1-2", "again").await.unwrap_err();
    assert_eq!(code(&err), ErrorCode::DailyLimitReached);
    let last = t.client(ADMIN).snapshot(&room).await.unwrap();
    let once = last
        .waiting
        .iter()
        .find(|i| i.action.menu_item_id.as_deref() == Some("m1-2"))
        .unwrap()
        .id;
    t.client(&t.tokens.performer)
        .refund(
            &room,
            once,
            None,
            RefundReason::Goodwill,
            None,
            "refund-once",
        )
        .await
        .unwrap();
    t.restart().await;
    let u1 = MenuClient::new(RestClient::new(t.url(), t.tokens.viewer.clone()));
    buy(&u1, "m1", "m1-2", "after-refund").await.unwrap();
    assert_eq!(
        code(&buy(&u1, "m1", "m1-2", "after-restart").await.unwrap_err()),
        ErrorCode::DailyLimitReached
    );
    assert_eq!(
        code(&buy(&u1, "m1", "m1-1", "day2-d").await.unwrap_err()),
        ErrorCode::DailyLimitReached
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn visibility_whitelist_and_hidden_items() {
    let t = TestServer::start().await;
    let room = ROOM.into();
    let p = menus(&t, &t.tokens.performer);
    p.create(&room, &energy()).await.unwrap(); // m1: public, m1-3 hidden
    p.create(
        &room,
        &spec(json!({"name": "VIP", "visibility": "subscribers_only", "items": [{"title": "VIP", "baseTokens": 50}]})),
    )
    .await
    .unwrap(); // m2
    p.create(
        &room,
        &spec(json!({"name": "Secret", "visibility": "private", "whitelist": ["u2"], "items": [{"title": "S", "baseTokens": 30}]})),
    )
    .await
    .unwrap(); // m3
    let u1 = menus(&t, &t.tokens.viewer);
    let u2 = menus(&t, &viewer_token(&t, "u2").await);
    let names = |offer: cuedeck::menus::Offer| {
        offer
            .menus
            .iter()
            .map(|m| m.name.clone())
            .collect::<Vec<_>>()
    };

    assert_eq!(
        names(u1.offer(&room, None).await.unwrap()),
        ["Private Energy"]
    );
    assert_eq!(
        names(u2.offer(&room, None).await.unwrap()),
        ["Private Energy", "Secret"]
    );
    let offered = u1.offer(&room, None).await.unwrap();
    assert!(
        offered.menus[0].items.iter().all(|i| i.id != "m1-3"),
        "hidden items are not offered"
    );
    assert_eq!(
        code(&buy(&u1, "m1", "m1-3", "hidden").await.unwrap_err()),
        ErrorCode::UnknownMenuItem
    );
    assert_eq!(
        code(&buy(&u1, "m9", "m9-1", "nomenu").await.unwrap_err()),
        ErrorCode::UnknownMenu
    );

    let err = buy(&u1, "m2", "m2-1", "vip-1").await.unwrap_err();
    assert_eq!(code(&err), ErrorCode::MenuRestricted);
    assert!(err.to_string().contains("subscribers"), "{err}");
    assert_eq!(
        code(&buy(&u1, "m3", "m3-1", "secret-1").await.unwrap_err()),
        ErrorCode::MenuRestricted
    );
    assert_eq!(buy(&u2, "m3", "m3-1", "secret-2").await.unwrap().price, 30);

    // The performer marks u1 as a subscriber.
    p.set_subscriber(&room, &"u1".into(), true).await.unwrap();
    assert_eq!(p.subscribers(&room).await.unwrap().users, ["u1".into()]);
    assert_eq!(
        names(u1.offer(&room, None).await.unwrap()),
        ["Private Energy", "VIP"]
    );
    assert_eq!(buy(&u1, "m2", "m2-1", "vip-2").await.unwrap().price, 50);
    p.set_subscriber(&room, &"u1".into(), false).await.unwrap();
    assert_eq!(
        code(&buy(&u1, "m2", "m2-1", "vip-3").await.unwrap_err()),
        ErrorCode::MenuRestricted
    );

    // Taking u2 off the whitelist closes the private menu to them.
    let mut secret = p.get(&room, "m3").await.unwrap().to_spec();
    secret.whitelist.clear();
    p.update(&room, "m3", &secret).await.unwrap();
    assert_eq!(
        code(&buy(&u2, "m3", "m3-1", "secret-3").await.unwrap_err()),
        ErrorCode::MenuRestricted
    );

    // The performer may preview what a viewer sees; a viewer only their own.
    let preview = p.offer(&room, Some(&"u2".into())).await.unwrap();
    assert_eq!(names(preview), ["Private Energy"]);
    assert_eq!(
        code(&u1.offer(&room, Some(&"u2".into())).await.unwrap_err()),
        ErrorCode::Forbidden
    );
    assert_eq!(wallet(&t, "u1").await.0, 10_000 - 50);
    assert_eq!(wallet(&t, "u2").await.0, 10_000 - 30);
    t.stop().await;
}
