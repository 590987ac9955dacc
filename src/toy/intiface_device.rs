//! A device as Intiface Central reports it, in cuedeck's terms: which of its
//! outputs an effect drives (vibrate, rotate, oscillate, constrict, linear
//! strokes), each with its step count, and the model row they make.
//!
//! Outputs an effect never drives: temperature (heat is not an effect), LED,
//! spray, and plain `Position` (a position is not a level).

use buttplug_client::ButtplugClientDevice;
use buttplug_core::message::OutputType;

use super::generic_model;
use super::models::{ModelSpec, OutputKind};

/// One output of a device that effects drive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceOutput {
    pub feature: u32,
    pub kind: OutputType,
    /// The lowest and highest step (`Rotate` below 0 turns the other way).
    pub min: i32,
    pub max: i32,
}

impl DeviceOutput {
    /// The step for a level `v` out of `of` (the row's range), rounded to
    /// the nearest step of the device's own.
    pub fn step(&self, v: u8, of: u8) -> i32 {
        let max = i64::from(self.max.max(0));
        let of = i64::from(of.max(1));
        let v = i64::from(v).min(of);
        ((v * max + of / 2) / of) as i32
    }

    pub fn kind_of(kind: OutputType, min: i32) -> Option<OutputKind> {
        Some(match kind {
            OutputType::Vibrate => OutputKind::Vibrate,
            OutputType::Rotate => OutputKind::Rotate {
                reversible: min < 0,
            },
            OutputType::Oscillate | OutputType::HwPositionWithDuration => OutputKind::Oscillate,
            OutputType::Constrict => OutputKind::Air,
            _ => return None,
        })
    }
}

/// A device of the server with the outputs effects drive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntifaceDevice {
    pub index: u32,
    pub name: String,
    /// Driven, in the server's feature order (the first three).
    pub outputs: Vec<DeviceOutput>,
    /// Outputs left alone, by type name, for `toy scan`.
    pub ignored: Vec<String>,
    /// The feature with a battery reading, if any.
    pub battery_feature: Option<u32>,
}

impl IntifaceDevice {
    pub fn of(device: &ButtplugClientDevice) -> IntifaceDevice {
        let name = device
            .display_name()
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| device.name().clone());
        let mut outputs = Vec::new();
        let mut ignored = Vec::new();
        let mut battery_feature = None;
        for (index, feature) in device.device_features() {
            let f = feature.feature();
            if f.contains_input(buttplug_core::message::InputType::Battery) {
                battery_feature.get_or_insert(*index);
            }
            for kind in [
                OutputType::Vibrate,
                OutputType::Rotate,
                OutputType::Oscillate,
                OutputType::Constrict,
                OutputType::HwPositionWithDuration,
                OutputType::Position,
                OutputType::Temperature,
                OutputType::Led,
                OutputType::Spray,
            ] {
                let Some(limits) = f.get_output_limits(kind) else {
                    continue;
                };
                let range = limits.step_limit();
                let out = DeviceOutput {
                    feature: *index,
                    kind,
                    min: range.start(),
                    max: range.end(),
                };
                if DeviceOutput::kind_of(kind, out.min).is_some() && out.max > 0 {
                    outputs.push(out);
                } else {
                    ignored.push(kind.to_string());
                }
            }
        }
        IntifaceDevice {
            index: device.index(),
            name,
            outputs: outputs.into_iter().take(super::codec::MAX_LEVELS).collect(),
            ignored,
            battery_feature,
        }
    }

    /// The model row: one output per driven output, up to 20 steps each.
    pub fn spec(&self) -> &'static ModelSpec {
        let outputs: Vec<(OutputKind, u8)> = self
            .outputs
            .iter()
            .filter_map(|o| {
                let kind = DeviceOutput::kind_of(o.kind, o.min)?;
                let steps = if o.kind == OutputType::HwPositionWithDuration {
                    20
                } else {
                    o.max.clamp(1, 20) as u8
                };
                Some((kind, steps))
            })
            .collect();
        generic_model::generic(&self.name, &outputs)
    }

    /// `vibrate1 0..=20 (Vibrate, 20 steps), stroke ...` for `toy scan`.
    pub fn describe(&self) -> String {
        let spec = self.spec();
        let mut parts: Vec<String> = spec
            .outputs
            .iter()
            .zip(&self.outputs)
            .map(|(o, d)| {
                if d.kind == OutputType::HwPositionWithDuration {
                    format!("{o} (linear strokes, speed by level)")
                } else {
                    format!("{o} ({}, {} steps)", d.kind, d.max)
                }
            })
            .collect();
        if parts.is_empty() {
            parts.push("no output effects can drive".to_owned());
        }
        if !self.ignored.is_empty() {
            parts.push(format!("not driven: {}", self.ignored.join(", ")));
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_scale_to_the_device_steps() {
        let o = |max| DeviceOutput {
            feature: 0,
            kind: OutputType::Vibrate,
            min: 0,
            max,
        };
        assert_eq!(o(20).step(7, 20), 7);
        assert_eq!(o(100).step(7, 20), 35);
        assert_eq!(o(100).step(20, 20), 100);
        assert_eq!(o(10).step(10, 10), 10);
        assert_eq!(o(255).step(1, 20), 13);
        assert_eq!(o(3).step(20, 20), 3);
        assert_eq!(o(100).step(0, 20), 0);
    }
}
