//! The report screen: opened by its key and by the broadcast's end, the
//! broadcasts stepped through with their reports asked for, a late answer
//! dropped; drawn at 80x24 and 160x48 from a fixed report, with and
//! without colour, the same words either way.

use std::path::Path;

use crate::fixture::{Fixture, ROOM, T0};
use crossterm::event::KeyCode;
use cuedeck::console::app::{Dialog, Effect};
use cuedeck::console::report::{ReportAnswer, ReportRequest, ReportScreen};
use cuedeck::console::screen::Screen;
use cuedeck::console::theme::Theme;
use cuedeck::domain::{Command, Stamp};
use cuedeck::report::{Broadcast, Bucket, RefundLine, Report, TopItem, Totals};

const MINUTE: i64 = 60_000_000;

fn broadcast(id: i64, start_min: i64, end_min: Option<i64>) -> Broadcast {
    Broadcast {
        id,
        room: ROOM.into(),
        started_at: Stamp(T0.0 + start_min * MINUTE),
        ended_at: end_min.map(|m| Stamp(T0.0 + m * MINUTE)),
    }
}

/// The room's three broadcasts, newest first.
fn broadcasts() -> Vec<Broadcast> {
    vec![
        broadcast(3, 0, Some(70)),
        broadcast(2, -1440, Some(-1380)),
        broadcast(1, -2880, Some(-2840)),
    ]
}

/// A 70-minute show: fourteen buckets, every refund reason, ten top items.
fn fixed_report() -> Report {
    let earned = [
        40, 120, 260, 180, 90, 310, 420, 380, 150, 60, 220, 270, 130, 0,
    ];
    let refunded = [0, 10, 0, 45, 0, 0, 80, 20, 0, 0, 35, 0, 0, 120];
    let buckets = earned
        .iter()
        .zip(refunded)
        .enumerate()
        .map(|(i, (&earned, refunded))| Bucket {
            start: Stamp(T0.0 + i as i64 * 5 * MINUTE),
            earned,
            refunded,
        })
        .collect();
    let titles = [
        ("Dance", "chip_menu", 14, 980),
        ("Sing a song", "chip_menu", 9, 540),
        ("Wheel: outfit change", "spin_wheel", 7, 420),
        ("Take off T-shirt", "chip_menu", 4, 360),
        ("Slots: jackpot dance", "slot_machine", 3, 240),
        ("Shout-out", "chip_menu", 12, 180),
        ("Flash", "chip_menu", 2, 150),
        ("Ride the vibe", "chip_menu", 3, 90),
        ("Slots: wink", "slot_machine", 5, 50),
        ("Wheel: blow a kiss", "spin_wheel", 4, 20),
    ];
    Report {
        broadcast: broadcast(3, 0, Some(70)),
        live: false,
        as_of: Stamp(T0.0 + 72 * MINUTE),
        totals: Totals {
            items: 71,
            bought: 3340,
            earned: 2630,
            refunded: 310,
            escrow: 400,
            viewers: 23,
            points_earned: 263,
            toy_seconds: 0,
        },
        refunds: [
            ("goodwill", 2, 55),
            ("dispute", 1, 80),
            ("system_auto", 4, 120),
            ("moderation", 1, 35),
            ("other", 1, 20),
        ]
        .into_iter()
        .map(|(reason, items, tokens)| RefundLine {
            reason: reason.into(),
            items,
            tokens,
        })
        .collect(),
        items: Vec::new(),
        top_items: titles
            .into_iter()
            .map(|(title, source, items, earned)| TopItem {
                title: title.into(),
                source: source.into(),
                items,
                tokens: earned + 10,
                earned,
            })
            .collect(),
        spins: Vec::new(),
        prizes: Vec::new(),
        tips: Vec::new(),
        bucket_secs: 300,
        buckets,
    }
}

fn showing(theme: Theme) -> Fixture {
    let mut f = Fixture::new("performer");
    f.app.theme = theme;
    f.app.dialog = Some(Dialog::Report(ReportScreen::showing(
        broadcasts(),
        fixed_report(),
    )));
    f
}

fn colorblind() -> Theme {
    Theme::load("colorblind", Path::new("/nonexistent"), false).unwrap()
}

/// The screen with every cell's colours and modifiers.
fn render_styled(f: &Fixture, width: u16, height: u16) -> String {
    let backend = ratatui::backend::TestBackend::new(width, height);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    terminal
        .draw(|frame| cuedeck::console::view::draw(frame, &f.app, f.now))
        .unwrap();
    format!("{:#?}", terminal.backend().buffer())
}

#[test]
fn the_report_at_80x24_and_160x48_without_colour() {
    let f = showing(Theme::no_color());
    for (width, height) in [(80, 24), (160, 48)] {
        let screen = f.render(width, height);
        for words in [
            "broadcast #3 (1 of 3)",
            "earned",
            "2630 tk",
            "system_auto",
            "Dance",
            "█ earned and • refunded",
        ] {
            assert!(
                screen.contains(words),
                "{width}x{height} lacks {words:?}:\n{screen}"
            );
        }
        insta::assert_snapshot!(format!("report_no_color_{width}x{height}"), screen);
    }
    let wide = f.render(160, 48);
    assert!(
        wide.contains("Wheel: blow a kiss · spin_wheel"),
        "160x48 lists all ten top items with their source:\n{wide}"
    );
}

#[test]
fn the_report_in_the_colour_blind_theme_says_the_same_in_colour() {
    let plain = showing(Theme::no_color());
    let coloured = showing(colorblind());
    for (width, height) in [(80, 24), (160, 48)] {
        assert_eq!(
            coloured.render(width, height),
            plain.render(width, height),
            "colour adds nothing the words and glyphs do not say"
        );
        insta::assert_snapshot!(
            format!("report_colorblind_{width}x{height}"),
            render_styled(&coloured, width, height)
        );
    }
}

#[test]
fn the_key_opens_the_newest_broadcasts_report_and_steps_to_older_ones() {
    let mut f = Fixture::new("performer");
    assert_eq!(
        f.key(KeyCode::Char('R')),
        vec![Effect::Report(ReportRequest::Broadcasts)]
    );
    assert_eq!(f.app.screen(), Screen::Report);
    assert!(f.render(80, 24).contains("Asking the server"));
    let effects = f
        .app
        .on_report_answer(ReportAnswer::Broadcasts(broadcasts()));
    assert_eq!(effects, vec![Effect::Report(ReportRequest::Report(3))]);
    f.app
        .on_report_answer(ReportAnswer::Report(Box::new(fixed_report())));
    assert!(f.render(80, 24).contains("2630 tk"));

    // Older, older, and no further.
    assert_eq!(
        f.key(KeyCode::Left),
        vec![Effect::Report(ReportRequest::Report(2))]
    );
    // The report of #3 arriving late is not shown as #2's.
    f.app
        .on_report_answer(ReportAnswer::Report(Box::new(fixed_report())));
    let Some(Dialog::Report(screen)) = &f.app.dialog else {
        panic!("the report stays open")
    };
    assert_eq!(screen.report, None);
    assert_eq!(
        f.key(KeyCode::Char('h')),
        vec![Effect::Report(ReportRequest::Report(1))]
    );
    assert_eq!(f.key(KeyCode::Left), vec![]);
    assert!(f.render(80, 24).contains("broadcast #1 (3 of 3)"));
    // Newer again.
    assert_eq!(
        f.key(KeyCode::Right),
        vec![Effect::Report(ReportRequest::Report(2))]
    );
    f.app
        .on_report_answer(ReportAnswer::Failed("server: forbidden".into()));
    assert!(f.render(80, 24).contains("server: forbidden"));
    assert_eq!(
        f.key(KeyCode::Char('r')),
        vec![Effect::Report(ReportRequest::Broadcasts)]
    );
    f.key(KeyCode::Esc);
    assert_eq!(f.app.screen(), Screen::Queue);
}

#[test]
fn a_room_without_broadcasts_says_so() {
    let mut f = Fixture::new("performer");
    f.key(KeyCode::Char('R'));
    assert_eq!(
        f.app.on_report_answer(ReportAnswer::Broadcasts(Vec::new())),
        vec![]
    );
    assert!(f.render(80, 24).contains("no broadcast yet"));
}

#[test]
fn the_broadcasts_end_opens_the_report() {
    let mut f = Fixture::new("performer");
    f.buy(2);
    f.run(Command::BroadcastEnd { room: ROOM.into() });
    assert!(
        f.effects
            .contains(&Effect::Report(ReportRequest::Broadcasts)),
        "{:?}",
        f.effects
    );
    assert_eq!(f.app.screen(), Screen::Report);
}

#[test]
fn the_broadcasts_end_on_another_screen_leaves_it_and_names_the_key() {
    let mut f = Fixture::new("performer");
    f.key(KeyCode::Char('t'));
    f.run(Command::BroadcastEnd { room: ROOM.into() });
    assert_eq!(f.app.screen(), Screen::Toy);
    assert!(f.effects.iter().all(|e| !matches!(e, Effect::Report(_))));
    let status = f.app.status.clone().unwrap().1;
    assert!(status.contains("R shows its report"), "{status}");
}

#[test]
fn a_short_show_is_drawn_on_an_hour_with_narrow_bars() {
    let mut report = fixed_report();
    report.buckets.truncate(1);
    let mut f = showing(Theme::no_color());
    f.app.dialog = Some(Dialog::Report(ReportScreen::showing(broadcasts(), report)));
    let screen = f.render(80, 24);
    assert!(
        screen.contains("11:06") && screen.contains("12:06"),
        "{screen}"
    );
    let widest = screen
        .lines()
        .map(|line| line.matches('█').count())
        .max()
        .unwrap();
    // The title's legend glyph, and one bucket's bar of about 2 columns.
    assert!(
        widest <= 4,
        "one bucket is not drawn across the chart:\n{screen}"
    );
}

#[test]
fn the_broadcasts_end_on_the_report_screen_shows_the_newest() {
    let mut f = showing(Theme::no_color());
    {
        let Some(Dialog::Report(screen)) = &mut f.app.dialog else {
            panic!("the report is open")
        };
        screen.index = 2;
    }
    f.run(Command::BroadcastEnd { room: ROOM.into() });
    assert_eq!(
        f.effects,
        vec![Effect::Report(ReportRequest::Broadcasts)],
        "the list is asked for again"
    );
    f.app
        .on_report_answer(ReportAnswer::Broadcasts(broadcasts()));
    let Some(Dialog::Report(screen)) = &f.app.dialog else {
        panic!("the report stays open")
    };
    assert_eq!(screen.index, 0, "the newest broadcast, the one that ended");
}

#[test]
fn the_report_draws_at_the_smallest_and_a_large_terminal() {
    let f = showing(colorblind());
    for (width, height) in [(60, 16), (61, 17), (100, 30), (240, 70)] {
        let screen = f.render(width, height);
        assert!(
            screen.contains("broadcast #3"),
            "{width}x{height}:\n{screen}"
        );
        assert!(screen.contains(" f12  stop toy "), "{width}x{height}");
    }
}
