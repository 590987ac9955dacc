//! The keymap's loading, defaults and problem reports.

use super::*;
use crossterm::event::KeyCode;

fn key(name: &str) -> Key {
    Key::parse(name).unwrap()
}

fn user(text: &str) -> Result<Keymap, Vec<String>> {
    #[derive(serde::Deserialize)]
    struct File {
        keys: Sections,
    }
    let file: File = toml::from_str(text).unwrap();
    Keymap::load(Some(&Layer {
        file: "me.toml",
        text,
        sections: &file.keys,
    }))
}

#[test]
fn the_default_keymap_binds_every_action_of_every_section() {
    let keys = Keymap::default_keymap();
    assert_eq!(keys.action(Screen::Queue, &key("s")), Some(Action::Start));
    assert_eq!(keys.action(Screen::Queue, &key("down")), Some(Action::Down));
    assert_eq!(keys.global(&key("f12")), Some(Action::StopToy));
    assert_eq!(keys.global(&key("ctrl-c")), Some(Action::QuitNow));
    assert_eq!(keys.action(Screen::Queue, &key("x")), None);
    assert_eq!(
        keys.action(Screen::Toy, &Key::plain(KeyCode::Char('7'))),
        Some(Action::TryLevel)
    );
    for screen in Screen::ALL {
        assert_eq!(
            keys.help(Section::On(screen)).len(),
            screen.bindings().len()
        );
    }
}

#[test]
fn the_keys_doc_lists_every_binding_as_built_in() {
    let doc = include_str!("../../../docs/KEYS.md");
    let sections = parse_sections(DEFAULT_KEYMAP);
    for section in Section::all() {
        let name = section.name();
        assert!(doc.contains(&format!("### `[{name}]`")), "{name}");
        for binding in section.bindings() {
            let keys: Vec<String> = sections[name][binding.name]
                .get_ref()
                .as_array()
                .unwrap()
                .iter()
                .map(|k| format!("`{}`", k.as_str().unwrap()))
                .collect();
            let row = format!(
                "| `{}` | {} | {} |",
                binding.name,
                keys.join(" "),
                binding.describe
            );
            assert!(doc.contains(&row), "docs/KEYS.md lacks {row}");
        }
    }
}

#[test]
fn a_user_section_replaces_what_it_names() {
    let keys = user("[keys.queue]\nstart = [\"space\"]\nrefund = [\"x\", \"f9\"]").unwrap();
    assert_eq!(
        keys.action(Screen::Queue, &key("space")),
        Some(Action::Start)
    );
    assert_eq!(keys.action(Screen::Queue, &key("s")), None);
    assert_eq!(keys.action(Screen::Queue, &key("f9")), Some(Action::Refund));
    assert_eq!(keys.hints(Screen::Queue)[1], ("space".to_string(), "start"));
    // Other sections keep their defaults.
    assert_eq!(keys.action(Screen::Toy, &key("r")), Some(Action::Resume));
}

#[test]
fn duplicates_shadowing_and_bad_names_are_reported_with_file_line_and_key() {
    let text = "[keys.queue]\nstart = [\"f\"]\nhelp = [\"hyper-x\"]\nlaunch = [\"l\"]\n\
                [keys.refund]\nsubmit = [\"f12\"]\n[keys.global]\nstop_toy = [\"x\", \"f12\"]\n\
                [keys.moon]\nup = [\"u\"]\n";
    let all = user(text).unwrap_err().join("\n");
    assert!(
        all.contains("me.toml:2: `f` is bound to both start and finish in [queue]"),
        "{all}"
    );
    assert!(
        all.contains("me.toml:3: [keys.queue] help: `hyper-x` is not a key name"),
        "{all}"
    );
    assert!(
        all.contains("me.toml:4: [keys.queue] launch: not an action"),
        "{all}"
    );
    assert!(
        all.contains("me.toml:6: `f12` ([refund] submit) would hide the global stop_toy"),
        "{all}"
    );
    assert!(
        all.contains("me.toml:8: `x` ([global] stop_toy) is a character"),
        "{all}"
    );
    assert!(
        all.contains("me.toml:8: `x` ([toy] disconnect) would hide the global stop_toy"),
        "{all}"
    );
    assert!(
        all.contains("me.toml:10: [keys.moon] is not a screen"),
        "{all}"
    );
}

#[test]
fn the_input_section_edits_text_and_may_neither_type_nor_hide_a_global() {
    let keys = Keymap::default_keymap();
    assert_eq!(keys.input(&key("left")), Some(Action::CursorLeft));
    assert_eq!(keys.input(&key("ctrl-w")), Some(Action::EraseWord));
    assert_eq!(
        keys.input(&key("f12")),
        None,
        "the global stop key is not an edit"
    );
    let all = user("[keys.input]\nhome = [\"h\"]\nend = [\"f12\"]\n")
        .unwrap_err()
        .join("\n");
    assert!(
        all.contains("me.toml:2: `h` ([input] home) is a character a text field takes"),
        "{all}"
    );
    assert!(
        all.contains("me.toml:3: `f12` ([input] end) would hide the global stop_toy"),
        "{all}"
    );
}
