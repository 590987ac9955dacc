//! The GATT services Lovense toys advertise, each with its TX (write) and RX
//! (notify) characteristics. Pure.
//!
//! Source: the buttplug project's device configuration
//! (`device-config-v4/protocols/lovense.yml`, `communication.btle.services`)
//! and the stpihkal notes' rule for the third generation
//! (`XY300001-002Z-4bd4-bbd5-a6920e4c5653`, X in {4,5}, Z in {3,4}). Newer
//! toys spell their two-letter model code in the first two bytes
//! (`45440001-…` is `ED`): a service of that shape that no table lists is
//! still tried (TX `…0002`, RX `…0003`) and reported as unlisted.

use uuid::Uuid;

/// The GATT generation a toy speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Generation {
    /// `0000fff0-…` (Max, Nora, early Ambi).
    One,
    /// Nordic UART `6e400001-…` (early Lush, Hush).
    Two,
    /// `…-4bd4-bbd5-a6920e4c5653`, model code in the first bytes.
    Three,
}

/// One service with its TX (write) and RX (notify) characteristics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GattLayout {
    pub generation: Generation,
    pub service: Uuid,
    pub tx: Uuid,
    pub rx: Uuid,
    /// False for a Lovense-shaped service that no public table lists.
    pub listed: bool,
}

const GEN1_SERVICE: Uuid = Uuid::from_u128(0x0000_fff0_0000_1000_8000_0080_5f9b_34fb);
const GEN2_SERVICE: Uuid = Uuid::from_u128(0x6e40_0001_b5a3_f393_e0a9_e50e_24dc_ca9e);
const GEN3_TAIL: u128 = 0x4bd4_bbd5_a692_0e4c_5653;

/// The services of the device configuration's Lovense entry, in its order.
pub const LISTED_SERVICES: &[&str] = &[
    "0000fff0-0000-1000-8000-00805f9b34fb",
    "6e400001-b5a3-f393-e0a9-e50e24dcca9e",
    "50300001-0024-4bd4-bbd5-a6920e4c5653",
    "57300001-0023-4bd4-bbd5-a6920e4c5653",
    "5a300001-0024-4bd4-bbd5-a6920e4c5653",
    "50300001-0023-4bd4-bbd5-a6920e4c5653",
    "53300001-0023-4bd4-bbd5-a6920e4c5653",
    "5a300001-0023-4bd4-bbd5-a6920e4c5653",
    "4f300001-0023-4bd4-bbd5-a6920e4c5653",
    "42300001-0023-4bd4-bbd5-a6920e4c5653",
    "43300001-0023-4bd4-bbd5-a6920e4c5653",
    "4c300001-0023-4bd4-bbd5-a6920e4c5653",
    "4c410001-0023-4bd4-bbd5-a6920e4c5653",
    "56300001-0023-4bd4-bbd5-a6920e4c5653",
    "58300001-0023-4bd4-bbd5-a6920e4c5653",
    "52300001-0023-4bd4-bbd5-a6920e4c5653",
    "46300001-0023-4bd4-bbd5-a6920e4c5653",
    "50300011-0023-4bd4-bbd5-a6920e4c5653",
    "4a300001-0023-4bd4-bbd5-a6920e4c5653",
    "45440001-0023-4bd4-bbd5-a6920e4c5653",
    "45420001-0023-4bd4-bbd5-a6920e4c5653",
    "54300001-0023-4bd4-bbd5-a6920e4c5653",
    "45490001-0023-4bd4-bbd5-a6920e4c5653",
    "4e300001-0023-4bd4-bbd5-a6920e4c5653",
    "45410001-0023-4bd4-bbd5-a6920e4c5653",
    "51300001-0023-4bd4-bbd5-a6920e4c5653",
    "45460001-0023-4bd4-bbd5-a6920e4c5653",
    "454c0001-0023-4bd4-bbd5-a6920e4c5653",
    "55300001-0023-4bd4-bbd5-a6920e4c5653",
    "53440001-0023-4bd4-bbd5-a6920e4c5653",
    "48300001-0023-4bd4-bbd5-a6920e4c5653",
    "46530001-0023-4bd4-bbd5-a6920e4c5653",
    "42410001-0023-4bd4-bbd5-a6920e4c5653",
    "43410001-0023-4bd4-bbd5-a6920e4c5653",
    "4f430001-0023-4bd4-bbd5-a6920e4c5653",
    "455a0001-0023-4bd4-bbd5-a6920e4c5653",
    "57440001-0023-4bd4-bbd5-a6920e4c5653",
    "414e0001-0023-4bd4-bbd5-a6920e4c5653",
    "5a410001-0023-4bd4-bbd5-a6920e4c5653",
    "43420001-0023-4bd4-bbd5-a6920e4c5653",
    "51420001-0023-4bd4-bbd5-a6920e4c5653",
];

fn is_listed(service: Uuid) -> bool {
    LISTED_SERVICES
        .iter()
        .any(|s| Uuid::parse_str(s).is_ok_and(|u| u == service))
}

/// The layout a service UUID belongs to, with its TX and RX derived.
pub fn layout_for_service(service: Uuid) -> Option<GattLayout> {
    let v = service.as_u128();
    // The 16-bit characteristic id sits in bits 96..112 for every layout.
    let with_char = |c: u128| Uuid::from_u128((v & !(0xffff << 96)) | (c << 96));
    let listed = is_listed(service);
    if service == GEN1_SERVICE {
        return Some(GattLayout {
            generation: Generation::One,
            service,
            tx: with_char(0xfff2),
            rx: with_char(0xfff1),
            listed,
        });
    }
    if service == GEN2_SERVICE {
        return Some(GattLayout {
            generation: Generation::Two,
            service,
            tx: with_char(0x0002),
            rx: with_char(0x0003),
            listed,
        });
    }
    let (_, char_id) = gen3_parts(v)?;
    Some(GattLayout {
        generation: Generation::Three,
        service,
        tx: with_char(char_id + 1),
        rx: with_char(char_id + 2),
        listed,
    })
}

/// `XY30 0001-002Z-4bd4-bbd5-a6920e4c5653` or `AB 0001-…` (two letters):
/// the two leading bytes and the service's own 16-bit id (`0001`, `0011`).
fn gen3_parts(v: u128) -> Option<([u8; 2], u128)> {
    if v & ((1 << 80) - 1) != GEN3_TAIL {
        return None;
    }
    let time_low = (v >> 96) as u32;
    let time_mid = (v >> 80) as u16;
    if time_mid & 0xfff0 != 0x0020 || !matches!(time_mid & 0xf, 3 | 4) {
        return None;
    }
    let [a, b, _, _] = time_low.to_be_bytes();
    let char_id = u128::from(time_low & 0xffff);
    // X in {4,5}: the first byte is 0x40..=0x5f (upper-case letters and a few
    // signs); the second is '0' (0x30) in the older shape or a letter.
    let first_ok = (0x40..=0x5f).contains(&a);
    let second_ok = b == b'0' || b.is_ascii_uppercase();
    let id_ok = char_id & 0x000f == 1 && char_id <= 0x00f1;
    (first_ok && second_ok && id_ok).then_some(([a, b], char_id))
}

/// The model code a third-generation service spells (`W` from `57300001`,
/// `ED` from `45440001`), if it spells one.
pub fn model_code_of_service(service: Uuid) -> Option<String> {
    let ([a, b], _) = gen3_parts(service.as_u128())?;
    if !a.is_ascii_uppercase() {
        return None;
    }
    let mut code = String::from(a as char);
    if b != b'0' {
        code.push(b as char);
    }
    Some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gen3_layout_is_recognised() {
        let s = Uuid::parse_str("57300001-0023-4bd4-bbd5-a6920e4c5653").unwrap();
        let l = layout_for_service(s).unwrap();
        assert_eq!(l.generation, Generation::Three);
        assert!(l.listed);
        assert_eq!(l.tx.to_string(), "57300002-0023-4bd4-bbd5-a6920e4c5653");
        assert_eq!(l.rx.to_string(), "57300003-0023-4bd4-bbd5-a6920e4c5653");
        let wrong = Uuid::parse_str("67300001-0023-4bd4-bbd5-a6920e4c5653").unwrap();
        assert_eq!(layout_for_service(wrong), None);
        let wrong_z = Uuid::parse_str("57300001-0025-4bd4-bbd5-a6920e4c5653").unwrap();
        assert_eq!(layout_for_service(wrong_z), None);
        let unlisted = Uuid::parse_str("4b4a0001-0023-4bd4-bbd5-a6920e4c5653").unwrap();
        let l = layout_for_service(unlisted).unwrap();
        assert!(!l.listed);
        assert_eq!(model_code_of_service(unlisted).as_deref(), Some("KJ"));
    }
}
