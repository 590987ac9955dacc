//! Importing a menu file into a room: match the file's menus and items to
//! the room's by id (a file exported from this room) or by name, plan every
//! change, and refuse before changing anything when a menu changed on the
//! server since the export.

use super::MenuFile;
use super::client::{MenuClient, MenuClientError};
use super::diff::diff;
use super::model::{ItemSpec, MenuSpec, MenuView};
use crate::domain::RoomId;

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
