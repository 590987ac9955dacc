//! Going live and ending the broadcast from the console, and a console
//! that opens a room the server does not know yet.

use crate::fixture::{Fixture, ROOM};
use crossterm::event::KeyCode;
use cuedeck::client::StreamEvent;
use cuedeck::console::app::{App, Effect};
use cuedeck::console::keymap::Keymap;
use cuedeck::console::screen::Screen;
use cuedeck::console::theme::Theme;
use cuedeck::domain::{Command, Stamp};
use cuedeck::protocol::{ApiError, ErrorCode};

#[test]
fn the_broadcast_key_goes_live_at_once_and_asks_before_ending() {
    let mut f = Fixture::new("performer");
    assert!(f.app.model.as_ref().unwrap().live);
    assert!(f.key(KeyCode::Char('b')).is_empty(), "ending asks first");
    assert_eq!(f.app.screen(), Screen::ConfirmEnd);
    let question = f.render(80, 24);
    assert!(question.contains("End the broadcast?"), "{question}");
    assert!(question.contains("refunded"), "{question}");
    assert!(f.key(KeyCode::Char('n')).is_empty(), "n stays live");
    assert_eq!(f.app.screen(), Screen::Queue);
    f.key(KeyCode::Char('b'));
    assert_eq!(f.key(KeyCode::Char('y')), vec![Effect::Broadcast(false)]);
    assert_eq!(f.app.screen(), Screen::Queue);

    f.run(Command::BroadcastEnd { room: ROOM.into() });
    assert!(!f.app.model.as_ref().unwrap().live);
    assert_eq!(f.app.screen(), Screen::Report, "the end opens its report");
    f.key(KeyCode::Esc);
    assert_eq!(
        f.key(KeyCode::Char('b')),
        vec![Effect::Broadcast(true)],
        "offline: live at once"
    );
    f.app
        .on_broadcast_answer(Err("409: already live".into()), f.now);
    assert!(f.render(80, 24).contains("already live"));
}

#[test]
fn a_moderator_cannot_start_or_end_the_broadcast() {
    let mut f = Fixture::new("moderator");
    assert!(f.key(KeyCode::Char('b')).is_empty());
    assert_eq!(f.app.screen(), Screen::Queue);
}

#[test]
fn a_room_that_does_not_exist_yet_is_said_so_and_asked_for_again() {
    let mut app = App::new(ROOM.into(), Keymap::default_keymap(), Theme::no_color());
    let t0 = Stamp(1_795_000_000_000_000);
    app.on_stream(
        StreamEvent::Connected {
            epoch: "e".into(),
            role: "performer".into(),
        },
        t0,
    );
    let missing = || {
        StreamEvent::Error(ApiError::new(
            ErrorCode::UnknownRoom,
            format!("room `{ROOM}` does not exist"),
        ))
    };
    assert_eq!(app.on_stream(missing(), t0), vec![Effect::RetryRoom]);
    assert_eq!(app.on_stream(missing(), t0), vec![Effect::RetryRoom]);
    assert_eq!(
        app.log.len(),
        2,
        "said once, not at every retry: {:?}",
        app.log
    );
    let screen = crate::fixture::render_app(&app, 100, 24);
    assert!(
        screen.contains("Room room-1 does not exist yet: `cuedeck serve room create room-1`"),
        "{screen}"
    );
    // Once the room exists its snapshot arrives and the console runs as usual.
    let f = Fixture::new("performer");
    let snapshot = cuedeck::server::snapshot_of(&f.engine, &ROOM.into(), "e").unwrap();
    app.on_stream(StreamEvent::Snapshot(Box::new(snapshot)), t0);
    assert!(!app.room_missing);
    assert!(!crate::fixture::render_app(&app, 100, 24).contains("does not exist yet"));
}
