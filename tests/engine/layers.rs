//! The import rule of docs/ARCHITECTURE.md: a lower layer never imports a
//! higher one. Each module's source (its tests excepted) is read and every
//! `crate::<module>` it names is checked against the table.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What each module may not import. Modules not listed may import anything
/// (the command line and the modes sit on top).
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "error_code",
        &[
            "domain", "scoped", "games", "protocol", "store", "menus", "toy", "client", "sim",
            "console", "server", "service", "modes", "cli",
        ],
    ),
    (
        "domain",
        &[
            "scoped", "games", "protocol", "store", "menus", "toy", "client", "sim", "console",
            "server", "service", "modes", "cli",
        ],
    ),
    (
        "scoped",
        &[
            "games", "store", "menus", "toy", "client", "sim", "console", "server", "service",
            "modes", "cli", "overlay",
        ],
    ),
    (
        "games",
        &[
            "store", "menus", "toy", "client", "sim", "console", "server", "service", "modes",
            "cli",
        ],
    ),
    (
        "protocol",
        &[
            "scoped", "games", "store", "menus", "toy", "client", "sim", "console", "server",
            "service", "modes", "cli",
        ],
    ),
    (
        "report",
        &[
            "games", "store", "menus", "toy", "client", "sim", "console", "server", "service",
            "modes", "cli",
        ],
    ),
    (
        "store",
        &[
            "client", "sim", "console", "server", "service", "modes", "cli",
        ],
    ),
    (
        "menus",
        &["sim", "console", "server", "service", "modes", "cli"],
    ),
    (
        "client",
        &[
            "store", "sim", "console", "server", "service", "modes", "cli",
        ],
    ),
    (
        "sim",
        &["store", "console", "server", "service", "modes", "cli"],
    ),
    (
        "service",
        &["console", "server", "modes", "cli", "client", "sim"],
    ),
    ("server", &["console", "modes", "cli", "client", "sim"]),
    ("console", &["store", "server", "service", "modes"]),
    (
        "overlay",
        &[
            "console", "store", "server", "service", "sim", "toy", "modes", "cli",
        ],
    ),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The files of a module: `src/<name>.rs` and everything under
/// `src/<name>/` (either or both).
fn files_of(module: &str) -> Vec<PathBuf> {
    let single = src().join(format!("{module}.rs"));
    let mut found: Vec<PathBuf> = single.exists().then_some(single).into_iter().collect();
    let mut dirs: Vec<PathBuf> = Some(src().join(module))
        .filter(|d| d.is_dir())
        .into_iter()
        .collect();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir:?}: {e}")) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found
}

/// The crate modules a file names outside its `#[cfg(test)]` part.
fn imports(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut names = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // `cuedeck::crate::` never occurs; `super::` paths stay inside.
        names.insert(name);
    }
    names
}

#[test]
fn no_lower_layer_imports_a_higher_one() {
    let mut problems = Vec::new();
    for (module, forbidden) in FORBIDDEN {
        for file in files_of(module) {
            let text = std::fs::read_to_string(&file).unwrap();
            for name in imports(&text) {
                if forbidden.contains(&name.as_str()) {
                    problems.push(format!(
                        "{} imports crate::{name}",
                        file.strip_prefix(src()).unwrap().display()
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "lower layers import higher ones (docs/ARCHITECTURE.md):\n{}",
        problems.join("\n")
    );
}

/// The console's rooms: one folder per screen. A screen uses the shared
/// parts at the top of `src/console` (and the editor kit), never another
/// screen's internals; the kit serves every editor and names no screen.
const SCREENS: &[&str] = &[
    "queue", "menus", "games", "levels", "watch", "toy", "report", "help",
];

/// The console modules a file of `src/console/<room>/` names: through
/// `crate::console::` (one name or a `{..}` group) or `super::super::`.
fn console_imports(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut names = BTreeSet::new();
    for prefix in ["crate::console::", "super::super::"] {
        for (i, _) in code.match_indices(prefix) {
            let rest = &code[i + prefix.len()..];
            let group = match rest.strip_prefix('{') {
                Some(inner) => inner.split('}').next().unwrap_or(""),
                None => rest,
            };
            for part in group.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    names.insert(name);
                }
                if !rest.starts_with('{') {
                    break;
                }
            }
        }
    }
    names
}

#[test]
fn no_console_screen_uses_another_screens_internals() {
    let mut problems = Vec::new();
    let rooms = SCREENS.iter().chain(&["editor"]);
    for room in rooms {
        let files = files_of(&format!("console/{room}"));
        assert!(!files.is_empty(), "no files for console/{room}");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for name in console_imports(&text) {
                if SCREENS.contains(&name.as_str()) && name != *room {
                    problems.push(format!(
                        "{} uses console::{name}",
                        file.strip_prefix(src()).unwrap().display()
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "a console screen uses another's internals (docs/ARCHITECTURE.md):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_console_rule_catches_a_neighbour() {
    let text = "use crate::console::{app::App, menus::Level};\nuse super::super::games;\n\
                use crate::console::widgets::fg;";
    let found = console_imports(text);
    assert!(found.contains("menus") && found.contains("games"));
    assert!(found.contains("app") && found.contains("widgets"));
}

#[test]
fn the_rule_catches_an_upward_import() {
    let text = "use crate::domain::Stamp;\nuse crate::server::errors;\n#[cfg(test)]\nuse crate::console::App;";
    let found = imports(text);
    assert!(found.contains("server"));
    assert!(found.contains("domain"));
    assert!(!found.contains("console"), "test code is exempt");
}

#[test]
fn every_module_of_the_table_exists() {
    for (module, _) in FORBIDDEN {
        assert!(!files_of(module).is_empty(), "no files for {module}");
    }
}
