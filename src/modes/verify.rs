//! `cuedeck verify RECEIPT`: recompute a spin from its receipt and the
//! revealed server seed. Exit code 0 fair, 1 unfair, 2 unreadable input.
//! `--room` and `--viewer` check many spins (`verify_server`).

use std::process::ExitCode;

use crate::cli::VerifyArgs;
use crate::games::{Receipt, ServerSeed, Verdict, verify};

const UNFAIR: u8 = 1;
const BAD_INPUT: u8 = 2;

pub fn run(args: VerifyArgs) -> ExitCode {
    if let (Some(server), Some(room)) = (&args.server, &args.room) {
        return super::verify_server::run_room(server, room, args.game.as_deref());
    }
    if let (Some(server), true) = (&args.server, args.viewer) {
        return super::verify_server::run_viewer(server, args.token.clone());
    }
    // clap requires the receipt unless --room or --viewer is given.
    let receipt = args.receipt.clone().unwrap_or_default();
    if let Some(server) = &args.server {
        return match fetch(server, &receipt) {
            Ok((receipt, seed_hex)) => judge(&receipt, args.seed.as_deref().unwrap_or(&seed_hex)),
            Err(problem) => {
                eprintln!("cuedeck verify: {problem}");
                ExitCode::from(BAD_INPUT)
            }
        };
    }
    match check_file(&receipt, args.seed.as_deref()) {
        Ok((receipt, verdict)) => verdict_exit(&receipt, &verdict),
        Err(problem) => {
            eprintln!("cuedeck verify: {problem}");
            ExitCode::from(BAD_INPUT)
        }
    }
}

fn verdict_exit(receipt: &Receipt, verdict: &Verdict) -> ExitCode {
    print!("{}", report(receipt, verdict));
    if verdict.is_fair() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(UNFAIR)
    }
}

fn judge(receipt: &Receipt, seed_hex: &str) -> ExitCode {
    match ServerSeed::from_hex(seed_hex) {
        Ok(seed) => verdict_exit(receipt, &verify(receipt, &seed)),
        Err(e) => {
            eprintln!("cuedeck verify: the server seed: {e}");
            ExitCode::from(BAD_INPUT)
        }
    }
}

/// The spin's receipt from the server, and the seed the server published
/// for its commitment (from the game's list of revealed seeds, not from
/// the receipt itself).
fn fetch(server: &str, spin: &str) -> Result<(Receipt, String), String> {
    let fetcher = super::verify_server::Fetcher::new(server, None)?;
    if crate::domain::ids::id_problem(spin).is_some() {
        return Err(format!("{spin:?} is not a spin id"));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let text = fetcher
            .text(&format!("/api/v1/spins/{spin}"))
            .await
            .map_err(|e| e.message)?;
        let receipt =
            Receipt::from_json(&text).map_err(|e| format!("the server's receipt: {e}"))?;
        let fairness: crate::games::api::Fairness = fetcher
            .json(&format!(
                "/api/v1/rooms/{}/games/{}/fairness",
                receipt.room, receipt.game
            ))
            .await
            .map_err(|e| e.message)?;
        let revealed = fairness
            .revealed
            .iter()
            .find(|r| r.commitment == receipt.server_seed_commitment)
            .ok_or_else(|| {
                format!(
                    "the seed behind commitment {} is not revealed yet: the performer rotates \
                     it (and it rotates at the end of the broadcast); try again then",
                    receipt.server_seed_commitment
                )
            })?;
        Ok((receipt, revealed.server_seed.clone()))
    })
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
