//! One keymap, one section per screen plus a global one, feeds key
//! handling, the footer hints and the help, so they never disagree. The
//! default is embedded; a user's `[keys.<section>]` tables replace the
//! bindings of the actions they name. Every problem (a key bound twice, a
//! screen key hiding a global one, a bad name) is reported with its file,
//! line and key before the screen opens.

use std::collections::{BTreeMap, HashMap};

use super::keys::Key;
use super::screen::{Action, Binding, GLOBAL, GLOBAL_BINDINGS, Screen};

pub const DEFAULT_KEYMAP: &str = include_str!("../../config/keymap.toml");
const DEFAULT_NAME: &str = "config/keymap.toml (built in)";

/// Sections as read from a file: section -> action name -> keys, with spans.
pub type Sections = BTreeMap<String, BTreeMap<String, toml::Spanned<toml::Value>>>;

/// A file's sections and what is needed to name a line of it.
pub struct Layer<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub sections: &'a Sections,
}

impl Layer<'_> {
    fn line(&self, at: usize) -> usize {
        1 + self.text[..at.min(self.text.len())].matches('\n').count()
    }
}

/// The global section or one screen's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    Global,
    On(Screen),
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Section::Global => GLOBAL,
            Section::On(screen) => screen.section(),
        }
    }

    fn bindings(self) -> &'static [Binding] {
        match self {
            Section::Global => GLOBAL_BINDINGS,
            Section::On(screen) => screen.bindings(),
        }
    }

    fn parse(name: &str) -> Option<Section> {
        if name == GLOBAL {
            return Some(Section::Global);
        }
        Screen::from_section(name).map(Section::On)
    }

    fn all() -> impl Iterator<Item = Section> {
        std::iter::once(Section::Global).chain(Screen::ALL.map(Section::On))
    }
}

/// Where a binding was written, for messages.
#[derive(Debug, Clone)]
struct Origin {
    file: String,
    line: usize,
}

#[derive(Debug, Clone, Default)]
struct SectionKeys {
    by_key: HashMap<Key, Action>,
    /// In the order the section lists its actions.
    by_action: Vec<(Binding, Vec<Key>)>,
}

/// One line of the help: the keys and what they do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRow {
    pub keys: String,
    pub describe: &'static str,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    sections: HashMap<Section, SectionKeys>,
}

fn parse_sections(text: &str) -> Sections {
    toml::from_str(text).expect("the embedded keymap parses")
}

impl Keymap {
    pub fn default_keymap() -> Keymap {
        Keymap::load(None).expect("the embedded keymap is valid")
    }

    /// The default bindings with `user`'s over them. Every problem is
    /// reported, not just the first.
    pub fn load(user: Option<&Layer>) -> Result<Keymap, Vec<String>> {
        let defaults = parse_sections(DEFAULT_KEYMAP);
        let default = Layer {
            file: DEFAULT_NAME,
            text: DEFAULT_KEYMAP,
            sections: &defaults,
        };
        let mut problems = Vec::new();
        let mut chosen: BTreeMap<(Section, Action), (Vec<Key>, Origin)> = BTreeMap::new();
        for layer in std::iter::once(&default).chain(user) {
            read_layer(layer, &mut chosen, &mut problems);
        }
        let mut sections = HashMap::new();
        for section in Section::all() {
            let mut keys = SectionKeys::default();
            let mut origins: HashMap<Key, &Origin> = HashMap::new();
            for binding in section.bindings() {
                let Some((list, origin)) = chosen.get(&(section, binding.action)) else {
                    problems.push(format!(
                        "{DEFAULT_NAME}: [{}] {} has no key",
                        section.name(),
                        binding.name
                    ));
                    continue;
                };
                for key in list {
                    if let Some(other) = keys.by_key.insert(*key, binding.action)
                        && other != binding.action
                    {
                        // Name the user's line rather than the built-in one.
                        let earlier = origins[key];
                        let at = if origin.file == DEFAULT_NAME {
                            earlier
                        } else {
                            origin
                        };
                        problems.push(format!(
                            "{}:{}: `{key}` is bound to both {} and {} in [{}]",
                            at.file,
                            at.line,
                            name_of(section, other),
                            binding.name,
                            section.name()
                        ));
                    }
                    origins.insert(*key, origin);
                }
                keys.by_action.push((*binding, list.clone()));
            }
            sections.insert(section, keys);
        }
        check_globals(&sections, &chosen, &mut problems);
        if problems.is_empty() {
            Ok(Keymap { sections })
        } else {
            Err(problems)
        }
    }

    fn section(&self, section: Section) -> &SectionKeys {
        self.sections.get(&section).expect("every section is built")
    }

    /// The global action of a key, checked before any screen's.
    pub fn global(&self, key: &Key) -> Option<Action> {
        self.section(Section::Global).by_key.get(key).copied()
    }

    /// The action of a key on `screen` (its own section only).
    pub fn action(&self, screen: Screen, key: &Key) -> Option<Action> {
        self.section(Section::On(screen)).by_key.get(key).copied()
    }

    pub fn keys(&self, section: Section, action: Action) -> &[Key] {
        self.section(section)
            .by_action
            .iter()
            .find(|(b, _)| b.action == action)
            .map_or(&[], |(_, keys)| keys.as_slice())
    }

    /// The key the footer and messages name for an action.
    pub fn first_key(&self, section: Section, action: Action) -> String {
        self.keys(section, action)
            .first()
            .map(Key::to_string)
            .unwrap_or_default()
    }

    /// The footer's hints for `screen`: the global stop first (it is on
    /// every footer), then the screen's own.
    pub fn hints(&self, screen: Screen) -> Vec<(String, &'static str)> {
        let mut hints = self.section_hints(Section::Global);
        hints.extend(self.section_hints(Section::On(screen)));
        hints
    }

    /// A section's actions that have a footer label, with their first key.
    pub fn section_hints(&self, section: Section) -> Vec<(String, &'static str)> {
        self.section(section)
            .by_action
            .iter()
            .filter_map(|(b, keys)| Some((keys.first()?.to_string(), b.hint?)))
            .collect()
    }

    /// Every binding of a section, for the help.
    pub fn help(&self, section: Section) -> Vec<HelpRow> {
        self.section(section)
            .by_action
            .iter()
            .map(|(binding, keys)| HelpRow {
                keys: keys
                    .iter()
                    .map(Key::to_string)
                    .collect::<Vec<_>>()
                    .join(" "),
                describe: binding.describe,
            })
            .collect()
    }
}

fn name_of(section: Section, action: Action) -> &'static str {
    section
        .bindings()
        .iter()
        .find(|b| b.action == action)
        .map_or("?", |b| b.name)
}

/// Reads one file's sections over what is chosen so far.
fn read_layer(
    layer: &Layer,
    chosen: &mut BTreeMap<(Section, Action), (Vec<Key>, Origin)>,
    problems: &mut Vec<String>,
) {
    let prefix = if layer.file == DEFAULT_NAME {
        ""
    } else {
        "keys."
    };
    for (section_name, entries) in layer.sections {
        let first_line = entries
            .values()
            .map(|v| layer.line(v.span().start))
            .min()
            .unwrap_or(1);
        let Some(section) = Section::parse(section_name) else {
            let known: Vec<&str> = Section::all().map(Section::name).collect();
            problems.push(format!(
                "{}:{first_line}: [{prefix}{section_name}] is not a screen (sections: {})",
                layer.file,
                known.join(", ")
            ));
            continue;
        };
        for (name, value) in entries {
            let line = layer.line(value.span().start);
            let at = format!("{}:{line}: [{prefix}{section_name}] {name}", layer.file);
            let Some(binding) = section.bindings().iter().find(|b| b.name == *name) else {
                let known: Vec<&str> = section.bindings().iter().map(|b| b.name).collect();
                problems.push(format!(
                    "{at}: not an action here (actions: {})",
                    known.join(", ")
                ));
                continue;
            };
            let Some(list) = value.get_ref().as_array() else {
                problems.push(format!("{at}: must be a list of keys, like [\"s\"]"));
                continue;
            };
            let mut keys = Vec::new();
            for item in list {
                match item.as_str().map(Key::parse) {
                    Some(Ok(key)) => keys.push(key),
                    Some(Err(err)) => problems.push(format!("{at}: {err}")),
                    None => problems.push(format!("{at}: {item} is not a key name")),
                }
            }
            let origin = Origin {
                file: layer.file.to_string(),
                line,
            };
            chosen.insert((section, binding.action), (keys, origin));
        }
    }
}

/// Global keys work in text fields and on every screen: none may be a
/// character, none may be hidden by a screen's binding, and the stop and
/// quit keys must exist.
fn check_globals(
    sections: &HashMap<Section, SectionKeys>,
    chosen: &BTreeMap<(Section, Action), (Vec<Key>, Origin)>,
    problems: &mut Vec<String>,
) {
    let global = &sections[&Section::Global];
    for (binding, keys) in &global.by_action {
        let Some((_, origin)) = chosen.get(&(Section::Global, binding.action)) else {
            continue;
        };
        for key in keys {
            if key.typed().is_some() {
                problems.push(format!(
                    "{}:{}: `{key}` ([global] {}) is a character a text field takes; \
                     a global key must be a function key or a ctrl- key",
                    origin.file, origin.line, binding.name
                ));
            }
        }
        if keys.is_empty() {
            problems.push(format!(
                "{}:{}: [global] {} needs a key",
                origin.file, origin.line, binding.name
            ));
        }
    }
    for screen in Screen::ALL {
        let section = Section::On(screen);
        for (binding, keys) in &sections[&section].by_action {
            for key in keys {
                if let Some(hidden) = global.by_key.get(key) {
                    // Name the user's line: the screen's binding, or else
                    // the global one that the built-in screen key meets.
                    let origin = |section, action| chosen.get(&(section, action)).map(|(_, o)| o);
                    let at = match (
                        origin(section, binding.action),
                        origin(Section::Global, *hidden),
                    ) {
                        (Some(own), Some(global)) if own.file == DEFAULT_NAME => global,
                        (Some(own), _) => own,
                        (None, Some(global)) => global,
                        (None, None) => continue,
                    };
                    let (file, line) = (&at.file, at.line);
                    problems.push(format!(
                        "{file}:{line}: `{key}` ([{}] {}) would hide the global {} on that screen",
                        screen.section(),
                        binding.name,
                        name_of(Section::Global, *hidden)
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
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
        let doc = include_str!("../../docs/KEYS.md");
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
        let keys = user("[keys.queue]\nstart = [\"space\"]\nrefund = [\"R\", \"f9\"]").unwrap();
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
}
