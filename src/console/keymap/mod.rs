//! One keymap, one section per screen plus a global one, feeds key
//! handling, the footer hints and the help, so they never disagree. The
//! default is embedded; a user's `[keys.<section>]` tables replace the
//! bindings of the actions they name. Every problem (a key bound twice, a
//! screen key hiding a global one, a bad name) is reported with its file,
//! line and key before the screen opens.

use std::collections::{BTreeMap, HashMap};

use crate::console::key::Key;
use crate::console::screen::{
    Action, Binding, GLOBAL, GLOBAL_BINDINGS, INPUT, INPUT_BINDINGS, Screen,
};

pub const DEFAULT_KEYMAP: &str = include_str!("../../../config/keymap.toml");
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

/// The global section, the text fields' input section, or one screen's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    Global,
    Input,
    On(Screen),
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Section::Global => GLOBAL,
            Section::Input => INPUT,
            Section::On(screen) => screen.section(),
        }
    }

    fn bindings(self) -> &'static [Binding] {
        match self {
            Section::Global => GLOBAL_BINDINGS,
            Section::Input => INPUT_BINDINGS,
            Section::On(screen) => screen.bindings(),
        }
    }

    fn parse(name: &str) -> Option<Section> {
        if name == GLOBAL {
            return Some(Section::Global);
        }
        if name == INPUT {
            return Some(Section::Input);
        }
        Screen::from_section(name).map(Section::On)
    }

    fn all() -> impl Iterator<Item = Section> {
        [Section::Global, Section::Input]
            .into_iter()
            .chain(Screen::ALL.map(Section::On))
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

    /// The editing action of a key in a text field.
    pub fn input(&self, key: &Key) -> Option<Action> {
        self.section(Section::Input).by_key.get(key).copied()
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
    check_input(&sections[&Section::Input], chosen, problems);
    let hiders = std::iter::once(Section::Input).chain(Screen::ALL.map(Section::On));
    for section in hiders {
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
                        section.name(),
                        binding.name,
                        name_of(Section::Global, *hidden)
                    ));
                }
            }
        }
    }
}

/// The input section edits a text field, where a typed character is text:
/// an input key must not be one.
fn check_input(
    input: &SectionKeys,
    chosen: &BTreeMap<(Section, Action), (Vec<Key>, Origin)>,
    problems: &mut Vec<String>,
) {
    for (binding, keys) in &input.by_action {
        let Some((_, origin)) = chosen.get(&(Section::Input, binding.action)) else {
            continue;
        };
        for key in keys.iter().filter(|k| k.typed().is_some()) {
            problems.push(format!(
                "{}:{}: `{key}` ([input] {}) is a character a text field takes; \
                 an input key must be a named key (left, home, delete…) or a ctrl- or alt- key",
                origin.file, origin.line, binding.name
            ));
        }
    }
}

#[cfg(test)]
mod tests;
