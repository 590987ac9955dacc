//! The console's tip-levels editor: keys in, requests out; every entry
//! checked as it is typed by the domain's validation, naming the field; a
//! level tried on the toy; the draft saved whole as the next version; a
//! conflict explained; a room without levels starts from a template;
//! snapshots of its screens.

use crate::fixture::{Fixture, T0};
use crossterm::event::{KeyCode, KeyModifiers};
use cuedeck::console::app::{Effect, ToyCue};
use cuedeck::console::levels::{LevelAnswer, LevelEditor, LevelField, LevelRequest, Step};
use cuedeck::console::screen::Screen;
use cuedeck::domain::tips::{Intensity, TipLevels};
use cuedeck::protocol::{ErrorCode, TipLevelsView};
use cuedeck::scoped::Change;
use cuedeck::scoped::tip_levels::{TipLevelsConflict, templates};

/// The room's levels as the server shows them: a shipped template.
pub fn view(template: &str, version: u64) -> TipLevelsView {
    let levels = templates()
        .into_iter()
        .find(|t| t.name == template)
        .map_or_else(TipLevels::default, |t| t.config);
    TipLevelsView {
        room: crate::fixture::ROOM.into(),
        version,
        saved_at: (version > 0).then_some(T0),
        changed_by: (version > 0).then(|| "performer:1a2b3c4d".into()),
        levels,
        max_amount: Some(10_000),
        patterns: vec!["tease".into()],
    }
}

/// A console with the editor open on `view`.
fn opened_on(view: TipLevelsView) -> Fixture {
    let mut f = Fixture::new("performer");
    let effects = f.key(KeyCode::Char('L'));
    assert_eq!(effects, vec![Effect::Levels(LevelRequest::Load)]);
    assert_eq!(f.app.screen(), Screen::Levels);
    f.app.on_level_answer(LevelAnswer::Loaded(Box::new(view)));
    f
}

/// A console with the editor open on the presets ladder, version 1.
pub fn levels_opened() -> Fixture {
    opened_on(view("presets", 1))
}

pub fn levels_conflict() -> TipLevelsConflict {
    TipLevelsConflict {
        code: ErrorCode::VersionConflict,
        message: "the tip levels changed".into(),
        field: "version".into(),
        your_version: 1,
        current_version: 2,
        changes: vec![Change {
            path: "levels[0].durationS".into(),
            before: Some(3.into()),
            after: Some(4.into()),
            summary: "levels[0].durationS: 3 -> 4".into(),
        }],
        current: view("classic", 2),
    }
}

fn editor(f: &Fixture) -> &LevelEditor {
    f.app.levels.as_ref().expect("the editor is open")
}

fn form_problem(f: &Fixture, field: LevelField) -> Option<String> {
    match &editor(f).step {
        Step::Form(form) => form.problem_at(field).map(str::to_string),
        other => panic!("no form: {other:?}"),
    }
}

fn focus(f: &mut Fixture, field: LevelField) {
    for _ in 0..20 {
        if matches!(&editor(f).step, Step::Form(form) if form.focused() == field) {
            return;
        }
        f.key(KeyCode::Tab);
    }
    panic!("no field {field:?}");
}

/// Erase the focused field and type `text`.
fn retype(f: &mut Fixture, field: LevelField, text: &str) {
    focus(f, field);
    f.ctrl('u');
    f.key(KeyCode::End);
    f.ctrl('k');
    for c in text.chars() {
        f.key(KeyCode::Char(c));
    }
}

fn saved(effects: Vec<Effect>) -> (TipLevels, u64) {
    match effects.as_slice() {
        [Effect::Levels(LevelRequest::Save { levels, base })] => ((**levels).clone(), *base),
        other => panic!("expected a save, got {other:?}"),
    }
}

#[test]
fn the_list_shows_levels_then_specials_at_80x24_and_160x48() {
    let f = levels_opened();
    assert_eq!(editor(&f).rows(), 11);
    insta::assert_snapshot!("levels_80x24", f.render(80, 24));
    insta::assert_snapshot!("levels_160x48", f.render(160, 48));
}

#[test]
fn a_new_level_is_checked_as_it_is_typed_and_each_problem_names_its_field() {
    let mut f = levels_opened();
    f.key(KeyCode::Char('a'));
    assert_eq!(f.app.screen(), Screen::LevelForm);
    let empty = form_problem(&f, LevelField::Label).expect("no label yet");
    assert_eq!(empty, "must not be empty");
    retype(&mut f, LevelField::Label, "extreme");
    // It starts after the last range, which is open-ended: an overlap.
    let overlap = form_problem(&f, LevelField::Min).expect("an overlap");
    assert!(overlap.contains("overlaps levels[4]"), "{overlap}");
    let before = f.render(80, 24);
    assert!(before.contains("overlaps"), "{before}");
    // Close the open range first: make it 100-199 and start at 200.
    f.key(KeyCode::Esc);
    for _ in 0..4 {
        f.key(KeyCode::Down);
    }
    assert_eq!(editor(&f).selected, 4, "the open-ended level");
    f.key(KeyCode::Enter);
    retype(&mut f, LevelField::Max, "99");
    let empty = form_problem(&f, LevelField::Max).expect("an empty range");
    assert!(empty.contains("is empty"), "{empty}");
    retype(&mut f, LevelField::Max, "199");
    assert_eq!(form_problem(&f, LevelField::Max), None);
    f.key(KeyCode::Enter);
    assert_eq!(f.app.screen(), Screen::Levels);
    f.key(KeyCode::Char('a'));
    retype(&mut f, LevelField::Label, "extreme");
    assert_eq!(form_problem(&f, LevelField::Min), None, "starts at 200");
    retype(&mut f, LevelField::Intensity, "25");
    assert_eq!(
        form_problem(&f, LevelField::Intensity).as_deref(),
        Some("25 is outside 0..=20")
    );
    insta::assert_snapshot!("level_form_problem_80x24", f.render(80, 24));
    insta::assert_snapshot!("level_form_problem_160x48", f.render(160, 48));
    retype(&mut f, LevelField::Intensity, "20");
    retype(&mut f, LevelField::DurationS, "0");
    assert!(
        form_problem(&f, LevelField::DurationS)
            .unwrap()
            .contains("0 s is outside 1..=600")
    );
    retype(&mut f, LevelField::DurationS, "601");
    assert!(form_problem(&f, LevelField::DurationS).is_some());
    retype(&mut f, LevelField::DurationS, "20");
    retype(&mut f, LevelField::Pattern, "pulsee");
    let unknown = form_problem(&f, LevelField::Pattern).expect("unknown pattern");
    assert!(unknown.contains("unknown pattern \"pulsee\""), "{unknown}");
    // An imported pattern of the room is known.
    retype(&mut f, LevelField::Pattern, "tease");
    assert_eq!(form_problem(&f, LevelField::Pattern), None);
    retype(&mut f, LevelField::Max, "20000");
    let limit = form_problem(&f, LevelField::Max).expect("beyond the limit");
    assert!(limit.contains("amount limit of 10000"), "{limit}");
    retype(&mut f, LevelField::Max, "");
    // Enter keeps it in the draft; w saves the whole, based on version 1.
    f.key(KeyCode::Enter);
    assert_eq!(f.app.screen(), Screen::Levels);
    assert!(editor(&f).draft.unsaved());
    let (levels, base) = saved(f.key(KeyCode::Char('w')));
    assert_eq!(base, 1);
    let last = levels.levels.last().unwrap();
    assert_eq!((last.min, last.max, last.duration_s), (200, None, 20));
    assert_eq!(last.intensity, Intensity::All(20));
    assert_eq!(levels.levels[4].max, Some(199));
    assert_eq!(levels.specials.len(), 6, "the specials kept");
    let mut now = view("presets", 2);
    now.levels = levels;
    f.app.on_level_answer(LevelAnswer::Loaded(Box::new(now)));
    assert!(!editor(&f).draft.unsaved());
    assert!(f.render(80, 24).contains("saved: version 2"));
}

#[test]
fn a_special_checks_its_amount_and_its_kind_shows_its_own_fields() {
    let mut f = levels_opened();
    f.key(KeyCode::Char('s'));
    assert_eq!(f.app.screen(), Screen::LevelForm);
    retype(&mut f, LevelField::Label, "jackpot");
    retype(&mut f, LevelField::Amount, "444");
    let taken = form_problem(&f, LevelField::Amount).expect("taken");
    assert!(
        taken.contains("already another special's amount"),
        "{taken}"
    );
    retype(&mut f, LevelField::Amount, "50000");
    assert!(
        form_problem(&f, LevelField::Amount)
            .unwrap()
            .contains("amount limit")
    );
    retype(&mut f, LevelField::Amount, "777");
    assert_eq!(form_problem(&f, LevelField::Amount), None);
    focus(&mut f, LevelField::Kind);
    f.key(KeyCode::Char(' '));
    f.key(KeyCode::Char(' '));
    retype(&mut f, LevelField::MaxS, "2");
    let empty = form_problem(&f, LevelField::MaxS).expect("empty range");
    assert!(empty.contains("3..=2 s is empty"), "{empty}");
    retype(&mut f, LevelField::MaxS, "30");
    f.key(KeyCode::Enter);
    let (levels, _) = saved(f.key(KeyCode::Char('w')));
    let special = levels.specials.last().unwrap();
    assert_eq!((special.amount, &*special.label), (777, "jackpot"));
}

#[test]
fn a_level_is_tried_on_the_toy_by_hand_and_the_stop_key_stops_it() {
    let mut f = levels_opened();
    let effects = f.key(KeyCode::Char('P'));
    let [
        Effect::ToyCue(ToyCue::Play {
            effects, length_ms, ..
        }),
    ] = effects.as_slice()
    else {
        panic!("expected a play, got {effects:?}");
    };
    assert_eq!(*length_ms, 3_000, "the low level's 3 s");
    assert_eq!(effects[0].intensity, Some(5));
    // The form tries what is being edited, unsaved.
    f.key(KeyCode::Enter);
    retype(&mut f, LevelField::Intensity, "17");
    let effects = f.press(KeyCode::Char('p'), KeyModifiers::CONTROL);
    assert!(
        matches!(effects.as_slice(), [Effect::ToyCue(ToyCue::Play { effects, .. })] if effects[0].intensity == Some(17)),
        "{effects:?}"
    );
    let effects = f.key(KeyCode::F(12));
    assert_eq!(effects.first(), Some(&Effect::StopToy));
    assert_eq!(
        f.app.screen(),
        Screen::LevelForm,
        "the stop leaves the form open"
    );
}

#[test]
fn rows_move_within_their_list_and_a_delete_asks_first() {
    let mut f = levels_opened();
    f.press(KeyCode::Down, KeyModifiers::SHIFT);
    let config = editor(&f).config().unwrap().clone();
    assert_eq!(&*config.levels[1].label, "low");
    assert_eq!(editor(&f).selected, 1);
    // The last level does not move into the specials.
    for _ in 0..3 {
        f.key(KeyCode::Down);
    }
    f.press(KeyCode::Down, KeyModifiers::SHIFT);
    assert_eq!(editor(&f).selected, 4);
    f.key(KeyCode::Char('d'));
    assert_eq!(f.app.screen(), Screen::LevelDelete);
    insta::assert_snapshot!("level_delete_80x24", f.render(80, 24));
    f.key(KeyCode::Char('y'));
    assert_eq!(editor(&f).config().unwrap().levels.len(), 4);
}

#[test]
fn a_room_without_levels_starts_from_the_shipped_templates() {
    let mut f = opened_on(view("none", 0));
    let screen = f.render(80, 24);
    assert!(screen.contains("No tip levels yet"), "{screen}");
    insta::assert_snapshot!("levels_empty_80x24", screen);
    f.key(KeyCode::Char('t'));
    assert_eq!(editor(&f).config().unwrap(), &templates()[0].config);
    f.key(KeyCode::Char('t'));
    assert_eq!(editor(&f).config().unwrap(), &templates()[1].config);
    let (levels, base) = saved(f.key(KeyCode::Char('w')));
    assert_eq!((levels, base), (templates()[1].config.clone(), 0));
}

#[test]
fn a_stale_save_explains_the_conflict_and_reapplies_or_reloads() {
    let mut f = levels_opened();
    f.key(KeyCode::Char('d'));
    f.key(KeyCode::Char('y'));
    saved(f.key(KeyCode::Char('w')));
    f.app
        .on_level_answer(LevelAnswer::Conflict(Box::new(levels_conflict())));
    assert_eq!(f.app.screen(), Screen::LevelConflict);
    insta::assert_snapshot!("level_conflict_80x24", f.render(80, 24));
    let (levels, base) = saved(f.key(KeyCode::Char('a')));
    assert_eq!(base, 2, "mine over theirs");
    assert_eq!(levels.levels.len(), 4);
    f.app
        .on_level_answer(LevelAnswer::Conflict(Box::new(levels_conflict())));
    f.key(KeyCode::Char('r'));
    assert_eq!(f.app.screen(), Screen::Levels);
    assert_eq!(editor(&f).version(), 2);
    assert!(!editor(&f).draft.unsaved(), "theirs, mine dropped");
}

#[test]
fn the_lane_screen_opens_the_editor_and_leaving_with_changes_warns_once_then_goes_back() {
    let mut f = Fixture::new("performer");
    f.key(KeyCode::Char('l'));
    assert_eq!(f.app.screen(), Screen::Lane);
    assert_eq!(
        f.key(KeyCode::Char('L')),
        vec![Effect::Levels(LevelRequest::Load)]
    );
    f.app
        .on_level_answer(LevelAnswer::Loaded(Box::new(view("classic", 1))));
    f.key(KeyCode::Char('d'));
    f.key(KeyCode::Char('y'));
    f.key(KeyCode::Esc);
    assert_eq!(f.app.screen(), Screen::Levels, "warned first");
    f.key(KeyCode::Esc);
    assert_eq!(f.app.screen(), Screen::Lane, "back where it was opened");
    // A moderator does not edit them.
    let mut m = Fixture::new("moderator");
    assert!(m.key(KeyCode::Char('L')).is_empty());
    assert_eq!(m.app.screen(), Screen::Queue);
}

#[test]
fn a_level_drives_each_output_on_its_own_when_asked() {
    let mut f = levels_opened();
    f.key(KeyCode::Enter);
    focus(&mut f, LevelField::Outputs);
    f.key(KeyCode::Char(' '));
    assert_eq!(
        form_problem(&f, LevelField::Outputs),
        None,
        "vibrate took the 5"
    );
    retype(&mut f, LevelField::Rotate, "21");
    assert_eq!(
        form_problem(&f, LevelField::Rotate).as_deref(),
        Some("21 is outside 0..=20")
    );
    retype(&mut f, LevelField::Rotate, "7");
    retype(&mut f, LevelField::Vibrate, "");
    f.key(KeyCode::Enter);
    let (levels, _) = saved(f.key(KeyCode::Char('w')));
    let Intensity::PerOutput(outputs) = levels.levels[0].intensity else {
        panic!("per output: {:?}", levels.levels[0].intensity);
    };
    assert_eq!((outputs.vibrate, outputs.rotate), (None, Some(7)));
    let shown = f.render(80, 24);
    assert!(shown.contains("r7 for 3 s"), "{shown}");
}
