//! One effect level (0..=20) as a level per output, and those levels as the
//! commands the model takes. Pure.
//!
//! - By default an effect drives every output, scaled to each output's
//!   range (`Air` is 0..=3).
//! - The console's config may, per model, limit an effect to some outputs
//!   or scale one (`OutputMap`).
//! - The intensity cap holds for every output: no output is ever above
//!   `cap / 20` of its range.

use std::collections::BTreeMap;

use serde::Deserialize;

pub use super::codec::Levels;
use super::codec::{Command, Level, Motor, Mply};
use super::models::{Drive, ModelSpec, OutputKind};
use super::pattern_file::{Feature, MAX_FEATURES};
use crate::domain::toy_effect::MAX_INTENSITY;

/// Per model: which outputs an effect drives and how strongly.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutputMap {
    /// Labels of the outputs an effect drives (`vibrate1`, `rotate`, `air`,
    /// `thrust`...); all when absent.
    pub outputs: Option<Vec<String>>,
    /// Percent (0..=100) of the effect's level per output label.
    pub scale: BTreeMap<String, u8>,
}

/// Output maps keyed by model name or code (`Nora`, `EA`).
pub type ModelMaps = BTreeMap<String, OutputMap>;

/// The map for a model, by name or by any of its codes.
pub fn map_for<'a>(maps: &'a ModelMaps, spec: &ModelSpec) -> Option<&'a OutputMap> {
    maps.iter()
        .find(|(key, _)| {
            key.eq_ignore_ascii_case(spec.name)
                || spec.codes.iter().any(|c| c.eq_ignore_ascii_case(key))
        })
        .map(|(_, map)| map)
}

/// The most an output of range `max` may take under `cap` (0..=20).
pub fn capped_max(max: u8, cap: u8) -> u8 {
    let cap = u32::from(cap.min(MAX_INTENSITY));
    (u32::from(max) * cap / u32::from(MAX_INTENSITY)) as u8
}

/// Each output's level for an effect `level` (0..=20).
pub fn levels_for(spec: &ModelSpec, level: u8, cap: u8, map: Option<&OutputMap>) -> Levels {
    shaped(spec, |_| level, cap, map)
}

/// Each output's level for a multi-feature pattern step: an output takes
/// the feature that names it (`v1` the first vibrator, `r` the rotation,
/// `p` the pump, `t` the thrust, `v` every vibrator); an output no feature
/// names takes the strongest, as a plain effect drives every output.
pub fn levels_for_features(
    spec: &ModelSpec,
    features: &FeatureLevels,
    cap: u8,
    map: Option<&OutputMap>,
) -> Levels {
    let strongest = features.values().iter().map(|(_, v)| *v).max().unwrap_or(0);
    let vibrator_index = |i: usize| {
        spec.outputs[..i]
            .iter()
            .filter(|o| o.kind == OutputKind::Vibrate)
            .count()
    };
    shaped(
        spec,
        |i| {
            let o = spec.outputs[i];
            let named = features.values().iter().find(|(f, _)| match (f, o.kind) {
                (Feature::Vibrate, OutputKind::Vibrate) => true,
                (Feature::Motor(n), OutputKind::Vibrate) => usize::from(*n) == vibrator_index(i),
                (Feature::Rotate, OutputKind::Rotate { .. }) => true,
                (Feature::Air, OutputKind::Air) => true,
                (Feature::Thrust, OutputKind::Oscillate) => true,
                _ => false,
            });
            named.map_or(strongest, |(_, v)| *v)
        },
        cap,
        map,
    )
}

/// Feature levels of one pattern step, each on the 0..=20 scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FeatureLevels {
    values: [(Feature, u8); MAX_FEATURES],
    len: u8,
}

impl FeatureLevels {
    pub fn new(values: &[(Feature, u8)]) -> FeatureLevels {
        let mut v = [(Feature::Vibrate, 0); MAX_FEATURES];
        let len = values.len().min(MAX_FEATURES);
        v[..len].copy_from_slice(&values[..len]);
        FeatureLevels {
            values: v,
            len: len as u8,
        }
    }

    pub fn values(&self) -> &[(Feature, u8)] {
        &self.values[..usize::from(self.len)]
    }

    pub fn is_off(&self) -> bool {
        self.values().iter().all(|(_, v)| *v == 0)
    }
}

fn shaped(
    spec: &ModelSpec,
    level_of: impl Fn(usize) -> u8,
    cap: u8,
    map: Option<&OutputMap>,
) -> Levels {
    let mut out = Levels::zero(spec.outputs.len());
    for (i, o) in spec.outputs.iter().enumerate() {
        let level = u32::from(level_of(i).min(cap).min(MAX_INTENSITY));
        let driven = map
            .and_then(|m| m.outputs.as_ref())
            .is_none_or(|only| only.iter().any(|l| l.eq_ignore_ascii_case(o.label)));
        if !driven {
            continue;
        }
        let scale = map
            .and_then(|m| {
                m.scale
                    .iter()
                    .find(|(l, _)| l.eq_ignore_ascii_case(o.label))
            })
            .map_or(100, |(_, p)| u32::from((*p).min(100)));
        let max = u32::from(o.max);
        let denom = u32::from(MAX_INTENSITY) * 100;
        // Rounded to the nearest step of the output's own range.
        let v = (level * max * scale + denom / 2) / denom;
        out.set(i, (v as u8).min(capped_max(o.max, cap)));
    }
    out
}

/// Clamps explicit levels (the toy screen) to each output's range and cap.
pub fn clamp(spec: &ModelSpec, levels: Levels, cap: u8) -> Levels {
    let mut out = Levels::zero(spec.outputs.len());
    for (i, o) in spec.outputs.iter().enumerate() {
        let v = levels.values().get(i).copied().unwrap_or(0);
        out.set(i, v.min(capped_max(o.max, cap)));
    }
    out
}

fn lv(v: u8) -> Level {
    Level::saturating(v)
}

/// The commands that put the toy's outputs at `levels`.
pub fn commands_for(spec: &ModelSpec, levels: Levels) -> Vec<Command> {
    let v = levels.values();
    let at = |i: usize| v.get(i).copied().unwrap_or(0);
    match spec.drive {
        Drive::Single => vec![Command::Vibrate(lv(at(0)))],
        Drive::PerMotor => {
            let all_vibrators = spec.outputs.iter().all(|o| o.kind == OutputKind::Vibrate);
            if all_vibrators && v.windows(2).all(|w| w[0] == w[1]) {
                // One command for all motors: fewer writes, same result.
                // Not on the Gravity: whether `Vibrate:N;` moves its
                // thrust is not in the sources.
                vec![Command::Vibrate(lv(at(0)))]
            } else {
                (0..v.len())
                    .filter_map(|i| {
                        Motor::from_index(i).map(|m| Command::VibrateMotor(m, lv(at(i))))
                    })
                    .collect()
            }
        }
        Drive::VibrateRotate => vec![Command::Vibrate(lv(at(0))), Command::Rotate(lv(at(1)))],
        Drive::VibrateAir => vec![Command::Vibrate(lv(at(0))), Command::Air(at(1).min(3))],
        Drive::Mply => vec![Command::Mply(Mply::new(v))],
        Drive::Stroker { zero_range_on_stop } => {
            let speed = at(0);
            let range = if speed == 0 && zero_range_on_stop {
                0
            } else {
                20
            };
            vec![Command::Mply(Mply::new(&[speed, range]))]
        }
    }
}

/// What the toy's outputs are after `cmd`, as far as the command tells.
pub fn apply(spec: &ModelSpec, cmd: &Command, levels: &mut Levels) {
    let kinds: Vec<OutputKind> = spec.outputs.iter().map(|o| o.kind).collect();
    match *cmd {
        Command::Vibrate(l) => {
            for (i, kind) in kinds.iter().enumerate() {
                // `Vibrate:N;` drives every motor of single and per-motor
                // toys, the vibrators of the others, nothing of a stroker.
                let hit = match spec.drive {
                    Drive::Single => true,
                    Drive::Stroker { .. } => false,
                    _ => *kind == OutputKind::Vibrate,
                };
                if hit {
                    levels.set(i, l.get());
                }
            }
        }
        Command::VibrateMotor(m, l) => levels.set(m.index(), l.get()),
        Command::Rotate(l) => {
            if let Some(i) = kinds
                .iter()
                .position(|k| matches!(k, OutputKind::Rotate { .. }))
            {
                levels.set(i, l.get());
            }
        }
        Command::Air(n) => {
            if let Some(i) = kinds.iter().position(|k| *k == OutputKind::Air) {
                levels.set(i, n);
            }
        }
        Command::Mply(m) => match spec.drive {
            Drive::Stroker { .. } => levels.set(0, m.values().first().copied().unwrap_or(0)),
            _ => {
                for (i, v) in m.values().iter().enumerate() {
                    levels.set(i, *v);
                }
            }
        },
        Command::PowerOff => *levels = Levels::zero(kinds.len()),
        _ => {}
    }
}

/// The strongest output on the 0..=20 scale (the strip's one-number view).
pub fn strongest(spec: &ModelSpec, levels: &Levels) -> u8 {
    spec.outputs
        .iter()
        .zip(levels.values())
        .map(|(o, v)| {
            let scaled = u32::from(*v) * u32::from(MAX_INTENSITY) / u32::from(o.max.max(1));
            scaled.min(u32::from(MAX_INTENSITY)) as u8
        })
        .max()
        .unwrap_or(0)
}

/// The command that drives output `i` of a model, for `toy info` and docs.
pub fn command_of(spec: &ModelSpec, i: usize) -> String {
    let Some(o) = spec.outputs.get(i) else {
        return String::new();
    };
    match (spec.drive, o.kind) {
        (Drive::Single, _) => "Vibrate:N;".to_owned(),
        (Drive::PerMotor, _) => format!("Vibrate{}:N;", i + 1),
        (_, OutputKind::Rotate { reversible: true }) if spec.drive != Drive::Mply => {
            "Rotate:N; RotateChange;".to_owned()
        }
        (_, OutputKind::Air) => "Air:Level:N;".to_owned(),
        (Drive::Mply, _) => {
            let slots: Vec<&str> = (0..spec.outputs.len())
                .map(|j| if j == i { "N" } else { "_" })
                .collect();
            format!("Mply:{};", slots.join(":"))
        }
        (Drive::Stroker { .. }, _) => "Mply:N:20;".to_owned(),
        _ => "Vibrate:N;".to_owned(),
    }
}
