//! Whole-screen snapshots of the console at 80x24 and 160x48, on a fixed
//! clock, for every state a performer meets.

use crate::fixture::Fixture;
use crossterm::event::KeyCode;
use cuedeck::client::StreamEvent;

fn both(name: &str, fixture: &Fixture) {
    insta::assert_snapshot!(format!("{name}_80x24"), fixture.render(80, 24));
    insta::assert_snapshot!(format!("{name}_160x48"), fixture.render(160, 48));
}

#[test]
fn empty_queue() {
    both("empty", &Fixture::new("performer"));
}

#[test]
fn busy_queue() {
    let mut f = Fixture::new("performer");
    f.buy(34);
    both("busy", &f);
}

#[test]
fn an_item_in_each_phase_and_in_overtime() {
    for (name, ms) in [
        ("green", 10_000),
        ("yellow", 45_000),
        ("red", 75_000),
        ("overtime", 97_000),
    ] {
        let mut f = Fixture::new("performer");
        f.buy(4);
        f.start();
        f.advance_ms(ms);
        let screen = f.render(80, 24);
        assert!(
            screen.contains(&name.to_uppercase()),
            "{name} shows its word:\n{screen}"
        );
        both(&format!("phase_{name}"), &f);
    }
}

#[test]
fn the_refund_dialog() {
    let mut f = Fixture::new("performer");
    f.buy(6);
    f.key(KeyCode::Down);
    f.key(KeyCode::Char('r'));
    both("refund_dialog", &f);
}

#[test]
fn help() {
    let mut f = Fixture::new("performer");
    f.buy(3);
    f.key(KeyCode::Char('?'));
    both("help", &f);
}

#[test]
fn the_disconnected_banner() {
    let mut f = Fixture::new("performer");
    f.buy(5);
    f.start();
    f.app.on_stream(
        StreamEvent::Disconnected {
            attempt: 3,
            reason: "connection refused".into(),
            retry_in: std::time::Duration::from_secs(2),
        },
        f.now,
    );
    f.advance_ms(4_000);
    let screen = f.render(80, 24);
    assert!(screen.contains("DISCONNECTED 4s"), "{screen}");
    both("disconnected", &f);
}

#[test]
fn a_terminal_too_small_gets_a_plain_message() {
    let f = Fixture::new("performer");
    let screen = f.render(50, 12);
    assert!(
        screen.contains("cuedeck needs at least") && screen.contains("60x16"),
        "{screen}"
    );
}
