//! What each widget receives for each kind of room event.

use super::*;
use crate::domain::builder::PayloadBuilder;
use crate::domain::toy_effect::{Pattern, Timing};
use crate::domain::{
    Actor, Command, Engine, EngineConfig, ItemId, RefundReason, Request, Role, Source,
};

const T0: i64 = 1_800_000_000_000_000;

/// An engine and the feed, moved in step.
struct Show {
    engine: Engine,
    feed: Feed,
    now: Stamp,
    heard: Vec<SpinHeard>,
}

impl Show {
    fn new() -> Show {
        let mut engine = Engine::new(EngineConfig::default());
        let now = Stamp(T0);
        for command in [
            Command::CreateRoom {
                room: "r".into(),
                performer: "p".into(),
            },
            Command::BroadcastStart { room: "r".into() },
            Command::Mint {
                user: "u-secret-7".into(),
                amount: 10_000,
            },
        ] {
            engine.execute(now, &Request::new(command)).unwrap();
        }
        let mut show = Show {
            engine,
            feed: Feed::new(),
            now,
            heard: Vec::new(),
        };
        show.publish();
        show
    }

    /// The room as the console would hold it after these events.
    fn publish(&mut self) {
        let view = self.engine.room_view(&"r".into()).unwrap();
        let in_progress = view.in_progress.and_then(|id| {
            let item = self.engine.item(id)?;
            Some(RunningItem {
                item: item.view.clone(),
                started_at: item.started_at?,
            })
        });
        let waiting = view
            .waiting
            .iter()
            .filter_map(|id| self.engine.item(*id).map(|i| i.view.clone()))
            .collect();
        self.feed.on_state(Arc::new(ConsoleState {
            connected: true,
            in_progress,
            waiting,
            offset_us: 0,
            toy_halted: false,
            toys: vec![ToyBar {
                label: "Lush 3".into(),
                level: 7,
                outputs: Vec::new(),
            }],
        }));
    }

    fn run(&mut self, command: Command) {
        let outcome = self
            .engine
            .execute(self.now, &Request::new(command))
            .unwrap();
        for event in &outcome.events {
            self.heard.extend(self.feed.on_event(event));
        }
        self.publish();
    }

    fn buy(&mut self, key: &str, title: &str, name: Option<&str>) {
        let mut payload = PayloadBuilder::new("p", "u-secret-7", key, 10).title(title);
        if let Some(name) = name {
            payload = payload.display_name(name);
        }
        self.run(payload.queued("r"));
    }

    fn by() -> Actor {
        Actor::new(Role::Performer, "p")
    }

    fn advance_ms(&mut self, ms: i64) {
        self.now = Stamp(self.now.0 + ms * 1000);
    }

    /// Every widget's frame, as a page would get it.
    fn frames(&self) -> String {
        [
            serde_json::to_string(&self.feed.queue()).unwrap(),
            serde_json::to_string(&self.feed.stage(self.now)).unwrap(),
            serde_json::to_string(&self.feed.toy()).unwrap(),
            serde_json::to_string(&self.feed.events(self.now)).unwrap(),
            serde_json::to_string(&self.feed.game(GameMark::Wheel, self.now)).unwrap(),
            serde_json::to_string(&self.feed.game(GameMark::Slot, self.now)).unwrap(),
        ]
        .join("\n")
    }
}

fn assert_public(frames: &str) {
    for private in [
        "u-secret-7",
        "escrow",
        "balance",
        "userId",
        "tokenCost",
        "refunded",
        "reason",
        "\"p\"",
    ] {
        assert!(!frames.contains(private), "{private} in {frames}");
    }
}

#[test]
fn a_queued_item_reaches_the_queue_and_the_events_with_its_announced_name() {
    let mut show = Show::new();
    show.buy("k1", "Dance", Some("Mia"));
    show.buy("k2", "Wave", None);
    let queue = show.feed.queue();
    assert_eq!(queue.count, 2);
    let rows: Vec<_> = queue
        .items
        .iter()
        .map(|e| (e.position, e.name.as_str(), e.title.as_str()))
        .collect();
    assert_eq!(rows, [(1, "Mia", "Dance"), (2, "a viewer", "Wave")]);
    let events = show.feed.events(show.now);
    assert_eq!(events.events.len(), 2);
    assert_eq!(events.events[0].name, "a viewer", "newest first");
    assert_eq!(events.events[1].kind, "purchase");
    assert!(show.feed.stage(show.now).on_stage.is_none());
    assert_public(&show.frames());
}

#[test]
fn a_start_puts_the_item_on_stage_with_its_phase_and_toy_effects() {
    let mut show = Show::new();
    show.run(
        PayloadBuilder::new("p", "u-secret-7", "k1", 10)
            .title("Dance")
            .display_name("Mia")
            .duration_ms(60_000)
            .toy(Timing::P50, 12, Some(5_000), Pattern::Pulse)
            .queued("r"),
    );
    assert!(show.feed.queue().items[0].toy, "the toy mark");
    show.run(Command::Start {
        room: "r".into(),
        item: None,
        by: Show::by(),
    });
    let stage = show.feed.stage(show.now).on_stage.unwrap();
    assert_eq!((stage.phase, stage.remaining_ms), ("GREEN", 60_000));
    assert_eq!(stage.toy_next, ["at 50%: level 12 for 5 s"]);
    assert_eq!(show.feed.queue().count, 1);
    assert!(show.feed.queue().items.is_empty(), "on stage, not waiting");
    show.advance_ms(25_000);
    assert_eq!(show.feed.stage(show.now).on_stage.unwrap().phase, "YELLOW");
    show.advance_ms(16_000);
    let stage = show.feed.stage(show.now).on_stage.unwrap();
    assert_eq!((stage.phase, stage.remaining_ms), ("RED", 19_000));
    assert!(stage.toy_next.is_empty(), "the effect at 50 % has played");
    show.advance_ms(22_000);
    let stage = show.feed.stage(show.now).on_stage.unwrap();
    assert_eq!(
        (stage.phase, stage.remaining_ms, stage.overtime),
        ("OVERTIME", 3_000, true)
    );
    assert_public(&show.frames());
}

#[test]
fn a_finish_and_a_refund_empty_the_stage_and_the_queue() {
    let mut show = Show::new();
    show.buy("k1", "Dance", Some("Mia"));
    show.buy("k2", "Wave", Some("Bo"));
    show.run(Command::Start {
        room: "r".into(),
        item: None,
        by: Show::by(),
    });
    show.run(Command::Finish {
        room: "r".into(),
        item: None,
        by: Show::by(),
    });
    assert!(show.feed.stage(show.now).on_stage.is_none());
    assert_eq!(show.feed.queue().items[0].name, "Bo");
    show.run(Command::Refund {
        room: "r".into(),
        item: ItemId(2),
        amount: None,
        reason: RefundReason::Other,
        note: Some("camera died".into()),
        by: Show::by(),
    });
    assert_eq!(show.feed.queue().count, 0);
    // A refund is not a purchase: the events keep the two buys only.
    assert_eq!(show.feed.events(show.now).events.len(), 2);
    let frames = show.frames();
    assert!(!frames.contains("camera died"), "{frames}");
    assert_public(&frames);
}

#[test]
fn an_instant_purchase_is_an_event_not_a_queue_entry() {
    let mut show = Show::new();
    show.run(
        PayloadBuilder::new("p", "u-secret-7", "k1", 5)
            .title("Flash")
            .display_name("Mia")
            .instant("r"),
    );
    assert_eq!(show.feed.queue().count, 0);
    let events = show.feed.events(show.now).events;
    assert_eq!(
        (events[0].title.as_str(), events[0].kind),
        ("Flash", "purchase")
    );
    show.advance_ms(EVENT_TTL_MS as i64);
    assert!(show.feed.events(show.now).events.is_empty(), "faded out");
}

#[test]
fn a_private_request_shows_neither_name_nor_title() {
    let mut show = Show::new();
    show.run(
        PayloadBuilder::new("p", "u-secret-7", "k1", 30)
            .title("Secret wish")
            .display_name("Mia")
            .private_request()
            .queued("r"),
    );
    let frames = show.frames();
    assert!(
        !frames.contains("Secret wish") && !frames.contains("Mia"),
        "{frames}"
    );
    assert_eq!(show.feed.queue().items[0].name, "private request");
}

#[test]
fn a_spin_lands_only_on_the_prize_of_its_receipt() {
    let mut show = Show::new();
    let config = GameConfig::from_toml(include_str!("../../config/games/wheel_party.toml"))
        .expect("the shipped wheel template parses");
    show.feed.on_game(&config);
    show.run(
        PayloadBuilder::new("p", "u-secret-7", "k1", 5)
            .title("Wink")
            .display_name("Mia")
            .source(Source::SpinWheel)
            .source_event("wheel-abc")
            .queued("r"),
    );
    let heard = show.heard.pop().expect("a spin to resolve");
    assert_eq!(
        (heard.game, heard.spin_id.as_str()),
        (GameMark::Wheel, "wheel-abc")
    );
    assert_eq!(show.feed.queue().items[0].game, Some(GameMark::Wheel));
    assert_eq!(show.feed.events(show.now).events[0].kind, "winner");
    // No receipt yet: the wheel shows no landing of its own making.
    assert!(show.feed.game(GameMark::Wheel, show.now).spin.is_none());
    let segments = show.feed.game(GameMark::Wheel, show.now).segments;
    let drawn = &segments[2];
    show.feed.on_receipt(
        GameMark::Wheel,
        SpinReceipt {
            spin_id: "wheel-abc".into(),
            prize: drawn.prize,
            title: drawn.title.clone(),
            commitment: "c0ffee".into(),
        },
    );
    let wheel = show.feed.game(GameMark::Wheel, show.now);
    let spin = wheel.spin.unwrap();
    assert_eq!((spin.landing, spin.prize), (2, drawn.prize));
    assert!(spin.fresh && spin.commitment == "c0ffee");
    assert!(show.feed.game(GameMark::Slot, show.now).spin.is_none());
    show.advance_ms(SPIN_FRESH_MS as i64);
    assert!(
        !show
            .feed
            .game(GameMark::Wheel, show.now)
            .spin
            .unwrap()
            .fresh
    );
    assert_public(&show.frames());
}

#[test]
fn the_toy_bars_follow_the_console_and_the_stop_key() {
    let mut show = Show::new();
    assert_eq!(
        show.feed.toy().toys,
        [ToyBar {
            label: "Lush 3".into(),
            level: 7,
            outputs: Vec::new(),
        }]
    );
    show.feed.on_state(Arc::new(ConsoleState {
        toy_halted: true,
        ..(*show.feed.state).clone()
    }));
    let toy = show.feed.toy();
    assert!(toy.halted && toy.toys[0].level == 0);
}

#[test]
fn a_toy_with_several_outputs_shows_each_and_the_stop_key_zeroes_them() {
    let mut show = Show::new();
    let output = |name: &str, level, max| OutputBar {
        name: name.into(),
        level,
        max,
    };
    show.feed.on_state(Arc::new(ConsoleState {
        toys: vec![ToyBar {
            label: "Max 2".into(),
            level: 12,
            outputs: vec![output("vib", 12, 20), output("air", 9, 3)],
        }],
        ..(*show.feed.state).clone()
    }));
    // Levels above an output's range are clamped to it.
    assert_eq!(
        show.feed.toy().toys[0].outputs,
        [output("vib", 12, 20), output("air", 3, 3)]
    );
    show.feed.on_state(Arc::new(ConsoleState {
        toy_halted: true,
        ..(*show.feed.state).clone()
    }));
    let toy = show.feed.toy();
    assert!(toy.toys[0].outputs.iter().all(|o| o.level == 0));
}

#[test]
fn a_lost_console_connection_shows_nothing_stale() {
    let mut show = Show::new();
    show.buy("k1", "Dance", Some("Mia"));
    show.feed.on_state(Arc::new(ConsoleState {
        connected: false,
        ..(*show.feed.state).clone()
    }));
    assert!(!show.feed.queue().live && show.feed.queue().items.is_empty());
    assert!(show.feed.events(show.now).events.is_empty());
    assert!(show.feed.toy().toys.is_empty());
    assert_eq!(show.feed.next_change_ms(show.now), None);
}

#[test]
fn moderation_and_messages_never_reach_a_widget() {
    let mut show = Show::new();
    let before = show.frames();
    show.run(Command::Pause {
        room: "r".into(),
        note: Some("back in 5".into()),
        by: Show::by(),
    });
    assert_eq!(show.frames(), before);
}
