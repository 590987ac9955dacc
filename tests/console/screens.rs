//! The global layer on every screen: the stop keys and ctrl-c reach the toy
//! first wherever the keys are, text fields included; typing never stops
//! the toy nor acts; the help of each screen fits and scrolls.

use crate::fixture::Fixture;
use crate::games::{game_conflict, games_opened};
use crate::levels::{levels_conflict, levels_opened};
use crate::menus::{conflict, opened};
use crossterm::event::{KeyCode, KeyModifiers};
use cuedeck::console::app::Effect;
use cuedeck::console::games::GameAnswer;
use cuedeck::console::games::{PrizeField, SettingsField};
use cuedeck::console::menus::{Field, Level, MenuAnswer};
use cuedeck::console::screen::Screen;

/// A console with the toy running under an item, then on `screen`. Every
/// screen has a row: a new one fails to compile until it gets one.
fn on(screen: Screen) -> Fixture {
    let mut f = match screen {
        Screen::Menus
        | Screen::MenuItems
        | Screen::MenuForm
        | Screen::MenuDelete
        | Screen::MenuConflict => opened(),
        Screen::Games
        | Screen::PrizeForm
        | Screen::GameSettings
        | Screen::PrizeDelete
        | Screen::SeedRotate
        | Screen::SeedRevealed
        | Screen::GameConflict => games_opened(),
        Screen::Levels | Screen::LevelForm | Screen::LevelDelete | Screen::LevelConflict => {
            levels_opened()
        }
        _ => Fixture::new("performer"),
    };
    f.toy_running();
    f.buy(2);
    let keys: &[KeyCode] = match screen {
        Screen::Queue => &[],
        Screen::Help => &[KeyCode::Char('?')],
        Screen::Details => &[KeyCode::Enter],
        Screen::Refund => &[KeyCode::Char('r')],
        Screen::ConfirmQuit => &[KeyCode::Char('q')],
        Screen::ConfirmEnd => &[KeyCode::Char('b')],
        Screen::Toy => &[KeyCode::Char('t')],
        Screen::Menus => &[],
        Screen::MenuItems => &[KeyCode::Enter],
        Screen::MenuForm => &[KeyCode::Enter, KeyCode::Char('a')],
        Screen::MenuDelete => &[KeyCode::Enter, KeyCode::Char('d')],
        Screen::MenuConflict => &[KeyCode::Enter, KeyCode::Char('t')],
        Screen::Watch | Screen::WatchRoom => &[],
        Screen::Ban => &[KeyCode::Char('b')],
        Screen::ModLog => &[KeyCode::Char('l')],
        Screen::Games => &[],
        Screen::PrizeForm => &[KeyCode::Enter],
        Screen::GameSettings => &[KeyCode::Char('s')],
        Screen::PrizeDelete => &[KeyCode::Char('d')],
        Screen::SeedRotate => &[KeyCode::Char('R')],
        Screen::SeedRevealed => &[KeyCode::Char('R'), KeyCode::Char('y')],
        Screen::GameConflict => &[KeyCode::Char('h'), KeyCode::Char('w')],
        Screen::Report => &[KeyCode::Char('R')],
        Screen::Lane => &[KeyCode::Char('l')],
        Screen::LaneClear => &[KeyCode::Char('l'), KeyCode::Char('c')],
        Screen::Levels | Screen::LevelConflict => &[],
        Screen::LevelForm => &[KeyCode::Enter],
        Screen::LevelDelete => &[KeyCode::Char('d')],
        Screen::Award => &[KeyCode::Char('p')],
        Screen::Reply => &[KeyCode::Char('a')],
    };
    if matches!(screen, Screen::Lane | Screen::LaneClear) {
        crate::lane::tip(&mut f, 30, 1);
        crate::lane::tip(&mut f, 5, 2);
    }
    if matches!(
        screen,
        Screen::Watch | Screen::WatchRoom | Screen::Ban | Screen::ModLog
    ) {
        let mut grid = cuedeck::console::watch::WatchGrid::default();
        if matches!(screen, Screen::WatchRoom | Screen::Ban) {
            grid.open = Some(crate::fixture::ROOM.into());
        }
        f.app.watch = Some(grid);
    }
    for key in keys {
        f.key(*key);
    }
    if screen == Screen::MenuConflict {
        f.app
            .on_menu_answer(MenuAnswer::Conflict(Box::new(conflict())));
    }
    if screen == Screen::SeedRevealed {
        f.app
            .on_game_answer(GameAnswer::Rotated(Box::new(crate::games::rotated())));
    }
    if screen == Screen::GameConflict {
        f.app
            .on_game_answer(GameAnswer::Conflict(Box::new(game_conflict())));
    }
    if screen == Screen::LevelConflict {
        f.app
            .on_level_answer(cuedeck::console::levels::LevelAnswer::Conflict(Box::new(
                levels_conflict(),
            )));
    }
    assert_eq!(f.app.screen(), screen, "the row opens {screen:?}");
    assert_eq!(f.app.toy.level, 8, "the toy runs on {screen:?}");
    f
}

#[test]
fn the_stop_keys_stop_the_toy_first_on_every_screen() {
    for screen in Screen::ALL {
        for (code, modifiers) in [
            (KeyCode::F(12), KeyModifiers::NONE),
            (KeyCode::Char('s'), KeyModifiers::CONTROL),
        ] {
            let mut f = on(screen);
            let effects = f.press(code, modifiers);
            assert_eq!(
                effects.first(),
                Some(&Effect::StopToy),
                "{screen:?}: {effects:?}"
            );
            assert_eq!(f.app.toy.level, 0, "{screen:?}");
            assert!(f.app.toy.halted, "{screen:?}");
            assert_eq!(f.app.screen(), screen, "a stop leaves {screen:?} open");
            assert!(
                f.render(80, 24).contains(" f12  stop toy "),
                "{screen:?} shows the stop key on its footer"
            );
        }
    }
}

#[test]
fn ctrl_c_stops_the_toy_then_quits_on_every_screen() {
    for screen in Screen::ALL {
        let mut f = on(screen);
        let effects = f.ctrl('c');
        assert_eq!(effects, vec![Effect::StopToy, Effect::Quit], "{screen:?}");
        assert_eq!(f.app.toy.level, 0, "{screen:?}");
        assert!(f.app.quitting, "{screen:?}");
    }
}

/// Every printable ASCII character, with the shift a terminal reports.
fn printable() -> Vec<(char, KeyModifiers)> {
    (b' '..=b'~')
        .map(char::from)
        .map(|c| {
            let shifted = c.is_ascii_uppercase() || "~!@#$%^&*()_+{}|:\"<>?".contains(c);
            let modifiers = if shifted {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            (c, modifiers)
        })
        .collect()
}

fn type_everything(f: &mut Fixture, screen: Screen) {
    for (c, modifiers) in printable() {
        let effects = f.press(KeyCode::Char(c), modifiers);
        assert!(effects.is_empty(), "{c:?} on {screen:?} acted: {effects:?}");
        assert_eq!(f.app.screen(), screen, "{c:?} left {screen:?}");
        assert!(
            !f.app.toy.halted && f.app.toy.level == 8,
            "{c:?} stopped the toy"
        );
    }
}

fn typed_text() -> String {
    printable().into_iter().map(|(c, _)| c).collect()
}

#[test]
fn typing_in_the_refund_note_and_amount_is_text_and_the_stop_key_still_works() {
    let mut f = on(Screen::Refund);
    f.key(KeyCode::Tab); // the amount
    type_everything(&mut f, Screen::Refund);
    f.key(KeyCode::Tab); // the note
    type_everything(&mut f, Screen::Refund);
    let Some(cuedeck::console::app::Dialog::Refund(form)) = &f.app.dialog else {
        panic!("the refund dialog stays open")
    };
    assert_eq!(form.note, typed_text());
    assert_eq!(form.amount, "0123456789", "the amount takes digits only");
    assert_eq!(
        f.press(KeyCode::F(12), KeyModifiers::NONE),
        vec![Effect::StopToy]
    );
    assert_eq!(f.app.toy.level, 0);
}

#[test]
fn typing_in_the_reply_text_is_text_and_the_stop_key_still_works() {
    let mut f = on(Screen::Reply);
    f.key(KeyCode::Down); // free text
    f.key(KeyCode::Tab); // the text
    type_everything(&mut f, Screen::Reply);
    let Some(cuedeck::console::app::Dialog::Reply(form)) = &f.app.dialog else {
        panic!("the reply dialog stays open")
    };
    assert_eq!(form.text.value(), typed_text());
    assert_eq!(
        f.press(KeyCode::F(12), KeyModifiers::NONE),
        vec![Effect::StopToy]
    );
    assert_eq!(f.app.toy.level, 0);
}

#[test]
fn typing_in_the_ban_note_and_expiry_is_text_and_the_stop_key_still_works() {
    let mut f = on(Screen::Ban);
    f.key(KeyCode::Tab); // where
    f.key(KeyCode::Tab); // the note
    type_everything(&mut f, Screen::Ban);
    f.key(KeyCode::Tab); // the expiry
    type_everything(&mut f, Screen::Ban);
    let Some(cuedeck::console::app::Dialog::Ban(form)) = &f.app.dialog else {
        panic!("the ban dialog stays open")
    };
    assert_eq!(form.note, typed_text());
    assert_eq!(
        form.expires, "01234567",
        "letters and digits, eight at most"
    );
    assert_eq!(
        f.press(KeyCode::F(12), KeyModifiers::NONE),
        vec![Effect::StopToy]
    );
    assert_eq!(f.app.toy.level, 0);
}

#[test]
fn typing_in_the_menu_forms_text_and_number_fields_never_acts() {
    let mut f = on(Screen::MenuForm);
    for field in [
        Field::Title,
        Field::Description,
        Field::Category,
        Field::BaseTokens,
    ] {
        while !matches!(&f.app.menus.as_ref().unwrap().level, Level::Form(form) if form.focused() == field)
        {
            f.key(KeyCode::Tab);
        }
        type_everything(&mut f, Screen::MenuForm);
    }
    let Level::Form(form) = &f.app.menus.as_ref().unwrap().level else {
        panic!("the form stays open")
    };
    assert_eq!(form.title, typed_text());
    assert_eq!(form.description, typed_text());
    assert!(form.base_tokens.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(
        f.press(KeyCode::Char('s'), KeyModifiers::CONTROL),
        vec![Effect::StopToy]
    );
    assert_eq!(f.app.toy.level, 0);
}

#[test]
fn typing_in_the_tip_level_form_never_acts() {
    use cuedeck::console::levels::{LevelField, Step};
    let mut f = on(Screen::LevelForm);
    let focused = |f: &Fixture| match &f.app.levels.as_ref().unwrap().step {
        Step::Form(form) => form.focused(),
        _ => panic!("the level form stays open"),
    };
    for field in [LevelField::Label, LevelField::Min, LevelField::Pattern] {
        while focused(&f) != field {
            f.key(KeyCode::Tab);
        }
        type_everything(&mut f, Screen::LevelForm);
    }
    let Step::Form(form) = &f.app.levels.as_ref().unwrap().step else {
        panic!("the level form stays open")
    };
    assert!(form.label.ends_with(&typed_text()));
    assert!(form.min.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(
        f.press(KeyCode::F(12), KeyModifiers::NONE),
        vec![Effect::StopToy]
    );
}

#[test]
fn typing_in_the_game_editors_forms_never_acts() {
    let mut f = on(Screen::PrizeForm);
    let focused = |f: &Fixture| match &f.app.games.as_ref().unwrap().level {
        cuedeck::console::games::Level::Prize(form) => form.focused(),
        _ => panic!("the prize form stays open"),
    };
    for field in [
        PrizeField::Title,
        PrizeField::Description,
        PrizeField::Rank,
        PrizeField::DurationSeconds,
    ] {
        while focused(&f) != field {
            f.key(KeyCode::Tab);
        }
        type_everything(&mut f, Screen::PrizeForm);
    }
    let cuedeck::console::games::Level::Prize(form) = &f.app.games.as_ref().unwrap().level else {
        panic!("the prize form stays open")
    };
    assert!(form.title.ends_with(&typed_text()));
    assert!(form.rank.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(
        f.press(KeyCode::F(12), KeyModifiers::NONE),
        vec![Effect::StopToy]
    );
    let mut f = on(Screen::GameSettings);
    let focused = |f: &Fixture| match &f.app.games.as_ref().unwrap().level {
        cuedeck::console::games::Level::Settings(form) => form.focused(),
        _ => panic!("the settings form stays open"),
    };
    for field in [SettingsField::Tier(0), SettingsField::Colour(1)] {
        while focused(&f) != field {
            f.key(KeyCode::Tab);
        }
        type_everything(&mut f, Screen::GameSettings);
    }
    assert_eq!(
        f.press(KeyCode::Char('s'), KeyModifiers::CONTROL),
        vec![Effect::StopToy]
    );
    assert_eq!(f.app.toy.level, 0);
}

/// The help of every screen, as f1 opens it there.
#[test]
fn the_help_of_every_screen_at_80x24_and_160x48() {
    for screen in Screen::ALL {
        let mut f = on(screen);
        if screen != Screen::Help {
            f.press(KeyCode::F(1), KeyModifiers::NONE);
        }
        assert_eq!(f.app.screen(), Screen::Help);
        for (width, height) in [(80, 24), (160, 48)] {
            f.app.size = (width, height);
            let name = format!("help_{}_{width}x{height}", screen.section());
            insta::assert_snapshot!(name, f.render(width, height));
        }
    }
}

#[test]
fn the_help_scrolls_when_it_does_not_fit_and_closes_where_it_opened() {
    let mut f = on(Screen::MenuItems);
    f.press(KeyCode::F(1), KeyModifiers::NONE);
    let top = f.render(80, 24);
    assert!(top.contains("lines 1-"), "{top}");
    for _ in 0..40 {
        f.key(KeyCode::Down);
    }
    let bottom = f.render(80, 24);
    assert!(bottom.contains("in the config file"), "{bottom}");
    assert_ne!(top, bottom);
    f.key(KeyCode::Esc);
    assert_eq!(f.app.screen(), Screen::MenuItems);
}

/// The text in a refund note typed so far.
fn refund_note(f: &Fixture) -> String {
    match &f.app.dialog {
        Some(cuedeck::console::app::Dialog::Refund(form)) => form.note.to_string(),
        _ => panic!("the refund dialog stays open"),
    }
}

#[test]
fn a_text_field_edits_at_its_cursor_and_takes_a_paste_whole() {
    let mut f = on(Screen::Refund);
    f.key(KeyCode::Tab);
    f.key(KeyCode::Tab); // the note
    for c in "hello world".chars() {
        f.key(KeyCode::Char(c));
    }
    for _ in 0.."world".len() {
        f.key(KeyCode::Left);
    }
    assert!(f.ctrl('w').is_empty(), "ctrl-w erases a word, nothing else");
    assert_eq!(refund_note(&f), "world");
    f.key(KeyCode::End);
    f.key(KeyCode::Char('!'));
    f.key(KeyCode::Home);
    f.key(KeyCode::Delete);
    assert_eq!(refund_note(&f), "orld!");
    assert!(f.app.on_paste("the\nw"), "a paste goes into the field");
    assert_eq!(refund_note(&f), "the world!", "one edit, at the cursor");
    assert_eq!(
        f.render(80, 24).matches("[the w▏orld!]").count(),
        1,
        "the caret is drawn at the cursor"
    );
    assert_eq!(
        f.press(KeyCode::F(12), KeyModifiers::NONE),
        vec![Effect::StopToy],
        "the stop key still wins in the field"
    );
    f.key(KeyCode::Esc);
    assert!(!f.app.on_paste("ignored"), "no field, no paste");
}
