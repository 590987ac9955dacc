//! The audit record, event numbering and toy effects on items.

use super::*;

#[test]
fn the_audit_record_stamps_every_transition() {
    let mut w = World::new();
    let item = w.buy("alice", "k1", 100);
    w.advance_ms(5_000);
    w.start();
    w.advance_ms(90_000);
    w.refund(item, Some(40), RefundReason::Moderation);
    let record = w.record(item);
    let stamps: Vec<_> = record
        .audit
        .iter()
        .map(|a| a.at.0 - record.view.stamp.0)
        .collect();
    assert_eq!(stamps, [0, 5_000_000, 95_000_000]);
    assert!(matches!(
        record.audit[0].transition,
        Transition::Queued { position: 1 }
    ));
    assert!(matches!(record.audit[1].transition, Transition::Started));
    assert!(matches!(
        record.audit[2].transition,
        Transition::Refunded {
            amount: 40,
            settled: 60,
            reason: RefundReason::Moderation,
            ..
        }
    ));
    assert_eq!(record.view.source, Source::ChipMenu);
    assert_eq!(record.view.source_event_id.as_ref(), "evt-k1");
    assert_eq!(record.view.token_cost, 100);
}

#[test]
fn events_are_numbered_per_room_without_gaps() {
    let mut w = World::new();
    w.ok(Command::CreateRoom {
        room: "r2".into(),
        performer: "p2".into(),
    });
    w.ok(Command::BroadcastStart { room: "r2".into() });
    let mut seen: std::collections::HashMap<String, u64> = Default::default();
    let mut check = |outcome: &Outcome| {
        for event in &outcome.events {
            let last = seen.entry(event.room.to_string()).or_insert(0);
            if *last > 0 {
                assert_eq!(event.seq, *last + 1, "gap in {}", event.room);
            }
            *last = event.seq;
        }
    };
    for n in 0..10 {
        let room = if n % 2 == 0 { ROOM } else { "r2" };
        let performer = if n % 2 == 0 { PERFORMER } else { "p2" };
        let o = w.ok(PayloadBuilder::new(performer, "alice", &format!("k{n}"), 1).queued(room));
        check(&o);
    }
    let o = w.start();
    check(&o);
    assert_eq!(
        w.engine.room_view(&ROOM.into()).unwrap().last_seq,
        *seen.get(ROOM).unwrap()
    );
}

#[test]
fn toy_effects_travel_with_the_item_and_disabled_ones_are_dropped() {
    let mut w = World::new();
    let mut payload = PayloadBuilder::new(PERFORMER, "alice", "k1", 10)
        .toy(Timing::Start, 5, None, Pattern::Constant)
        .toy(Timing::End, 20, Some(2_000), Pattern::Pulse)
        .build();
    payload.effects.as_mut().unwrap().toy[0].enabled = false;
    w.ok(Command::Intake {
        room: ROOM.into(),
        mode: IntakeMode::Queued,
        payload: Box::new(payload),
        loyalty_points: 0,
        points_price: 0,
    });
    let started = w.start();
    let EventKind::ItemStarted { effects, .. } = &started.events[0].kind else {
        panic!("first event is the start")
    };
    assert_eq!(effects.len(), 1);
    assert_eq!(effects[0].timing, Timing::End);
}
