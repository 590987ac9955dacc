//! `cuedeck menu export | import | check`: chip menus as TOML files, for
//! performers who keep their menus in files.
//!
//! Import makes the room's menus match the file. A file menu is matched to
//! a server menu by `id` when the file was exported from this room, else by
//! name; unmatched ones are created. Items are matched the same way (id,
//! then title), so importing the same file twice changes nothing, and an
//! item keeps its id (and its daily-limit count) across imports. A menu
//! whose `version` in the file is older than the server's was edited since
//! the export: import refuses (before changing anything) unless `--force`.

use std::process::ExitCode;

use crate::cli::{MenuAction, MenuArgs, MenuImportArgs, MenuTarget};
use crate::domain::RoomId;
use crate::menus::MenuFile;
use crate::menus::client::MenuClient;
use crate::menus::import::{ImportOptions, export_file, import_file};
use crate::menus::pricing::price;

pub fn run(args: MenuArgs) -> ExitCode {
    match args.action {
        MenuAction::Export(target) => export(target),
        MenuAction::Import(args) => import(args),
        MenuAction::Check { file } => check(&file),
    }
}

fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("cuedeck menu: {message}");
    ExitCode::from(code)
}

fn connect(target: &MenuTarget) -> Result<(MenuClient, RoomId), String> {
    super::room_client(target).map(|(client, room)| (MenuClient::new(client), room))
}

fn read_file(path: &std::path::Path) -> Result<MenuFile, String> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    MenuFile::parse(&shown, &text).map_err(|e| e.to_string())
}

fn export(target: MenuTarget) -> ExitCode {
    let (client, room) = match connect(&target) {
        Ok(c) => c,
        Err(err) => return fail(2, err),
    };
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(err) => return fail(1, err),
    };
    match runtime.block_on(export_file(&client, &room)) {
        Ok(file) => {
            print!("{}", file.to_toml());
            ExitCode::SUCCESS
        }
        Err(err) => fail(1, err),
    }
}

fn import(args: MenuImportArgs) -> ExitCode {
    let file = match read_file(&args.file) {
        Ok(file) => file,
        Err(err) => return fail(2, err),
    };
    let (client, room) = match connect(&args.target) {
        Ok(c) => c,
        Err(err) => return fail(2, err),
    };
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(err) => return fail(1, err),
    };
    let options = ImportOptions {
        force: args.force,
        prune: args.prune,
        dry_run: args.dry_run,
    };
    match runtime.block_on(import_file(&client, &room, &file, options)) {
        Ok(report) => {
            for line in report {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(err) => fail(1, err),
    }
}

fn check(path: &std::path::Path) -> ExitCode {
    let file = match read_file(path) {
        Ok(file) => file,
        Err(err) => return fail(2, err),
    };
    for menu in &file.menus {
        println!(
            "{:?}: queue {}, {}, multiplier {} %, {} items",
            menu.name,
            menu.queue_mode.as_str(),
            menu.visibility.as_str(),
            menu.multiplier,
            menu.items.len()
        );
        for item in &menu.items {
            let now = price(item.base_tokens, menu.multiplier);
            let hidden = if item.hidden { " (hidden)" } else { "" };
            let free = if now == 0 {
                " - costs 0: not offered"
            } else {
                ""
            };
            println!("  {:>6} tokens  {}{hidden}{free}", now, item.title);
        }
    }
    ExitCode::SUCCESS
}
