//! Lovense Remote's local API ("Standard API, by local application"): the
//! JSON bodies cuedeck posts to `{base}/command` and what the app answers.
//! Pure: no IO.
//!
//! Facts (Lovense developer documentation, Standard API): `GetToys`;
//! `Function` with `action` (`Vibrate:16`, several joined by `,`, `Stop`),
//! `timeSec` (0 means "until told otherwise", otherwise more than 1),
//! `toy`, `stopPrevious` (1: the new command replaces the old ones) and
//! `apiVer` 1; `Preset` with `name` (pulse, wave, fireworks, earthquake);
//! answers `{"code":200,"type":"OK",...}`, error codes 400-506.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::codec::Command;
use super::models::{ModelSpec, OutputKind};

/// How long one `Function` keeps the toy going: the app stops it by itself
/// after this unless cuedeck refreshes it, so a console that crashes or
/// loses the network leaves nothing running for longer.
pub const HOLD_SECS: u32 = 2;
/// How often a running level is sent again (well inside `HOLD_SECS`).
pub const REFRESH_MS: u64 = 1_000;

/// The presets Lovense Remote has, `Preset:1;` .. `Preset:4;`.
pub const PRESETS: [&str; 4] = ["pulse", "wave", "fireworks", "earthquake"];

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RemoteError {
    #[error(
        "Lovense Remote is not reachable at {0}: is it running, with Game Mode's LAN switch on?"
    )]
    Unreachable(String),
    #[error("Lovense Remote did not answer in time")]
    Timeout,
    #[error("Lovense Remote answered {code}: {message}")]
    App { code: i64, message: &'static str },
    #[error("Lovense Remote's answer could not be read: {0}")]
    BadAnswer(String),
    #[error("Lovense Remote reports no toy{0}")]
    NoToy(String),
    #[error(
        "Lovense Remote has the toy {0:?}, but it is not connected (402 toy not connected): switch it on and connect it in the app"
    )]
    NotConnected(String),
}

/// The documented meaning of an error code.
pub fn error_message(code: i64) -> &'static str {
    match code {
        400 => "invalid command",
        401 => "toy not found",
        402 => "toy not connected",
        403 => "the toy does not support this command",
        404 => "invalid parameter",
        500 => "HTTP server not started or disabled",
        506 => "server error (restart Lovense Remote)",
        _ => "unknown error",
    }
}

/// One request body, fields in the documented order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "command")]
pub enum Request {
    GetToys,
    Function {
        action: String,
        #[serde(rename = "timeSec")]
        time_sec: u32,
        toy: String,
        #[serde(rename = "stopPrevious")]
        stop_previous: u8,
        #[serde(rename = "apiVer")]
        api_ver: u8,
    },
    /// A stretch of steps at once (`rule` `V:1;F:v,r;S:100#`, `strength`
    /// `8;9;10`): see `remote_pattern`.
    Pattern {
        rule: String,
        strength: String,
        #[serde(rename = "timeSec")]
        time_sec: u32,
        toy: String,
        #[serde(rename = "apiVer")]
        api_ver: u8,
    },
    Preset {
        name: &'static str,
        #[serde(rename = "timeSec")]
        time_sec: u32,
        toy: String,
        #[serde(rename = "apiVer")]
        api_ver: u8,
    },
}

impl Request {
    pub fn body(&self) -> String {
        // Serialising these plain structs cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Every output at its level, for `HOLD_SECS`, replacing what ran.
    pub fn function(toy: &str, actions: &[(String, u8)]) -> Request {
        let running: Vec<String> = actions
            .iter()
            .filter(|(_, v)| *v > 0)
            .map(|(a, v)| format!("{a}:{v}"))
            .collect();
        if running.is_empty() {
            return Request::stop(toy);
        }
        Request::Function {
            action: running.join(","),
            time_sec: HOLD_SECS,
            toy: toy.to_owned(),
            stop_previous: 1,
            api_ver: 1,
        }
    }

    /// `Stop` for this toy (its `timeSec` 0 is the documented form).
    pub fn stop(toy: &str) -> Request {
        Request::Function {
            action: "Stop".to_owned(),
            time_sec: 0,
            toy: toy.to_owned(),
            stop_previous: 1,
            api_ver: 1,
        }
    }

    pub fn preset(toy: &str, n: u8) -> Option<Request> {
        let name = *PRESETS.get(usize::from(n).checked_sub(1)?)?;
        Some(Request::Preset {
            name,
            time_sec: HOLD_SECS,
            toy: toy.to_owned(),
            api_ver: 1,
        })
    }
}

/// A toy as `GetToys` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RemoteToy {
    pub id: String,
    /// The model in lower case (`nora`, `lush`).
    pub name: String,
    #[serde(default, rename = "nickName")]
    pub nickname: String,
    #[serde(default)]
    pub battery: Option<i64>,
    /// `"1"` (or 1) when connected to the app.
    #[serde(default)]
    pub status: serde_json::Value,
    #[serde(default)]
    pub version: serde_json::Value,
    /// The functions the app lists for this toy (`["Vibrate1","Vibrate2"]`,
    /// or one comma-separated string); absent from older apps.
    #[serde(default, rename = "fullFunctionNames")]
    pub full_function_names: serde_json::Value,
}

impl RemoteToy {
    pub fn connected(&self) -> bool {
        matches!(&self.status, serde_json::Value::String(s) if s == "1")
            || self.status.as_i64() == Some(1)
    }

    pub fn spec(&self) -> &'static ModelSpec {
        ModelSpec::lookup(&self.name).unwrap_or(&super::models::UNKNOWN)
    }

    pub fn firmware(&self) -> u16 {
        match &self.version {
            serde_json::Value::String(s) => s.parse().unwrap_or(0),
            v => v.as_u64().and_then(|n| u16::try_from(n).ok()).unwrap_or(0),
        }
    }

    /// `fullFunctionNames` as a list, whichever form the app sent.
    pub fn functions(&self) -> Vec<String> {
        match &self.full_function_names {
            serde_json::Value::Array(items) => items
                .iter()
                .filter_map(|v| v.as_str().map(|s| s.trim().to_owned()))
                .collect(),
            serde_json::Value::String(s) => s
                .split(',')
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty())
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn battery_percent(&self) -> u8 {
        self.battery.unwrap_or(0).clamp(0, 100) as u8
    }
}

#[derive(Deserialize)]
struct Answer {
    code: Option<i64>,
    #[serde(default)]
    data: Option<serde_json::Value>,
}

/// Checks an answer's code; `Ok` with its `data`.
pub fn parse_answer(text: &str) -> Result<Option<serde_json::Value>, RemoteError> {
    let answer: Answer =
        serde_json::from_str(text).map_err(|e| RemoteError::BadAnswer(e.to_string()))?;
    match answer.code {
        Some(200) => Ok(answer.data),
        Some(code) => Err(RemoteError::App {
            code,
            message: error_message(code),
        }),
        None => Err(RemoteError::BadAnswer("no code".to_owned())),
    }
}

/// The toys of a `GetToys` answer (`data.toys` is a JSON object encoded as a
/// string), sorted by id.
pub fn parse_toys(text: &str) -> Result<Vec<RemoteToy>, RemoteError> {
    let data = parse_answer(text)?.unwrap_or_default();
    let toys = match data.get("toys") {
        Some(serde_json::Value::String(s)) => serde_json::from_str::<serde_json::Value>(s)
            .map_err(|e| RemoteError::BadAnswer(e.to_string()))?,
        Some(v) => v.clone(),
        None => return Ok(Vec::new()),
    };
    let map: std::collections::BTreeMap<String, RemoteToy> =
        serde_json::from_value(toys).map_err(|e| RemoteError::BadAnswer(e.to_string()))?;
    Ok(map.into_values().collect())
}

/// The action of each output, in output order: `Vibrate`, `Rotate`,
/// `Pump`, `Thrusting`, `Fingering` (the published Function actions). Toys
/// with several vibrators get `Vibrate1`.. only where the app lists those
/// functions for the toy (`fullFunctionNames`); otherwise every vibrator
/// is `Vibrate` (one level for all, the strongest asked).
pub fn action_names(spec: &ModelSpec, functions: &[String]) -> Vec<String> {
    let per_motor = per_motor(spec, functions);
    let mut n = 0;
    spec.outputs
        .iter()
        .map(|o| match o.kind {
            OutputKind::Vibrate if !per_motor => "Vibrate".to_owned(),
            OutputKind::Vibrate => {
                n += 1;
                format!("Vibrate{n}")
            }
            OutputKind::Rotate { reversible: true } => "Rotate".to_owned(),
            OutputKind::Rotate { reversible: false } => "Fingering".to_owned(),
            OutputKind::Air => "Pump".to_owned(),
            OutputKind::Oscillate => "Thrusting".to_owned(),
        })
        .collect()
}

fn vibrators(spec: &ModelSpec) -> usize {
    spec.outputs
        .iter()
        .filter(|o| o.kind == OutputKind::Vibrate)
        .count()
}

/// Whether each vibrator of this toy is driven on its own: only for a toy
/// with several, and only where the app lists `Vibrate1`.. for it.
pub fn per_motor(spec: &ModelSpec, functions: &[String]) -> bool {
    let vibrators = vibrators(spec);
    vibrators > 1
        && (1..=vibrators).all(|n| {
            let name = format!("vibrate{n}");
            functions.iter().any(|f| f.eq_ignore_ascii_case(&name))
        })
}

/// What the transcript says when a toy's vibrators cannot be driven one by
/// one through the app; empty otherwise.
pub fn motors_note(spec: &ModelSpec, functions: &[String]) -> String {
    let vibrators = vibrators(spec);
    if vibrators > 1 && !per_motor(spec, functions) {
        format!(
            "; its {vibrators} vibrators as one `Vibrate` (the app lists no per-motor function for it)"
        )
    } else {
        String::new()
    }
}

/// Actions with one level each: outputs sharing an action (every vibrator
/// as `Vibrate`) get the strongest of their levels, in first-seen order.
pub fn merge_actions(names: Vec<String>, levels: &[u8]) -> Vec<(String, u8)> {
    let mut merged: Vec<(String, u8)> = Vec::new();
    for (name, level) in names.into_iter().zip(levels.iter().copied()) {
        match merged.iter_mut().find(|(n, _)| *n == name) {
            Some((_, l)) => *l = (*l).max(level),
            None => merged.push((name, level)),
        }
    }
    merged
}

/// What a wire command does to the app's per-output levels; `None` for a
/// command the app has no equivalent of (`RotateChange;`).
pub fn apply(spec: &ModelSpec, cmd: &Command, levels: &mut [u8]) -> Option<()> {
    if *cmd == Command::RotateChange {
        return None;
    }
    let mut l = super::outputs::Levels::new(levels);
    super::outputs::apply(spec, cmd, &mut l);
    levels.copy_from_slice(l.values());
    Some(())
}
