//! The commands and replies of multi-output toys: bytes out, text in (the
//! virtual toy's parser), echoed acknowledgements and `UNKNOWN,` refusals.

use cuedeck::toy::codec::{
    CodecError, Command, DeviceInfo, Level, Motor, Mply, Reply, parse_reply,
};
use cuedeck::toy::command_parse::parse_command;
use proptest::prelude::*;

fn lv(n: u8) -> Level {
    Level::new(n).unwrap()
}

fn every_command() -> Vec<(Command, &'static str)> {
    vec![
        (Command::Vibrate(lv(4)), "Vibrate:4;"),
        (Command::VibrateMotor(Motor::One, lv(7)), "Vibrate1:7;"),
        (Command::VibrateMotor(Motor::Two, lv(13)), "Vibrate2:13;"),
        (Command::VibrateMotor(Motor::Three, lv(20)), "Vibrate3:20;"),
        (Command::Mply(Mply::new(&[20, 7, 0])), "Mply:20:7:0;"),
        (Command::Mply(Mply::new(&[9, 20])), "Mply:9:20;"),
        (Command::Mply(Mply::new(&[0, 0])), "Mply:0:0;"),
        (Command::Preset(3), "Preset:3;"),
        (Command::Preset(0), "Preset:0;"),
        (Command::Rotate(lv(9)), "Rotate:9;"),
        (Command::RotateChange, "RotateChange;"),
        (Command::air(2).unwrap(), "Air:Level:2;"),
        (Command::DeviceType, "DeviceType;"),
        (Command::Battery, "Battery;"),
        (Command::PowerOff, "PowerOff;"),
        (Command::GetAutoSwitch, "GetAS;"),
        (Command::SAFE_AUTO_SWITCH, "AutoSwith:On:Off;"),
    ]
}

#[test]
fn every_new_command_encodes_and_parses_back() {
    for (cmd, text) in every_command() {
        assert_eq!(cmd.text(), text, "{cmd:?}");
        assert_eq!(parse_command(text), Ok(cmd), "{text}");
        assert_eq!(parse_command(text.trim_end_matches(';')), Ok(cmd), "{text}");
    }
    assert!(Command::Mply(Mply::new(&[1, 2])).is_motion());
    assert!(Command::Preset(1).is_motion());
    assert_eq!(Mply::new(&[25, 1, 2, 3]).values(), [20, 1, 2]);
    assert!(Mply::new(&[3, 0]).zeroed().is_off());
}

#[test]
fn malformed_commands_are_typed_errors() {
    for bad in [
        "Vibrate4:3;",
        "Vibrate:21;",
        "Vibrate:-1;",
        "Mply:;",
        "Mply:1:2:3:4;",
        "Mply:1:x;",
        "Air:Level:4;",
        "Preset:999;",
        "Rotate;",
        "",
        "Hello;",
    ] {
        assert!(parse_command(bad).is_err(), "{bad}");
    }
    assert_eq!(
        parse_command("Air:Level:4;"),
        Err(CodecError::AirOutOfRange(4))
    );
    assert_eq!(
        parse_command("Vibrate:21;"),
        Err(CodecError::LevelOutOfRange(21))
    );
}

#[test]
fn echoes_acknowledge_and_unknown_refuses() {
    for echo in [
        "Vibrate1:5;",
        "Mply:20:7:0;",
        "Air:Level:3;",
        "Preset:2;",
        "RotateChange;",
    ] {
        assert_eq!(parse_reply(echo.as_bytes()), Ok(Reply::Ok), "{echo}");
    }
    assert_eq!(parse_reply(b"UNKNOWN,Mply:1:2;"), Ok(Reply::Err));
    assert_eq!(
        parse_reply(b"AutoSwith:0:1;"),
        Ok(Reply::AutoSwitch {
            stop_on_disconnect: false,
            resume_on_reconnect: true
        })
    );
}

#[test]
fn device_type_codes_of_one_to_several_letters() {
    for (raw, code, fw) in [
        ("EA:11:0082059AD3BD;", "EA", 11),
        ("EI:3:0082059AD3BD;", "EI", 3),
        ("ToyS:2:0082059AD3BD;", "TOYS", 2),
        ("OC:101:0082059AD3BD;", "OC", 101),
    ] {
        assert_eq!(
            parse_reply(raw.as_bytes()),
            Ok(Reply::DeviceType(DeviceInfo {
                model_code: code.into(),
                firmware: fw,
                mac: "0082059AD3BD".into(),
            })),
            "{raw}"
        );
    }
    assert!(matches!(
        parse_reply(b"TOOLONGCODE:1:0082059AD3BD;"),
        Err(CodecError::BadDeviceType(_))
    ));
}

proptest! {
    #[test]
    fn command_parser_never_panics(text in "[A-Za-z0-9:;,]{0,40}") {
        let _ = parse_command(&text);
    }

    #[test]
    fn mply_round_trips(values in proptest::collection::vec(0u8..=20, 1..=3)) {
        let cmd = Command::Mply(Mply::new(&values));
        prop_assert_eq!(parse_command(&cmd.text()), Ok(cmd));
    }
}
