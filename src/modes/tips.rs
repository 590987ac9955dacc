//! `cuedeck tips export | import | check`: a room's tip levels as a TOML
//! file in the format of config/tips/*.toml, plus an optional top-level
//! `version`, the server version the file was exported from.
//!
//! Import saves the file as the room's next version. A file with a
//! `version` is based on it: if the room changed since, the server's
//! conflict answer (what changed) is shown and nothing is saved, unless
//! `--force`. A file without one (a shipped template) replaces the
//! current levels. A file equal to the current levels saves nothing.

use std::collections::BTreeSet;
use std::future::Future;
use std::path::Path;
use std::process::ExitCode;

use serde::{Deserialize, Serialize};

use crate::cli::{MenuTarget, TipsAction, TipsArgs, TipsImportArgs, TipsPatternArgs};
use crate::client::{ClientError, RestClient};
use crate::domain::RoomId;
use crate::domain::tips::{Intensity, TipLevel, TipLevels, TipSpecial};
use crate::protocol::ErrorCode;

/// The file: the levels and specials, and where they came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TipsFile {
    /// The room's version this file was exported from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<TipLevel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub specials: Vec<TipSpecial>,
}

impl TipsFile {
    /// Parse and check a file's text; errors name the file and the field.
    /// `patterns`: the names of the room's imported patterns.
    pub fn parse(
        shown: &str,
        text: &str,
        max_amount: u64,
        patterns: &BTreeSet<String>,
    ) -> Result<TipsFile, String> {
        let file: TipsFile = toml::from_str(text).map_err(|e| format!("{shown}: {e}"))?;
        file.tip_levels()
            .validate(max_amount, patterns)
            .map_err(|e| format!("{shown}: {e}"))?;
        Ok(file)
    }

    pub fn tip_levels(&self) -> TipLevels {
        TipLevels {
            levels: self.levels.clone(),
            specials: self.specials.clone(),
        }
    }

    pub fn to_toml(&self) -> Result<String, String> {
        toml::to_string(self).map_err(|e| e.to_string())
    }
}

pub fn run(args: TipsArgs) -> ExitCode {
    match args.action {
        TipsAction::Export(target) => export(target),
        TipsAction::Import(args) => import(args),
        TipsAction::Check {
            file,
            max_amount,
            patterns,
        } => check(&file, max_amount, &patterns.into_iter().collect()),
        TipsAction::Pattern(args) => pattern(args),
    }
}

fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("cuedeck tips: {message}");
    ExitCode::from(code)
}

/// Connect to the target's room and print what `work` answers: exit 2 for
/// bad arguments, 1 when the server (or the work) refuses.
fn with_room<F, Fut>(target: &MenuTarget, work: F) -> ExitCode
where
    F: FnOnce(RestClient, RoomId) -> Fut,
    Fut: Future<Output = Result<String, String>>,
{
    let (client, room) = match super::room_client(target) {
        Ok(c) => c,
        Err(err) => return fail(2, err),
    };
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(err) => return fail(1, err),
    };
    match runtime.block_on(work(client, room)) {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(err) => fail(1, err),
    }
}

fn read_file(
    path: &Path,
    max_amount: u64,
    patterns: &BTreeSet<String>,
) -> Result<TipsFile, String> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    TipsFile::parse(&shown, &text, max_amount, patterns)
}

/// Read a file for import: its syntax here, its rules on the server
/// (which knows the room's amount limit and imported patterns).
fn read_file_unchecked(path: &Path) -> Result<TipsFile, String> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    toml::from_str(&text).map_err(|e| format!("{shown}: {e}"))
}

fn pattern(args: TipsPatternArgs) -> ExitCode {
    let shown = args.file.display().to_string();
    let text = match std::fs::read_to_string(&args.file) {
        Ok(text) => text,
        Err(err) => return fail(2, format!("cannot read {shown}: {err}")),
    };
    let name = args.name.unwrap_or_else(|| {
        args.file
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
    });
    if let Some(problem) = crate::domain::tips::pattern_name_problem(&name) {
        return fail(
            2,
            format!("pattern name {name:?} {problem} (choose one with --name)"),
        );
    }
    if let Err(err) = crate::toy::pattern_file::PatternFile::parse(&name, &text) {
        return fail(2, format!("{shown}: {err}"));
    }
    with_room(&args.target, |client, room| async move {
        let view = client
            .put_pattern(&room, &name, &text)
            .await
            .map_err(|e| e.to_string())?;
        Ok(format!(
            "imported pattern {name:?} into room {room}: {} steps of {} ms\n",
            view["steps"], view["stepMs"]
        ))
    })
}

fn export(target: MenuTarget) -> ExitCode {
    with_room(&target, |client, room| async move {
        let view = client.tip_levels(&room).await.map_err(|e| e.to_string())?;
        let file = TipsFile {
            version: Some(view.version),
            levels: view.levels.levels,
            specials: view.levels.specials,
        };
        Ok(format!(
            "# The tip levels of room {room}, version {}.\n{}",
            view.version,
            file.to_toml()?
        ))
    })
}

fn import(args: TipsImportArgs) -> ExitCode {
    // Which names the room has imported is the server's to check.
    let file = match read_file_unchecked(&args.file) {
        Ok(file) => file,
        Err(err) => return fail(2, err),
    };
    with_room(&args.target, |client, room| async move {
        save(&client, &room, &file, args.force).await
    })
}

/// Save the file as the room's next version; the line to print.
async fn save(
    client: &RestClient,
    room: &RoomId,
    file: &TipsFile,
    force: bool,
) -> Result<String, String> {
    let now = client.tip_levels(room).await.map_err(|e| e.to_string())?;
    let levels = file.tip_levels();
    if now.levels == levels {
        return Ok(format!(
            "unchanged: room {room} at version {}\n",
            now.version
        ));
    }
    let base = match file.version {
        Some(version) if !force => version,
        _ => now.version,
    };
    match client.set_tip_levels(room, &levels, base).await {
        Ok(saved) => Ok(format!(
            "saved room {room} tip levels as version {} ({} levels, {} specials)\n",
            saved.version,
            levels.levels.len(),
            levels.specials.len()
        )),
        Err(err @ ClientError::Api { .. }) if err.code() == Some(ErrorCode::VersionConflict) => {
            Err(format!(
                "{err}\nthe file was exported at version {base}; export again and redo \
                 the edit, or import with --force to save over the room's current levels"
            ))
        }
        Err(err) => Err(err.to_string()),
    }
}

fn check(path: &Path, max_amount: u64, patterns: &BTreeSet<String>) -> ExitCode {
    let file = match read_file(path, max_amount, patterns) {
        Ok(file) => file,
        Err(err) => return fail(2, err),
    };
    println!(
        "{}: {} levels, {} specials",
        path.display(),
        file.levels.len(),
        file.specials.len()
    );
    for level in &file.levels {
        let range = match level.max {
            Some(max) => format!("{}..={max}", level.min),
            None => format!("{}+", level.min),
        };
        let pattern = level
            .pattern
            .as_ref()
            .map(|p| format!(", {}", p.name()))
            .unwrap_or_default();
        println!(
            "  {range:>12}  {}: {} for {} s{pattern}",
            level.label,
            strength(&level.intensity),
            level.duration_s
        );
    }
    for special in &file.specials {
        println!("  {:>12}  {} (special)", special.amount, special.label);
    }
    ExitCode::SUCCESS
}

fn strength(intensity: &Intensity) -> String {
    match intensity {
        Intensity::All(level) => format!("intensity {level}"),
        Intensity::PerOutput(_) => format!("up to intensity {}", intensity.peak()),
    }
}
