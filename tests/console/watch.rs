//! The watch grid: many rooms fed by a real engine's events, a fixed clock;
//! attention ordering, the list at 80x24, the grid when wide, the keys.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use cuedeck::client::StreamEvent;
use cuedeck::console::app::{App, Effect};
use cuedeck::console::keymap::Keymap;
use cuedeck::console::screen::Screen;
use cuedeck::console::theme::Theme;
use cuedeck::console::watch::ModerationRequest;
use cuedeck::console::watch::{Attention, WatchGrid};
use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::*;

use crate::fixture::T0;

pub struct Watch {
    pub engine: Engine,
    pub app: App,
    pub now: Stamp,
}

pub fn room(n: usize) -> String {
    format!("room-{n:02}")
}

impl Watch {
    /// `rooms` live rooms, watched by a moderator, none with anything yet.
    pub fn new(rooms: usize) -> Watch {
        let mut engine = Engine::new(EngineConfig::default());
        let mut app = App::new("watch".into(), Keymap::default_keymap(), Theme::no_color());
        app.watch = Some(WatchGrid::default());
        app.on_watch(
            None,
            StreamEvent::Connected {
                epoch: "e".into(),
                role: "moderator".into(),
            },
            T0,
        );
        for n in 0..40 {
            let mint = Command::Mint {
                user: format!("viewer-{n}").as_str().into(),
                amount: 100_000,
            };
            engine.execute(T0, &Request::new(mint)).unwrap();
        }
        for n in 0..rooms {
            for command in [
                Command::CreateRoom {
                    room: room(n).as_str().into(),
                    performer: format!("perf-{n:02}").as_str().into(),
                },
                Command::BroadcastStart {
                    room: room(n).as_str().into(),
                },
            ] {
                engine.execute(T0, &Request::new(command)).unwrap();
            }
            let id: RoomId = room(n).as_str().into();
            let snapshot = cuedeck::server::snapshot_of(&engine, &id, "e").unwrap();
            app.on_watch(Some(id), StreamEvent::Snapshot(Box::new(snapshot)), T0);
        }
        Watch {
            engine,
            app,
            now: T0,
        }
    }

    pub fn run(&mut self, command: Command) -> Outcome {
        let outcome = self
            .engine
            .execute(self.now, &Request::new(command))
            .unwrap();
        for event in &outcome.events {
            let stream = StreamEvent::Event {
                event: Box::new(event.clone()),
                text: None,
            };
            self.app
                .on_watch(Some(event.room.clone()), stream, self.now);
        }
        outcome
    }

    pub fn advance_s(&mut self, s: u64) {
        self.now = self.now.plus_millis(s * 1000);
    }

    /// A 90 s item bought by `viewer` in room `n`; its id.
    pub fn buy(&mut self, n: usize, viewer: usize) -> ItemId {
        let k = self.engine.items().len();
        let payload = PayloadBuilder::new(
            &format!("perf-{n:02}"),
            &format!("viewer-{viewer}"),
            &format!("k{k}"),
            20 + (k as u64 * 7) % 80,
        )
        .title(["Dance", "Sing a song", "Shout-out"][k % 3])
        .display_name(&format!("Fan{viewer:02}"))
        .duration_ms(90_000);
        let outcome = self.run(payload.queued(&room(n)));
        outcome
            .events
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::ItemQueued { item, .. } => Some(item.id),
                _ => None,
            })
            .expect("queued")
    }

    pub fn start(&mut self, n: usize) {
        self.run(Command::Start {
            room: room(n).as_str().into(),
            item: None,
            by: Actor::new(Role::Performer, "p"),
        });
    }

    pub fn refund(&mut self, item: ItemId, n: usize, reason: RefundReason) {
        self.run(Command::Refund {
            room: room(n).as_str().into(),
            item,
            amount: None,
            reason,
            note: Some("noted".into()),
            by: Actor::new(Role::Moderator, "m"),
        });
    }

    pub fn ban(&mut self, n: usize, viewer: usize) {
        self.run(Command::Ban {
            rooms: vec![room(n).as_str().into()],
            user: format!("viewer-{viewer}").as_str().into(),
            reason: BanReason::Spam,
            note: None,
            expires_at: None,
            by: Actor::new(Role::Moderator, "m"),
        });
    }

    pub fn key(&mut self, code: KeyCode) -> Vec<Effect> {
        self.app
            .on_key(KeyEvent::new(code, KeyModifiers::NONE), self.now)
    }

    pub fn render(&self, width: u16, height: u16) -> String {
        let backend = ratatui::backend::TestBackend::new(width, height);
        let mut terminal = ratatui::Terminal::new(backend).unwrap();
        terminal
            .draw(|frame| cuedeck::console::view::draw(frame, &self.app, self.now))
            .unwrap();
        terminal.backend().to_string()
    }

    pub fn grid(&self) -> &WatchGrid {
        self.app.watch.as_ref().unwrap()
    }

    pub fn order(&self) -> Vec<(String, Option<Attention>)> {
        self.grid()
            .ordered(self.now)
            .into_iter()
            .map(|(id, _, a)| (id.to_string(), a))
            .collect()
    }
}

/// Three rooms: one performing, one paused with a queue, one offline with
/// tokens waiting in escrow.
pub fn three() -> Watch {
    let mut w = Watch::new(3);
    w.buy(0, 1);
    w.buy(0, 2);
    w.start(0);
    w.buy(1, 3);
    w.run(Command::Pause {
        room: room(1).as_str().into(),
        note: None,
        by: Actor::new(Role::Moderator, "m"),
    });
    w.buy(2, 4);
    w.run(Command::BroadcastEnd {
        room: room(2).as_str().into(),
    });
    w.advance_s(30);
    w
}

/// Forty rooms of every kind; the clock 200 s on.
pub fn forty() -> Watch {
    let mut w = Watch::new(40);
    for n in 0..40 {
        w.buy(n, n % 40);
        w.buy(n, (n + 1) % 40);
        if n % 8 == 0 {
            w.start(n); // at T0: far into overtime by the end
        }
    }
    for n in 0..40 {
        match n % 10 {
            3 => {
                let item = w.buy(n, 9);
                w.refund(item, n, RefundReason::Dispute);
            }
            5 => {
                for viewer in 10..13 {
                    let item = w.buy(n, viewer);
                    w.refund(item, n, RefundReason::Goodwill);
                }
            }
            7 => {
                w.run(Command::BroadcastEnd {
                    room: room(n).as_str().into(),
                });
            }
            _ => {}
        }
    }
    w.advance_s(170);
    for n in 0..40 {
        if n % 8 == 4 {
            w.start(n); // 30 s in at the end: green
        }
    }
    w.ban(13, 20);
    w.ban(26, 21);
    w.advance_s(30);
    w
}

#[test]
fn three_rooms_at_80x24_are_a_list() {
    let w = three();
    assert_eq!(w.app.screen(), Screen::Watch);
    insta::assert_snapshot!("watch_three_80x24", w.render(80, 24));
}

#[test]
fn forty_rooms_at_200x60_are_a_grid_with_attention_first() {
    let w = forty();
    let order = w.order();
    let reasons: Vec<_> = order.iter().map(|(_, a)| *a).collect();
    // Ban, dispute, refund burst, overtime, offline with escrow, then calm.
    let rank = |a: &Option<Attention>| match a {
        Some(Attention::Ban) => 0,
        Some(Attention::Dispute) => 1,
        Some(Attention::RefundBurst(_)) => 2,
        Some(Attention::Overtime(_)) => 3,
        Some(Attention::OfflineEscrow(_)) => 4,
        None => 5,
    };
    assert!(
        reasons.windows(2).all(|p| rank(&p[0]) <= rank(&p[1])),
        "{order:?}"
    );
    assert_eq!(order[0].0, "room-13");
    assert_eq!(order[1].0, "room-26");
    assert!(
        order
            .iter()
            .any(|(_, a)| matches!(a, Some(Attention::Dispute)))
    );
    assert!(
        order
            .iter()
            .any(|(_, a)| matches!(a, Some(Attention::RefundBurst(3))))
    );
    assert!(
        order
            .iter()
            .any(|(_, a)| matches!(a, Some(Attention::Overtime(_))))
    );
    assert!(
        order
            .iter()
            .any(|(_, a)| matches!(a, Some(Attention::OfflineEscrow(_))))
    );
    assert!(order.iter().any(|(_, a)| a.is_none()));
    insta::assert_snapshot!("watch_forty_200x60", w.render(200, 60));
}

#[test]
fn refunds_older_than_ten_minutes_stop_needing_attention() {
    let mut w = Watch::new(1);
    let item = w.buy(0, 1);
    w.refund(item, 0, RefundReason::Dispute);
    assert_eq!(w.order()[0].1, Some(Attention::Dispute));
    w.advance_s(601);
    assert_eq!(w.order()[0].1, None);
}

#[test]
fn the_selection_moves_by_rows_and_pages_and_follows_the_room() {
    let mut w = forty();
    let first = w.order()[0].0.clone();
    assert_eq!(
        w.grid().selected.as_ref().map(|r| r.to_string()),
        Some("room-00".into())
    );
    w.app.size = (80, 24);
    w.key(KeyCode::PageUp);
    assert_eq!(w.grid().selected_index(w.now), 0);
    assert_eq!(w.grid().selected.as_ref().unwrap().to_string(), first);
    w.key(KeyCode::Down);
    assert_eq!(w.grid().selected_index(w.now), 1);
    w.key(KeyCode::PageDown);
    // 80x24: 22 body lines, two a room: 11 a page.
    assert_eq!(w.grid().selected_index(w.now), 12);
    assert!(w.grid().scroll > 0, "the page follows the selection");
    let shown = w.render(80, 24);
    let selected = w.order()[12].0.clone();
    assert!(shown.contains(&format!("▸ {selected}")), "{shown}");
    w.key(KeyCode::PageUp);
    assert_eq!(w.grid().selected_index(w.now), 1);
    // Wide: a row of cards is one step; left and right one card.
    w.app.size = (200, 60);
    w.key(KeyCode::Down);
    assert_eq!(w.grid().selected_index(w.now), 5);
    w.key(KeyCode::Right);
    assert_eq!(w.grid().selected_index(w.now), 6);
    w.key(KeyCode::Left);
    w.key(KeyCode::Left);
    assert_eq!(w.grid().selected_index(w.now), 4);
    assert_eq!(
        w.key(KeyCode::Char('q')),
        vec![Effect::StopToy, Effect::Quit]
    );
}

#[test]
fn hundreds_of_rooms_scroll_to_the_last() {
    let mut w = Watch::new(300);
    w.app.size = (80, 24);
    for _ in 0..40 {
        w.key(KeyCode::PageDown);
    }
    assert_eq!(w.grid().selected_index(w.now), 299);
    let last = w.order()[299].0.clone();
    let shown = w.render(80, 24);
    assert!(shown.contains(&format!("▸ {last} ")), "{shown}");
}

#[test]
fn enter_opens_the_room_read_only_with_moderation_keys_and_esc_goes_back() {
    let mut w = three();
    // room-02 (offline, escrow) is first; step to room-00, on stage.
    w.key(KeyCode::PageUp);
    w.key(KeyCode::Down);
    assert_eq!(w.grid().selected.as_ref().unwrap().to_string(), "room-00");
    w.key(KeyCode::Enter);
    assert_eq!(w.app.screen(), Screen::WatchRoom);
    assert_eq!(w.app.room.to_string(), "room-00");
    let shown = w.render(100, 30);
    assert!(shown.contains("Dance"), "{shown}");
    assert!(shown.contains("ban"), "the footer offers the ban: {shown}");
    // Start is not a moderator's: nothing is sent.
    assert!(w.key(KeyCode::Char('s')).is_empty());
    // The room's later events reach the open view.
    w.buy(0, 7);
    assert_eq!(w.app.model.as_ref().unwrap().len(), 3);

    // Pause, then (once the server says paused) resume.
    assert_eq!(
        w.key(KeyCode::Char('p')),
        vec![Effect::Moderate(ModerationRequest::Pause("room-00".into()))]
    );
    w.run(Command::Pause {
        room: room(0).as_str().into(),
        note: None,
        by: Actor::new(Role::Moderator, "m"),
    });
    assert!(w.render(100, 30).contains("PAUSED"), "the banner");
    assert_eq!(
        w.key(KeyCode::Char('p')),
        vec![Effect::Moderate(ModerationRequest::Resume(
            "room-00".into()
        ))]
    );

    // Ban the selected item's viewer: reason, scope, enter.
    w.key(KeyCode::Char('b'));
    assert_eq!(w.app.screen(), Screen::Ban);
    assert!(w.render(100, 30).contains("Ban Fan01"));
    w.key(KeyCode::Down);
    w.key(KeyCode::Char(' '));
    assert_eq!(
        w.key(KeyCode::Enter),
        vec![Effect::Moderate(ModerationRequest::Ban {
            room: "room-00".into(),
            user: "viewer-1".into(),
            reason: BanReason::Spam,
            all: true,
            note: None,
            expires_in_secs: None,
        })]
    );
    assert_eq!(w.app.screen(), Screen::WatchRoom);
    w.key(KeyCode::Char('b'));
    w.key(KeyCode::Esc);
    assert_eq!(w.app.screen(), Screen::WatchRoom, "esc cancels the ban");

    // The audit record of the selected item, and the event log's scroll.
    assert!(matches!(
        w.key(KeyCode::Enter).as_slice(),
        [Effect::FetchAudit(_)]
    ));
    assert_eq!(w.app.screen(), Screen::Details);
    w.key(KeyCode::Esc);
    for n in 0..5 {
        let line = format!("line {n}");
        w.app.toy_note(line, w.now);
    }
    w.key(KeyCode::PageUp);
    assert!(w.app.log_back > 0, "pgup scrolls the log back");
    w.key(KeyCode::PageDown);
    assert_eq!(w.app.log_back, 0);

    // Refund for moderation opens the refund form.
    w.key(KeyCode::Char('r'));
    assert_eq!(w.app.screen(), Screen::Refund);
    w.key(KeyCode::Esc);

    w.key(KeyCode::Esc);
    assert_eq!(w.app.screen(), Screen::Watch);
    assert!(w.app.model.is_none());
    assert!(w.render(80, 24).contains("watching 3 rooms"));

    // A watched room with nothing on stage names the next item but asks
    // no one to start it.
    w.key(KeyCode::Down);
    w.key(KeyCode::Enter);
    assert_eq!(w.app.room.to_string(), "room-01");
    let shown = w.render(100, 30);
    assert!(shown.contains("Nothing on stage. Next: "), "{shown}");
    assert!(!shown.contains("to start"), "{shown}");
}
