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
use crate::client::{RestClient, ServerUrl};
use crate::domain::RoomId;
use crate::menus::MenuFile;
use crate::menus::client::{MenuClient, MenuClientError};
use crate::menus::diff::diff;
use crate::menus::model::{ItemSpec, MenuSpec, MenuView};
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
    let server = ServerUrl::parse(&target.server)?;
    if let Some(problem) = crate::domain::ids::id_problem(&target.room) {
        return Err(format!("--room {:?}: {problem}", target.room));
    }
    Ok((
        MenuClient::new(RestClient::new(server, target.token.clone())),
        RoomId::new(target.room.as_str()),
    ))
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

/// The room's menus as a file, ids and versions included.
pub async fn export_file(client: &MenuClient, room: &RoomId) -> Result<MenuFile, MenuClientError> {
    let list = client.list(room).await?;
    Ok(MenuFile::export(room, &list.menus))
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Overwrite menus changed on the server since the export.
    pub force: bool,
    /// Delete the room's menus that are not in the file.
    pub prune: bool,
    /// Report, change nothing.
    pub dry_run: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Api(#[from] MenuClientError),
}

/// `file` menu matched to which server menu (none: create it).
struct Plan<'a> {
    spec: &'a MenuSpec,
    target: Option<&'a MenuView>,
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Give file items the ids of the target's items: by id when the file came
/// from this room, else by title. Items left without one are new.
fn match_items(items: &[ItemSpec], target: &MenuView, ids_valid: bool) -> Vec<ItemSpec> {
    let mut taken: Vec<String> = Vec::new();
    let mut out: Vec<ItemSpec> = items
        .iter()
        .map(|item| {
            let mut item = item.clone();
            item.id = item
                .id
                .filter(|id| ids_valid && target.items.iter().any(|t| t.id == *id));
            if let Some(id) = &item.id {
                taken.push(id.clone());
            }
            item
        })
        .collect();
    for item in out.iter_mut().filter(|i| i.id.is_none()) {
        if let Some(found) = target
            .items
            .iter()
            .find(|t| same_name(&t.title, &item.title) && !taken.contains(&t.id))
        {
            taken.push(found.id.clone());
            item.id = Some(found.id.clone());
        }
    }
    out
}

/// Make `room`'s menus match `file`; returns one line per menu.
pub async fn import_file(
    client: &MenuClient,
    room: &RoomId,
    file: &MenuFile,
    options: ImportOptions,
) -> Result<Vec<String>, ImportError> {
    file.validate()
        .map_err(|e| ImportError::Refused(e.message))?;
    let current = client.list(room).await?.menus;
    let ids_valid = file.room.as_ref() == Some(room);

    // Plan everything, and refuse before changing anything.
    let mut plans: Vec<Plan> = Vec::new();
    let mut problems = Vec::new();
    for spec in &file.menus {
        let taken = |m: &MenuView, plans: &[Plan]| {
            plans.iter().any(|p| p.target.is_some_and(|t| t.id == m.id))
        };
        let by_id = spec
            .id
            .as_ref()
            .filter(|_| ids_valid)
            .and_then(|id| current.iter().find(|m| m.id == *id));
        let target = match by_id {
            Some(m) if taken(m, &plans) => {
                problems.push(format!("menu `{}` appears twice in the file", m.id));
                None
            }
            Some(m) => Some(m),
            None => current
                .iter()
                .find(|m| same_name(&m.name, &spec.name) && !taken(m, &plans)),
        };
        if let (Some(target), Some(version)) = (target, spec.version.filter(|_| by_id.is_some()))
            && version != target.version
            && !options.force
        {
            problems.push(format!(
                "menu `{}` {:?} changed on the server since the file was exported (file version {version}, server version {}); export again, or import with --force to overwrite",
                target.id, target.name, target.version
            ));
        }
        plans.push(Plan { spec, target });
    }
    if !problems.is_empty() {
        return Err(ImportError::Refused(format!(
            "nothing imported: {}",
            problems.join("; ")
        )));
    }

    let prefix = if options.dry_run { "would be " } else { "" };
    let mut report = Vec::new();
    for plan in &plans {
        match plan.target {
            None => {
                let mut spec = plan.spec.content();
                for item in &mut spec.items {
                    item.id = None;
                }
                if options.dry_run {
                    report.push(format!(
                        "{prefix}created {:?} ({} items)",
                        spec.name,
                        spec.items.len()
                    ));
                    continue;
                }
                let made = client.create(room, &spec).await?;
                report.push(format!(
                    "created {} {:?} ({} items)",
                    made.id,
                    made.name,
                    made.items.len()
                ));
            }
            Some(target) => {
                let mut spec = plan.spec.content();
                spec.items = match_items(&spec.items, target, ids_valid);
                let changes = diff(&target.to_spec().content(), &spec);
                if changes.is_empty() {
                    report.push(format!(
                        "unchanged {} {:?} (version {})",
                        target.id, target.name, target.version
                    ));
                    continue;
                }
                let summary: Vec<&str> = changes.iter().map(|c| c.summary.as_str()).collect();
                if options.dry_run {
                    report.push(format!(
                        "{prefix}updated {} {:?}: {}",
                        target.id,
                        target.name,
                        summary.join("; ")
                    ));
                    continue;
                }
                spec.version = Some(target.version);
                let made = client.update(room, &target.id, &spec).await?;
                report.push(format!(
                    "updated {} {:?} version {} -> {}: {}",
                    made.id,
                    made.name,
                    target.version,
                    made.version,
                    summary.join("; ")
                ));
            }
        }
    }
    if options.prune {
        for menu in &current {
            if plans
                .iter()
                .any(|p| p.target.is_some_and(|t| t.id == menu.id))
            {
                continue;
            }
            if !options.dry_run {
                client.delete(room, &menu.id, menu.version).await?;
            }
            report.push(format!("{prefix}deleted {} {:?}", menu.id, menu.name));
        }
    }
    Ok(report)
}
