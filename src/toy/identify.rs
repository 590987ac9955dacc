//! Which toy is this: from its `DeviceType;` reply (authoritative), its
//! advertised name or its advertised GATT service, mapped to the model table
//! (`models.rs`). Pure.

use uuid::Uuid;

use super::codec::DeviceInfo;
use super::gatt::model_code_of_service;
pub use super::gatt::{GattLayout, Generation, layout_for_service};
pub use super::models::{Drive, Model, ModelSpec, Output, OutputKind};

/// What a toy can do, summed over its outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Capabilities {
    pub vibrators: u8,
    pub rotate: bool,
    pub air: bool,
    pub oscillate: bool,
}

impl Capabilities {
    pub fn of(outputs: &[Output]) -> Capabilities {
        let count = |f: fn(&OutputKind) -> bool| outputs.iter().filter(|o| f(&o.kind)).count();
        Capabilities {
            vibrators: count(|k| *k == OutputKind::Vibrate) as u8,
            rotate: count(|k| matches!(k, OutputKind::Rotate { .. })) > 0,
            air: count(|k| *k == OutputKind::Air) > 0,
            oscillate: count(|k| *k == OutputKind::Oscillate) > 0,
        }
    }
}

impl Model {
    pub fn capabilities(self) -> Capabilities {
        Capabilities::of(self.spec().outputs)
    }
}

/// Where an identification came from; `DeviceType` is authoritative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    DeviceType,
    Name,
    /// The model code spelled by the advertised GATT service.
    Service,
    /// The outputs a server reports for the device (Intiface Central).
    DeviceList,
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
            model: ModelSpec::for_code(&info.model_code, Some(info.firmware)).model,
            firmware: Some(info.firmware),
            source: Source::DeviceType,
        }
    }

    pub fn unknown() -> Identity {
        Identity {
            model: Model::Unknown,
            firmware: None,
            source: Source::Name,
        }
    }

    /// The table row, firmware taken into account (the Flexer drives its
    /// outputs separately from firmware 3 on).
    pub fn spec(&self) -> &'static ModelSpec {
        if self.model == Model::Flexer {
            return ModelSpec::for_code("EI", self.firmware);
        }
        self.model.spec()
    }

    pub fn outputs(&self) -> &'static [Output] {
        self.spec().outputs
    }

    pub fn capabilities(&self) -> Capabilities {
        Capabilities::of(self.outputs())
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
        match Model::from_word(word) {
            Model::Unknown => Model::from_code(word),
            m => m,
        }
    };
    Some(Identity {
        model,
        firmware,
        source: Source::Name,
    })
}

/// Reads the model code a third-generation service spells (`45440001-…` is
/// `ED`, a Gush). `None` when the service spells no code.
pub fn identify_from_service(service: Uuid) -> Option<Identity> {
    let code = model_code_of_service(service)?;
    Some(Identity {
        model: Model::from_code(&code),
        firmware: None,
        source: Source::Service,
    })
}

/// The best guess before `DeviceType;` answers: the name, then the service.
pub fn identify_advertised(name: &str, services: &[Uuid]) -> Option<Identity> {
    let by_name = identify_from_name(name).filter(|i| i.model != Model::Unknown);
    let by_service = || {
        services
            .iter()
            .filter_map(|s| identify_from_service(*s))
            .find(|i| i.model != Model::Unknown)
    };
    by_name
        .or_else(by_service)
        .or_else(|| identify_from_name(name))
}
