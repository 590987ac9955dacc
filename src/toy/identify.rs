//! Which toy is this: from its advertised name, its `DeviceType;` reply or
//! its GATT service, mapped to what it can do. Pure.

use std::fmt;

use uuid::Uuid;

use super::codec::DeviceInfo;

/// Lovense models named in the protocol notes; anything else is `Unknown`
/// and treated as a single vibrator (`Vibrate:N;` works on every toy).
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
    Unknown,
}

/// What a toy can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Capabilities {
    pub vibrators: u8,
    pub rotate: bool,
    pub air: bool,
}

const NAMES: [(Model, &str); 16] = [
    (Model::Lush, "Lush"),
    (Model::Hush, "Hush"),
    (Model::Ambi, "Ambi"),
    (Model::Domi, "Domi"),
    (Model::Osci, "Osci"),
    (Model::Ferri, "Ferri"),
    (Model::Diamo, "Diamo"),
    (Model::Calor, "Calor"),
    (Model::Tenera, "Tenera"),
    (Model::Mission, "Mission"),
    (Model::Gush, "Gush"),
    (Model::Edge, "Edge"),
    (Model::Dolce, "Dolce"),
    (Model::Gemini, "Gemini"),
    (Model::Nora, "Nora"),
    (Model::Max, "Max"),
];

impl Model {
    /// From the model letter(s) of `DeviceType;` or an old-style name.
    pub fn from_code(code: &str) -> Model {
        match code.to_ascii_uppercase().as_str() {
            "S" => Model::Lush,
            "Z" => Model::Hush,
            "L" => Model::Ambi,
            "W" => Model::Domi,
            "O" => Model::Osci,
            "X" => Model::Ferri,
            "R" => Model::Diamo,
            "T" => Model::Calor,
            "Q" => Model::Tenera,
            "V" => Model::Mission,
            "ED" | "EZ" => Model::Gush,
            "P" => Model::Edge,
            "J" => Model::Dolce,
            "N" => Model::Gemini,
            "A" | "C" => Model::Nora,
            "B" => Model::Max,
            _ => Model::Unknown,
        }
    }

    /// From a model word in a newer advertised name (`Edge` in `LVS-Edge36`).
    pub fn from_word(word: &str) -> Model {
        NAMES
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(word))
            .map_or(Model::Unknown, |(m, _)| *m)
    }

    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(m, _)| *m == self)
            .map_or("unknown model", |(_, name)| name)
    }

    pub fn capabilities(self) -> Capabilities {
        let (vibrators, rotate, air) = match self {
            Model::Edge | Model::Dolce | Model::Gemini => (2, false, false),
            Model::Nora => (1, true, false),
            Model::Max => (1, false, true),
            _ => (1, false, false),
        };
        Capabilities {
            vibrators,
            rotate,
            air,
        }
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where an identification came from; `DeviceType` is authoritative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    DeviceType,
    Name,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    pub model: Model,
    pub firmware: Option<u16>,
    pub source: Source,
}

impl Identity {
    pub fn from_device_type(info: &DeviceInfo) -> Identity {
        Identity {
            model: Model::from_code(&info.model_code),
            firmware: Some(info.firmware),
            source: Source::DeviceType,
        }
    }

    pub fn capabilities(&self) -> Capabilities {
        self.model.capabilities()
    }
}

/// True when an advertised name is a Lovense one.
pub fn is_lovense_name(name: &str) -> bool {
    strip_prefix(name).is_some()
}

fn strip_prefix(name: &str) -> Option<&str> {
    ["LVS-", "LOVE-"].iter().find_map(|p| {
        name.get(..p.len())
            .filter(|head| head.eq_ignore_ascii_case(p))
            .map(|_| &name[p.len()..])
    })
}

/// Reads an advertised name: `LVS-A011` (model letter, firmware) or
/// `LVS-Edge36` (model word, firmware). `None` if it is not a Lovense name.
pub fn identify_from_name(name: &str) -> Option<Identity> {
    let rest = strip_prefix(name.trim())?;
    let split = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    let (word, tail) = rest.split_at(split);
    let firmware =
        (!tail.is_empty() && tail.len() <= 4 && tail.bytes().all(|b| b.is_ascii_digit()))
            .then(|| tail.parse().ok())
            .flatten();
    let model = if word.len() <= 2 {
        Model::from_code(word)
    } else {
        Model::from_word(word)
    };
    Some(Identity {
        model,
        firmware,
        source: Source::Name,
    })
}

/// The GATT generation a toy speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Generation {
    One,
    Two,
    Three,
}

/// One service with its TX (write) and RX (notify) characteristics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GattLayout {
    pub generation: Generation,
    pub service: Uuid,
    pub tx: Uuid,
    pub rx: Uuid,
}

const GEN1_SERVICE: Uuid = Uuid::from_u128(0x0000_fff0_0000_1000_8000_0080_5f9b_34fb);
const GEN2_SERVICE: Uuid = Uuid::from_u128(0x6e40_0001_b5a3_f393_e0a9_e50e_24dc_ca9e);
const GEN3_TAIL: u128 = 0x4bd4_bbd5_a692_0e4c_5653;

/// The layout a service UUID belongs to, with its TX and RX derived.
pub fn layout_for_service(service: Uuid) -> Option<GattLayout> {
    let v = service.as_u128();
    let with_char = |c: u128, shift: u32| Uuid::from_u128((v & !(0xff << shift)) | (c << shift));
    if service == GEN1_SERVICE {
        // fff0 -> fff2 (TX) / fff1 (RX): the 16-bit id sits in bits 96..112.
        return Some(GattLayout {
            generation: Generation::One,
            service,
            tx: with_char(0xf2, 96),
            rx: with_char(0xf1, 96),
        });
    }
    if service == GEN2_SERVICE {
        return Some(GattLayout {
            generation: Generation::Two,
            service,
            tx: with_char(0x02, 96),
            rx: with_char(0x03, 96),
        });
    }
    // XY300001-002Z-4bd4-bbd5-a6920e4c5653, X in {4,5}, Z in {3,4}.
    let time_low = (v >> 96) as u32;
    let time_mid = (v >> 80) as u16;
    let x = time_low >> 28;
    let z = time_mid & 0xfff0;
    let gen3 = (v & ((1 << 80) - 1)) == GEN3_TAIL
        && (x == 4 || x == 5)
        && (time_low & 0x00ff_ffff) == 0x30_0001
        && z == 0x0020
        && matches!(time_mid & 0xf, 3 | 4);
    gen3.then(|| GattLayout {
        generation: Generation::Three,
        service,
        tx: with_char(0x02, 96),
        rx: with_char(0x03, 96),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gen3_layout_is_recognised() {
        let s = Uuid::parse_str("57300001-0023-4bd4-bbd5-a6920e4c5653").unwrap();
        let l = layout_for_service(s).unwrap();
        assert_eq!(l.generation, Generation::Three);
        assert_eq!(l.tx.to_string(), "57300002-0023-4bd4-bbd5-a6920e4c5653");
        assert_eq!(l.rx.to_string(), "57300003-0023-4bd4-bbd5-a6920e4c5653");
        let wrong = Uuid::parse_str("67300001-0023-4bd4-bbd5-a6920e4c5653").unwrap();
        assert_eq!(layout_for_service(wrong), None);
        let wrong_z = Uuid::parse_str("57300001-0025-4bd4-bbd5-a6920e4c5653").unwrap();
        assert_eq!(layout_for_service(wrong_z), None);
    }
}
