//! Commands read from text, as a toy reads them: the virtual toy's input
//! and the echo some firmware sends instead of `OK;`. Pure, never panics.

use super::codec::{CodecError, Command, Level, MAX_LEVELS, Motor, Mply, on_off, truncate};

/// Parses one command (`;` optional), as a toy would: the virtual toy's
/// input, and echoed replies. Levels out of range are errors.
pub fn parse_command(text: &str) -> Result<Command, CodecError> {
    let body = text.trim().strip_suffix(';').unwrap_or(text.trim());
    let unknown = || CodecError::UnknownCommand(truncate(body));
    let fields: Vec<&str> = body.split(':').collect();
    let number = |s: &str| -> Result<u8, CodecError> {
        if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(unknown());
        }
        s.parse::<u8>().map_err(|_| unknown())
    };
    let level = |s: &str| number(s).and_then(Level::new);
    let motor = |word: &str| match word {
        "Vibrate1" => Some(Motor::One),
        "Vibrate2" => Some(Motor::Two),
        "Vibrate3" => Some(Motor::Three),
        _ => None,
    };
    match fields.as_slice() {
        ["Vibrate", n] => Ok(Command::Vibrate(level(n)?)),
        [word, n] if motor(word).is_some() => Ok(Command::VibrateMotor(
            motor(word).ok_or_else(unknown)?,
            level(n)?,
        )),
        ["Mply", values @ ..] if (1..=MAX_LEVELS).contains(&values.len()) => {
            let values = values
                .iter()
                .map(|v| level(v).map(Level::get))
                .collect::<Result<Vec<u8>, _>>()?;
            Ok(Command::Mply(Mply::new(&values)))
        }
        ["Preset", n] => Ok(Command::Preset(number(n)?)),
        ["Rotate", n] => Ok(Command::Rotate(level(n)?)),
        ["RotateChange"] => Ok(Command::RotateChange),
        ["Air", "Level", n] => Command::air(number(n)?),
        ["DeviceType"] => Ok(Command::DeviceType),
        ["Battery"] => Ok(Command::Battery),
        ["PowerOff"] => Ok(Command::PowerOff),
        ["GetAS"] => Ok(Command::GetAutoSwitch),
        ["AutoSwith", stop, resume] => match (on_off(stop), on_off(resume)) {
            (Some(stop_on_disconnect), Some(resume_on_reconnect)) => Ok(Command::SetAutoSwitch {
                stop_on_disconnect,
                resume_on_reconnect,
            }),
            _ => Err(unknown()),
        },
        _ => Err(unknown()),
    }
}
