//! What a purchase costs and becomes: rounding, queue mode on and off,
//! points on settle, idempotent retries, edits for future purchases only.

use super::*;

#[tokio::test(flavor = "multi_thread")]
async fn prices_round_half_up_at_0_50_and_150_percent() {
    let t = TestServer::start().await;
    let room = ROOM.into();
    let p = menus(&t, &t.tokens.performer);
    let viewer = menus(&t, &t.tokens.viewer);
    let bases = [1u64, 3, 25, 33, 99];
    let items: Vec<Value> = bases
        .iter()
        .map(|b| json!({"title": format!("base {b}"), "baseTokens": b}))
        .collect();
    let mut menu = p
        .create(
            &room,
            &spec(json!({"name": "Edges", "queueMode": "off", "items": items})),
        )
        .await
        .unwrap();
    let mut spent = 0;
    for (multiplier, expected) in [
        (0u16, [0u64, 0, 0, 0, 0]),
        (50, [1, 2, 13, 17, 50]),
        (150, [2, 5, 38, 50, 149]),
        (100, [1, 3, 25, 33, 99]),
    ] {
        let mut edit = menu.to_spec();
        edit.multiplier = multiplier;
        menu = p.update(&room, "m1", &edit).await.unwrap();
        let shown: Vec<u64> = menu.items.iter().map(|i| i.price).collect();
        assert_eq!(shown, expected, "performer's prices at {multiplier} %");
        let offered = viewer.offer(&room, None).await.unwrap();
        let offered: Vec<u64> = offered.menus[0].items.iter().map(|i| i.price).collect();
        let sellable: Vec<u64> = expected.iter().copied().filter(|p| *p > 0).collect();
        assert_eq!(offered, sellable, "offered prices at {multiplier} %");
        for (i, price) in expected.iter().enumerate() {
            let key = format!("edge-{multiplier}-{i}");
            let answer = buy(&viewer, "m1", &menu.items[i].id, &key).await;
            if *price == 0 {
                assert_eq!(code(&answer.unwrap_err()), ErrorCode::ZeroPrice);
            } else {
                let receipt = answer.unwrap();
                assert_eq!(receipt.price, *price);
                assert_eq!(receipt.menu_version, menu.version);
                spent += price;
            }
            assert_eq!(
                wallet(&t, "u1").await.0,
                10_000 - spent,
                "charged exactly the price"
            );
        }
    }
    assert_conserved(&t, 30_000).await;
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn queue_mode_on_queues_off_settles_at_once_and_points_come_on_settle() {
    let t = TestServer::start().await;
    let room = ROOM.into();
    let p = menus(&t, &t.tokens.performer);
    p.create(&room, &energy()).await.unwrap(); // m1, queue ON
    p.create(&room, &quick()).await.unwrap(); // m2, queue OFF
    let viewer = menus(&t, &t.tokens.viewer);
    t.client(&t.tokens.viewer)
        .join(&room, Tier::Vip)
        .await
        .unwrap();
    let admin = t.client(ADMIN);

    // OFF: an instant item, settled and its points credited at once.
    let instant = viewer
        .purchase(
            &room,
            "m2",
            "m2-1",
            "wink",
            &PurchaseBody {
                menu_version: Some(1),
                display_name: Some("LuckyStar".into()),
                ..PurchaseBody::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        instant.reply,
        Reply::Settled {
            item: instant.queue_item
        }
    );
    assert_eq!(
        (instant.state, instant.points_credited),
        (ItemState::Finished, true)
    );
    assert_eq!(wallet(&t, "u1").await, (10_000 - 5, 2));
    let snapshot = admin.snapshot(&room).await.unwrap();
    assert_eq!((snapshot.totals.earned, snapshot.totals.escrow), (5, 0));
    assert!(snapshot.waiting.is_empty(), "an instant item never waits");

    // ON: escrow and a queue item; no points until it settles.
    let queued = buy(&viewer, "m1", "m1-1", "dance").await.unwrap();
    assert!(
        matches!(queued.reply, Reply::Queued { position: 1, .. }),
        "{:?}",
        queued.reply
    );
    assert_eq!(
        (queued.state, queued.points_credited),
        (ItemState::Queued, false)
    );
    assert_eq!(wallet(&t, "u1").await, (10_000 - 5 - 60, 2));
    let snapshot = admin.snapshot(&room).await.unwrap();
    assert_eq!(snapshot.totals.escrow, 60);
    let view = &snapshot.waiting[0];
    assert_eq!(view.source.as_str(), "chip_menu");
    assert_eq!(view.action.menu_item_id.as_deref(), Some("m1-1"));
    assert_eq!(view.action.title.as_ref(), "Slow dance");
    assert_eq!(view.duration_ms, 120_000);
    assert_eq!(view.effects.len(), 1);
    assert_eq!(view.effects[0].intensity, Some(10));
    assert_eq!(view.loyalty_points, 5);
    assert_eq!(view.tier, Tier::Vip);
    assert!(
        view.source_event_id.starts_with("menu.m1.v1."),
        "{}",
        view.source_event_id
    );

    let performer = t.client(&t.tokens.performer);
    performer
        .start(&room, Some(queued.queue_item), "s1")
        .await
        .unwrap();
    assert_eq!(wallet(&t, "u1").await.1, 2, "not on start");
    performer
        .finish(&room, Some(queued.queue_item), "f1")
        .await
        .unwrap();
    assert_eq!(wallet(&t, "u1").await.1, 2 + 5, "credited on settle");
    // A retry answers with the original reply and now shows the settle.
    let again = buy(&viewer, "m1", "m1-1", "dance").await.unwrap();
    assert_eq!(again.reply, queued.reply);
    assert_eq!(
        (again.state, again.points_credited),
        (ItemState::Finished, true)
    );
    assert_eq!(wallet(&t, "u1").await.1, 7, "credited once");

    // A refunded purchase credits no points.
    let refunded = buy(&viewer, "m1", "m1-1", "dance-2").await.unwrap();
    performer
        .refund(
            &room,
            refunded.queue_item,
            None,
            RefundReason::Goodwill,
            None,
            "r1",
        )
        .await
        .unwrap();
    assert_eq!(wallet(&t, "u1").await, (10_000 - 5 - 60, 7));
    assert_conserved(&t, 30_000).await;
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn retries_are_idempotent_and_edits_apply_to_future_purchases_only() {
    let t = TestServer::start().await;
    let room = ROOM.into();
    let p = menus(&t, &t.tokens.performer);
    let menu = p.create(&room, &energy()).await.unwrap();
    let viewer = menus(&t, &t.tokens.viewer);

    let first = buy(&viewer, "m1", "m1-1", "k1").await.unwrap();
    assert_eq!(first.price, 60);
    // The performer raises prices and changes the effect mid-show.
    let mut edit = menu.to_spec();
    edit.multiplier = 150;
    edit.items[0].title = "Slower dance".into();
    edit.items[0].toy.as_mut().unwrap().intensity = Some(20);
    p.update(&room, "m1", &edit).await.unwrap();

    // A retry of the first purchase: same answer, charged once.
    let retry = buy(&viewer, "m1", "m1-1", "k1").await.unwrap();
    assert_eq!(retry, first);
    assert_eq!(wallet(&t, "u1").await.0, 10_000 - 60);
    // The same key for another item is a conflict.
    assert_eq!(
        code(&buy(&viewer, "m1", "m1-2", "k1").await.unwrap_err()),
        ErrorCode::IdempotencyConflict
    );
    // ... and for another user too.
    let u2 = menus(&t, &viewer_token(&t, "u2").await);
    assert_eq!(
        code(&buy(&u2, "m1", "m1-1", "k1").await.unwrap_err()),
        ErrorCode::IdempotencyConflict
    );

    // The queued item kept its price, title and effect.
    let queued = t
        .client(ADMIN)
        .audit(&room, first.queue_item)
        .await
        .unwrap();
    assert_eq!(queued.view.token_cost, 60);
    assert_eq!(queued.view.action.title.as_ref(), "Slow dance");
    assert_eq!(queued.view.effects[0].intensity, Some(10));
    // A new purchase pays the new price, with the new effect.
    let second = buy(&viewer, "m1", "m1-1", "k2").await.unwrap();
    assert_eq!((second.price, second.menu_version), (90, 2));
    let item = t
        .client(ADMIN)
        .audit(&room, second.queue_item)
        .await
        .unwrap();
    assert_eq!(item.view.effects[0].intensity, Some(20));
    assert_eq!(item.view.action.title.as_ref(), "Slower dance");

    // A viewer who says which version they saw is not charged a price they did not see.
    let err = viewer
        .purchase(
            &room,
            "m1",
            "m1-2",
            "k3",
            &PurchaseBody {
                menu_version: Some(1),
                display_name: None,
                ..PurchaseBody::default()
            },
        )
        .await
        .unwrap_err();
    let MenuClientError::Conflict(conflict) = err else {
        panic!("{err:?}")
    };
    assert_eq!((conflict.your_version, conflict.current_version), (1, 2));
    assert_eq!(conflict.field.as_deref(), Some("menuVersion"));
    assert!(
        conflict.current.is_none() && conflict.changes.is_empty(),
        "no performer details"
    );

    // Insufficient funds: refused, nothing moves.
    let u3 = menus(&t, &viewer_token(&t, "u3").await);
    let mut big = p.get(&room, "m1").await.unwrap().to_spec();
    big.items[1].base_tokens = 6_000; // 9,000 at 150 %
    p.update(&room, "m1", &big).await.unwrap();
    buy(&u3, "m1", "m1-2", "big-1").await.unwrap();
    let err = buy(&u3, "m1", "m1-2", "big-2").await.unwrap_err();
    assert_eq!(code(&err), ErrorCode::InsufficientFunds);
    assert_eq!(wallet(&t, "u3").await.0, 10_000 - 9_000);
    assert_conserved(&t, 30_000).await;
    t.stop().await;
}
