//! Model rows for devices of other makes (through Intiface): the outputs the
//! server reports, as a row of the model table, so the driver, the shaping,
//! the cap and the strip treat them as any multi-output Lovense toy.
//!
//! Rows are built at run time and kept for the process (`Model::Other(n)`
//! is an index into them); the same device seen again reuses its row, so
//! the memory is bounded by the distinct devices met.

use std::sync::{Mutex, PoisonError};

use super::codec::MAX_LEVELS;
use super::models::{Drive, Model, ModelSpec, Output, OutputKind};

static ROWS: Mutex<Vec<&'static ModelSpec>> = Mutex::new(Vec::new());

/// The row `Model::Other(n)` stands for.
pub fn get(n: u16) -> Option<&'static ModelSpec> {
    let rows = ROWS.lock().unwrap_or_else(PoisonError::into_inner);
    rows.get(usize::from(n)).copied()
}

/// The labels an output of `kind` takes: one of its kind is `vibrate`,
/// several are `vibrate1`, `vibrate2`...
fn label(kind: OutputKind, nth: usize, of: usize) -> &'static str {
    const VIBRATE: [&str; 3] = ["vibrate1", "vibrate2", "vibrate3"];
    const ROTATE: [&str; 3] = ["rotate1", "rotate2", "rotate3"];
    const THRUST: [&str; 3] = ["thrust1", "thrust2", "thrust3"];
    const AIR: [&str; 3] = ["air1", "air2", "air3"];
    let (one, many) = match kind {
        OutputKind::Vibrate => ("vibrate", VIBRATE),
        OutputKind::Rotate { .. } => ("rotate", ROTATE),
        OutputKind::Oscillate => ("thrust", THRUST),
        OutputKind::Air => ("air", AIR),
    };
    if of == 1 {
        one
    } else {
        many[nth.min(many.len() - 1)]
    }
}

/// The row for a device called `name` with these outputs (kind and number
/// of steps, at most 20 used: effects have 21 levels), in the server's
/// order; the first [`MAX_LEVELS`] are driven, in one `Mply` command.
pub fn generic(name: &str, outputs: &[(OutputKind, u8)]) -> &'static ModelSpec {
    let outputs = &outputs[..outputs.len().min(MAX_LEVELS)];
    let built: Vec<Output> = outputs
        .iter()
        .enumerate()
        .map(|(i, (kind, max))| {
            let same = |k: &OutputKind| std::mem::discriminant(k) == std::mem::discriminant(kind);
            let of = outputs.iter().filter(|(k, _)| same(k)).count();
            let nth = outputs[..i].iter().filter(|(k, _)| same(k)).count();
            Output {
                kind: *kind,
                label: label(*kind, nth, of),
                max: (*max).clamp(1, 20),
            }
        })
        .collect();
    let mut rows = ROWS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(row) = rows
        .iter()
        .find(|r| r.name == name && r.outputs == built.as_slice())
    {
        return row;
    }
    let n = u16::try_from(rows.len()).unwrap_or(u16::MAX);
    let row: &'static ModelSpec = Box::leak(Box::new(ModelSpec {
        model: Model::Other(n),
        codes: &[],
        name: Box::leak(name.to_owned().into_boxed_str()),
        outputs: Box::leak(built.into_boxed_slice()),
        drive: Drive::Mply,
    }));
    if rows.len() < usize::from(u16::MAX) {
        rows.push(row);
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_gets_one_row_its_outputs_labelled_and_capped_to_three() {
        let a = generic(
            "Test Wand",
            &[
                (OutputKind::Vibrate, 20),
                (OutputKind::Vibrate, 100),
                (OutputKind::Rotate { reversible: true }, 10),
                (OutputKind::Oscillate, 20),
            ],
        );
        let labels: Vec<_> = a.outputs.iter().map(|o| (o.label, o.max)).collect();
        assert_eq!(labels, [("vibrate1", 20), ("vibrate2", 20), ("rotate", 10)]);
        let again = generic(
            "Test Wand",
            &[
                (OutputKind::Vibrate, 20),
                (OutputKind::Vibrate, 100),
                (OutputKind::Rotate { reversible: true }, 10),
            ],
        );
        assert!(std::ptr::eq(a, again));
        assert_eq!(a.model.spec().name, "Test Wand");
        assert_eq!(a.drive, Drive::Mply);
        let other = generic("Test Wand", &[(OutputKind::Vibrate, 20)]);
        assert_ne!(other.model, a.model);
        assert_eq!(other.outputs[0].label, "vibrate");
    }
}
