//! Every Lovense model of the public tables: its `DeviceType` code(s), its
//! outputs with their ranges, and how the protocol drives them. Pure data.
//!
//! Sources (facts carried over, no code): the buttplug project's device
//! configuration (`device-config-v4/protocols/lovense.yml`: model codes,
//! outputs, ranges) and its Lovense protocol handlers (which command drives
//! which output); the stpihkal Lovense protocol notes; Lovense's Standard API
//! documentation (action ranges: Pump 0-3, the rest 0-20). See docs/TOY.md.

use std::fmt;

/// Lovense models of the public tables; anything else is `Unknown` and is
/// driven as one vibrator (`Vibrate:N;` works on every toy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Model {
    Lush,
    Hush,
    Ambi,
    Domi,
    Osci,
    Ferri,
    Diamo,
    Calor,
    Tenera,
    Mission,
    Gush,
    Edge,
    Dolce,
    Gemini,
    Nora,
    Max,
    Mission2,
    Osci3,
    Hyphy,
    Flexer,
    Gravity,
    Ridge,
    Lapis,
    Vulse,
    Solace,
    SolacePro,
    SexMachine,
    MiniSexMachine,
    Dolp,
    Gush2,
    LushAnal,
    Synth,
    Fizz,
    Velvo,
    Spinel,
    /// A device of another make, through Intiface: its outputs are the ones
    /// the server reports (see [`super::generic_model`]).
    Other(u16),
    Unknown,
}

/// What one output does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputKind {
    Vibrate,
    /// Rotation; `reversible` when `RotateChange;` turns it around.
    Rotate {
        reversible: bool,
    },
    /// Air pump (inflation), its own small range.
    Air,
    /// Oscillation / thrusting (Gravity, Solace, the sex machines).
    Oscillate,
}

/// One output with its range (0..=`max`) and a short label for the strip,
/// the transcript and the console's per-model config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Output {
    pub kind: OutputKind,
    pub label: &'static str,
    pub max: u8,
}

/// How the protocol drives a model's outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Drive {
    /// One output, `Vibrate:N;` (oscillating machines too).
    Single,
    /// `VibrateN:x;` per output (N from 1); `Vibrate:x;` when all are equal.
    PerMotor,
    /// `Vibrate:N;` + `Rotate:N;`, `RotateChange;` reverses.
    VibrateRotate,
    /// `Vibrate:N;` + `Air:Level:N;` (0..=3).
    VibrateAir,
    /// Every output in one command: `Mply:a:b:c;`.
    Mply,
    /// Strokers: `Mply:<speed>:<stroke range>;` (range 20 while moving; the
    /// Solace wants it 0 to stop).
    Stroker { zero_range_on_stop: bool },
}

/// One row of the model table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSpec {
    pub model: Model,
    /// `DeviceType` codes, as the device configuration lists them.
    pub codes: &'static [&'static str],
    pub name: &'static str,
    pub outputs: &'static [Output],
    pub drive: Drive,
}

const fn out(kind: OutputKind, label: &'static str, max: u8) -> Output {
    Output { kind, label, max }
}

const VIB: Output = out(OutputKind::Vibrate, "vibrate", 20);
const VIB1: Output = out(OutputKind::Vibrate, "vibrate1", 20);
const VIB2: Output = out(OutputKind::Vibrate, "vibrate2", 20);
const VIB3: Output = out(OutputKind::Vibrate, "vibrate3", 20);
const THRUST: Output = out(OutputKind::Oscillate, "thrust", 20);
const ROTATE: Output = out(OutputKind::Rotate { reversible: true }, "rotate", 20);

const ONE: &[Output] = &[VIB];
const TWO: &[Output] = &[VIB1, VIB2];

const fn spec(
    model: Model,
    codes: &'static [&'static str],
    name: &'static str,
    outputs: &'static [Output],
    drive: Drive,
) -> ModelSpec {
    ModelSpec {
        model,
        codes,
        name,
        outputs,
        drive,
    }
}

/// The Flexer before firmware 3 takes only `Vibrate:N;` for everything.
pub const FLEXER_OLD: ModelSpec = spec(Model::Flexer, &["EI"], "Flexer", ONE, Drive::Single);

pub const UNKNOWN: ModelSpec = spec(Model::Unknown, &[], "unknown model", ONE, Drive::Single);

/// Every model code of the device configuration.
pub const MODELS: &[ModelSpec] = &[
    spec(Model::Lush, &["S"], "Lush", ONE, Drive::Single),
    spec(Model::Hush, &["Z"], "Hush", ONE, Drive::Single),
    spec(Model::Ambi, &["L"], "Ambi", ONE, Drive::Single),
    spec(Model::Domi, &["W"], "Domi", ONE, Drive::Single),
    spec(Model::Osci, &["O"], "Osci", ONE, Drive::Single),
    spec(Model::Ferri, &["X"], "Ferri", ONE, Drive::Single),
    spec(Model::Diamo, &["R"], "Diamo", ONE, Drive::Single),
    spec(Model::Calor, &["T"], "Calor", ONE, Drive::Single),
    spec(Model::Tenera, &["Q"], "Tenera", ONE, Drive::Single),
    spec(Model::Mission, &["V"], "Mission", ONE, Drive::Single),
    spec(Model::Mission2, &["CA"], "Mission 2", ONE, Drive::Single),
    spec(Model::Gush, &["ED"], "Gush", ONE, Drive::Single),
    spec(Model::Gush2, &["EZ"], "Gush 2", ONE, Drive::Single),
    spec(Model::LushAnal, &["AN"], "Lush Anal", ONE, Drive::Single),
    spec(Model::Synth, &["ZA"], "Synth", ONE, Drive::Single),
    // Loveai's, listed with Lovense's (like the Dolp).
    spec(Model::Fizz, &["QB"], "Fizz", ONE, Drive::Single),
    spec(Model::Vulse, &["SD"], "Vulse", ONE, Drive::Single),
    spec(Model::Dolp, &["ToyS"], "Dolp", ONE, Drive::Single),
    spec(Model::Edge, &["P"], "Edge", TWO, Drive::PerMotor),
    spec(Model::Dolce, &["J"], "Dolce", TWO, Drive::PerMotor),
    spec(Model::Gemini, &["N"], "Gemini", TWO, Drive::PerMotor),
    spec(Model::Osci3, &["OC"], "Osci 3", TWO, Drive::PerMotor),
    spec(Model::Hyphy, &["EB"], "Hyphy", TWO, Drive::PerMotor),
    spec(
        Model::Gravity,
        &["EA"],
        "Gravity",
        &[VIB, THRUST],
        Drive::PerMotor,
    ),
    spec(
        Model::Nora,
        &["A", "C"],
        "Nora",
        &[VIB, ROTATE],
        Drive::VibrateRotate,
    ),
    spec(
        Model::Velvo,
        &["CB"],
        "Velvo",
        &[VIB, ROTATE],
        Drive::VibrateRotate,
    ),
    // Vibrator and thrust as motors 1 and 2, like the Gravity (buttplug's
    // dual-actuator handler).
    spec(
        Model::Spinel,
        &["WD"],
        "Spinel",
        &[VIB, THRUST],
        Drive::PerMotor,
    ),
    spec(
        Model::Ridge,
        &["EL"],
        "Ridge",
        &[VIB, ROTATE],
        Drive::VibrateRotate,
    ),
    spec(
        Model::Max,
        &["B"],
        "Max",
        &[VIB, out(OutputKind::Air, "air", 3)],
        Drive::VibrateAir,
    ),
    spec(
        Model::Flexer,
        &["EI-FW3"],
        "Flexer",
        &[
            VIB1,
            VIB2,
            out(OutputKind::Rotate { reversible: false }, "fingering", 20),
        ],
        Drive::Mply,
    ),
    spec(
        Model::Lapis,
        &["U"],
        "Lapis",
        &[VIB1, VIB2, VIB3],
        Drive::Mply,
    ),
    spec(
        Model::Solace,
        &["H"],
        "Solace",
        &[THRUST],
        Drive::Stroker {
            zero_range_on_stop: true,
        },
    ),
    spec(
        Model::SolacePro,
        &["BA"],
        "Solace Pro",
        &[THRUST],
        Drive::Stroker {
            zero_range_on_stop: false,
        },
    ),
    spec(
        Model::SexMachine,
        &["F"],
        "Sex Machine",
        &[THRUST],
        Drive::Single,
    ),
    spec(
        Model::MiniSexMachine,
        &["FS"],
        "Mini Sex Machine",
        &[THRUST],
        Drive::Single,
    ),
];

/// The most outputs any model has.
pub const MAX_OUTPUTS: usize = super::codec::MAX_LEVELS;

impl ModelSpec {
    /// The row for a `DeviceType` code (`EI-FW3` style suffixes included),
    /// case-insensitive; firmware picks the Flexer's generation.
    pub fn for_code(code: &str, firmware: Option<u16>) -> &'static ModelSpec {
        let (base, suffix_fw) = match code.split_once("-FW") {
            Some((base, fw)) => (base, fw.parse::<u16>().ok()),
            None => (code, None),
        };
        if base.eq_ignore_ascii_case("EI") {
            let fw = suffix_fw.or(firmware).unwrap_or(0);
            return if fw >= 3 {
                Model::Flexer.spec()
            } else {
                &FLEXER_OLD
            };
        }
        MODELS
            .iter()
            .find(|m| m.codes.iter().any(|c| c.eq_ignore_ascii_case(base)))
            .unwrap_or(&UNKNOWN)
    }

    /// The row whose name matches (spaces ignored: `Osci 3`, `osci3`).
    pub fn for_name(word: &str) -> Option<&'static ModelSpec> {
        let squash = |s: &str| s.replace(' ', "").to_ascii_lowercase();
        let word = squash(word);
        MODELS.iter().find(|m| squash(m.name) == word)
    }

    /// A code or a name, for `--virtual MODEL`.
    pub fn lookup(code_or_name: &str) -> Option<&'static ModelSpec> {
        let by_code = Self::for_code(code_or_name, None);
        if by_code.model != Model::Unknown {
            return Some(by_code);
        }
        Self::for_name(code_or_name)
    }

    /// The code the toy answers `DeviceType;` with.
    pub fn wire_code(&self) -> &'static str {
        let code = self.codes.first().copied().unwrap_or("S");
        code.split_once("-FW").map_or(code, |(base, _)| base)
    }

    pub fn output(&self, label: &str) -> Option<usize> {
        self.outputs
            .iter()
            .position(|o| o.label.eq_ignore_ascii_case(label))
    }
}

impl Model {
    pub fn spec(self) -> &'static ModelSpec {
        if let Model::Other(n) = self {
            return super::generic_model::get(n).unwrap_or(&UNKNOWN);
        }
        MODELS.iter().find(|m| m.model == self).unwrap_or(&UNKNOWN)
    }

    /// From the model letter(s) of `DeviceType;` or an old-style name.
    pub fn from_code(code: &str) -> Model {
        ModelSpec::for_code(code, None).model
    }

    /// From a model word in a newer advertised name (`Edge` in `LVS-Edge36`).
    pub fn from_word(word: &str) -> Model {
        ModelSpec::for_name(word).map_or(Model::Unknown, |m| m.model)
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} 0..={}", self.label, self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_has_one_row_and_labels_are_unique() {
        for m in MODELS {
            assert_eq!(m.model.spec().model, m.model);
            assert!(m.outputs.len() <= MAX_OUTPUTS);
            for (i, o) in m.outputs.iter().enumerate() {
                assert_eq!(m.output(o.label), Some(i), "{}", m.name);
            }
        }
        assert_eq!(ModelSpec::for_code("EI", Some(2)).outputs.len(), 1);
        assert_eq!(ModelSpec::for_code("EI", Some(3)).outputs.len(), 3);
        assert_eq!(
            ModelSpec::lookup("gravity").map(|m| m.model),
            Some(Model::Gravity)
        );
        assert_eq!(
            ModelSpec::lookup("Osci3").map(|m| m.model),
            Some(Model::Osci3)
        );
    }
}
