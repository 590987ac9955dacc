//! `cuedeck verify RECEIPT`: recompute a spin from its receipt and the
//! revealed server seed. Exit code 0 fair, 1 unfair, 2 unreadable input.

use std::process::ExitCode;

use crate::cli::VerifyArgs;
use crate::games::{Receipt, ServerSeed, Verdict, verify};

const UNFAIR: u8 = 1;
const BAD_INPUT: u8 = 2;

pub fn run(args: VerifyArgs) -> ExitCode {
    if let Some(server) = &args.server {
        eprintln!(
            "cuedeck verify: --server {server}: fetching spin {} needs a server that serves \
             receipts and revealed seeds, which this version has not; save the receipt as a \
             file and run `cuedeck verify FILE`",
            args.receipt
        );
        return ExitCode::from(BAD_INPUT);
    }
    match check_file(&args.receipt, args.seed.as_deref()) {
        Ok((receipt, verdict)) => {
            print!("{}", report(&receipt, &verdict));
            if verdict.is_fair() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(UNFAIR)
            }
        }
        Err(problem) => {
            eprintln!("cuedeck verify: {problem}");
            ExitCode::from(BAD_INPUT)
        }
    }
}

/// Read the receipt and the seed (`--seed` first, else the receipt's own);
/// an error says what could not be read.
fn check_file(path: &str, seed: Option<&str>) -> Result<(Receipt, Verdict), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let receipt = Receipt::from_json(&text).map_err(|e| format!("{path}: not a receipt: {e}"))?;
    let seed_hex = match (seed, receipt.server_seed.as_deref()) {
        (Some(given), _) => given,
        (None, Some(in_receipt)) => in_receipt,
        (None, None) => {
            return Err(format!(
                "{path} has no serverSeed: the seed is revealed when the performer rotates it; \
                 pass it with --seed HEX"
            ));
        }
    };
    let seed = ServerSeed::from_hex(seed_hex).map_err(|e| format!("the server seed: {e}"))?;
    let verdict = verify(&receipt, &seed);
    Ok((receipt, verdict))
}

/// What the terminal shows: the verdict first, then the spin, then each
/// mismatch on its own line.
fn report(receipt: &Receipt, verdict: &Verdict) -> String {
    let word = if verdict.is_fair() { "fair" } else { "unfair" };
    let mut out = format!(
        "{word}: spin {} ({} in room {}), tier {} for {} tokens, nonce {}, prize #{} {:?} (rank {})\n",
        receipt.spin_id,
        receipt.game,
        receipt.room,
        receipt.tier,
        receipt.cost,
        receipt.nonce,
        receipt.prize.id,
        receipt.prize.title,
        receipt.prize.rank,
    );
    match verdict {
        Verdict::Fair => out.push_str(&format!(
            "  the seed matches commitment {}, the config matches hash {}, \
             and value {} of {} gives that prize\n",
            receipt.server_seed_commitment,
            receipt.config_hash,
            receipt.draw.value,
            receipt.draw.total
        )),
        Verdict::Unfair(mismatches) => {
            for mismatch in mismatches {
                out.push_str(&format!("  - {mismatch}\n"));
            }
        }
    }
    out
}
