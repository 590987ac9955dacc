//! The console's game editor: keys in, requests out; the odds follow the
//! draft; the seed rotation asks first and shows what it revealed;
//! conflicts and the server's refusals explained; snapshots of its screens.

use crate::fixture::{Fixture, T0};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use cuedeck::console::app::Effect;
use cuedeck::console::games::PrizeField;
use cuedeck::console::games::{GameAnswer, GameEditor, GameRequest, Level};
use cuedeck::console::screen::Screen;
use cuedeck::games::api::{GameConflict, GameVersionInfo, GameView, Rotated};
use cuedeck::games::{Game, GameConfig, GameKind, RevealedSeed, ServerSeed, odds_table};
use cuedeck::protocol::ErrorCode;

const SEED: [u8; 32] = [7; 32];

/// The room's game as the server shows it, from a shipped template.
pub fn view(game: GameKind, version: u64) -> GameView {
    let mut config = cuedeck::games::templates::default_for(game).unwrap();
    config.version = version;
    let checked = Game::new(config.clone()).unwrap();
    GameView {
        room: crate::fixture::ROOM.into(),
        game,
        version,
        updated_at: T0,
        updated_by: "performer:1a2b3c4d".into(),
        available: checked.is_available(),
        cooldown_secs: checked.cooldown_secs(),
        config_hash: checked.config_hash().to_string(),
        commitment: ServerSeed::from_bytes(SEED).commitment(),
        odds: odds_table(&checked),
        config,
    }
}

/// A console with the game editor open on the slot machine.
pub fn games_opened() -> Fixture {
    let mut f = Fixture::new("performer");
    let effects = f.key(KeyCode::Char('g'));
    assert_eq!(
        effects,
        vec![Effect::Game(GameRequest::Load(GameKind::SlotMachine))]
    );
    f.app
        .on_game_answer(GameAnswer::Loaded(Box::new(view(GameKind::SlotMachine, 1))));
    f
}

fn editor(f: &Fixture) -> &GameEditor {
    f.app.games.as_ref().expect("the editor is open")
}

fn request(effects: Vec<Effect>) -> GameRequest {
    match effects.as_slice() {
        [Effect::Game(request)] => request.clone(),
        other => panic!("expected one game request, got {other:?}"),
    }
}

fn saved(effects: Vec<Effect>) -> GameConfig {
    match request(effects) {
        GameRequest::Save(config) => *config,
        other => panic!("expected a save, got {other:?}"),
    }
}

fn type_text(f: &mut Fixture, text: &str) {
    for c in text.chars() {
        f.key(KeyCode::Char(c));
    }
}

fn focus_prize(f: &mut Fixture, field: PrizeField) {
    for _ in 0..20 {
        if matches!(&editor(f).level, Level::Prize(form) if form.focused() == field) {
            return;
        }
        f.key(KeyCode::Tab);
    }
    panic!("no field {field:?}");
}

/// The percentages shown for prize `index` at every tier.
fn shown_odds(f: &Fixture, index: usize) -> Vec<f64> {
    let editor = editor(f);
    let id = editor.config().unwrap().prizes[index].id;
    editor
        .odds
        .as_ref()
        .unwrap()
        .iter()
        .map(|t| t.rows.iter().find(|r| r.id == id).unwrap().percent)
        .collect()
}

#[test]
fn the_game_shows_every_prizes_odds_at_every_price_as_percentages() {
    let f = games_opened();
    let view = view(GameKind::SlotMachine, 1);
    assert_eq!(editor(&f).odds.as_ref().unwrap(), &view.odds);
    let screen = f.render(80, 24);
    // Blow a kiss, rank 1, at each of the three prices.
    let at = |tier: usize| format!("{:.1} %", view.odds[tier].rows[0].percent);
    assert!(
        screen.contains(&at(0)) && screen.contains(&at(2)) && screen.contains("50 tk"),
        "{screen}"
    );
    assert!(screen.contains("expected rank"), "{screen}");
    insta::assert_snapshot!("game_80x24", screen);
    insta::assert_snapshot!("game_160x48", f.render(160, 48));
}

#[test]
fn editing_a_prizes_rank_changes_its_odds_at_once_and_saves_the_whole_game() {
    let mut f = games_opened();
    let before = shown_odds(&f, 0);
    f.key(KeyCode::Enter);
    assert_eq!(f.app.screen(), Screen::PrizeForm);
    focus_prize(&mut f, PrizeField::Rank);
    f.key(KeyCode::Backspace);
    type_text(&mut f, "0");
    let Level::Prize(form) = &editor(&f).level else {
        panic!("the form")
    };
    assert!(
        form.problem_at(PrizeField::Rank)
            .is_some_and(|p| p.contains("outside 1..=10")),
        "{:?}",
        form.problem
    );
    assert!(f.key(KeyCode::Enter).is_empty(), "an invalid prize stays");
    assert_eq!(f.app.screen(), Screen::PrizeForm);
    insta::assert_snapshot!("prize_form_80x24", f.render(80, 24));
    f.key(KeyCode::Backspace);
    type_text(&mut f, "9");
    insta::assert_snapshot!("prize_form_160x48", f.render(160, 48));
    assert!(
        f.key(KeyCode::Enter).is_empty(),
        "kept in the draft, not sent"
    );
    assert_eq!(f.app.screen(), Screen::Games);
    assert!(editor(&f).unsaved());
    // Derived weights: a high rank is rarer at the cheap price, likelier
    // at the dear one.
    let after = shown_odds(&f, 0);
    assert!(
        after[0] < before[0] && after[2] > before[2],
        "{before:?} -> {after:?}"
    );
    let draft = Game::new(editor(&f).config().unwrap().clone()).unwrap();
    assert_eq!(editor(&f).odds.as_ref().unwrap(), &odds_table(&draft));
    assert!(f.render(80, 24).contains("unsaved"));
    let config = saved(f.key(KeyCode::Char('w')));
    assert_eq!((config.version, config.prizes[0].rank), (1, 9));
    assert_eq!(config.prizes.len(), 7);
    // The server's answer is the saved version.
    let mut newer = view(GameKind::SlotMachine, 2);
    newer.config = config;
    f.app.on_game_answer(GameAnswer::Loaded(Box::new(newer)));
    assert!(!editor(&f).unsaved());
    assert!(f.render(80, 24).contains("saved: version 2"));
}

#[test]
fn a_new_prize_gets_the_next_id_and_needs_a_title() {
    let mut f = games_opened();
    f.key(KeyCode::Char('a'));
    let Level::Prize(form) = &editor(&f).level else {
        panic!("the form")
    };
    assert_eq!((form.id, form.new), (8, true));
    assert_eq!(
        form.problem.as_ref().map(|p| p.0.as_str()),
        Some("prizes[7].title")
    );
    assert!(f.key(KeyCode::Enter).is_empty());
    assert_eq!(f.app.screen(), Screen::PrizeForm);
    type_text(&mut f, "Wink");
    focus_prize(
        &mut f,
        PrizeField::Toy(cuedeck::console::editor::toy_fields::ToyField::On),
    );
    f.key(KeyCode::Char(' '));
    let preview = f.press(KeyCode::Char('p'), KeyModifiers::CONTROL);
    assert!(
        matches!(preview.as_slice(), [Effect::ToyCue(_)]),
        "{preview:?}"
    );
    f.key(KeyCode::Enter);
    let config = editor(&f).config().unwrap().clone();
    assert_eq!(config.prizes.len(), 8);
    assert_eq!(
        (config.prizes[7].id, config.prizes[7].title.as_str()),
        (8, "Wink")
    );
    assert!(config.prizes[7].toy.is_some());
}

#[test]
fn hide_reorder_and_delete_change_the_draft_and_delete_asks_first() {
    let mut f = games_opened();
    let odds = editor(&f).odds.clone();
    f.app
        .on_key(KeyEvent::new(KeyCode::Down, KeyModifiers::SHIFT), f.now);
    let config = editor(&f).config().unwrap().clone();
    assert_eq!((config.prizes[0].id, config.prizes[1].id), (2, 1));
    assert_eq!(editor(&f).prize, 1, "the selection moves with the prize");
    let reordered = editor(&f).odds.as_ref().unwrap()[0].rows.clone();
    let by_id = |mut rows: Vec<cuedeck::games::PrizeOdds>| {
        rows.sort_by_key(|r| r.id);
        rows
    };
    assert_eq!(
        by_id(reordered),
        by_id(odds.unwrap()[0].rows.clone()),
        "the list order changes no odds"
    );
    f.key(KeyCode::Char('h'));
    assert!(editor(&f).config().unwrap().prizes[1].hidden);
    assert_eq!(shown_odds(&f, 1), vec![0.0, 0.0, 0.0], "hidden: 0 %");
    assert!(f.key(KeyCode::Char('d')).is_empty());
    assert_eq!(f.app.screen(), Screen::PrizeDelete);
    insta::assert_snapshot!("prize_delete_80x24", f.render(80, 24));
    insta::assert_snapshot!("prize_delete_160x48", f.render(160, 48));
    f.key(KeyCode::Char('n'));
    assert_eq!(editor(&f).config().unwrap().prizes.len(), 7);
    f.key(KeyCode::Char('d'));
    f.key(KeyCode::Char('y'));
    let config = editor(&f).config().unwrap();
    assert_eq!(config.prizes.len(), 6);
    assert!(config.prizes.iter().all(|p| p.id != 1));
}

#[test]
fn settings_check_prices_cooldown_and_colours_by_field() {
    let mut f = games_opened();
    f.key(KeyCode::Char('s'));
    assert_eq!(f.app.screen(), Screen::GameSettings);
    f.key(KeyCode::Tab); // tier 2
    f.key(KeyCode::Backspace);
    f.key(KeyCode::Backspace);
    type_text(&mut f, "0");
    let problem = |f: &Fixture| match &editor(f).level {
        Level::Settings(form) => form.problem.clone().map(|p| p.0),
        _ => panic!("the settings form"),
    };
    assert_eq!(problem(&f).as_deref(), Some("tiers[1].cost"));
    f.key(KeyCode::Backspace);
    type_text(&mut f, "30");
    f.key(KeyCode::Tab);
    f.key(KeyCode::Tab); // the primary colour (the slot has no cooldown field)
    for _ in 0..7 {
        f.key(KeyCode::Backspace);
    }
    type_text(&mut f, "#12zz");
    assert_eq!(problem(&f).as_deref(), Some("theme.primary"));
    insta::assert_snapshot!("game_settings_80x24", f.render(80, 24));
    insta::assert_snapshot!("game_settings_160x48", f.render(160, 48));
    type_text(&mut f, "3456");
    assert_eq!(problem(&f), None);
    f.key(KeyCode::Enter);
    let config = editor(&f).config().unwrap();
    assert_eq!(config.tiers[1].cost, 30);
    assert_eq!(config.theme.primary.as_deref(), Some("#123456"));
}

pub fn rotated() -> Rotated {
    let old = ServerSeed::from_bytes(SEED);
    Rotated {
        room: crate::fixture::ROOM.into(),
        game: GameKind::SlotMachine,
        revealed: RevealedSeed {
            commitment: old.commitment(),
            server_seed: old.to_hex(),
            committed_at: T0,
            revealed_at: T0.plus_millis(3_600_000),
        },
        commitment: ServerSeed::from_bytes([9; 32]).commitment(),
        committed_at: T0.plus_millis(3_600_000),
    }
}

#[test]
fn rotating_the_seed_says_what_it_reveals_then_shows_the_revealed_seed() {
    let mut f = games_opened();
    assert!(f.key(KeyCode::Char('R')).is_empty());
    assert_eq!(f.app.screen(), Screen::SeedRotate);
    let screen = f.render(80, 24);
    assert!(
        screen.contains("reveals") && screen.contains("cuedeck verify"),
        "{screen}"
    );
    insta::assert_snapshot!("seed_rotate_80x24", screen);
    insta::assert_snapshot!("seed_rotate_160x48", f.render(160, 48));
    assert!(f.key(KeyCode::Char('n')).is_empty(), "n keeps the seed");
    assert_eq!(f.app.screen(), Screen::Games);
    f.key(KeyCode::Char('R'));
    assert_eq!(
        request(f.key(KeyCode::Char('y'))),
        GameRequest::Rotate(GameKind::SlotMachine)
    );
    f.app
        .on_game_answer(GameAnswer::Rotated(Box::new(rotated())));
    assert_eq!(f.app.screen(), Screen::SeedRevealed);
    let screen = f.render(80, 24);
    assert!(
        screen.contains(&ServerSeed::from_bytes(SEED).to_hex()),
        "{screen}"
    );
    insta::assert_snapshot!("seed_revealed_80x24", screen);
    insta::assert_snapshot!("seed_revealed_160x48", f.render(160, 48));
    f.key(KeyCode::Esc);
    assert_eq!(f.app.screen(), Screen::Games);
    assert_eq!(
        editor(&f).view.as_ref().unwrap().commitment,
        rotated().commitment,
        "the game shows the new commitment"
    );
}

/// The server's answer when the slot machine moved on to version 3.
pub fn game_conflict() -> GameConflict {
    let mut current = view(GameKind::SlotMachine, 3);
    current.config.tiers[0].cost = 15;
    current.config.prizes[1].title = "Say my name".into();
    GameConflict {
        code: ErrorCode::VersionConflict,
        message: "the slot_machine changed since version 1 (now 3)".into(),
        field: Some("version".into()),
        game: GameKind::SlotMachine,
        your_version: 1,
        current_version: 3,
        history: vec![
            GameVersionInfo {
                version: 2,
                at: T0.plus_millis(60_000),
                changed_by: "admin:9f8e7d6c".into(),
            },
            GameVersionInfo {
                version: 3,
                at: T0.plus_millis(120_000),
                changed_by: "performer:1a2b3c4d".into(),
            },
        ],
        current: Some(Box::new(current)),
    }
}

#[test]
fn a_version_conflict_explains_what_changed_and_offers_reload_or_save_mine() {
    let mut f = games_opened();
    f.key(KeyCode::Char('h'));
    let first = saved(f.key(KeyCode::Char('w')));
    assert_eq!(first.version, 1);
    f.app
        .on_game_answer(GameAnswer::Conflict(Box::new(game_conflict())));
    assert_eq!(f.app.screen(), Screen::GameConflict);
    let screen = f.render(80, 24);
    for line in [
        "you edited v1, it is now v3",
        "prices 10 / 25 / 50 tk -> 15 / 25 / 50 tk",
        "renamed \"Say my name\"",
        "by admin:9f8e7d6c",
    ] {
        assert!(screen.contains(line), "{line}:\n{screen}");
    }
    insta::assert_snapshot!("game_conflict_80x24", screen);
    insta::assert_snapshot!("game_conflict_160x48", f.render(160, 48));
    // Mine over theirs: the same draft, based on version 3.
    let again = saved(f.key(KeyCode::Char('a')));
    assert_eq!(again.version, 3);
    assert!(again.prizes[0].hidden);
    f.app
        .on_game_answer(GameAnswer::Conflict(Box::new(game_conflict())));
    // Theirs instead: the server's game replaces the draft.
    assert!(f.key(KeyCode::Char('r')).is_empty());
    let editor = editor(&f);
    assert!(!editor.unsaved());
    assert_eq!(editor.view.as_ref().unwrap().version, 3);
    assert_eq!(editor.config().unwrap().tiers[0].cost, 15);
}

#[test]
fn a_refusal_from_the_server_names_the_field() {
    let mut f = games_opened();
    f.key(KeyCode::Char('h'));
    saved(f.key(KeyCode::Char('w')));
    f.app.on_game_answer(GameAnswer::Failed {
        message: "invalid field `theme.primary`: \"#12\" is not a #rrggbb colour".into(),
        field: Some("theme.primary".into()),
    });
    let screen = f.render(80, 24);
    assert!(screen.contains("invalid field `theme.primary`"), "{screen}");
    assert!(editor(&f).unsaved(), "the draft is kept");
    f.app.on_game_answer(GameAnswer::Failed {
        message: "cannot reach the server".into(),
        field: Some("version".into()),
    });
    assert!(f.render(80, 24).contains("version: cannot reach"));
}

#[test]
fn the_other_game_without_a_configuration_starts_from_a_template() {
    let mut f = games_opened();
    assert_eq!(
        request(f.key(KeyCode::Tab)),
        GameRequest::Load(GameKind::SpinWheel)
    );
    f.app
        .on_game_answer(GameAnswer::Missing(GameKind::SpinWheel));
    let editor_now = editor(&f);
    assert_eq!(editor_now.game, GameKind::SpinWheel);
    assert!(editor_now.unsaved());
    let screen = f.render(80, 24);
    assert!(screen.contains("no spin wheel yet"), "{screen}");
    assert!(
        f.key(KeyCode::Char('R')).is_empty(),
        "no seed to rotate before the first save"
    );
    let first = saved(f.key(KeyCode::Char('w')));
    assert_eq!((first.game, first.version), (GameKind::SpinWheel, 0));
}

#[test]
fn leaving_with_unsaved_changes_warns_once() {
    let mut f = games_opened();
    f.key(KeyCode::Char('h'));
    assert!(f.key(KeyCode::Esc).is_empty());
    assert!(f.app.games.is_some(), "the first esc warns");
    assert!(f.render(80, 24).contains("not saved"));
    f.key(KeyCode::Esc);
    assert!(f.app.games.is_none(), "the second leaves");
    assert_eq!(f.app.screen(), Screen::Queue);
}

#[test]
fn a_moderator_cannot_open_the_game_editor() {
    let mut f = Fixture::new("moderator");
    assert!(f.key(KeyCode::Char('g')).is_empty());
    assert!(f.app.games.is_none());
}
