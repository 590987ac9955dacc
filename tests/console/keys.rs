//! Key handling: state and key in, effects out. Money is never optimistic,
//! a double press sends one command, and refused actions say why.

use crate::fixture::Fixture;
use crossterm::event::KeyCode;
use cuedeck::client::StreamEvent;
use cuedeck::console::app::{Connection, Dialog, Effect, ToyRequest};
use cuedeck::domain::{ItemId, RefundReason};
use cuedeck::protocol::ErrorCode;
use cuedeck::protocol::{ApiError, RoomCommand};

fn sends(effects: &[Effect]) -> Vec<(String, String, RoomCommand)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send {
                request_id,
                key,
                command,
            } => Some((request_id.clone(), key.clone(), command.clone())),
            _ => None,
        })
        .collect()
}

fn status(f: &Fixture) -> String {
    f.app
        .status
        .as_ref()
        .map(|(_, s)| s.clone())
        .unwrap_or_default()
}

#[test]
fn start_sends_one_command_for_the_head_and_a_second_press_sends_nothing() {
    let mut f = Fixture::new("performer");
    f.buy(3);
    let first = sends(&f.key(KeyCode::Char('s')));
    assert_eq!(first.len(), 1);
    assert_eq!(
        first[0].2,
        RoomCommand::Start {
            item: Some(ItemId(1))
        }
    );
    // Not optimistic: nothing moved on screen yet, the row says pending.
    assert!(f.app.model.as_ref().unwrap().in_progress.is_none());
    assert!(f.app.pending_for(ItemId(1)).is_some());
    assert!(f.render(80, 24).contains("pending"));
    let second = sends(&f.key(KeyCode::Char('s')));
    assert!(second.is_empty(), "a double press sends one command");
    assert!(status(&f).contains("already sent"), "{}", status(&f));
}

#[test]
fn an_ack_clears_pending_and_a_refusal_says_why() {
    let mut f = Fixture::new("performer");
    f.buy(2);
    let (request_id, _, _) = sends(&f.key(KeyCode::Char('s'))).remove(0);
    let refusal = ApiError::new(
        ErrorCode::Busy,
        "item #1 is already in progress; finish or refund it first",
    );
    f.app.on_stream(
        StreamEvent::Ack {
            request_id,
            result: Err(refusal),
        },
        f.now,
    );
    assert!(f.app.pending.is_empty());
    assert!(
        status(&f).contains("start refused: item #1 is already in progress"),
        "{}",
        status(&f)
    );
    assert!(f.app.log.back().unwrap().text.contains("refused"));
}

#[test]
fn money_keys_are_refused_while_disconnected_and_pending_ones_resend_with_their_key() {
    let mut f = Fixture::new("performer");
    f.buy(2);
    let (request_id, key, command) = sends(&f.key(KeyCode::Char('s'))).remove(0);
    f.app.on_stream(
        StreamEvent::Disconnected {
            attempt: 1,
            reason: "reset".into(),
            retry_in: std::time::Duration::from_millis(250),
        },
        f.now,
    );
    assert!(matches!(f.app.connection, Connection::Lost { .. }));
    assert!(sends(&f.key(KeyCode::Char('f'))).is_empty());
    assert!(status(&f).contains("not connected"), "{}", status(&f));
    // Back: the unanswered start goes out again under the same key.
    f.app.on_stream(
        StreamEvent::Connected {
            epoch: "e".into(),
            role: "performer".into(),
        },
        f.now,
    );
    let resent = f
        .app
        .on_stream(StreamEvent::Resumed { from: 5, to: 5 }, f.now);
    assert_eq!(sends(&resent), vec![(request_id, key, command)]);
}

#[test]
fn finish_needs_an_item_on_stage() {
    let mut f = Fixture::new("performer");
    f.buy(2);
    assert!(sends(&f.key(KeyCode::Char('f'))).is_empty());
    assert!(status(&f).contains("nothing is on stage"));
    f.start();
    let sent = sends(&f.key(KeyCode::Char('f')));
    assert_eq!(
        sent[0].2,
        RoomCommand::Finish {
            item: Some(ItemId(1))
        }
    );
}

#[test]
fn the_refund_dialog_defaults_to_the_full_cost_and_checks_its_fields() {
    let mut f = Fixture::new("performer");
    f.buy(3);
    f.key(KeyCode::Down);
    assert!(f.key(KeyCode::Char('r')).is_empty());
    let Some(Dialog::Refund(form)) = &f.app.dialog else {
        panic!("the refund dialog opens")
    };
    let (item, cost) = (form.item, form.cost);
    assert_eq!(form.amount, cost.to_string());
    // "other" needs a note.
    for _ in 0..3 {
        f.key(KeyCode::Down);
    }
    assert!(f.key(KeyCode::Enter).is_empty());
    let Some(Dialog::Refund(form)) = &f.app.dialog else {
        panic!("still open")
    };
    assert!(form.error.as_deref().unwrap().contains("needs a note"));
    // A partial amount with a note.
    f.key(KeyCode::Tab);
    f.key(KeyCode::Char('5'));
    f.key(KeyCode::Tab);
    for c in "late".chars() {
        f.key(KeyCode::Char(c));
    }
    let sent = sends(&f.key(KeyCode::Enter));
    assert_eq!(
        sent[0].2,
        RoomCommand::Refund {
            item,
            amount: Some(5),
            reason: RefundReason::Other,
            note: Some("late".into())
        }
    );
    assert!(f.app.dialog.is_none());
    // A second refund on the same item waits for the first.
    f.key(KeyCode::Char('r'));
    assert!(f.app.dialog.is_none());
    assert!(status(&f).contains("on its way"), "{}", status(&f));
}

#[test]
fn an_amount_out_of_range_is_refused_in_the_dialog() {
    let mut f = Fixture::new("performer");
    f.buy(1);
    f.key(KeyCode::Char('r'));
    f.key(KeyCode::Tab);
    for c in "9999".chars() {
        f.key(KeyCode::Char(c));
    }
    assert!(sends(&f.key(KeyCode::Enter)).is_empty());
    let Some(Dialog::Refund(form)) = &f.app.dialog else {
        panic!("still open")
    };
    assert!(
        form.error.as_deref().unwrap().contains("outside"),
        "{:?}",
        form.error
    );
    assert!(f.key(KeyCode::Esc).is_empty());
    assert!(f.app.dialog.is_none());
}

#[test]
fn a_moderator_is_read_only_but_may_refund_for_moderation() {
    let mut f = Fixture::new("moderator");
    f.buy(2);
    assert!(sends(&f.key(KeyCode::Char('s'))).is_empty());
    assert!(status(&f).contains("read-only"));
    f.key(KeyCode::Char('r'));
    let Some(Dialog::Refund(form)) = &f.app.dialog else {
        panic!("refund dialog")
    };
    assert_eq!(form.reasons, vec![RefundReason::Moderation]);
    let sent = sends(&f.key(KeyCode::Enter));
    assert!(matches!(
        sent[0].2,
        RoomCommand::Refund {
            reason: RefundReason::Moderation,
            ..
        }
    ));
}

#[test]
fn quit_asks_first_while_an_item_is_on_stage_and_stops_the_toy() {
    let mut f = Fixture::new("performer");
    f.buy(2);
    assert_eq!(
        f.key(KeyCode::Char('q')),
        vec![Effect::StopToy, Effect::Quit]
    );
    let mut f = Fixture::new("performer");
    f.buy(2);
    f.start();
    assert!(f.key(KeyCode::Char('q')).is_empty());
    assert_eq!(f.app.dialog, Some(Dialog::ConfirmQuit));
    assert!(f.key(KeyCode::Char('n')).is_empty());
    assert!(f.app.dialog.is_none());
    f.key(KeyCode::Char('q'));
    assert_eq!(
        f.key(KeyCode::Char('y')),
        vec![Effect::StopToy, Effect::Quit]
    );
    // ctrl-c needs no confirmation.
    let mut f = Fixture::new("performer");
    assert_eq!(f.ctrl('c'), vec![Effect::StopToy, Effect::Quit]);
}

#[test]
fn the_stop_key_stops_the_toy_at_once_even_in_a_quiet_room_and_so_does_suspending() {
    let mut f = Fixture::new("performer");
    assert_eq!(f.key(KeyCode::Char('!')), vec![Effect::StopToy]);
    assert_eq!(f.ctrl('z'), vec![Effect::StopToy, Effect::Suspend]);
}

#[test]
fn the_toy_screen_regenerates_the_overlay_tokens_and_the_stop_key_still_works_there() {
    let mut f = Fixture::new("performer");
    f.key(KeyCode::Char('t'));
    assert_eq!(f.app.dialog, Some(Dialog::Toy));
    assert_eq!(f.key(KeyCode::Char('o')), vec![Effect::RegenerateOverlay]);
    assert_eq!(f.key(KeyCode::F(12)), vec![Effect::StopToy]);
    assert_eq!(f.ctrl('s'), vec![Effect::StopToy]);
    assert_eq!(f.app.dialog, Some(Dialog::Toy), "still on the toy screen");
}

#[test]
fn the_toy_screen_reconnects_the_backend_and_the_stop_keys_still_win_after() {
    let mut f = Fixture::new("performer");
    f.key(KeyCode::Char('t'));
    assert_eq!(
        f.key(KeyCode::Char('c')),
        vec![Effect::Toy(ToyRequest::Reconnect)]
    );
    assert!(
        f.render(100, 30).contains("reconnect the toy's backend"),
        "the toy screen lists the key"
    );
    assert_eq!(f.key(KeyCode::Char('!')), vec![Effect::StopToy]);
    assert_eq!(f.key(KeyCode::F(12)), vec![Effect::StopToy]);
    assert!(f.app.toy.halted, "a reconnect does not undo the stop key");
    assert_eq!(f.app.dialog, Some(Dialog::Toy), "still on the toy screen");
}

#[test]
fn selection_follows_the_item_as_the_queue_moves() {
    let mut f = Fixture::new("performer");
    f.buy(4);
    f.key(KeyCode::Char('j'));
    f.key(KeyCode::Char('j'));
    let chosen = f.app.selected.unwrap();
    f.start(); // the head moves on stage; rows shift
    assert_eq!(f.app.selected, Some(chosen));
    f.run(cuedeck::domain::Command::Refund {
        room: "room-1".into(),
        item: chosen,
        amount: None,
        reason: RefundReason::Goodwill,
        note: None,
        by: cuedeck::domain::Actor::new(cuedeck::domain::Role::Performer, "p"),
    });
    assert!(
        f.app.selected.is_some() && f.app.selected != Some(chosen),
        "the selection moves to a neighbour"
    );
}

#[test]
fn enter_asks_for_the_audit_record() {
    let mut f = Fixture::new("performer");
    f.buy(2);
    let viewer = f
        .app
        .model
        .as_ref()
        .unwrap()
        .find(ItemId(1))
        .unwrap()
        .user_id
        .clone();
    assert_eq!(
        f.key(KeyCode::Enter),
        vec![
            Effect::FetchAudit(ItemId(1)),
            Effect::Points(cuedeck::console::queue::award::PointsRequest::Viewer(
                viewer
            )),
        ]
    );
    assert!(matches!(
        f.app.dialog,
        Some(Dialog::Details {
            item: ItemId(1),
            record: None
        })
    ));
    assert!(f.key(KeyCode::Esc).is_empty());
    assert!(f.app.dialog.is_none());
}

#[test]
fn a_move_to_the_leader_is_said_and_unanswered_commands_resend_there() {
    let mut f = Fixture::new("performer");
    f.buy(2);
    let (request_id, key, command) = sends(&f.key(KeyCode::Char('s'))).remove(0);
    let reason = "http://a:7070: this node is a standby; the leader is http://b:7070";
    f.app.on_stream(
        StreamEvent::Disconnected {
            attempt: 1,
            reason: reason.into(),
            retry_in: std::time::Duration::from_millis(250),
        },
        f.now,
    );
    f.app.on_stream(
        StreamEvent::ServerChanged {
            url: "http://b:7070".into(),
        },
        f.now,
    );
    f.app.on_stream(
        StreamEvent::Connected {
            epoch: "e".into(),
            role: "performer".into(),
        },
        f.now,
    );
    let said = "server: now http://b:7070 (the leader)";
    assert_eq!(status(&f), said);
    let log: Vec<&str> = f.app.log.iter().map(|l| l.text.as_str()).collect();
    let at = log
        .iter()
        .position(|l| *l == said)
        .expect("the move is logged");
    assert_eq!(log[at - 1], format!("connection lost: {reason}"));
    assert_eq!(log[at + 1], "connected");
    // The start sent before the move goes out again, under its key.
    let resent = f
        .app
        .on_stream(StreamEvent::Resumed { from: 5, to: 5 }, f.now);
    assert_eq!(sends(&resent), vec![(request_id, key, command)]);
}
