//! The award dialog from a queue row: it asks the server what the limits
//! allow and for this broadcast's awards, refuses more than the limits
//! allow before sending, sends one award with its key, and closes on the
//! server's yes (or shows its refusal).

use crate::fixture::Fixture;
use crossterm::event::KeyCode;
use cuedeck::console::app::{Dialog, Effect};
use cuedeck::console::queue::award::{PointsAnswer, PointsRequest};
use cuedeck::console::screen::Screen;
use cuedeck::domain::points::AwardRoom;
use cuedeck::protocol::AwardLeft;

fn typed(f: &mut Fixture, text: &str) {
    for c in text.chars() {
        f.key(KeyCode::Char(c));
    }
}

#[test]
fn an_award_is_checked_against_the_limits_sent_once_and_closes_on_yes() {
    let mut f = Fixture::new("performer");
    f.buy(2);
    let effects = f.key(KeyCode::Char('p'));
    assert_eq!(f.app.screen(), Screen::Award);
    let Some(Dialog::Award(form)) = &f.app.dialog else {
        panic!("the award dialog is open")
    };
    let user = form.user.clone();
    assert_eq!(
        effects,
        vec![
            Effect::Points(PointsRequest::Left(user.clone())),
            Effect::Points(PointsRequest::Awards),
        ]
    );
    let left = AwardRoom {
        per_viewer: 40,
        per_broadcast: 500,
        per_hour: 300,
        per_day: 900,
        velocity: 2,
        allowance: 1000,
    };
    f.app.on_points_answer(PointsAnswer::Left(AwardLeft {
        user: user.clone(),
        balance: 75,
        most: left.most(),
        left,
    }));
    let screen = f.render(100, 30);
    assert!(
        screen.contains("has 75 points; you may award up to 40 now"),
        "{screen}"
    );
    assert!(screen.contains("none yet"), "{screen}");

    // 'q' and 's' are text here: typing never quits nor starts.
    typed(&mut f, "41");
    assert!(f.key(KeyCode::Enter).is_empty());
    assert!(
        f.render(100, 30)
            .contains("the limits allow at most 40 now")
    );
    f.key(KeyCode::Backspace);
    f.key(KeyCode::Backspace);
    typed(&mut f, "40");
    f.key(KeyCode::Tab);
    typed(&mut f, "so quick");
    let effects = f.key(KeyCode::Enter);
    let [
        Effect::Points(PointsRequest::Award {
            user: to,
            amount,
            note,
            key,
        }),
    ] = &effects[..]
    else {
        panic!("one award: {effects:?}")
    };
    assert_eq!(
        (to, *amount, note.as_deref()),
        (&user, 40, Some("so quick"))
    );
    assert!(!key.is_empty());
    // Enter again while it is on its way sends nothing more.
    assert!(f.key(KeyCode::Enter).is_empty());

    f.app.on_points_answer(PointsAnswer::Failed(
        "the award limit velocity leaves 0 points".into(),
    ));
    assert!(f.render(100, 30).contains("velocity leaves 0"));
    f.app.on_points_answer(PointsAnswer::Awarded {
        user: user.clone(),
        amount: 40,
    });
    assert_eq!(f.app.screen(), Screen::Queue);
    let status = f.app.status.as_ref().map(|(_, text)| text.as_str());
    assert!(
        status.is_some_and(|s| s.contains("awarded 40 points")),
        "{status:?}"
    );
}

#[test]
fn escape_awards_nothing() {
    let mut f = Fixture::new("performer");
    f.buy(1);
    f.key(KeyCode::Char('p'));
    typed(&mut f, "5");
    assert!(f.key(KeyCode::Esc).is_empty());
    assert_eq!(f.app.screen(), Screen::Queue);
}

#[test]
fn the_item_details_show_the_viewers_points_and_last_awards() {
    let mut f = Fixture::new("performer");
    f.buy(1);
    f.key(KeyCode::Enter);
    let item = f
        .app
        .model
        .as_ref()
        .unwrap()
        .find(cuedeck::domain::ItemId(1))
        .cloned()
        .unwrap();
    let record = f.engine.item(item.id).cloned().unwrap();
    f.app.on_audit(item.id, Ok(record));
    assert!(f.render(100, 30).contains("points: asking"));
    let row: cuedeck::protocol::PointsRow = serde_json::from_value(serde_json::json!({
        "id": 4, "kind": "award", "user": item.user_id, "performer": "p", "room": "room-1",
        "amount": 25, "source": "award", "reason": "great dance",
        "by": {"role": "performer", "id": "t"}, "at": 1
    }))
    .unwrap();
    f.app.on_points_answer(PointsAnswer::Viewer {
        user: item.user_id.clone(),
        points: Ok((75, vec![row])),
    });
    let screen = f.render(100, 30);
    assert!(
        screen.contains("points 75 · last awards 25 (great dance)"),
        "{screen}"
    );
}
