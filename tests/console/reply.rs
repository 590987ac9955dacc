//! The reply dialog: opened from a queue row or an item's details, the
//! templates previewed in the viewer's tier wording, a template or free
//! text sent privately or publicly, and the messages' statuses in the log.

use crossterm::event::KeyCode;
use cuedeck::client::StreamEvent;
use cuedeck::console::app::{Dialog, Effect};
use cuedeck::console::reply::{ReplyAnswer, ReplyRequest};
use cuedeck::domain::{Stamp, Tier};
use cuedeck::protocol::{MessageStatusNote, ReplyCatalog, ReplyChoice, ReplyMood, ReplyVisibility};

use crate::fixture::Fixture;

fn catalog() -> ReplyCatalog {
    let choice = |key: &str, text: &str| ReplyChoice {
        key: key.into(),
        text: text.into(),
    };
    ReplyCatalog {
        viewer: Some("u1".into()),
        tier: Tier::Vip,
        moods: vec![
            ReplyMood {
                mood: "happy".into(),
                templates: vec![
                    choice("thanks", "u1, my VIP, you made my day!"),
                    choice("welcome", "Welcome back, u1!"),
                ],
            },
            ReplyMood {
                mood: "sad".into(),
                templates: vec![choice("sorry", "u1, I'm so sorry.")],
            },
        ],
    }
}

fn opened() -> (Fixture, cuedeck::domain::ItemId) {
    let mut f = Fixture::new("performer");
    f.buy(2);
    let item = f.app.rows()[0];
    let effects = f.key(KeyCode::Char('a'));
    assert_eq!(effects, vec![Effect::Reply(ReplyRequest::Catalog(item))]);
    f.app.on_reply_answer(ReplyAnswer::Catalog(catalog()));
    (f, item)
}

fn sent(effects: Vec<Effect>) -> cuedeck::protocol::ReplyBody {
    match effects.as_slice() {
        [Effect::Reply(ReplyRequest::Send(body))] => (**body).clone(),
        other => panic!("no reply sent: {other:?}"),
    }
}

#[test]
fn a_template_by_mood_is_previewed_in_the_tier_wording_and_sent_for_the_item() {
    let (mut f, item) = opened();
    let screen = f.render(100, 30);
    assert!(screen.contains("my VIP, you made my day"), "{screen}");
    assert!(screen.contains("(vip)"), "{screen}");
    f.key(KeyCode::Tab); // the mood
    f.key(KeyCode::Down); // sad
    let screen = f.render(100, 30);
    assert!(screen.contains("so sorry"), "{screen}");
    let body = sent(f.key(KeyCode::Enter));
    assert_eq!(body.item, Some(item));
    assert_eq!(body.visibility, ReplyVisibility::Private);
    assert_eq!(body.mood.as_deref(), Some("sad"));
    assert_eq!(body.template.as_deref(), Some("sorry"));
    assert!(f.app.dialog.is_none(), "sending closes the dialog");
}

#[test]
fn free_text_goes_public_and_an_empty_text_is_refused_before_sending() {
    let (mut f, _) = opened();
    f.key(KeyCode::Down); // free text
    f.key(KeyCode::Tab); // the text
    assert!(
        f.key(KeyCode::Enter).is_empty(),
        "nothing typed: nothing sent"
    );
    let Some(Dialog::Reply(form)) = &f.app.dialog else {
        panic!("the dialog stays open")
    };
    assert!(form.error.as_deref().unwrap().contains("text"));
    for c in "Thanks all".chars() {
        f.key(KeyCode::Char(c));
    }
    f.key(KeyCode::Tab); // to
    f.key(KeyCode::Down); // the room's chat
    let body = sent(f.key(KeyCode::Enter));
    assert_eq!(body.visibility, ReplyVisibility::Public);
    assert_eq!(body.text.as_deref(), Some("Thanks all"));
    assert_eq!(body.item, None);
}

#[test]
fn the_details_offer_a_reply_and_esc_sends_nothing() {
    let mut f = Fixture::new("performer");
    f.buy(1);
    f.key(KeyCode::Enter); // details
    let effects = f.key(KeyCode::Char('a'));
    assert!(matches!(
        effects.as_slice(),
        [Effect::Reply(ReplyRequest::Catalog(_))]
    ));
    assert!(f.key(KeyCode::Esc).is_empty());
    assert!(f.app.dialog.is_none());
}

#[test]
fn each_status_change_of_a_private_message_is_in_the_log() {
    let (mut f, _) = opened();
    for status in ["sent", "delivered", "read"] {
        let note = MessageStatusNote {
            room: crate::fixture::ROOM.into(),
            id: 42,
            viewer: "u1".into(),
            tier: Tier::Vip,
            status: status.into(),
            at: Stamp::from_secs(1_800_000_000),
            reason: None,
            attempts: 0,
        };
        f.app.on_stream(
            StreamEvent::MessageStatus(note),
            Stamp::from_secs(1_800_000_000),
        );
    }
    let log: Vec<&str> = f.app.log.iter().map(|l| l.text.as_str()).collect();
    for status in ["sent", "delivered", "read"] {
        let line = format!("message 42 to u1 (vip): {status}");
        assert!(log.contains(&line.as_str()), "{line} in {log:?}");
    }
}
