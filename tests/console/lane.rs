//! The console's lane runner against a real engine, with a fixed clock:
//! it takes the head only with a toy and an open lane, plays the tip
//! beside the stage, reports done only after the run's time, and a stop
//! key, a lost toy, a lost server or a restart never loses a tip nor
//! charges one twice.

use crossterm::event::{KeyCode, KeyModifiers};
use cuedeck::client::StreamEvent;
use cuedeck::console::app::{Effect, ToyCue, ToyReading};
use cuedeck::domain::tips::{TipAsk, TipLevels, tip_command};
use cuedeck::domain::*;
use cuedeck::protocol::{ApiError, RoomCommand};

use super::fixture::{Fixture, PERFORMER, ROOM};

fn classic() -> TipLevels {
    toml::from_str(include_str!("../../config/tips/classic.toml")).unwrap()
}

/// A viewer tips `amount`.
pub fn tip(fx: &mut Fixture, amount: u64, n: usize) {
    let levels = classic();
    let (performer, user, key) = (
        PerformerId::from(PERFORMER),
        UserId::from(format!("viewer-{n}").as_str()),
        IdemKey::from(format!("tip-{n}-{amount}").as_str()),
    );
    let command = tip_command(
        &ROOM.into(),
        &TipAsk {
            performer: &performer,
            user: &user,
            amount,
            key: &key,
            source_event_id: None,
            display_name: Some("Fan"),
            created_at: "2026-11-18T10:00:00Z",
        },
        &levels,
    );
    fx.now = fx.now.plus_millis(10);
    fx.run(command);
}

fn toys(fx: &mut Fixture, n: usize) {
    fx.app.on_toy_reading(ToyReading {
        line: "toy".into(),
        level: 0,
        halted: false,
        toys: n,
    });
}

/// Carry out what the console asked: its lane commands run on the engine,
/// their events and acks go back to it; repeat until it asks nothing more.
/// The toy cues it gave are returned.
fn settle(fx: &mut Fixture, mut effects: Vec<Effect>) -> Vec<ToyCue> {
    let mut cues = Vec::new();
    for _ in 0..20 {
        effects.extend(fx.app.drive_lane(fx.now));
        if effects.is_empty() {
            return cues;
        }
        let mut next = Vec::new();
        for effect in effects.drain(..) {
            match effect {
                Effect::Send {
                    request_id,
                    command,
                    ..
                } => next.extend(execute(fx, request_id, command)),
                Effect::ToyCue(cue) => cues.push(cue),
                _ => {}
            }
        }
        effects = next;
    }
    panic!("the console never settled");
}

fn execute(fx: &mut Fixture, request_id: String, command: RoomCommand) -> Vec<Effect> {
    let by = Actor::new(Role::Performer, "p");
    let result = fx
        .engine
        .execute(fx.now, &Request::new(command.into_command(ROOM.into(), by)));
    let mut effects = Vec::new();
    let result = match result {
        Ok(outcome) => {
            for event in &outcome.events {
                effects.extend(fx.app.on_stream(
                    StreamEvent::Event {
                        event: Box::new(event.clone()),
                        text: None,
                    },
                    fx.now,
                ));
            }
            Ok(outcome.reply)
        }
        Err(err) => Err(ApiError::from(&err)),
    };
    effects.extend(
        fx.app
            .on_stream(StreamEvent::Ack { request_id, result }, fx.now),
    );
    effects
}

fn plays(cues: &[ToyCue]) -> Vec<(ItemId, u64)> {
    cues.iter()
        .filter_map(|c| match c {
            ToyCue::LanePlay {
                item, length_ms, ..
            } => Some((*item, *length_ms)),
            _ => None,
        })
        .collect()
}

fn settled(fx: &Fixture, item: ItemId) -> u64 {
    fx.engine
        .items()
        .iter()
        .find(|i| i.id() == item)
        .map_or(0, |i| i.settled())
}

fn waiting(fx: &Fixture) -> Vec<ItemId> {
    fx.app.lane.waiting.iter().map(|t| t.item.id).collect()
}

#[test]
fn a_tip_waits_for_a_toy_then_runs_and_settles_after_its_time() {
    let mut fx = Fixture::new("performer");
    tip(&mut fx, 15, 1);
    let effects = std::mem::take(&mut fx.effects);
    assert!(
        plays(&settle(&mut fx, effects)).is_empty(),
        "no toy: it waits"
    );
    assert_eq!(fx.app.lane.waiting.len(), 1);
    let item = fx.app.lane.waiting[0].item.id;

    toys(&mut fx, 1);
    let cues = settle(&mut fx, Vec::new());
    assert_eq!(plays(&cues), [(item, 5_000)], "medium: 5 s");
    assert!(fx.app.lane.running.is_some());

    fx.advance_ms(4_999);
    let cues = settle(&mut fx, Vec::new());
    assert!(cues.is_empty());
    assert_eq!(settled(&fx, item), 0, "not before its time is over");

    fx.advance_ms(1);
    let cues = settle(&mut fx, Vec::new());
    assert_eq!(cues, [ToyCue::LaneStop(item)]);
    assert_eq!(settled(&fx, item), 15);
    assert!(fx.app.lane.running.is_none() && fx.app.lane.waiting.is_empty());
}

#[test]
fn tips_run_one_at_a_time_in_order() {
    let mut fx = Fixture::new("performer");
    toys(&mut fx, 1);
    for (n, amount) in [(1, 5), (2, 30), (3, 120)] {
        tip(&mut fx, amount, n);
    }
    let effects = std::mem::take(&mut fx.effects);
    let mut ran = plays(&settle(&mut fx, effects));
    for _ in 0..3 {
        let left = fx.app.lane_deadline().expect("a tip runs");
        fx.now = left;
        ran.extend(plays(&settle(&mut fx, Vec::new())));
    }
    let lengths: Vec<u64> = ran.iter().map(|(_, ms)| *ms).collect();
    assert_eq!(lengths, [3_000, 7_000, 15_000]);
    let total: u64 = ran.iter().map(|(item, _)| settled(&fx, *item)).sum();
    assert_eq!(total, 155, "each settled once");
}

/// Two tips (low 3 s, medium 5 s), the first run and its time just over.
fn two_tips_at_the_first_ones_end() -> (Fixture, ItemId) {
    let mut fx = Fixture::new("performer");
    toys(&mut fx, 1);
    for (n, amount) in [(1, 5), (2, 15)] {
        tip(&mut fx, amount, n);
    }
    let effects = std::mem::take(&mut fx.effects);
    let first = plays(&settle(&mut fx, effects))[0].0;
    fx.now = fx.app.lane_deadline().unwrap();
    (fx, first)
}

#[test]
fn back_to_back_tips_hand_over_without_a_stop_and_the_last_one_stops() {
    let (mut fx, first) = two_tips_at_the_first_ones_end();

    // Done and the next take leave together, done first.
    let effects = fx.app.drive_lane(fx.now);
    let sent: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send { command, .. } => Some(command.clone()),
            _ => None,
        })
        .collect();
    assert!(
        matches!(
            sent.as_slice(),
            [RoomCommand::LaneDone { item: Some(d) }, RoomCommand::LaneTake { .. }] if *d == first
        ),
        "{sent:?}"
    );
    let cues = settle(&mut fx, effects);
    assert!(
        !cues.contains(&ToyCue::LaneStop(first)),
        "no stop between two tips: {cues:?}"
    );
    let second = plays(&cues)[0].0;
    assert_eq!(plays(&cues), [(second, 5_000)]);
    assert_eq!(settled(&fx, first), 5, "the first settled, after its run");
    assert_eq!(fx.app.lane.handing_off, None);

    fx.now = fx.app.lane_deadline().unwrap();
    let cues = settle(&mut fx, Vec::new());
    assert_eq!(cues, [ToyCue::LaneStop(second)], "the lane is idle: a stop");
    assert_eq!(settled(&fx, second), 15);
}

#[test]
fn a_hand_off_whose_take_is_refused_stops_the_held_tip() {
    let (mut fx, first) = two_tips_at_the_first_ones_end();
    let effects = fx.app.drive_lane(fx.now);
    assert_eq!(fx.app.lane.handing_off, Some(first));
    // The performer skips the next tip before the take arrives.
    let second = waiting(&fx)[0];
    let by = Actor::new(Role::Performer, "p");
    fx.run(RoomCommand::LaneSkip { item: second }.into_command(ROOM.into(), by));
    let cues = settle(&mut fx, effects);
    assert_eq!(cues, [ToyCue::LaneStop(first)], "the held tip stops");
    assert_eq!(settled(&fx, first), 5);
    assert_eq!(fx.app.lane.handing_off, None);
}

#[test]
fn stop_key_cuts_and_pauses_then_resume_continues_with_what_was_left() {
    let mut fx = Fixture::new("performer");
    toys(&mut fx, 1);
    tip(&mut fx, 60, 1);
    let effects = std::mem::take(&mut fx.effects);
    let cues = settle(&mut fx, effects);
    let item = plays(&cues)[0].0;
    fx.advance_ms(4_000);

    let effects = fx.press(KeyCode::F(12), KeyModifiers::NONE);
    assert!(effects.contains(&Effect::StopToy));
    let cues = settle(&mut fx, effects);
    assert!(cues.contains(&ToyCue::LaneStop(item)));
    assert!(fx.app.lane.paused);
    assert_eq!(waiting(&fx), [item]);
    assert_eq!(
        fx.app.lane.waiting[0].remaining_ms, 6_000,
        "10 s less the 4 ran"
    );
    assert_eq!(settled(&fx, item), 0, "a cut run never settles");

    // Halted: nothing runs until the performer resumes.
    fx.app.on_toy_reading(ToyReading {
        line: "halted".into(),
        level: 0,
        halted: true,
        toys: 1,
    });
    fx.advance_ms(10_000);
    assert!(plays(&settle(&mut fx, Vec::new())).is_empty());

    fx.key(KeyCode::Char('t'));
    let effects = fx.key(KeyCode::Char('r'));
    let cues = settle(&mut fx, effects);
    assert_eq!(plays(&cues), [(item, 6_000)]);
    fx.advance_ms(6_000);
    settle(&mut fx, Vec::new());
    assert_eq!(settled(&fx, item), 60, "settled once, after the rest ran");
}

#[test]
fn a_lost_toy_gives_the_tip_back_and_it_runs_when_a_toy_returns() {
    let mut fx = Fixture::new("performer");
    toys(&mut fx, 1);
    tip(&mut fx, 30, 1);
    let effects = std::mem::take(&mut fx.effects);
    let item = plays(&settle(&mut fx, effects))[0].0;
    fx.advance_ms(2_000);
    toys(&mut fx, 0);
    let cues = settle(&mut fx, Vec::new());
    assert_eq!(cues, [ToyCue::LaneStop(item)]);
    assert_eq!(waiting(&fx), [item]);
    assert_eq!(fx.app.lane.waiting[0].remaining_ms, 5_000);
    assert!(!fx.app.lane.paused, "a lost toy does not pause the lane");

    toys(&mut fx, 1);
    let cues = settle(&mut fx, Vec::new());
    assert_eq!(plays(&cues), [(item, 5_000)]);
    fx.advance_ms(5_000);
    settle(&mut fx, Vec::new());
    assert_eq!(settled(&fx, item), 30);
}

#[test]
fn a_restarted_console_releases_the_run_it_finds_and_runs_it_again() {
    let mut fx = Fixture::new("performer");
    toys(&mut fx, 1);
    tip(&mut fx, 30, 1);
    let effects = std::mem::take(&mut fx.effects);
    let item = plays(&settle(&mut fx, effects))[0].0;
    fx.advance_ms(3_000);

    // A new console joins: the snapshot shows a run it did not start.
    let mut restarted = Fixture::new("performer");
    let snapshot = cuedeck::server::snapshot_of(&fx.engine, &ROOM.into(), "e").unwrap();
    std::mem::swap(&mut fx.app, &mut restarted.app);
    fx.app
        .on_stream(StreamEvent::Snapshot(Box::new(snapshot)), fx.now);
    toys(&mut fx, 1);
    let cues = settle(&mut fx, Vec::new());
    assert_eq!(plays(&cues), [(item, 4_000)], "7 s less the 3 that ran");
    fx.now = fx.app.lane_deadline().unwrap();
    settle(&mut fx, Vec::new());
    assert_eq!(settled(&fx, item), 30);
}

#[test]
fn a_lost_server_stops_the_run_and_the_reconnect_resumes_it() {
    let mut fx = Fixture::new("performer");
    toys(&mut fx, 1);
    tip(&mut fx, 15, 1);
    let effects = std::mem::take(&mut fx.effects);
    let item = plays(&settle(&mut fx, effects))[0].0;
    fx.advance_ms(1_000);
    let effects = fx.app.on_stream(
        StreamEvent::Disconnected {
            attempt: 1,
            reason: "gone".into(),
            retry_in: std::time::Duration::from_millis(500),
        },
        fx.now,
    );
    assert!(effects.contains(&Effect::ToyCue(ToyCue::LaneStop(item))));
    fx.advance_ms(10_000);
    assert!(settle(&mut fx, Vec::new()).is_empty(), "no done while away");
    assert_eq!(settled(&fx, item), 0);

    fx.app.on_stream(
        StreamEvent::Connected {
            epoch: "e".into(),
            role: "performer".into(),
        },
        fx.now,
    );
    let snapshot = cuedeck::server::snapshot_of(&fx.engine, &ROOM.into(), "e").unwrap();
    let effects = fx
        .app
        .on_stream(StreamEvent::Snapshot(Box::new(snapshot)), fx.now);
    let cues = settle(&mut fx, effects);
    assert_eq!(plays(&cues).len(), 1, "it runs again: {cues:?}");
    fx.now = fx.app.lane_deadline().unwrap();
    settle(&mut fx, Vec::new());
    assert_eq!(settled(&fx, item), 15, "settled exactly once");
}

/// A lane with a running tip and three waiting, one of them paused later.
fn busy_lane() -> Fixture {
    let mut fx = Fixture::new("performer");
    toys(&mut fx, 1);
    for (n, amount) in [(1, 60), (2, 15), (3, 30), (4, 120)] {
        tip(&mut fx, amount, n);
    }
    let effects = std::mem::take(&mut fx.effects);
    settle(&mut fx, effects);
    fx.advance_ms(3_200);
    fx
}

#[test]
fn the_main_screen_shows_the_lane_compactly_and_more_when_wide() {
    let mut fx = busy_lane();
    for (width, height) in [(80, 24), (160, 48)] {
        let name = format!("lane_running_{width}x{height}");
        insta::assert_snapshot!(name, fx.render(width, height));
    }
    let effects = fx.press(KeyCode::F(12), KeyModifiers::NONE);
    settle(&mut fx, effects);
    let screen = fx.render(80, 24);
    assert!(screen.contains("⏸ paused"), "{screen}");
    insta::assert_snapshot!("lane_paused_80x24", screen);
}

#[test]
fn the_lane_screen_lists_every_tip_skips_and_clears_when_confirmed() {
    let mut fx = busy_lane();
    fx.key(KeyCode::Char('l'));
    insta::assert_snapshot!("lane_screen_80x24", fx.render(80, 24));
    insta::assert_snapshot!("lane_screen_160x48", fx.render(160, 48));

    // Skip the second row: the first waiting tip.
    fx.key(KeyCode::Down);
    let skipped = fx.app.lane.waiting[0].item.id;
    let effects = fx.key(KeyCode::Char('s'));
    settle(&mut fx, effects);
    assert!(!waiting(&fx).contains(&skipped));

    fx.key(KeyCode::Char('c'));
    insta::assert_snapshot!("lane_clear_80x24", fx.render(80, 24));
    let effects = fx.key(KeyCode::Char('n'));
    assert!(effects.is_empty(), "no keeps the lane");
    assert_eq!(fx.app.lane_rows().len(), 3);
    fx.key(KeyCode::Char('c'));
    let effects = fx.key(KeyCode::Char('y'));
    let cues = settle(&mut fx, effects);
    assert!(
        cues.iter().any(|c| matches!(c, ToyCue::LaneStop(_))),
        "{cues:?}"
    );
    assert!(fx.app.lane_rows().is_empty());
    let refunded: u64 = fx.engine.items().iter().map(|i| i.refunded()).sum();
    assert_eq!(refunded, 60 + 15 + 30 + 120, "every tip back, none settled");
}
