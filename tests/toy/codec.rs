//! Codec tables: every command, every reply form, identification, and
//! garbage that must give typed errors, never panics.

use cuedeck::toy::codec::{
    CodecError, Command, DeviceInfo, Level, Motor, Reply, ReplySplitter, parse_reply,
};
use cuedeck::toy::identify::{
    Generation, Model, Source, identify_from_name, is_lovense_name, layout_for_service,
};
use proptest::prelude::*;
use uuid::Uuid;

fn lv(n: u8) -> Level {
    Level::new(n).unwrap()
}

#[test]
fn every_command_encodes_exactly() {
    let table: &[(Command, &str)] = &[
        (Command::Vibrate(lv(0)), "Vibrate:0;"),
        (Command::Vibrate(lv(5)), "Vibrate:5;"),
        (Command::Vibrate(lv(20)), "Vibrate:20;"),
        (Command::VibrateMotor(Motor::One, lv(7)), "Vibrate1:7;"),
        (Command::VibrateMotor(Motor::Two, lv(13)), "Vibrate2:13;"),
        (Command::Rotate(lv(9)), "Rotate:9;"),
        (Command::RotateChange, "RotateChange;"),
        (Command::air(3).unwrap(), "Air:Level:3;"),
        (Command::air(0).unwrap(), "Air:Level:0;"),
        (Command::DeviceType, "DeviceType;"),
        (Command::Battery, "Battery;"),
        (Command::PowerOff, "PowerOff;"),
        (Command::GetAutoSwitch, "GetAS;"),
        (Command::SAFE_AUTO_SWITCH, "AutoSwith:On:Off;"),
        (
            Command::SetAutoSwitch {
                stop_on_disconnect: false,
                resume_on_reconnect: true,
            },
            "AutoSwith:Off:On;",
        ),
    ];
    for (cmd, text) in table {
        assert_eq!(cmd.encode(), text.as_bytes(), "{cmd:?}");
        assert_eq!(cmd.to_string(), *text);
    }
}

#[test]
fn out_of_range_arguments_are_refused() {
    assert_eq!(Level::new(21), Err(CodecError::LevelOutOfRange(21)));
    assert_eq!(Command::air(4), Err(CodecError::AirOutOfRange(4)));
}

#[test]
fn every_reply_form_parses() {
    let table: &[(&[u8], Reply)] = &[
        (b"OK;", Reply::Ok),
        (b"ERR;", Reply::Err),
        (
            b"85;",
            Reply::Battery {
                percent: 85,
                busy: false,
            },
        ),
        (
            b"s85;",
            Reply::Battery {
                percent: 85,
                busy: true,
            },
        ),
        (
            b"100;",
            Reply::Battery {
                percent: 100,
                busy: false,
            },
        ),
        (
            b"0;",
            Reply::Battery {
                percent: 0,
                busy: false,
            },
        ),
        (
            b"s7;",
            Reply::Battery {
                percent: 7,
                busy: true,
            },
        ),
        (
            b"C:11:0082059AD3BD;",
            Reply::DeviceType(DeviceInfo {
                model_code: "C".into(),
                firmware: 11,
                mac: "0082059AD3BD".into(),
            }),
        ),
        (
            b"ED:104:a1b2c3d4e5f6;",
            Reply::DeviceType(DeviceInfo {
                model_code: "ED".into(),
                firmware: 104,
                mac: "A1B2C3D4E5F6".into(),
            }),
        ),
        (
            b"AutoSwith:On:Off;",
            Reply::AutoSwitch {
                stop_on_disconnect: true,
                resume_on_reconnect: false,
            },
        ),
        // Padding some firmwares add around a reply.
        (b" OK;\r\n", Reply::Ok),
        (b"OK;\0\0", Reply::Ok),
    ];
    for (bytes, reply) in table {
        assert_eq!(
            parse_reply(bytes).as_ref(),
            Ok(reply),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn garbage_gives_typed_errors() {
    let table: &[(&[u8], CodecError)] = &[
        (b"", CodecError::Empty),
        (b"   ", CodecError::Empty),
        (b";", CodecError::Empty),
        (b"OK", CodecError::Unterminated),
        (b"\xff\xfe;", CodecError::NotAscii),
        (b"101;", CodecError::BatteryOutOfRange(101)),
        (b"s999;", CodecError::BatteryOutOfRange(999)),
        (b"C:11:XYZ;", CodecError::BadDeviceType("C:11:XYZ".into())),
        (
            b"C:x:0082059AD3BD;",
            CodecError::BadDeviceType("C:x:0082059AD3BD".into()),
        ),
        (
            b"1:11:0082059AD3BD;",
            CodecError::BadDeviceType("1:11:0082059AD3BD".into()),
        ),
        (
            b"AutoSwith:Maybe:Off;",
            CodecError::Unrecognized("AutoSwith:Maybe:Off".into()),
        ),
        (b"Hello;", CodecError::Unrecognized("Hello".into())),
        (b"s;", CodecError::Unrecognized("s".into())),
        (b"1234;", CodecError::Unrecognized("1234".into())),
    ];
    for (bytes, err) in table {
        assert_eq!(
            parse_reply(bytes).as_ref(),
            Err(err),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn replies_answer_the_right_requests() {
    use cuedeck::toy::codec::Expect;
    assert!(Reply::Ok.answers(Expect::Ack));
    assert!(!Reply::Ok.answers(Expect::Battery));
    assert!(Reply::Err.answers(Expect::Battery));
    let battery = Reply::Battery {
        percent: 1,
        busy: true,
    };
    assert!(battery.answers(Expect::Battery) && !battery.answers(Expect::Ack));
    assert_eq!(Command::Battery.expects(), Expect::Battery);
    assert_eq!(Command::DeviceType.expects(), Expect::DeviceType);
    assert_eq!(Command::GetAutoSwitch.expects(), Expect::AutoSwitch);
    assert_eq!(Command::Vibrate(lv(3)).expects(), Expect::Ack);
    assert_eq!(Command::SAFE_AUTO_SWITCH.expects(), Expect::Ack);
}

#[test]
fn splitter_reassembles_the_stream() {
    let mut s = ReplySplitter::default();
    let mut got = Vec::new();
    for chunk in [&b"C:11:00820"[..], b"59AD3BD;O", b"K;s", b"42;", b"\r\n"] {
        got.extend(
            s.push(chunk)
                .into_iter()
                .map(|(raw, r)| (String::from_utf8(raw).unwrap(), r)),
        );
    }
    let texts: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(texts, ["C:11:0082059AD3BD;", "OK;", "s42;"]);
    assert!(got.iter().all(|(_, r)| r.is_ok()));
}

#[test]
fn models_from_letters_and_names() {
    let letters = [
        ("S", Model::Lush),
        ("Z", Model::Hush),
        ("L", Model::Ambi),
        ("W", Model::Domi),
        ("O", Model::Osci),
        ("X", Model::Ferri),
        ("R", Model::Diamo),
        ("T", Model::Calor),
        ("Q", Model::Tenera),
        ("V", Model::Mission),
        ("ED", Model::Gush),
        ("EZ", Model::Gush2),
        ("AN", Model::LushAnal),
        ("WD", Model::Spinel),
        ("CB", Model::Velvo),
        ("P", Model::Edge),
        ("J", Model::Dolce),
        ("N", Model::Gemini),
        ("A", Model::Nora),
        ("C", Model::Nora),
        ("B", Model::Max),
        ("K", Model::Unknown),
    ];
    for (code, model) in letters {
        assert_eq!(Model::from_code(code), model, "{code}");
    }
    let caps = |m: Model| {
        let c = m.capabilities();
        (c.vibrators, c.rotate, c.air)
    };
    assert_eq!(caps(Model::Lush), (1, false, false));
    assert_eq!(caps(Model::Edge), (2, false, false));
    assert_eq!(caps(Model::Dolce), (2, false, false));
    assert_eq!(caps(Model::Gemini), (2, false, false));
    assert_eq!(caps(Model::Nora), (1, true, false));
    assert_eq!(caps(Model::Max), (1, false, true));
    assert_eq!(caps(Model::Unknown), (1, false, false));
}

#[test]
fn identify_from_advertised_names() {
    let table = [
        ("LVS-A011", Some((Model::Nora, Some(11)))),
        ("LVS-Z36", Some((Model::Hush, Some(36)))),
        ("LVS-Edge36", Some((Model::Edge, Some(36)))),
        ("LVS-Lush", Some((Model::Lush, None))),
        ("lvs-gemini12", Some((Model::Gemini, Some(12)))),
        ("LOVE-Max2", Some((Model::Max, Some(2)))),
        ("LVS-Zork9", Some((Model::Unknown, Some(9)))),
        ("Fitbit", None),
        ("LV", None),
        ("", None),
    ];
    for (name, want) in table {
        let got = identify_from_name(name).map(|i| {
            assert_eq!(i.source, Source::Name);
            (i.model, i.firmware)
        });
        assert_eq!(got, want, "{name}");
        assert_eq!(is_lovense_name(name), want.is_some(), "{name}");
    }
}

#[test]
fn service_layouts() {
    let u = |s: &str| Uuid::parse_str(s).unwrap();
    let gen1 = layout_for_service(u("0000fff0-0000-1000-8000-00805f9b34fb")).unwrap();
    assert_eq!(gen1.generation, Generation::One);
    assert_eq!(gen1.tx, u("0000fff2-0000-1000-8000-00805f9b34fb"));
    assert_eq!(gen1.rx, u("0000fff1-0000-1000-8000-00805f9b34fb"));
    let gen2 = layout_for_service(u("6e400001-b5a3-f393-e0a9-e50e24dcca9e")).unwrap();
    assert_eq!(gen2.generation, Generation::Two);
    assert_eq!(gen2.tx, u("6e400002-b5a3-f393-e0a9-e50e24dcca9e"));
    assert_eq!(gen2.rx, u("6e400003-b5a3-f393-e0a9-e50e24dcca9e"));
    for s in [
        "40300001-0023-4bd4-bbd5-a6920e4c5653",
        "5a300001-0024-4bd4-bbd5-a6920e4c5653",
        "4f300001-0023-4bd4-bbd5-a6920e4c5653",
    ] {
        let l = layout_for_service(u(s)).unwrap();
        assert_eq!(l.generation, Generation::Three, "{s}");
        assert_eq!(l.tx.to_string(), s.replacen("300001", "300002", 1));
        assert_eq!(l.rx.to_string(), s.replacen("300001", "300003", 1));
    }
    for s in [
        "00001800-0000-1000-8000-00805f9b34fb",
        "6e400002-b5a3-f393-e0a9-e50e24dcca9e",
        "30300001-0023-4bd4-bbd5-a6920e4c5653",
        "40300001-0025-4bd4-bbd5-a6920e4c5653",
        "40300001-0023-4bd4-bbd5-a6920e4c5654",
    ] {
        assert_eq!(layout_for_service(u(s)), None, "{s}");
    }
}

proptest! {
    #[test]
    fn random_bytes_never_panic_the_parser(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_reply(&bytes);
        let mut s = ReplySplitter::default();
        for chunk in bytes.chunks(7) {
            for (raw, _) in s.push(chunk) {
                prop_assert!(raw.len() <= cuedeck::toy::codec::MAX_REPLY_LEN + 1);
            }
        }
    }

    #[test]
    fn protocol_shaped_noise_never_panics(text in "[A-Za-z0-9:;s ]{0,40}") {
        let _ = parse_reply(text.as_bytes());
        let _ = identify_from_name(&text);
    }

    #[test]
    fn every_level_round_trips(n in 0u8..=20) {
        let text = Command::Vibrate(Level::new(n).unwrap()).text();
        prop_assert_eq!(text, format!("Vibrate:{n};"));
    }
}
