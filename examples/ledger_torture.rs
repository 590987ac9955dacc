//! Crash consistency under SIGKILL.
//!
//! `cargo run --release --example ledger_torture -- --rounds N [--seed S] [--db postgres://…]`
//!
//! Without `--db` it works on a SQLite file in a temporary directory; with a
//! PostgreSQL URL it works on that (empty) database.
//!
//! Each round starts a child process that writes intakes (and some starts,
//! finishes and refunds) under load, printing each idempotency key once its
//! commit is acknowledged. The parent kills the child with SIGKILL at a
//! random moment, reopens the database (which replays and verifies it), and
//! checks that no acknowledged key was lost, no retried key held twice and
//! the ledger still balances. The next round's child first retries keys
//! around where the last one died, with the same payloads.
//!
//! It ends with one line, and exits non-zero on any violation:
//! `rounds=N acked=A lost=0 duplicated=0 imbalance=0`

use std::io::{BufRead, BufReader, Write};
use std::process::{Command as Process, ExitCode, Stdio};

use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::{Actor, Command, ItemId, RefundReason, Request, Role, Stamp};
use cuedeck::service::QueueService;
use cuedeck::store::{Ack, Database, Store, StoreOptions};
use rand::{RngExt, SeedableRng};

const ROOM: &str = "torture";
const PERFORMER: &str = "perf";
const USERS: u64 = 8;
const PIPELINE: usize = 32;
/// A child whose parent vanished stops by itself after this many intakes.
const MAX_INTAKES_PER_ROUND: u64 = 50_000;

/// What a child is asked to do; passed through the environment.
pub struct ChildTask {
    /// A SQLite path or a PostgreSQL URL.
    pub db: String,
    pub round: u64,
    /// Keys of the previous round to retry first: indexes `from..to`.
    pub retry: (u64, u64),
}

impl ChildTask {
    pub fn to_env(&self, cmd: &mut Process) {
        cmd.env("CUEDECK_TORTURE_DB", &self.db)
            .env("CUEDECK_TORTURE_ROUND", self.round.to_string())
            .env(
                "CUEDECK_TORTURE_RETRY",
                format!("{}..{}", self.retry.0, self.retry.1),
            );
    }

    pub fn from_env() -> Option<Self> {
        let db = std::env::var("CUEDECK_TORTURE_DB").ok()?;
        let round = std::env::var("CUEDECK_TORTURE_ROUND").ok()?.parse().ok()?;
        let retry = std::env::var("CUEDECK_TORTURE_RETRY").ok()?;
        let (from, to) = retry.split_once("..")?;
        Some(ChildTask {
            db,
            round,
            retry: (from.parse().ok()?, to.parse().ok()?),
        })
    }
}

fn key(round: u64, index: u64) -> String {
    format!("r{round}-i{index}")
}

/// The same key always means the same payload, so a retry is a true retry.
fn intake_for(key: &str) -> Request {
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let user = format!("user-{}", hash % USERS);
    Request::new(PayloadBuilder::new(PERFORMER, &user, key, 1 + hash % 40).queued(ROOM))
}

/// The child: write until killed. Prints `ack KEY` after each commit.
pub fn run_child(task: &ChildTask) -> Result<(), String> {
    let db = Database::parse(&task.db).map_err(|e| e.to_string())?;
    let mut service = QueueService::open(db, StoreOptions::default()).map_err(|e| e.to_string())?;
    let now = Stamp::now;
    let setup = |service: &mut QueueService, key: &str, command: Command| {
        service
            .execute(now(), Request::keyed(key, command))
            .map_err(|e| e.to_string())?
            .wait()
            .map_err(|e| e.to_string())
            .map(drop)
    };
    setup(
        &mut service,
        "setup-room",
        Command::CreateRoom {
            room: ROOM.into(),
            performer: PERFORMER.into(),
        },
    )?;
    setup(
        &mut service,
        "setup-live",
        Command::BroadcastStart { room: ROOM.into() },
    )?;
    for user in 0..USERS {
        let mint = Command::Mint {
            user: format!("user-{user}").as_str().into(),
            amount: 1_000_000,
        };
        setup(&mut service, &format!("mint-{}-{user}", task.round), mint)?;
    }

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut in_flight: std::collections::VecDeque<(Option<String>, Ack)> = Default::default();
    let mut drain = |in_flight: &mut std::collections::VecDeque<(Option<String>, Ack)>,
                     keep: usize|
     -> Result<(), String> {
        while in_flight.len() > keep {
            let (key, ack) = in_flight.pop_front().expect("non-empty");
            ack.wait().map_err(|e| e.to_string())?;
            if let Some(key) = key {
                writeln!(out, "ack {key}")
                    .and_then(|_| out.flush())
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    };

    let retries = (task.retry.0..task.retry.1).map(|i| key(task.round.saturating_sub(1), i));
    let fresh = (0..MAX_INTAKES_PER_ROUND).map(|i| key(task.round, i));
    let performer = Actor::new(Role::Performer, PERFORMER);
    for (n, key) in retries.chain(fresh).enumerate() {
        if let Ok(ack) = service.execute(now(), intake_for(&key)) {
            in_flight.push_back((Some(key), ack));
        }
        // Keep the queue moving: money flows to earned and back to wallets too.
        let extra = match n % 10 {
            3 => Some(Command::Start {
                room: ROOM.into(),
                item: None,
                by: performer.clone(),
            }),
            6 => Some(Command::Finish {
                room: ROOM.into(),
                item: None,
                by: performer.clone(),
            }),
            8 => service
                .engine()
                .queue(&ROOM.into())
                .last()
                .map(|&item: &ItemId| Command::Refund {
                    room: ROOM.into(),
                    item,
                    amount: Some(1),
                    reason: RefundReason::Goodwill,
                    note: None,
                    by: performer.clone(),
                }),
            _ => None,
        };
        if let Some(command) = extra
            && let Ok(ack) = service.execute(now(), Request::new(command))
        {
            in_flight.push_back((None, ack));
        }
        drain(&mut in_flight, PIPELINE)?;
    }
    drain(&mut in_flight, 0)
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub rounds: u64,
    pub acked: u64,
    pub lost: u64,
    pub duplicated: u64,
    pub imbalance: u64,
}

impl Report {
    pub fn line(&self) -> String {
        format!(
            "rounds={} acked={} lost={} duplicated={} imbalance={}",
            self.rounds, self.acked, self.lost, self.duplicated, self.imbalance
        )
    }

    pub fn clean(&self) -> bool {
        self.lost == 0 && self.duplicated == 0 && self.imbalance == 0
    }
}

/// The parent: `rounds` children, each killed at a random moment, with a
/// full verification after each, on the database at `db` (a SQLite path
/// or a PostgreSQL URL). `child` builds the child's command line.
pub fn run_parent(
    rounds: u64,
    seed: u64,
    db: &str,
    child: &dyn Fn() -> Process,
) -> Result<Report, String> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut acked: Vec<String> = Vec::new();
    let mut report = Report {
        rounds,
        ..Report::default()
    };
    let mut last_index: u64 = 0;

    for round in 0..rounds {
        let retry = if round == 0 {
            (0, 0)
        } else {
            (last_index.saturating_sub(16), last_index + 48)
        };
        let mut cmd = child();
        ChildTask {
            db: db.to_string(),
            round,
            retry,
        }
        .to_env(&mut cmd);
        let mut process = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the child: {e}"))?;
        let kill_after: u64 = rng.random_range(1..=400);
        let mut seen = 0u64;
        let stdout = process.stdout.take().expect("piped");
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let Some(key) = line.strip_prefix("ack ") else {
                continue;
            };
            if let Some(index) = key
                .strip_prefix(&format!("r{round}-i"))
                .and_then(|i| i.parse().ok())
            {
                last_index = last_index.max(index);
            }
            acked.push(key.to_string());
            seen += 1;
            if seen >= kill_after {
                break;
            }
        }
        // Child::kill sends SIGKILL: no destructors, no flush, mid-transaction.
        let _ = process.kill();
        let status = process.wait().map_err(|e| e.to_string())?;
        if seen < kill_after {
            let mut err = String::new();
            if let Some(mut stderr) = process.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut stderr, &mut err);
            }
            return Err(format!(
                "round {round}: the child stopped by itself ({status}) after {seen} acks: {err}"
            ));
        }

        let opened = Database::parse(db).and_then(|db| Store::open(db, StoreOptions::default()));
        match opened {
            Ok((store, _engine)) => {
                let reader = store.reader().map_err(|e| e.to_string())?;
                report.lost = acked
                    .iter()
                    .filter(|k| !reader.has_key(k).unwrap_or(false))
                    .count() as u64;
                report.duplicated = reader
                    .keys_with_several_holds()
                    .map_err(|e| e.to_string())?
                    .len() as u64;
                let sums = reader.unit_sums().map_err(|e| e.to_string())?;
                report.imbalance += sums.iter().filter(|(_, sum)| *sum != 0).count() as u64;
                store.close();
            }
            Err(err) => {
                eprintln!("round {round}: the database did not verify: {err}");
                report.imbalance += 1;
            }
        }
        if !report.clean() {
            break;
        }
    }
    report.acked = acked.len() as u64;
    Ok(report)
}

fn arg(args: &[String], name: &str) -> Option<u64> {
    text_arg(args, name)?.parse().ok()
}

fn text_arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).map(String::as_str)
}

#[allow(dead_code)] // the test harness includes this file for its functions
fn main() -> ExitCode {
    if let Some(task) = ChildTask::from_env() {
        return match run_child(&task) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("child: {err}");
                ExitCode::FAILURE
            }
        };
    }
    let args: Vec<String> = std::env::args().collect();
    let rounds = arg(&args, "--rounds").unwrap_or(20);
    let seed = arg(&args, "--seed").unwrap_or(1);
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => {
            eprintln!("cannot make a temporary directory: {err}");
            return ExitCode::FAILURE;
        }
    };
    let me = match std::env::current_exe() {
        Ok(me) => me,
        Err(err) => {
            eprintln!("cannot find this program: {err}");
            return ExitCode::FAILURE;
        }
    };
    let db = match text_arg(&args, "--db") {
        Some(url) => url.to_string(),
        None => dir.path().join("torture.db").display().to_string(),
    };
    match run_parent(rounds, seed, &db, &|| Process::new(&me)) {
        Ok(report) => {
            println!("{}", report.line());
            if report.clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(err) => {
            eprintln!("ledger_torture: {err}");
            ExitCode::from(2)
        }
    }
}
