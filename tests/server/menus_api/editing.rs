//! Editing menus: every change a version, and a change based on an old
//! version a conflict that says what changed.

use super::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_performer_edits_menus_and_every_change_is_a_version() {
    let t = TestServer::start().await;
    let p = menus(&t, &t.tokens.performer);
    let room = ROOM.into();

    let m = p.create(&room, &energy()).await.unwrap();
    assert_eq!((m.id.as_str(), m.version), ("m1", 1));
    let ids: Vec<&str> = m.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["m1-1", "m1-2", "m1-3"]);
    assert_eq!(m.items[0].price, 60);
    assert!(m.updated_by.starts_with("performer:"), "{}", m.updated_by);
    assert_eq!(p.get(&room, "m1").await.unwrap(), m);

    // A whole-menu update, based on version 1.
    let mut edited = m.to_spec();
    edited.multiplier = 80;
    edited.items[1].title = "Song of your choice".into();
    let v2 = p.update(&room, "m1", &edited).await.unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(v2.items[0].price, 48);
    // The same content again makes no new version.
    let mut same = v2.to_spec();
    same.version = Some(2);
    assert_eq!(p.update(&room, "m1", &same).await.unwrap().version, 2);

    // Item edits.
    let new_item = cuedeck::menus::ItemSpec {
        id: None,
        title: "Kiss".into(),
        description: String::new(),
        base_tokens: 7,
        bonus_points: 0,
        points_price: None,
        hidden: false,
        category: None,
        daily_limit: None,
        duration_hint_ms: None,
        toy: None,
    };
    let v3 = p
        .add_item(&room, "m1", 2, &new_item, Some(0))
        .await
        .unwrap();
    assert_eq!((v3.version, v3.items[0].id.as_str()), (3, "m1-4"));
    let mut hide = v3.items[1].to_spec();
    hide.hidden = true;
    let v4 = p.update_item(&room, "m1", 3, &hide).await.unwrap();
    assert!(v4.items[1].hidden);
    let v5 = p.delete_item(&room, "m1", "m1-2", 4).await.unwrap();
    assert_eq!(v5.items.len(), 3);
    let err = p.delete_item(&room, "m1", "m1-2", 5).await.unwrap_err();
    assert_eq!(code(&err), ErrorCode::UnknownMenuItem);

    // Reorder and auto-sort.
    let v6 = p
        .reorder(
            &room,
            "m1",
            5,
            &["m1-3".into(), "m1-1".into(), "m1-4".into()],
        )
        .await
        .unwrap();
    let order = |m: &MenuView| m.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
    assert_eq!(order(&v6), ["m1-3", "m1-1", "m1-4"]);
    let err = p
        .reorder(&room, "m1", 6, &["m1-3".into(), "m1-1".into()])
        .await
        .unwrap_err();
    assert_eq!(code(&err), ErrorCode::InvalidField);
    let by_price = p.sort(&room, "m1", 6, SortKey::Price, false).await.unwrap();
    assert_eq!(order(&by_price), ["m1-4", "m1-3", "m1-1"]);
    let by_title = p
        .sort(&room, "m1", by_price.version, SortKey::Title, false)
        .await
        .unwrap();
    let titles: Vec<&str> = by_title.items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["Ab", "Kiss", "Slow dance"]);
    let desc = p
        .sort(&room, "m1", by_title.version, SortKey::Price, true)
        .await
        .unwrap();
    assert_eq!(order(&desc), ["m1-1", "m1-3", "m1-4"]);

    // A second menu, a list, names unique per room, a delete.
    let q = p.create(&room, &quick()).await.unwrap();
    assert_eq!(q.id, "m2");
    let list = p.list(&room).await.unwrap();
    assert_eq!(list.menus.len(), 2);
    let err = p.create(&room, &quick()).await.unwrap_err();
    assert_eq!(code(&err), ErrorCode::InvalidField);
    let gone = p.delete(&room, "m2", 1).await.unwrap();
    assert_eq!((gone.deleted, gone.version), (true, 2));
    assert_eq!(
        code(&p.get(&room, "m2").await.unwrap_err()),
        ErrorCode::UnknownMenu
    );
    // Numbers are never reused.
    assert_eq!(p.create(&room, &quick()).await.unwrap().id, "m3");

    // Menus and versions survive a restart.
    let mut t = t;
    let before = p.list(&room).await.unwrap();
    t.restart().await;
    let p = menus(&t, &t.tokens.performer);
    assert_eq!(p.list(&room).await.unwrap(), before);
    assert_eq!(
        p.create(&room, &spec(json!({"name": "Later"})))
            .await
            .unwrap()
            .id,
        "m4"
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_of_an_old_version_is_a_conflict_that_says_what_changed() {
    let t = TestServer::start().await;
    let room = ROOM.into();
    let performer = menus(&t, &t.tokens.performer);
    let admin = menus(&t, ADMIN);
    let loaded = performer.create(&room, &energy()).await.unwrap();

    // The admin changes the multiplier and an item while the performer edits.
    let mut theirs = loaded.to_spec();
    theirs.multiplier = 120;
    theirs.items[1].base_tokens = 45;
    let current = admin.update(&room, "m1", &theirs).await.unwrap();
    assert_eq!(current.version, 2);

    let mut mine = loaded.to_spec();
    mine.name = "Energy".into();
    let err = performer.update(&room, "m1", &mine).await.unwrap_err();
    let MenuClientError::Conflict(conflict) = err else {
        panic!("expected a version conflict, got {err:?}");
    };
    assert_eq!(conflict.code, ErrorCode::VersionConflict);
    assert_eq!(conflict.field.as_deref(), Some("version"));
    assert_eq!((conflict.your_version, conflict.current_version), (1, 2));
    let paths: Vec<&str> = conflict.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["multiplier", "items[m1-2].baseTokens"]);
    assert!(
        conflict.message.contains("multiplier: 100 -> 120"),
        "{}",
        conflict.message
    );
    assert_eq!(conflict.history.len(), 1);
    assert_eq!(conflict.history[0].version, 2);
    assert!(conflict.history[0].by.starts_with("admin:"));
    assert_eq!(conflict.history[0].change, "update");
    assert_eq!(conflict.current.as_ref(), Some(&current));
    // Nothing changed; re-applying on the current version works.
    assert_eq!(performer.get(&room, "m1").await.unwrap(), current);
    let mut reapplied = current.to_spec();
    reapplied.name = "Energy".into();
    assert_eq!(
        performer
            .update(&room, "m1", &reapplied)
            .await
            .unwrap()
            .version,
        3
    );

    // Every kind of edit checks the version.
    let stale = [
        performer
            .add_item(&room, "m1", 2, &loaded.items[0].to_spec(), None)
            .await,
        performer.delete_item(&room, "m1", "m1-1", 2).await,
        performer.reorder(&room, "m1", 2, &[]).await,
        performer.sort(&room, "m1", 1, SortKey::Title, false).await,
    ];
    for answer in stale {
        assert_eq!(code(&answer.unwrap_err()), ErrorCode::VersionConflict);
    }
    let err = performer.delete(&room, "m1", 2).await.unwrap_err();
    assert_eq!(code(&err), ErrorCode::VersionConflict);
    let err = performer
        .update(
            &room,
            "m1",
            &MenuSpec {
                version: Some(9),
                ..reapplied
            },
        )
        .await;
    let MenuClientError::Conflict(ahead) = err.unwrap_err() else {
        panic!()
    };
    assert!(ahead.message.contains("no version 9"), "{}", ahead.message);

    // The raw body: 409, and the usual error fields with the details.
    let (status, body) = t
        .client(&t.tokens.performer)
        .raw(
            Method::DELETE,
            &format!("/api/v1/rooms/{ROOM}/menus/m1?version=1"),
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "version_conflict");
    assert_eq!(body["currentVersion"], 3);
    assert!(body["changes"].as_array().unwrap().len() >= 3, "{body}");
    t.stop().await;
}
