//! `cuedeck serve migrate --from FILE --to postgres://…`: the move of a
//! SQLite database into PostgreSQL, checked, then rebuilt on the target as
//! the server would on start.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use crate::store::migrate::{self, Check};
use crate::store::{Database, Store, StoreOptions};

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("cuedeck serve migrate: {message}");
    ExitCode::from(2)
}

pub fn run(from: &Path, to: &str) -> ExitCode {
    let target = match Database::parse(to) {
        Ok(target) => target,
        Err(err) => return fail(err),
    };
    println!(
        "cuedeck serve migrate: {} -> {}",
        from.display(),
        target.describe()
    );
    let started = Instant::now();
    let moved = match migrate::copy(from, &target) {
        Ok(moved) => moved,
        Err(err) => return fail(err),
    };
    let total: u64 = moved.rows.iter().map(|(_, n)| n).sum();
    println!(
        "  copied {total} rows of {} tables in one transaction ({} ms)",
        moved.rows.len(),
        started.elapsed().as_millis()
    );
    let checks = match migrate::compare(from, &target) {
        Ok(checks) => checks,
        Err(err) => return fail(err),
    };
    for Check { what, same, detail } in &checks {
        let verdict = if *same { "same" } else { "DIFFERENT" };
        println!("  {what}: {verdict}: {detail}");
    }
    if checks.iter().any(|c| !c.same) {
        eprintln!(
            "cuedeck serve migrate: the copy differs from the SQLite database; do not serve on it"
        );
        return ExitCode::FAILURE;
    }
    // What the server does on start: replay the log and verify it against
    // the copied postings and events.
    match Store::open(target.clone(), StoreOptions::default()) {
        Ok((store, engine)) => {
            println!(
                "  rebuilt on PostgreSQL: the command log replays and agrees with the copied postings and events ({} items)",
                engine.items().len()
            );
            store.close();
        }
        Err(err) => {
            eprintln!("cuedeck serve migrate: the copy does not rebuild: {err}");
            return ExitCode::FAILURE;
        }
    }
    println!(
        "cuedeck serve migrate: done; serve it with `cuedeck serve --db {}`",
        target.describe()
    );
    ExitCode::SUCCESS
}
