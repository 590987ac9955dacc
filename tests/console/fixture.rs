//! A console App fed by a real engine's events, with a fixed clock.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use cuedeck::client::StreamEvent;
use cuedeck::console::app::{App, Effect, ToyCue, ToyReading};
use cuedeck::console::keymap::Keymap;
use cuedeck::console::theme::Theme;
use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::toy_effect::{Pattern, Timing};
use cuedeck::domain::*;

pub const ROOM: &str = "room-1";
pub const PERFORMER: &str = "perf-1";
pub const T0: Stamp = Stamp(1_795_000_000_000_000);

pub struct Fixture {
    pub engine: Engine,
    pub app: App,
    pub now: Stamp,
    /// What the console asked for after the last `run`.
    pub effects: Vec<Effect>,
}

impl Fixture {
    /// A live room, the console connected and showing its snapshot.
    pub fn new(role: &str) -> Self {
        let mut engine = Engine::new(EngineConfig::default());
        for command in [
            Command::CreateRoom {
                room: ROOM.into(),
                performer: PERFORMER.into(),
            },
            Command::BroadcastStart { room: ROOM.into() },
        ] {
            engine.execute(T0, &Request::new(command)).unwrap();
        }
        for n in 0..40 {
            engine
                .execute(
                    T0,
                    &Request::new(Command::Mint {
                        user: format!("viewer-{n}").as_str().into(),
                        amount: 10_000,
                    }),
                )
                .unwrap();
        }
        let mut app = App::new(ROOM.into(), Keymap::default_keymap(), Theme::no_color());
        app.on_stream(
            StreamEvent::Connected {
                epoch: "e".into(),
                role: role.into(),
            },
            T0,
        );
        let snapshot = cuedeck::server::snapshot_of(&engine, &ROOM.into(), "e").unwrap();
        app.on_stream(StreamEvent::Snapshot(Box::new(snapshot)), T0);
        Fixture {
            engine,
            app,
            now: T0,
            effects: Vec::new(),
        }
    }

    /// Run a command on the engine and feed its events to the console.
    pub fn run(&mut self, command: Command) -> Outcome {
        let outcome = self
            .engine
            .execute(self.now, &Request::new(command))
            .unwrap();
        self.effects.clear();
        for event in &outcome.events {
            let text = match &event.kind {
                EventKind::Announcement { key, .. } | EventKind::PrivateMessage { key, .. } => {
                    Some(format!("[{key}]"))
                }
                _ => None,
            };
            let effects = self.app.on_stream(
                StreamEvent::Event {
                    event: Box::new(event.clone()),
                    text,
                },
                self.now,
            );
            self.effects.extend(effects);
        }
        outcome
    }

    /// `n` purchases of varied kinds.
    pub fn buy(&mut self, n: usize) {
        let titles = [
            "Dance",
            "Take off T-shirt",
            "Sing a song",
            "Spin the wheel prize",
            "Flash",
            "Shout-out",
        ];
        for i in 0..n {
            let k = self.engine.items().len();
            let mut builder = PayloadBuilder::new(
                PERFORMER,
                &format!("viewer-{}", k % 40),
                &format!("k{k}"),
                10 + (k as u64 * 7) % 90,
            )
            .title(titles[k % titles.len()])
            .description("As requested, with music")
            .display_name(&format!("Fan{k:02}"))
            .duration_ms(90_000);
            if k % 5 == 1 {
                builder = builder.toy(Timing::Start, 8, None, Pattern::Constant).toy(
                    Timing::P50,
                    15,
                    Some(3000),
                    Pattern::Pulse,
                );
            }
            if k % 7 == 3 {
                builder = builder.private_request();
            }
            self.now = Stamp(self.now.0 + 1_000_000);
            self.run(builder.queued(ROOM));
            let _ = i;
        }
    }

    pub fn start(&mut self) {
        self.run(Command::Start {
            room: ROOM.into(),
            item: None,
            by: Actor::new(Role::Performer, "p"),
        });
    }

    /// An item with a toy effect on stage, the toy told to follow it and
    /// reporting a level above 0.
    pub fn toy_running(&mut self) {
        self.now = Stamp(self.now.0 + 1_000_000);
        let k = self.engine.items().len();
        self.run(
            PayloadBuilder::new(PERFORMER, "viewer-0", &format!("toy{k}"), 60)
                .title("Ride the vibe")
                .display_name("Fan")
                .duration_ms(60_000)
                .toy(Timing::Start, 8, None, Pattern::Constant)
                .queued(ROOM),
        );
        let model = self.app.model.as_ref().unwrap();
        assert!(model.in_progress.is_none() && model.waiting.len() == 1);
        self.start();
        assert!(
            matches!(
                self.effects.as_slice(),
                [Effect::ToyCue(ToyCue::Started { .. })]
            ),
            "the toy is told to follow the item: {:?}",
            self.effects
        );
        self.app.on_toy_reading(ToyReading {
            line: "Lush ▮▮▯▯▯ 8/20".into(),
            level: 8,
            halted: false,
            toys: 1,
        });
    }

    pub fn press(&mut self, code: KeyCode, modifiers: KeyModifiers) -> Vec<Effect> {
        self.app.on_key(KeyEvent::new(code, modifiers), self.now)
    }

    pub fn advance_ms(&mut self, ms: u64) {
        self.now = self.now.plus_millis(ms);
    }

    pub fn key(&mut self, code: KeyCode) -> Vec<Effect> {
        self.app
            .on_key(KeyEvent::new(code, KeyModifiers::NONE), self.now)
    }

    pub fn ctrl(&mut self, c: char) -> Vec<Effect> {
        self.app.on_key(
            KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
            self.now,
        )
    }

    pub fn render(&self, width: u16, height: u16) -> String {
        render_app_at(&self.app, self.now, width, height)
    }
}

/// Draw `app` on a test terminal of this size, at `now`.
pub fn render_app_at(app: &App, now: Stamp, width: u16, height: u16) -> String {
    let backend = ratatui::backend::TestBackend::new(width, height);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    terminal
        .draw(|frame| cuedeck::console::view::draw(frame, app, now))
        .unwrap();
    terminal.backend().to_string()
}

/// Draw `app` at the fixture's start time.
pub fn render_app(app: &App, width: u16, height: u16) -> String {
    render_app_at(app, T0, width, height)
}
