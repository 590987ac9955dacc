//! The watch grid's cards count each room's toy lane: from the snapshot,
//! then every tip queued, settled, refunded or cleared, and a pause.

use cuedeck::client::StreamEvent;
use cuedeck::domain::tips::{TipAsk, TipLevels, tip_command};
use cuedeck::domain::*;

use crate::watch::{Watch, room};

fn classic() -> TipLevels {
    toml::from_str(include_str!("../../config/tips/classic.toml")).unwrap()
}

/// A viewer tips `amount` in room `n`; the toy tip's item.
fn tip(w: &mut Watch, n: usize, amount: u64, viewer: usize) -> ItemId {
    let (performer, user) = (
        PerformerId::from(format!("perf-{n:02}").as_str()),
        UserId::from(format!("viewer-{viewer}").as_str()),
    );
    let key = IdemKey::from(format!("tip-{n}-{viewer}-{amount}").as_str());
    let command = tip_command(
        &room(n).as_str().into(),
        &TipAsk {
            performer: &performer,
            user: &user,
            amount,
            key: &key,
            source_event_id: None,
            display_name: Some("Fan"),
            created_at: "2026-11-18T10:00:00Z",
        },
        &classic(),
    );
    w.now = w.now.plus_millis(10);
    let outcome = w.run(command);
    outcome
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::TipQueued { item, .. } => Some(item.id),
            _ => None,
        })
        .expect("a toy tip")
}

fn lane_of(w: &Watch, n: usize) -> usize {
    let grid = w.app.watch.as_ref().unwrap();
    grid.cards[&RoomId::from(room(n).as_str())].lane.len()
}

#[test]
fn each_card_shows_its_rooms_lane_length() {
    let mut w = Watch::new(3);
    let first = tip(&mut w, 1, 30, 1);
    tip(&mut w, 1, 5, 2);
    tip(&mut w, 1, 120, 3);
    tip(&mut w, 2, 12, 4);
    assert_eq!((lane_of(&w, 0), lane_of(&w, 1), lane_of(&w, 2)), (0, 3, 1));
    for (width, height) in [(80, 24), (160, 48)] {
        let shown = w.render(width, height);
        assert!(shown.contains("lane 3"), "{shown}");
        assert!(shown.contains("lane 1"), "{shown}");
        assert!(shown.contains("lane 0"), "{shown}");
    }
    let by = Actor::new(Role::Performer, "p");
    let room1: RoomId = room(1).as_str().into();
    w.run(Command::LaneSkip {
        room: room1.clone(),
        item: first,
        by: by.clone(),
    });
    assert_eq!(lane_of(&w, 1), 2, "a skipped tip is refunded");
    w.run(Command::LanePause {
        room: room1.clone(),
        by: by.clone(),
    });
    assert!(w.render(160, 48).contains("lane 2 paused"));
    w.run(Command::LaneClear { room: room1, by });
    assert_eq!(lane_of(&w, 1), 0);
    // A fresh snapshot after a drop counts the lane again from it.
    let id: RoomId = room(2).as_str().into();
    let snapshot = cuedeck::server::snapshot_of(&w.engine, &id, "e").unwrap();
    w.app
        .on_watch(Some(id), StreamEvent::Snapshot(Box::new(snapshot)), w.now);
    assert_eq!(lane_of(&w, 2), 1);
}
