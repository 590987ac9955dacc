//! The Lovense wire format: ASCII commands terminated by `;`, fields split by
//! `:`, replies arriving as notifications that may be split or merged.
//!
//! Pure: no IO, no clock. Every reply parser returns a typed error on
//! garbage and never panics (a proptest feeds it random bytes).

use std::fmt;

use thiserror::Error;

use crate::domain::toy_effect::MAX_INTENSITY;

/// Longest reply we buffer while waiting for its `;`; real replies are < 32
/// bytes, so anything longer is noise and is thrown away.
pub const MAX_REPLY_LEN: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CodecError {
    #[error("intensity {0} is outside 0..={MAX_INTENSITY}")]
    LevelOutOfRange(u8),
    #[error("air level {0} is outside 0..=3")]
    AirOutOfRange(u8),
    #[error("empty reply")]
    Empty,
    #[error("reply has no terminating ';'")]
    Unterminated,
    #[error("reply is not ASCII text")]
    NotAscii,
    #[error("reply longer than {MAX_REPLY_LEN} bytes without a ';'")]
    Overflow,
    #[error("battery level {0} is outside 0..=100")]
    BatteryOutOfRange(u32),
    #[error("malformed DeviceType reply {0:?}")]
    BadDeviceType(String),
    #[error("unrecognised reply {0:?}")]
    Unrecognized(String),
    #[error("unknown command {0:?}")]
    UnknownCommand(String),
}

/// A vibration or rotation level on the Lovense scale, 0..=20.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Level(u8);

impl Level {
    pub const OFF: Level = Level(0);
    pub const MAX: Level = Level(MAX_INTENSITY);

    pub fn new(n: u8) -> Result<Level, CodecError> {
        if n > MAX_INTENSITY {
            Err(CodecError::LevelOutOfRange(n))
        } else {
            Ok(Level(n))
        }
    }

    /// Clamps to the scale instead of failing: for computed values.
    pub fn saturating(n: u8) -> Level {
        Level(n.min(MAX_INTENSITY))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn is_off(self) -> bool {
        self.0 == 0
    }
}

/// One motor of a multi-motor toy (`Vibrate1:` .. `Vibrate3:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Motor {
    One,
    Two,
    Three,
}

impl Motor {
    /// The motor for output index `i` (0-based), if there is one.
    pub fn from_index(i: usize) -> Option<Motor> {
        [Motor::One, Motor::Two, Motor::Three].get(i).copied()
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Most outputs a toy has, and most values `Mply:` carries (the Lapis has
/// three motors).
pub const MAX_LEVELS: usize = 3;

/// A level per output, in each output's own range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Levels {
    values: [u8; MAX_LEVELS],
    len: u8,
}

impl Levels {
    pub fn new(values: &[u8]) -> Levels {
        let mut v = [0; MAX_LEVELS];
        let len = values.len().min(MAX_LEVELS);
        v[..len].copy_from_slice(&values[..len]);
        Levels {
            values: v,
            len: len as u8,
        }
    }

    pub fn zero(outputs: usize) -> Levels {
        Levels::new(&[0; MAX_LEVELS][..outputs.min(MAX_LEVELS)])
    }

    pub fn values(&self) -> &[u8] {
        &self.values[..usize::from(self.len)]
    }

    pub fn is_off(&self) -> bool {
        self.values().iter().all(|v| *v == 0)
    }

    pub(crate) fn set(&mut self, i: usize, v: u8) {
        if i < usize::from(self.len) {
            self.values[i] = v;
        }
    }
}

/// The values of one `Mply:a:b:c;` command, one per output in order, each
/// at most 20.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mply(Levels);

impl Mply {
    /// Values above 20 are clamped; more than three are cut.
    pub fn new(values: &[u8]) -> Mply {
        let clamped: Vec<u8> = values.iter().map(|v| (*v).min(MAX_INTENSITY)).collect();
        Mply(Levels::new(&clamped))
    }

    pub fn values(&self) -> &[u8] {
        self.0.values()
    }

    /// The same number of values, all 0.
    pub fn zeroed(&self) -> Mply {
        Mply(Levels::zero(self.values().len()))
    }

    pub fn is_off(&self) -> bool {
        self.0.is_off()
    }
}

/// Every command of the protocol notes (see `shared/design/TOY.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// `Vibrate:N;` all motors.
    Vibrate(Level),
    /// `Vibrate1:N;` .. `Vibrate3:N;`.
    VibrateMotor(Motor, Level),
    /// `Mply:a:b:c;` every output of a multi-output toy in one command
    /// (Lapis, Flexer; strokers take `Mply:<speed>:<stroke range>;`).
    Mply(Mply),
    /// `Preset:N;` runs the toy's own stored pattern N; `Preset:0;` stops it.
    Preset(u8),
    /// `Rotate:N;` (Nora-type).
    Rotate(Level),
    /// `RotateChange;` reverses the rotation.
    RotateChange,
    /// `Air:Level:N;` (Max), 0..=3.
    Air(u8),
    /// `DeviceType;` -> `C:11:0082059AD3BD;`.
    DeviceType,
    /// `Battery;` -> `85;` or `s85;`.
    Battery,
    /// `PowerOff;`.
    PowerOff,
    /// `GetAS;` reads the auto-switch settings.
    GetAutoSwitch,
    /// `AutoSwith:<stop on disconnect>:<resume on reconnect>;` (sic).
    SetAutoSwitch {
        stop_on_disconnect: bool,
        resume_on_reconnect: bool,
    },
}

/// What kind of reply a command expects, for matching replies to requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expect {
    /// `OK;` or `ERR;`.
    Ack,
    /// A battery percentage.
    Battery,
    /// `model:firmware:MAC`.
    DeviceType,
    /// The auto-switch settings.
    AutoSwitch,
}

impl Command {
    /// The safe setting: stop when the link drops, never resume by itself.
    pub const SAFE_AUTO_SWITCH: Command = Command::SetAutoSwitch {
        stop_on_disconnect: true,
        resume_on_reconnect: false,
    };

    /// `Air:Level:N;` checked against its 0..=3 range.
    pub fn air(n: u8) -> Result<Command, CodecError> {
        if n > 3 {
            Err(CodecError::AirOutOfRange(n))
        } else {
            Ok(Command::Air(n))
        }
    }

    /// The wire text, `;` included.
    pub fn text(&self) -> String {
        let on_off = |b: bool| if b { "On" } else { "Off" };
        match *self {
            Command::Vibrate(l) => format!("Vibrate:{};", l.get()),
            Command::VibrateMotor(Motor::One, l) => format!("Vibrate1:{};", l.get()),
            Command::VibrateMotor(Motor::Two, l) => format!("Vibrate2:{};", l.get()),
            Command::VibrateMotor(Motor::Three, l) => format!("Vibrate3:{};", l.get()),
            Command::Mply(m) => {
                let values: Vec<String> = m.values().iter().map(u8::to_string).collect();
                format!("Mply:{};", values.join(":"))
            }
            Command::Preset(n) => format!("Preset:{n};"),
            Command::Rotate(l) => format!("Rotate:{};", l.get()),
            Command::RotateChange => "RotateChange;".to_owned(),
            Command::Air(n) => format!("Air:Level:{};", n.min(3)),
            Command::DeviceType => "DeviceType;".to_owned(),
            Command::Battery => "Battery;".to_owned(),
            Command::PowerOff => "PowerOff;".to_owned(),
            Command::GetAutoSwitch => "GetAS;".to_owned(),
            Command::SetAutoSwitch {
                stop_on_disconnect,
                resume_on_reconnect,
            } => format!(
                "AutoSwith:{}:{};",
                on_off(stop_on_disconnect),
                on_off(resume_on_reconnect)
            ),
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        self.text().into_bytes()
    }

    pub fn expects(&self) -> Expect {
        match self {
            Command::DeviceType => Expect::DeviceType,
            Command::Battery => Expect::Battery,
            Command::GetAutoSwitch => Expect::AutoSwitch,
            _ => Expect::Ack,
        }
    }

    /// True for commands that set a motor, which pacing coalesces.
    pub fn is_motion(&self) -> bool {
        matches!(
            self,
            Command::Vibrate(_)
                | Command::VibrateMotor(..)
                | Command::Mply(_)
                | Command::Preset(_)
                | Command::Rotate(_)
                | Command::RotateChange
                | Command::Air(_)
        )
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// The `DeviceType;` reply: model letter(s), firmware, MAC address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeviceInfo {
    pub model_code: String,
    pub firmware: u16,
    /// Twelve upper-case hex digits as sent; a device identifier, never logged.
    pub mac: String,
}

/// One parsed reply.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Reply {
    Ok,
    Err,
    /// Battery percent; `busy` when it came back as `s85;` (toy vibrating).
    Battery {
        percent: u8,
        busy: bool,
    },
    DeviceType(DeviceInfo),
    AutoSwitch {
        stop_on_disconnect: bool,
        resume_on_reconnect: bool,
    },
}

impl Reply {
    /// Whether this reply answers a request expecting `expect`. `ERR;` can
    /// answer anything: the toy refused whatever it was.
    pub fn answers(&self, expect: Expect) -> bool {
        match self {
            Reply::Err => true,
            Reply::Ok => expect == Expect::Ack,
            Reply::Battery { .. } => expect == Expect::Battery,
            Reply::DeviceType(_) => expect == Expect::DeviceType,
            Reply::AutoSwitch { .. } => expect == Expect::AutoSwitch,
        }
    }
}

/// Parses one complete reply, `;` included, surrounding whitespace and NUL
/// padding ignored.
pub fn parse_reply(bytes: &[u8]) -> Result<Reply, CodecError> {
    let trimmed = trim(bytes);
    if trimmed.is_empty() {
        return Err(CodecError::Empty);
    }
    if !trimmed.is_ascii() {
        return Err(CodecError::NotAscii);
    }
    let Some(body) = trimmed.strip_suffix(b";") else {
        return Err(CodecError::Unterminated);
    };
    // ASCII checked above, so this cannot fail; map rather than unwrap anyway.
    let body = std::str::from_utf8(body).map_err(|_| CodecError::NotAscii)?;
    let shown = || truncate(body);
    match body {
        "OK" => return Ok(Reply::Ok),
        "ERR" => return Ok(Reply::Err),
        "" => return Err(CodecError::Empty),
        _ => {}
    }
    // Some firmware refuses with `UNKNOWN,<command>` (stpihkal).
    if body.starts_with("UNKNOWN,") {
        return Ok(Reply::Err);
    }
    if let Some(battery) = parse_battery(body)? {
        return Ok(battery);
    }
    let fields: Vec<&str> = body.split(':').collect();
    match fields.as_slice() {
        ["AutoSwith", stop, resume] => match (on_off(stop), on_off(resume)) {
            (Some(stop_on_disconnect), Some(resume_on_reconnect)) => Ok(Reply::AutoSwitch {
                stop_on_disconnect,
                resume_on_reconnect,
            }),
            _ => Err(CodecError::Unrecognized(shown())),
        },
        [model, firmware, mac] if parse_device_type(model, firmware, mac).is_some() => {
            parse_device_type(model, firmware, mac)
                .map(Reply::DeviceType)
                .ok_or_else(|| CodecError::BadDeviceType(shown()))
        }
        // Some firmware accepts by echoing the command back (stpihkal).
        _ if super::command_parse::parse_command(body).is_ok() => Ok(Reply::Ok),
        [_, _, _] => Err(CodecError::BadDeviceType(shown())),
        _ => Err(CodecError::Unrecognized(shown())),
    }
}

fn parse_battery(body: &str) -> Result<Option<Reply>, CodecError> {
    let (digits, busy) = match body.strip_prefix('s') {
        Some(rest) => (rest, true),
        None => (body, false),
    };
    if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let value: u32 = digits
        .parse()
        .map_err(|_| CodecError::Unrecognized(truncate(body)))?;
    match u8::try_from(value) {
        Ok(percent) if percent <= 100 => Ok(Some(Reply::Battery { percent, busy })),
        _ => Err(CodecError::BatteryOutOfRange(value)),
    }
}

/// Longest model code accepted in a `DeviceType` reply (`ToyS` is four).
const MAX_MODEL_CODE: usize = 8;

fn parse_device_type(model: &str, firmware: &str, mac: &str) -> Option<DeviceInfo> {
    let model_ok = (1..=MAX_MODEL_CODE).contains(&model.len())
        && model.bytes().all(|b| b.is_ascii_alphabetic());
    let firmware_ok =
        (1..=4).contains(&firmware.len()) && firmware.bytes().all(|b| b.is_ascii_digit());
    let mac_ok = mac.len() == 12 && mac.bytes().all(|b| b.is_ascii_hexdigit());
    if !(model_ok && firmware_ok && mac_ok) {
        return None;
    }
    Some(DeviceInfo {
        model_code: model.to_ascii_uppercase(),
        firmware: firmware.parse().ok()?,
        mac: mac.to_ascii_uppercase(),
    })
}

pub(super) fn on_off(s: &str) -> Option<bool> {
    match s {
        "On" | "on" | "1" => Some(true),
        "Off" | "off" | "0" => Some(false),
        _ => None,
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    let pad = |b: &u8| b.is_ascii_whitespace() || *b == 0;
    let start = bytes.iter().position(|b| !pad(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !pad(b)).map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// Error messages quote at most this much of a bad reply.
pub(super) fn truncate(s: &str) -> String {
    s.chars().take(32).collect()
}

/// Splits the notification stream into replies: a notification may carry
/// half a reply or several.
#[derive(Debug, Default)]
pub struct ReplySplitter {
    buf: Vec<u8>,
}

impl ReplySplitter {
    /// Feeds one notification; returns each complete reply (parsed or not)
    /// with its raw bytes, in order.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<(Vec<u8>, Result<Reply, CodecError>)> {
        let mut out = Vec::new();
        for &b in chunk {
            if self.buf.len() >= MAX_REPLY_LEN {
                out.push((std::mem::take(&mut self.buf), Err(CodecError::Overflow)));
            }
            self.buf.push(b);
            if b == b';' {
                let raw = std::mem::take(&mut self.buf);
                let parsed = parse_reply(&raw);
                let raw = trim(&raw).to_vec();
                out.push((raw, parsed));
            }
        }
        // Padding between replies is not the start of one.
        if trim(&self.buf).is_empty() {
            self.buf.clear();
        }
        out
    }

    /// Forgets a partial reply (after a reconnect the rest never comes).
    pub fn reset(&mut self) {
        self.buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_checked() {
        assert_eq!(Level::new(20).map(Level::get), Ok(20));
        assert_eq!(Level::new(21), Err(CodecError::LevelOutOfRange(21)));
        assert_eq!(Level::saturating(255).get(), 20);
    }

    #[test]
    fn splitter_handles_fragments_and_merges() {
        let mut s = ReplySplitter::default();
        assert!(s.push(b"O").is_empty());
        let got = s.push(b"K;s8");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, Ok(Reply::Ok));
        let got = s.push(b"5;ERR;");
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[0].1,
            Ok(Reply::Battery {
                percent: 85,
                busy: true
            })
        );
        assert_eq!(got[1].1, Ok(Reply::Err));
    }

    #[test]
    fn splitter_drops_overlong_noise() {
        let mut s = ReplySplitter::default();
        let got = s.push(&[b'x'; 100]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, Err(CodecError::Overflow));
        let got = s.push(b";OK;");
        assert_eq!(got.last().map(|r| r.1.clone()), Some(Ok(Reply::Ok)));
    }
}
