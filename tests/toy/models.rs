//! The public tables, kept here as the test's own copy, against the model
//! table and the GATT layouts.
//!
//! Source of both tables: the buttplug project's device configuration,
//! `buttplug/buttplug-device-config/device-config-v4/protocols/lovense.yml`
//! (github.com/buttplugio/buttplug; `configurations` for model codes and
//! outputs, `communication.btle.services` for the services with TX/RX). The
//! command per output follows buttplug's Lovense protocol handlers
//! (`crates/buttplug_server/src/device/protocol_impl/lovense/`), and the
//! stpihkal Lovense notes (Vibrate1/2, Rotate, RotateChange, Air:Level).

use cuedeck::toy::codec::{Command, Level, Motor, Mply};
use cuedeck::toy::gatt::{LISTED_SERVICES, layout_for_service, model_code_of_service};
use cuedeck::toy::identify::{
    Generation, Identity, Model, ModelSpec, OutputKind, Source, identify_advertised,
    identify_from_service,
};
use cuedeck::toy::models::MODELS;
use cuedeck::toy::outputs::{self, Levels, OutputMap, commands_for, levels_for};
use uuid::Uuid;

/// (code, name, outputs as (kind, max), command of each output).
type Row = (
    &'static str,
    &'static str,
    &'static [(&'static str, u8)],
    &'static [&'static str],
);

const V: (&str, u8) = ("vibrate", 20);
const TABLE: &[Row] = &[
    (
        "B",
        "Max",
        &[V, ("air", 3)],
        &["Vibrate:N;", "Air:Level:N;"],
    ),
    ("P", "Edge", &[V, V], &["Vibrate1:N;", "Vibrate2:N;"]),
    (
        "A",
        "Nora",
        &[V, ("rotate", 20)],
        &["Vibrate:N;", "Rotate:N; RotateChange;"],
    ),
    (
        "C",
        "Nora",
        &[V, ("rotate", 20)],
        &["Vibrate:N;", "Rotate:N; RotateChange;"],
    ),
    ("L", "Ambi", &[V], &["Vibrate:N;"]),
    ("S", "Lush", &[V], &["Vibrate:N;"]),
    ("Z", "Hush", &[V], &["Vibrate:N;"]),
    ("W", "Domi", &[V], &["Vibrate:N;"]),
    ("O", "Osci", &[V], &["Vibrate:N;"]),
    ("V", "Mission", &[V], &["Vibrate:N;"]),
    ("CA", "Mission 2", &[V], &["Vibrate:N;"]),
    ("X", "Ferri", &[V], &["Vibrate:N;"]),
    ("R", "Diamo", &[V], &["Vibrate:N;"]),
    ("ToyS", "Dolp", &[V], &["Vibrate:N;"]),
    ("F", "Sex Machine", &[("oscillate", 20)], &["Vibrate:N;"]),
    (
        "FS",
        "Mini Sex Machine",
        &[("oscillate", 20)],
        &["Vibrate:N;"],
    ),
    ("J", "Dolce", &[V, V], &["Vibrate1:N;", "Vibrate2:N;"]),
    ("OC", "Osci 3", &[V, V], &["Vibrate1:N;", "Vibrate2:N;"]),
    ("ED", "Gush", &[V], &["Vibrate:N;"]),
    ("EZ", "Gush 2", &[V], &["Vibrate:N;"]),
    ("AN", "Lush Anal", &[V], &["Vibrate:N;"]),
    ("ZA", "Synth", &[V], &["Vibrate:N;"]),
    ("QB", "Fizz", &[V], &["Vibrate:N;"]),
    (
        "CB",
        "Velvo",
        &[V, ("rotate", 20)],
        &["Vibrate:N;", "Rotate:N; RotateChange;"],
    ),
    (
        "WD",
        "Spinel",
        &[V, ("oscillate", 20)],
        &["Vibrate1:N;", "Vibrate2:N;"],
    ),
    ("EB", "Hyphy", &[V, V], &["Vibrate1:N;", "Vibrate2:N;"]),
    ("T", "Calor", &[V], &["Vibrate:N;"]),
    // Before firmware 3 the Flexer takes one level for everything.
    ("EI", "Flexer", &[V], &["Vibrate:N;"]),
    (
        "EI-FW3",
        "Flexer",
        &[V, V, ("rotate", 20)],
        &["Mply:N:_:_;", "Mply:_:N:_;", "Mply:_:_:N;"],
    ),
    ("N", "Gemini", &[V, V], &["Vibrate1:N;", "Vibrate2:N;"]),
    (
        "EA",
        "Gravity",
        &[V, ("oscillate", 20)],
        &["Vibrate1:N;", "Vibrate2:N;"],
    ),
    ("Q", "Tenera", &[V], &["Vibrate:N;"]),
    (
        "EL",
        "Ridge",
        &[V, ("rotate", 20)],
        &["Vibrate:N;", "Rotate:N; RotateChange;"],
    ),
    (
        "U",
        "Lapis",
        &[V, V, V],
        &["Mply:N:_:_;", "Mply:_:N:_;", "Mply:_:_:N;"],
    ),
    ("SD", "Vulse", &[V], &["Vibrate:N;"]),
    ("H", "Solace", &[("oscillate", 20)], &["Mply:N:20;"]),
    ("BA", "Solace Pro", &[("oscillate", 20)], &["Mply:N:20;"]),
];

fn kind_name(k: OutputKind) -> &'static str {
    match k {
        OutputKind::Vibrate => "vibrate",
        OutputKind::Rotate { .. } => "rotate",
        OutputKind::Air => "air",
        OutputKind::Oscillate => "oscillate",
    }
}

#[test]
fn every_model_code_of_the_public_table() {
    for (code, name, want_outputs, commands) in TABLE {
        let spec = ModelSpec::for_code(code, None);
        assert_eq!(spec.name, *name, "{code}");
        let got: Vec<(&str, u8)> = spec
            .outputs
            .iter()
            .map(|o| (kind_name(o.kind), o.max))
            .collect();
        assert_eq!(got, *want_outputs, "{code}");
        let got: Vec<String> = (0..spec.outputs.len())
            .map(|i| outputs::command_of(spec, i))
            .collect();
        assert_eq!(got, *commands, "{code}");
        // The virtual toy answers DeviceType as this model.
        if !code.contains("-FW") && *code != "EI" {
            assert_eq!(ModelSpec::lookup(code).map(|m| m.name), Some(*name));
        }
    }
    // Every row of the crate's table is in the public one.
    for m in MODELS {
        for c in m.codes {
            assert!(
                TABLE.iter().any(|(code, ..)| code == c),
                "{c} not in the table"
            );
        }
    }
    assert_eq!(Model::from_code("K"), Model::Unknown);
    assert_eq!(ModelSpec::for_code("EI", Some(3)).outputs.len(), 3);
}

/// (service, tx, rx) as the device configuration lists them.
const SERVICES: &[(&str, &str, &str)] = &[
    (
        "0000fff0-0000-1000-8000-00805f9b34fb",
        "0000fff2-0000-1000-8000-00805f9b34fb",
        "0000fff1-0000-1000-8000-00805f9b34fb",
    ),
    (
        "6e400001-b5a3-f393-e0a9-e50e24dcca9e",
        "6e400002-b5a3-f393-e0a9-e50e24dcca9e",
        "6e400003-b5a3-f393-e0a9-e50e24dcca9e",
    ),
    (
        "50300001-0024-4bd4-bbd5-a6920e4c5653",
        "50300002-0024-4bd4-bbd5-a6920e4c5653",
        "50300003-0024-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "57300001-0023-4bd4-bbd5-a6920e4c5653",
        "57300002-0023-4bd4-bbd5-a6920e4c5653",
        "57300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "5a300001-0024-4bd4-bbd5-a6920e4c5653",
        "5a300002-0024-4bd4-bbd5-a6920e4c5653",
        "5a300003-0024-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "50300001-0023-4bd4-bbd5-a6920e4c5653",
        "50300002-0023-4bd4-bbd5-a6920e4c5653",
        "50300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "53300001-0023-4bd4-bbd5-a6920e4c5653",
        "53300002-0023-4bd4-bbd5-a6920e4c5653",
        "53300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "5a300001-0023-4bd4-bbd5-a6920e4c5653",
        "5a300002-0023-4bd4-bbd5-a6920e4c5653",
        "5a300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "4f300001-0023-4bd4-bbd5-a6920e4c5653",
        "4f300002-0023-4bd4-bbd5-a6920e4c5653",
        "4f300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "42300001-0023-4bd4-bbd5-a6920e4c5653",
        "42300002-0023-4bd4-bbd5-a6920e4c5653",
        "42300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "43300001-0023-4bd4-bbd5-a6920e4c5653",
        "43300002-0023-4bd4-bbd5-a6920e4c5653",
        "43300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "4c300001-0023-4bd4-bbd5-a6920e4c5653",
        "4c300002-0023-4bd4-bbd5-a6920e4c5653",
        "4c300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "4c410001-0023-4bd4-bbd5-a6920e4c5653",
        "4c410002-0023-4bd4-bbd5-a6920e4c5653",
        "4c410003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "56300001-0023-4bd4-bbd5-a6920e4c5653",
        "56300002-0023-4bd4-bbd5-a6920e4c5653",
        "56300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "58300001-0023-4bd4-bbd5-a6920e4c5653",
        "58300002-0023-4bd4-bbd5-a6920e4c5653",
        "58300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "52300001-0023-4bd4-bbd5-a6920e4c5653",
        "52300002-0023-4bd4-bbd5-a6920e4c5653",
        "52300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "46300001-0023-4bd4-bbd5-a6920e4c5653",
        "46300002-0023-4bd4-bbd5-a6920e4c5653",
        "46300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "50300011-0023-4bd4-bbd5-a6920e4c5653",
        "50300012-0023-4bd4-bbd5-a6920e4c5653",
        "50300013-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "4a300001-0023-4bd4-bbd5-a6920e4c5653",
        "4a300002-0023-4bd4-bbd5-a6920e4c5653",
        "4a300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "45440001-0023-4bd4-bbd5-a6920e4c5653",
        "45440002-0023-4bd4-bbd5-a6920e4c5653",
        "45440003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "45420001-0023-4bd4-bbd5-a6920e4c5653",
        "45420002-0023-4bd4-bbd5-a6920e4c5653",
        "45420003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "54300001-0023-4bd4-bbd5-a6920e4c5653",
        "54300002-0023-4bd4-bbd5-a6920e4c5653",
        "54300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "45490001-0023-4bd4-bbd5-a6920e4c5653",
        "45490002-0023-4bd4-bbd5-a6920e4c5653",
        "45490003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "4e300001-0023-4bd4-bbd5-a6920e4c5653",
        "4e300002-0023-4bd4-bbd5-a6920e4c5653",
        "4e300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "45410001-0023-4bd4-bbd5-a6920e4c5653",
        "45410002-0023-4bd4-bbd5-a6920e4c5653",
        "45410003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "51300001-0023-4bd4-bbd5-a6920e4c5653",
        "51300002-0023-4bd4-bbd5-a6920e4c5653",
        "51300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "45460001-0023-4bd4-bbd5-a6920e4c5653",
        "45460002-0023-4bd4-bbd5-a6920e4c5653",
        "45460003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "454c0001-0023-4bd4-bbd5-a6920e4c5653",
        "454c0002-0023-4bd4-bbd5-a6920e4c5653",
        "454c0003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "55300001-0023-4bd4-bbd5-a6920e4c5653",
        "55300002-0023-4bd4-bbd5-a6920e4c5653",
        "55300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "53440001-0023-4bd4-bbd5-a6920e4c5653",
        "53440002-0023-4bd4-bbd5-a6920e4c5653",
        "53440003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "57440001-0023-4bd4-bbd5-a6920e4c5653",
        "57440002-0023-4bd4-bbd5-a6920e4c5653",
        "57440003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "414e0001-0023-4bd4-bbd5-a6920e4c5653",
        "414e0002-0023-4bd4-bbd5-a6920e4c5653",
        "414e0003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "5a410001-0023-4bd4-bbd5-a6920e4c5653",
        "5a410002-0023-4bd4-bbd5-a6920e4c5653",
        "5a410003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "43420001-0023-4bd4-bbd5-a6920e4c5653",
        "43420002-0023-4bd4-bbd5-a6920e4c5653",
        "43420003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "51420001-0023-4bd4-bbd5-a6920e4c5653",
        "51420002-0023-4bd4-bbd5-a6920e4c5653",
        "51420003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "48300001-0023-4bd4-bbd5-a6920e4c5653",
        "48300002-0023-4bd4-bbd5-a6920e4c5653",
        "48300003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "46530001-0023-4bd4-bbd5-a6920e4c5653",
        "46530002-0023-4bd4-bbd5-a6920e4c5653",
        "46530003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "42410001-0023-4bd4-bbd5-a6920e4c5653",
        "42410002-0023-4bd4-bbd5-a6920e4c5653",
        "42410003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "43410001-0023-4bd4-bbd5-a6920e4c5653",
        "43410002-0023-4bd4-bbd5-a6920e4c5653",
        "43410003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "4f430001-0023-4bd4-bbd5-a6920e4c5653",
        "4f430002-0023-4bd4-bbd5-a6920e4c5653",
        "4f430003-0023-4bd4-bbd5-a6920e4c5653",
    ),
    (
        "455a0001-0023-4bd4-bbd5-a6920e4c5653",
        "455a0002-0023-4bd4-bbd5-a6920e4c5653",
        "455a0003-0023-4bd4-bbd5-a6920e4c5653",
    ),
];

fn u(s: &str) -> Uuid {
    Uuid::parse_str(s).unwrap()
}

#[test]
fn every_service_of_the_public_table_with_tx_and_rx() {
    assert_eq!(SERVICES.len(), LISTED_SERVICES.len());
    for (service, tx, rx) in SERVICES {
        let l = layout_for_service(u(service)).unwrap_or_else(|| panic!("{service}"));
        assert_eq!((l.tx, l.rx), (u(tx), u(rx)), "{service}");
        assert!(l.listed, "{service}");
        let want = match *service {
            "0000fff0-0000-1000-8000-00805f9b34fb" => Generation::One,
            "6e400001-b5a3-f393-e0a9-e50e24dcca9e" => Generation::Two,
            _ => Generation::Three,
        };
        assert_eq!(l.generation, want, "{service}");
    }
}

#[test]
fn services_spell_model_codes() {
    let table = [
        ("45440001-0023-4bd4-bbd5-a6920e4c5653", "ED", Model::Gush),
        ("45410001-0023-4bd4-bbd5-a6920e4c5653", "EA", Model::Gravity),
        ("57440001-0023-4bd4-bbd5-a6920e4c5653", "WD", Model::Spinel),
        (
            "414e0001-0023-4bd4-bbd5-a6920e4c5653",
            "AN",
            Model::LushAnal,
        ),
        ("455a0001-0023-4bd4-bbd5-a6920e4c5653", "EZ", Model::Gush2),
        ("454c0001-0023-4bd4-bbd5-a6920e4c5653", "EL", Model::Ridge),
        ("55300001-0023-4bd4-bbd5-a6920e4c5653", "U", Model::Lapis),
        ("48300001-0023-4bd4-bbd5-a6920e4c5653", "H", Model::Solace),
        ("57300001-0023-4bd4-bbd5-a6920e4c5653", "W", Model::Domi),
        ("4f430001-0023-4bd4-bbd5-a6920e4c5653", "OC", Model::Osci3),
    ];
    for (service, code, model) in table {
        assert_eq!(model_code_of_service(u(service)).as_deref(), Some(code));
        let i = identify_from_service(u(service)).unwrap();
        assert_eq!((i.model, i.source), (model, Source::Service), "{service}");
    }
    // A name that says nothing gives way to the service; a model name wins.
    let s = [u("45410001-0023-4bd4-bbd5-a6920e4c5653")];
    assert_eq!(
        identify_advertised("LVS-", &s).map(|i| i.model),
        Some(Model::Gravity)
    );
    assert_eq!(
        identify_advertised("LVS-Edge36", &s).map(|i| i.model),
        Some(Model::Edge)
    );
    assert_eq!(identify_advertised("Fitbit", &[]), None);
}

#[test]
fn an_unlisted_lovense_shaped_service_is_tried_not_refused() {
    for (service, tx, rx) in [
        (
            "4b4a0001-0023-4bd4-bbd5-a6920e4c5653",
            "4b4a0002-0023-4bd4-bbd5-a6920e4c5653",
            "4b4a0003-0023-4bd4-bbd5-a6920e4c5653",
        ),
        (
            "5a410001-0024-4bd4-bbd5-a6920e4c5653",
            "5a410002-0024-4bd4-bbd5-a6920e4c5653",
            "5a410003-0024-4bd4-bbd5-a6920e4c5653",
        ),
        (
            "47300001-0023-4bd4-bbd5-a6920e4c5653",
            "47300002-0023-4bd4-bbd5-a6920e4c5653",
            "47300003-0023-4bd4-bbd5-a6920e4c5653",
        ),
    ] {
        let l = layout_for_service(u(service)).unwrap_or_else(|| panic!("{service}"));
        assert!(!l.listed, "{service}");
        assert_eq!(
            (l.tx, l.rx, l.generation),
            (u(tx), u(rx), Generation::Three)
        );
    }
    // Not Lovense-shaped: refused.
    for s in [
        "4b4a0001-0023-4bd4-bbd5-a6920e4c5654",
        "4b4a0002-0023-4bd4-bbd5-a6920e4c5653",
        "6b4a0001-0023-4bd4-bbd5-a6920e4c5653",
        "4b2a0001-0023-4bd4-bbd5-a6920e4c5653",
    ] {
        assert_eq!(layout_for_service(u(s)), None, "{s}");
    }
}

fn spec(code: &str) -> &'static ModelSpec {
    ModelSpec::for_code(code, Some(11))
}

#[test]
fn an_effect_drives_every_output_scaled_to_its_range() {
    let lv = |n| Level::new(n).unwrap();
    let cases: &[(&str, u8, &[u8], &[Command])] = &[
        ("S", 7, &[7], &[Command::Vibrate(lv(7))]),
        ("P", 7, &[7, 7], &[Command::Vibrate(lv(7))]),
        (
            "EA",
            7,
            &[7, 7],
            &[
                Command::VibrateMotor(Motor::One, lv(7)),
                Command::VibrateMotor(Motor::Two, lv(7)),
            ],
        ),
        (
            "A",
            10,
            &[10, 10],
            &[Command::Vibrate(lv(10)), Command::Rotate(lv(10))],
        ),
        (
            "B",
            20,
            &[20, 3],
            &[Command::Vibrate(lv(20)), Command::Air(3)],
        ),
        (
            "B",
            10,
            &[10, 2],
            &[Command::Vibrate(lv(10)), Command::Air(2)],
        ),
        ("U", 5, &[5, 5, 5], &[Command::Mply(Mply::new(&[5, 5, 5]))]),
        ("H", 9, &[9], &[Command::Mply(Mply::new(&[9, 20]))]),
        ("H", 0, &[0], &[Command::Mply(Mply::new(&[0, 0]))]),
        ("BA", 0, &[0], &[Command::Mply(Mply::new(&[0, 20]))]),
    ];
    for (code, level, want, commands) in cases {
        let levels = levels_for(spec(code), *level, 20, None);
        assert_eq!(levels.values(), *want, "{code} at {level}");
        assert_eq!(
            commands_for(spec(code), levels),
            *commands,
            "{code} at {level}"
        );
    }
    let texts: Vec<String> = commands_for(spec("U"), Levels::new(&[20, 7, 0]))
        .iter()
        .map(Command::text)
        .collect();
    assert_eq!(texts, ["Mply:20:7:0;"]);
}

#[test]
fn the_config_maps_an_effect_to_some_outputs_or_scales_one() {
    let only_vibrate = OutputMap {
        outputs: Some(vec!["vibrate".into()]),
        ..OutputMap::default()
    };
    assert_eq!(
        levels_for(spec("A"), 10, 20, Some(&only_vibrate)).values(),
        [10, 0]
    );
    let half_rotation = OutputMap {
        scale: [("rotate".to_owned(), 50)].into(),
        ..OutputMap::default()
    };
    assert_eq!(
        levels_for(spec("A"), 10, 20, Some(&half_rotation)).values(),
        [10, 5]
    );
    let mut maps = outputs::ModelMaps::new();
    maps.insert("Nora".into(), half_rotation.clone());
    assert_eq!(outputs::map_for(&maps, spec("C")), Some(&half_rotation));
    assert_eq!(outputs::map_for(&maps, spec("EL")), None);
    maps.insert("EL".into(), only_vibrate.clone());
    assert_eq!(outputs::map_for(&maps, spec("EL")), Some(&only_vibrate));
    // From the console's TOML.
    let parsed: cuedeck::toy::SchedulerConfig = toml::from_str(
        "intensity_cap = 12\n[models.Nora]\noutputs = [\"vibrate\", \"rotate\"]\nscale = { rotate = 50 }\n",
    )
    .unwrap();
    let nora = &parsed.models["Nora"];
    assert_eq!(
        levels_for(spec("A"), 20, parsed.intensity_cap, Some(nora)).values(),
        [12, 6]
    );
    let err =
        toml::from_str::<cuedeck::toy::SchedulerConfig>("[models.Nora]\nscal = {}\n").unwrap_err();
    assert!(err.to_string().contains("scal"), "{err}");
}

#[test]
fn the_cap_holds_on_every_output_including_the_pump() {
    for m in MODELS {
        for cap in 0..=20u8 {
            for level in 0..=20u8 {
                let levels = levels_for(m, level, cap, None);
                for (o, v) in m.outputs.iter().zip(levels.values()) {
                    assert!(
                        u32::from(*v) * 20 <= u32::from(cap) * u32::from(o.max),
                        "{} {} at {level} cap {cap}: {v}",
                        m.name,
                        o.label
                    );
                }
            }
        }
    }
    // Identified toys of every family report their own outputs.
    let i = Identity {
        model: Model::Flexer,
        firmware: Some(2),
        source: Source::DeviceType,
    };
    assert_eq!(i.outputs().len(), 1);
}
