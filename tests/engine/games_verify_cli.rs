//! `cuedeck verify` as a user runs it: the real binary on receipt files,
//! with its exit codes (0 fair, 1 unfair, 2 unreadable input).

use std::path::Path;
use std::process::Command;

const EXAMPLE: &str = include_str!("../../docs/fairness-example-receipt.json");
const SEED: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cuedeck"))
        .arg("verify")
        .args(args)
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (
        out.status.code().unwrap_or(-1),
        text(out.stdout),
        text(out.stderr),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn verify_says_fair_unfair_or_unreadable_with_its_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let fair = write(dir.path(), "fair.json", EXAMPLE);
    let (code, out, _) = run(&[&fair]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("fair: spin spin-1 (spin_wheel in room demo)"),
        "{out}"
    );

    let tampered = EXAMPLE.replace("\"nonce\": 0", "\"nonce\": 1");
    let nonce = write(dir.path(), "nonce.json", &tampered);
    let (code, out, _) = run(&[&nonce]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("unfair: "), "{out}");
    assert!(
        out.contains("  - draw words: the receipt lists [438503725 (cursor 0, word 0)]"),
        "{out}"
    );

    // The seed given on the command line wins over the receipt's.
    let (code, out, _) = run(&[&fair, "--seed", &"11".repeat(32)]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("  - server seed: its SHA-256 is "), "{out}");

    let unsealed = EXAMPLE.replace(&format!("  \"serverSeed\": \"{SEED}\",\n"), "");
    let unsealed = write(dir.path(), "unsealed.json", &unsealed);
    let (code, _, err) = run(&[&unsealed]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("has no serverSeed"), "{err}");
    let (code, out, _) = run(&[&unsealed, "--seed", SEED]);
    assert_eq!(code, 0, "{out}");

    let (code, _, err) = run(&[&unsealed, "--seed", "abc"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("the server seed: a server seed is 64 hex digits"),
        "{err}"
    );

    let broken = write(
        dir.path(),
        "broken.json",
        &EXAMPLE.replace("\"tier\": 1", "\"tier\": -1"),
    );
    let (code, _, err) = run(&[&broken]);
    assert_eq!(code, 2);
    assert!(err.contains("not a receipt: tier: "), "{err}");

    let (code, _, err) = run(&["/nonexistent/receipt.json"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot read /nonexistent/receipt.json"),
        "{err}"
    );

    let (code, _, err) = run(&["spin-1", "--server", "http://127.0.0.1:9"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot reach http://127.0.0.1:9/api/v1/spins/spin-1"),
        "{err}"
    );
}
