//! The watch grid's moderation screens and its honesty: the ban dialog's
//! note and expiry checked by name, the moderation log's filters as the
//! server is asked for them, the banner when the connection drops, and
//! long card text cut with an ellipsis while the room, the reason and the
//! escrow stay in view.

use std::time::Duration;

use crossterm::event::KeyCode;
use cuedeck::client::{LogQuery, StreamEvent};
use cuedeck::console::app::{Dialog, Effect};
use cuedeck::console::screen::Screen;
use cuedeck::console::watch::{ModerationRequest, parse_expiry};
use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::*;
use cuedeck::protocol::ModerationRow;

use crate::watch::{Watch, room, three};

fn open_ban_on_room_00(w: &mut Watch) {
    w.key(KeyCode::PageUp);
    w.key(KeyCode::Down);
    w.key(KeyCode::Enter);
    w.key(KeyCode::Char('b'));
    assert_eq!(w.app.screen(), Screen::Ban);
}

fn type_text(w: &mut Watch, text: &str) {
    for c in text.chars() {
        assert!(w.key(KeyCode::Char(c)).is_empty(), "{c:?} acted");
    }
}

fn ban_error(w: &Watch) -> Option<String> {
    match &w.app.dialog {
        Some(Dialog::Ban(form)) => form.error.clone(),
        _ => None,
    }
}

#[test]
fn the_ban_dialog_needs_a_note_for_other_and_a_valid_expiry_and_sends_both() {
    let mut w = three();
    open_ban_on_room_00(&mut w);
    // Up from the first reason wraps to the last: other.
    w.key(KeyCode::Up);
    assert!(
        w.key(KeyCode::Enter).is_empty(),
        "nothing sent without a note"
    );
    assert_eq!(w.app.screen(), Screen::Ban, "the dialog stays");
    let error = ban_error(&w).expect("an error");
    assert!(error.starts_with("note:"), "{error}");
    insta::assert_snapshot!("ban_other_without_note_80x24", w.render(80, 24));

    w.key(KeyCode::Tab); // where
    w.key(KeyCode::Tab); // note
    type_text(&mut w, "chargebacks, see ticket 88");
    w.key(KeyCode::Tab); // expires
    type_text(&mut w, "12x");
    assert!(w.key(KeyCode::Enter).is_empty());
    let error = ban_error(&w).expect("an error");
    assert!(error.starts_with("expires: \"12x\""), "{error}");
    assert!(w.render(80, 24).contains("expires:"));

    w.key(KeyCode::Backspace);
    type_text(&mut w, "h");
    assert_eq!(
        w.key(KeyCode::Enter),
        vec![Effect::Moderate(ModerationRequest::Ban {
            room: "room-00".into(),
            user: "viewer-1".into(),
            reason: BanReason::Other,
            all: false,
            note: Some("chargebacks, see ticket 88".into()),
            expires_in_secs: Some(12 * 3600),
        })]
    );
    assert_eq!(w.app.screen(), Screen::WatchRoom);
}

#[test]
fn the_where_field_flips_the_scope_and_space_in_the_note_is_text() {
    let mut w = three();
    open_ban_on_room_00(&mut w);
    w.key(KeyCode::Tab); // where
    w.key(KeyCode::Down);
    assert!(w.render(80, 24).contains("every room you moderate"));
    w.key(KeyCode::Tab); // note
    type_text(&mut w, "a b");
    w.key(KeyCode::BackTab);
    w.key(KeyCode::Up); // back to this room
    let Some(Effect::Moderate(ModerationRequest::Ban { all, note, .. })) =
        w.key(KeyCode::Enter).pop()
    else {
        panic!("a ban is sent")
    };
    assert!(!all, "flipped twice");
    assert_eq!(note.as_deref(), Some("a b"));
}

#[test]
fn expiries_are_minutes_hours_or_days_up_to_a_year() {
    assert_eq!(parse_expiry(""), Ok(None));
    assert_eq!(parse_expiry(" 30m "), Ok(Some(1800)));
    assert_eq!(parse_expiry("7d"), Ok(Some(7 * 86_400)));
    assert_eq!(parse_expiry("365d"), Ok(Some(365 * 86_400)));
    for bad in ["12", "h", "1.5h", "-3d", "3w", "٣d"] {
        let error = parse_expiry(bad).unwrap_err();
        assert!(error.starts_with("expires:"), "{bad}: {error}");
    }
    assert!(parse_expiry("0m").unwrap_err().contains("at least 1m"));
    assert!(parse_expiry("366d").unwrap_err().contains("at most 365d"));
    assert!(parse_expiry("99999999999999999999d").is_err());
}

/// The log's rows for a ban by `mod-7` of viewer-5 in room-01.
fn ban_rows(w: &mut Watch) -> Vec<ModerationRow> {
    w.buy(1, 5);
    let outcome = w.run(Command::Ban {
        rooms: vec![room(1).as_str().into()],
        user: "viewer-5".into(),
        reason: BanReason::Fraud,
        note: Some("chargebacks".into()),
        expires_at: None,
        by: Actor::new(Role::Moderator, "mod-7"),
    });
    outcome
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Moderation { moderation } => Some((e.at, e.room.clone(), moderation)),
            _ => None,
        })
        .enumerate()
        .map(|(n, (at, room, note))| ModerationRow {
            id: n as i64 + 1,
            entry: ModerationEntry {
                at,
                room: Some(room),
                note: (*note).clone(),
            },
        })
        .collect()
}

fn asked(effects: Vec<Effect>) -> LogQuery {
    match effects.as_slice() {
        [Effect::FetchModerationLog(query)] => query.clone(),
        other => panic!("expected one fetch, got {other:?}"),
    }
}

#[test]
fn the_moderation_log_lists_the_rows_and_each_filter_asks_the_server_again() {
    let mut w = Watch::new(2);
    let rows = ban_rows(&mut w);
    assert!(!rows.is_empty());
    let first = asked(w.key(KeyCode::Char('l')));
    assert_eq!(first, LogQuery::default());
    assert_eq!(w.app.screen(), Screen::ModLog);
    assert!(w.render(100, 30).contains("Asking the server"));
    w.app.on_moderation_log(first.clone(), Ok(rows.clone()));
    let shown = w.render(100, 30);
    assert!(shown.contains("no filters"), "{shown}");
    assert!(shown.contains("viewer-5 banned (fraud)"), "{shown}");
    assert!(
        shown.contains("mod-7") && shown.contains("chargebacks"),
        "{shown}"
    );

    // The room filter walks the watched rooms, then all of them.
    let q = asked(w.key(KeyCode::Char('w')));
    assert_eq!(q.room, Some(room(0).as_str().into()));
    let q = asked(w.key(KeyCode::Char('w')));
    assert_eq!(q.room, Some(room(1).as_str().into()));
    assert!(w.render(100, 30).contains("only room room-01"));
    // An answer to an earlier question is dropped: it is not what is shown.
    w.app.on_moderation_log(first.clone(), Ok(rows.clone()));
    assert!(w.render(100, 30).contains("Asking the server"));
    w.app.on_moderation_log(q.clone(), Ok(rows.clone()));
    assert!(w.render(100, 30).contains("viewer-5 banned"));

    let q = asked(w.key(KeyCode::Char('a')));
    assert_eq!(q.action, Some(ModerationAction::Ban));
    assert_eq!(q.room, Some(room(1).as_str().into()), "filters combine");
    let q = asked(w.key(KeyCode::Char('t')));
    assert_eq!(q.since, Some(w.now.0 - 3_600_000_000), "the last hour");
    // Two rows: up and down select, and the filters below take the
    // selected row's actor and target.
    let mut two = rows.clone();
    let mut older = rows[0].clone();
    older.id = 0;
    older.entry.note.by.id = "mod-1".into();
    older.entry.note.target = Some("viewer-4".into());
    two.push(older.clone());
    w.app.on_moderation_log(q, Ok(two));
    assert!(w.key(KeyCode::Down).is_empty(), "moving asks nothing");
    assert!(
        w.render(120, 30).contains("▸ "),
        "the selected row is marked"
    );
    let q = asked(w.key(KeyCode::Char('b')));
    assert_eq!(q.actor.as_deref(), Some("mod-1"), "the second row's actor");
    w.app.on_moderation_log(q, Ok(vec![older]));
    let q = asked(w.key(KeyCode::Char('b')));
    assert_eq!(q.actor, None, "again: everyone");
    w.app.on_moderation_log(q, Ok(rows.clone()));
    w.key(KeyCode::Down);
    w.key(KeyCode::Up);
    let q = asked(w.key(KeyCode::Char('b')));
    assert_eq!(q.actor.as_deref(), Some("mod-7"));
    w.app.on_moderation_log(q, Ok(rows.clone()));
    let q = asked(w.key(KeyCode::Char('v')));
    assert_eq!(q.target.as_deref(), Some("viewer-5"));
    let shown = w.render(120, 30);
    assert!(
        shown.contains("only room room-01 · kind ban · by mod-7 · target viewer-5 · last hour"),
        "{shown}"
    );
    w.app.on_moderation_log(q, Ok(rows));
    let q = asked(w.key(KeyCode::Char('b')));
    assert_eq!(q.actor, None, "again: everyone");
    let q = asked(w.key(KeyCode::Char('c')));
    assert_eq!(q, LogQuery::default());
    assert_eq!(asked(w.key(KeyCode::Char('r'))), LogQuery::default());
    w.key(KeyCode::Esc);
    assert_eq!(w.app.screen(), Screen::Watch);
}

fn drop_connection(w: &mut Watch, attempt: u32) {
    let now = w.now;
    w.app.on_watch(
        None,
        StreamEvent::Disconnected {
            attempt,
            reason: "connection reset".into(),
            retry_in: Duration::from_millis(500),
        },
        now,
    );
}

#[test]
fn a_lost_connection_is_a_banner_and_the_cards_say_last_seen_until_it_resumes() {
    let mut w = three();
    let live = w.render(80, 24);
    assert!(!live.contains("LOST"), "{live}");
    assert!(live.contains("· LIVE"), "{live}");
    drop_connection(&mut w, 1);
    w.advance_s(12);
    drop_connection(&mut w, 4);
    let lost = w.render(80, 24);
    assert!(lost.contains("LOST 00:12 ago · reconnecting #4"), "{lost}");
    assert!(
        lost.contains("was LIVE") && lost.contains("was PAUSED"),
        "{lost}"
    );
    assert!(!lost.contains("· LIVE"), "no room shown as live: {lost}");
    insta::assert_snapshot!("watch_three_lost_80x24", lost);
    let wide = w.render(160, 48);
    assert!(
        wide.contains("CONNECTION LOST 00:12 ago · reconnecting (try #4)"),
        "{wide}"
    );
    insta::assert_snapshot!("watch_three_lost_160x48", wide);

    let now = w.now;
    w.app.on_watch(
        None,
        StreamEvent::Connected {
            epoch: "e".into(),
            role: "moderator".into(),
        },
        now,
    );
    let back = w.render(80, 24);
    assert!(
        !back.contains("LOST") && !back.contains("was LIVE"),
        "{back}"
    );
    assert!(back.contains("· LIVE"), "{back}");
}

/// Rooms with long names, a long title and a long viewer name, one far
/// into overtime and one with a dispute.
fn long_texts() -> Watch {
    let mut w = Watch::new(0);
    let mut disputed = None;
    let performer = "a-performer-with-a-remarkably-long-stage-name";
    for n in 0..4 {
        let id = format!("velvet-lounge-upstairs-{n}");
        for command in [
            Command::CreateRoom {
                room: id.as_str().into(),
                performer: performer.into(),
            },
            Command::BroadcastStart {
                room: id.as_str().into(),
            },
        ] {
            w.engine.execute(w.now, &Request::new(command)).unwrap();
        }
        let snapshot = cuedeck::server::snapshot_of(&w.engine, &id.as_str().into(), "e").unwrap();
        w.app.on_watch(
            Some(id.as_str().into()),
            StreamEvent::Snapshot(Box::new(snapshot)),
            w.now,
        );
        for k in 0..2 {
            let payload =
                PayloadBuilder::new(performer, &format!("viewer-{k}"), &format!("{id}-{k}"), 75)
                    .title("Slow dance to the whole album, then a shout-out to everyone")
                    .display_name("Extraordinarily Generous Patron of the Arts")
                    .duration_ms(90_000);
            let outcome = w.run(payload.queued(&id));
            if n == 1 {
                disputed = disputed.or(outcome.events.iter().find_map(|e| match &e.kind {
                    EventKind::ItemQueued { item, .. } => Some(item.id),
                    _ => None,
                }));
            }
        }
    }
    w.run(Command::Start {
        room: "velvet-lounge-upstairs-0".into(),
        item: None,
        by: Actor::new(Role::Performer, "p"),
    });
    w.advance_s(200);
    w.run(Command::Refund {
        room: "velvet-lounge-upstairs-1".into(),
        item: disputed.expect("queued"),
        amount: None,
        reason: RefundReason::Dispute,
        note: Some("never happened".into()),
        by: Actor::new(Role::Performer, "p"),
    });
    w
}

#[test]
fn long_card_text_is_cut_with_an_ellipsis_keeping_room_reason_and_escrow() {
    let w = long_texts();
    for (width, height) in [(80, 24), (160, 48)] {
        let shown = w.render(width, height);
        assert!(shown.contains('…'), "{shown}");
        for n in 0..4 {
            assert!(
                shown.contains(&format!("velvet-lounge-upstairs-{n}")),
                "{shown}"
            );
        }
        assert!(shown.contains("! overtime +"), "{shown}");
        assert!(shown.contains("! dispute refund"), "{shown}");
        assert!(shown.contains("tk escrow"), "{shown}");
        assert!(shown.contains("OVERTIME +"), "{shown}");
        insta::assert_snapshot!(format!("watch_long_texts_{width}x{height}"), shown);
    }
}
