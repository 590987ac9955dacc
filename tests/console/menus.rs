//! The console's menu editor: keys in, requests out; conflicts explained;
//! snapshots of its screens.

use crate::fixture::Fixture;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use cuedeck::console::app::Effect;
use cuedeck::console::menus::{Level, MenuAnswer, MenuRequest};
use cuedeck::menus::api::{SortKey, VersionConflict};
use cuedeck::menus::model::{MenuItemView, MenuView, QueueMode};
use cuedeck::protocol::ErrorCode;

/// The shipped templates as the server would show them.
pub fn menus() -> Vec<MenuView> {
    cuedeck::menus::file::templates()
        .into_iter()
        .enumerate()
        .map(|(m, spec)| MenuView {
            id: format!("m{}", m + 1),
            room: "room-1".into(),
            version: 1,
            updated_at: crate::fixture::T0,
            updated_by: "performer:1a2b3c4d".into(),
            name: spec.name.clone(),
            description: spec.description.clone(),
            queue_mode: spec.queue_mode,
            visibility: spec.visibility,
            multiplier: spec.multiplier,
            whitelist: spec.whitelist.clone(),
            theme: spec.theme.clone(),
            items: spec
                .items
                .iter()
                .enumerate()
                .map(|(i, item)| MenuItemView {
                    id: format!("m{}-{}", m + 1, i + 1),
                    ..MenuItemView::from_spec(item, spec.multiplier)
                })
                .collect(),
        })
        .collect()
}

/// A console with the editor open on the loaded templates.
pub fn opened() -> Fixture {
    let mut f = Fixture::new("performer");
    let effects = f.key(KeyCode::Char('m'));
    assert_eq!(effects, vec![Effect::Menu(MenuRequest::List)]);
    f.app.on_menu_answer(MenuAnswer::Menus(menus()));
    f
}

fn shift(f: &mut Fixture, code: KeyCode) -> Vec<Effect> {
    f.app
        .on_key(KeyEvent::new(code, KeyModifiers::SHIFT), f.now)
}

fn request(effects: Vec<Effect>) -> MenuRequest {
    match effects.as_slice() {
        [Effect::Menu(request)] => request.clone(),
        other => panic!("expected one menu request, got {other:?}"),
    }
}

#[test]
fn moving_an_item_sends_the_whole_new_order_at_the_menu_version() {
    let mut f = opened();
    f.key(KeyCode::Enter); // Quick Fun's items
    f.key(KeyCode::Down);
    let sent = request(shift(&mut f, KeyCode::Up));
    let MenuRequest::Reorder {
        menu,
        version,
        items,
    } = sent
    else {
        panic!("a reorder")
    };
    assert_eq!((menu.as_str(), version), ("m1", 1));
    assert_eq!(&items[..3], ["m1-2", "m1-1", "m1-3"]);
    assert_eq!(
        f.app.menus.as_ref().unwrap().item,
        0,
        "the selection moves with the item"
    );
}

#[test]
fn the_multiplier_shows_live_prices_and_saves_as_a_draft() {
    let mut f = opened();
    f.key(KeyCode::Down);
    f.key(KeyCode::Enter); // Private Energy
    for _ in 0..3 {
        f.key(KeyCode::Char('-'));
    }
    f.key(KeyCode::Char('o'));
    let editor = f.app.menus.as_ref().unwrap();
    assert_eq!(editor.multiplier(), 85);
    let base = editor.current().unwrap().items[0].base_tokens;
    assert_eq!(
        editor.price_of(base),
        (base * 85 + 50) / 100,
        "round half up"
    );
    let screen = f.render(100, 30);
    assert!(
        screen.contains("85 %") && screen.contains("unsaved"),
        "{screen}"
    );
    let MenuRequest::UpdateMenu { menu, spec } = request(f.key(KeyCode::Char('w'))) else {
        panic!("an update")
    };
    assert_eq!(
        (
            menu.as_str(),
            spec.multiplier,
            spec.queue_mode,
            spec.version
        ),
        ("m2", 85, QueueMode::Off, Some(1))
    );
}

#[test]
fn the_item_form_validates_inline_and_sends_nothing_invalid() {
    let mut f = opened();
    f.key(KeyCode::Enter);
    f.key(KeyCode::Char('a'));
    assert!(matches!(
        f.app.menus.as_ref().unwrap().level,
        Level::Form(_)
    ));
    // An empty title is the first problem.
    assert!(f.key(KeyCode::Enter).is_empty());
    let screen = f.render(100, 30);
    assert!(screen.contains("✗"), "{screen}");
    for c in "Wink".chars() {
        f.key(KeyCode::Char(c));
    }
    // To the toy: turn it on, raise the intensity beyond the scale.
    while !matches!(&f.app.menus.as_ref().unwrap().level, Level::Form(form) if form.focused() == cuedeck::console::menus::Field::Toy)
    {
        f.key(KeyCode::Tab);
    }
    f.key(KeyCode::Char(' '));
    f.key(KeyCode::Tab);
    f.key(KeyCode::Tab);
    f.key(KeyCode::Char('5'));
    let Level::Form(form) = &f.app.menus.as_ref().unwrap().level else {
        panic!("form")
    };
    assert_eq!(form.toy.intensity, "105");
    assert!(
        form.problem.as_ref().unwrap().1.contains("0..=20"),
        "{:?}",
        form.problem
    );
    assert!(
        f.key(KeyCode::Enter).is_empty(),
        "an effect beyond the cap is not sent"
    );
    f.key(KeyCode::Backspace);
    f.key(KeyCode::Backspace);
    let MenuRequest::AddItem { menu, item, .. } = request(f.key(KeyCode::Enter)) else {
        panic!("an add")
    };
    assert_eq!((menu.as_str(), item.title.as_str()), ("m1", "Wink"));
    assert_eq!(item.toy.unwrap().intensity, Some(1));
}

#[test]
fn delete_asks_first_and_hide_toggles() {
    let mut f = opened();
    f.key(KeyCode::Enter);
    assert!(f.key(KeyCode::Char('d')).is_empty());
    assert!(
        f.key(KeyCode::Char('n')).is_empty(),
        "anything but y keeps it"
    );
    f.key(KeyCode::Char('d'));
    let MenuRequest::DeleteItem { item, .. } = request(f.key(KeyCode::Char('y'))) else {
        panic!("a delete")
    };
    assert_eq!(item, "m1-1");
    f.app.on_menu_answer(MenuAnswer::Failed("offline".into()));
    let MenuRequest::UpdateItem { item, .. } = request(f.key(KeyCode::Char('h'))) else {
        panic!("an update")
    };
    assert!(item.hidden);
    f.app.on_menu_answer(MenuAnswer::Failed("offline".into()));
    let MenuRequest::Sort { by, .. } = request(f.key(KeyCode::Char('p'))) else {
        panic!("a sort")
    };
    assert_eq!(by, SortKey::Price);
}

/// The server's answer when the menu moved on to version 3 meanwhile.
pub fn conflict() -> VersionConflict {
    let mut current = menus().remove(0);
    current.version = 3;
    current.multiplier = 120;
    VersionConflict {
        code: ErrorCode::VersionConflict,
        message: "menu m1 is at version 3, your edit was based on version 1".into(),
        field: Some("version".into()),
        menu: "m1".into(),
        your_version: 1,
        current_version: 3,
        changes: vec![cuedeck::menus::diff::Change {
            path: "multiplier".into(),
            before: Some(100.into()),
            after: Some(120.into()),
            summary: "multiplier 100 % -> 120 %".into(),
        }],
        history: vec![],
        current: Some(current),
    }
}

#[test]
fn a_version_conflict_explains_and_offers_reload_or_reapply() {
    let mut f = opened();
    f.key(KeyCode::Enter);
    let sent = request(f.key(KeyCode::Char('t')));
    let conflict = conflict();
    f.app
        .on_menu_answer(MenuAnswer::Conflict(Box::new(conflict.clone())));
    let screen = f.render(100, 30);
    assert!(
        screen.contains("multiplier 100 % -> 120 %") && screen.contains("re-apply"),
        "{screen}"
    );
    insta::assert_snapshot!("menu_conflict_100x30", screen);
    // Re-apply: the same sort, based on version 3.
    let again = request(f.key(KeyCode::Char('a')));
    let MenuRequest::Sort { version, .. } = again else {
        panic!("a sort")
    };
    assert_eq!(version, 3);
    assert!(matches!(sent, MenuRequest::Sort { version: 1, .. }));
    // Reload instead: the server's menu replaces ours.
    f.app
        .on_menu_answer(MenuAnswer::Conflict(Box::new(conflict)));
    assert!(f.key(KeyCode::Char('r')).is_empty());
    assert_eq!(
        f.app.menus.as_ref().unwrap().current().unwrap().multiplier,
        120
    );
}

#[test]
fn the_editor_screens() {
    let mut f = opened();
    insta::assert_snapshot!("menu_list_80x24", f.render(80, 24));
    f.key(KeyCode::Enter);
    insta::assert_snapshot!("menu_items_80x24", f.render(80, 24));
    f.key(KeyCode::Char('e'));
    insta::assert_snapshot!("menu_form_100x30", f.render(100, 30));
    f.key(KeyCode::Esc);
    f.key(KeyCode::Esc);
    assert!(f.key(KeyCode::Esc).is_empty());
    assert!(f.app.menus.is_none(), "esc on the list closes the editor");
}

#[test]
fn a_moderator_cannot_open_the_editor() {
    let mut f = Fixture::new("moderator");
    assert!(f.key(KeyCode::Char('m')).is_empty());
    assert!(f.app.menus.is_none());
}

#[test]
fn an_empty_room_is_offered_the_shipped_templates_one_by_one() {
    let mut f = Fixture::new("performer");
    f.key(KeyCode::Char('m'));
    f.app.on_menu_answer(MenuAnswer::Menus(Vec::new()));
    let screen = f.render(100, 24);
    assert!(
        screen.contains("Shipped templates: Quick Fun, Private Energy, VIP Experience"),
        "{screen}"
    );
    let templates = menus();
    for (n, template) in templates.iter().enumerate() {
        let MenuRequest::Create { spec } = request(f.key(KeyCode::Char('a'))) else {
            panic!("a creates a menu")
        };
        assert_eq!(spec.name, template.name, "template {n} in order");
        f.app
            .on_menu_answer(MenuAnswer::Menu(Box::new(template.clone())));
    }
    assert!(f.key(KeyCode::Char('a')).is_empty(), "all three are there");
    assert!(
        f.render(100, 24)
            .contains("every shipped template is in the room")
    );
}

#[test]
fn an_items_toy_pattern_cycles_through_the_shapes_then_the_rooms_imported_patterns() {
    use cuedeck::console::menus::Field;
    use cuedeck::domain::pattern_ref::PatternRef;
    let mut f = opened();
    f.app
        .on_menu_answer(MenuAnswer::Patterns(std::sync::Arc::from([
            std::sync::Arc::from("slow-tease"),
        ])));
    f.key(KeyCode::Enter);
    f.key(KeyCode::Char('a'));
    for c in "Tease".chars() {
        f.key(KeyCode::Char(c));
    }
    let focused = |f: &Fixture| match &f.app.menus.as_ref().unwrap().level {
        Level::Form(form) => form.focused(),
        _ => panic!("form"),
    };
    while focused(&f) != Field::Toy {
        f.key(KeyCode::Tab);
    }
    f.key(KeyCode::Char(' '));
    while focused(&f) != Field::ToyPattern {
        f.key(KeyCode::Tab);
    }
    let mut seen = Vec::new();
    for _ in 0..5 {
        f.key(KeyCode::Char(' '));
        let Level::Form(form) = &f.app.menus.as_ref().unwrap().level else {
            panic!("form")
        };
        seen.push(form.toy.pattern.name().to_string());
    }
    assert_eq!(seen, ["pulse", "wave", "ramp", "slow-tease", "constant"]);
    for _ in 0..4 {
        f.key(KeyCode::Char(' '));
    }
    assert!(f.render(100, 30).contains("slow-tease (imported)"));
    let MenuRequest::AddItem { item, .. } = request(f.key(KeyCode::Enter)) else {
        panic!("an add")
    };
    assert_eq!(
        item.toy.unwrap().pattern,
        Some(PatternRef::Named("slow-tease".into()))
    );
}
