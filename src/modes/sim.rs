//! `cuedeck sim`: a simulated audience against a running server, and load
//! mode for the benchmarks. Exit codes: 0 done, 1 a failure at run time
//! (the server is not there, it failed, or it broke a rule the simulator
//! checks), 2 a usage or configuration error (bad URL, bad scenario, a
//! token that may not do what is needed).

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use tokio::sync::watch;

use crate::cli::SimArgs;
use crate::client::ServerList;
use crate::paths::Paths;
use crate::sim::load::{self, LoadOptions};
use crate::sim::{self, Pace, Scenario, SimError, SimOptions, Summary};

fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("cuedeck sim: {message}");
    ExitCode::from(code)
}

fn usage(message: impl std::fmt::Display) -> ExitCode {
    fail(2, message)
}

/// What the command line asks for, checked.
struct Plan {
    server: ServerList,
    room: String,
    token: String,
    pace: Pace,
}

fn plan(args: &SimArgs) -> Result<Plan, String> {
    let server = args
        .server
        .as_deref()
        .ok_or("--server is required (or CUEDECK_SERVER), e.g. --server http://127.0.0.1:7070")?;
    let server = ServerList::parse(server).map_err(|e| e.to_string())?;
    let room = args
        .room
        .clone()
        .ok_or("--room is required: the room to fill with viewers")?;
    let token = args
        .token
        .clone()
        .filter(|t| !t.is_empty())
        .ok_or("--token (or CUEDECK_TOKEN) is required: an admin token")?;
    let pace = match args.speed.as_str() {
        "max" => Pace::Max,
        text => match text.parse::<f64>() {
            Ok(speed) if speed.is_finite() && speed > 0.0 => Pace::RealTime { speed },
            _ => {
                return Err(format!(
                    "--speed {text:?}: give a number above 0 (1 is real time) or `max`"
                ));
            }
        },
    };
    if pace == Pace::Max && args.seconds.is_none() && !args.load {
        return Err("--speed max needs --seconds: without an end it would never stop".into());
    }
    Ok(Plan {
        server,
        room,
        token,
        pace,
    })
}

pub fn run(args: SimArgs) -> ExitCode {
    let plan = match plan(&args) {
        Ok(plan) => plan,
        Err(message) => return usage(message),
    };
    let paths = Paths::discover();
    let _log = crate::logging::to_file(&paths.log_dir, "sim").ok();
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(err) => return fail(1, err),
    };
    runtime.block_on(async move {
        let (stop, cancel) = watch::channel(false);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("cuedeck sim: stopping (Ctrl-C again to quit at once)");
                let _ = stop.send(true);
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        });
        if args.load {
            run_load(args, plan, cancel).await
        } else {
            run_room(args, plan, cancel).await
        }
    })
}

async fn run_room(args: SimArgs, plan: Plan, cancel: watch::Receiver<bool>) -> ExitCode {
    let scenario = match Scenario::load(&args.scenario) {
        Ok(scenario) => scenario,
        Err(err) => return usage(err),
    };
    let options = SimOptions {
        server: plan.server.clone(),
        room: plan.room.clone(),
        token: plan.token,
        viewers: args.viewers,
        rate_per_min: f64::from(args.rate),
        seed: args.seed,
        scenario,
        seconds: args.seconds.map(|s| s as f64),
        pace: plan.pace,
        performer: !args.no_performer,
        tag: None,
        inbox: args.inbox,
    };
    let pace = match plan.pace {
        Pace::Max => "as fast as the server answers".to_string(),
        Pace::RealTime { speed: 1.0 } => "in real time".to_string(),
        Pace::RealTime { speed } => format!("at {speed}x"),
    };
    let length = args
        .seconds
        .map_or("until Ctrl-C".to_string(), |s| format!("{s} s"));
    eprintln!(
        "cuedeck sim: room {} on {}: scenario {}, {} viewers, {}/min, seed {}, {length} {pace}",
        plan.room, plan.server, options.scenario.name, args.viewers, args.rate, args.seed
    );
    let (progress, watch_progress) = watch::channel(Summary::default());
    let reporter = match plan.pace {
        Pace::RealTime { .. } => Some(tokio::spawn(report_progress(watch_progress))),
        Pace::Max => None,
    };
    let (stop_spinners, spinners_stop) = watch::channel(false);
    let spinners = (args.spinners > 0).then(|| {
        let spin = sim::spins::SpinOptions {
            server: plan.server.clone(),
            room: plan.room.clone(),
            token: options.token.clone(),
            viewers: args.spinners,
            // As fast as possible, a bounded number; in real time, until the end.
            spins: match plan.pace {
                Pace::Max => Some(u64::from(args.spinners) * 50),
                Pace::RealTime { .. } => None,
            },
            seed: args.seed,
            pause_ms: match plan.pace {
                Pace::Max => 0,
                Pace::RealTime { speed } => (3_000.0 / speed.max(0.001)) as u64,
            },
            tag: format!("sim{}-{}-spin", args.seed, plan.room),
        };
        tokio::spawn(spin_when_live(spin, spinners_stop))
    });
    let result = sim::run_with_progress(options, cancel, Some(progress)).await;
    let _ = stop_spinners.send(true);
    if let Some(reporter) = reporter {
        reporter.abort();
    }
    let spun = match spinners {
        Some(task) => match task.await {
            Ok(Ok(summary)) => Some(summary.line()),
            Ok(Err(err)) => Some(format!("spinners stopped: {err}")),
            Err(err) => Some(format!("spinners stopped: {err}")),
        },
        None => None,
    };
    match result {
        Ok(summary) => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", summary.details());
            if args.inbox {
                let _ = writeln!(out, "messages {}", summary.inbox_line());
            }
            if let Some(spun) = spun {
                let _ = writeln!(out, "{spun}");
            }
            let _ = writeln!(out, "{}", summary.line());
            let _ = out.flush();
            if summary.anomalies > 0 {
                return fail(
                    1,
                    format!(
                        "{} anomalies: the server answered a retry differently, charged twice or \
                         took a reused key (see the log in {})",
                        summary.anomalies,
                        paths_log()
                    ),
                );
            }
            ExitCode::SUCCESS
        }
        Err(err) => exit(err),
    }
}

/// The spinners start once the simulator has made the room live.
async fn spin_when_live(
    options: sim::spins::SpinOptions,
    stop: watch::Receiver<bool>,
) -> Result<sim::spins::SpinSummary, sim::SimError> {
    let admin = crate::client::RestClient::new(options.server.clone(), &options.token);
    let room = crate::domain::RoomId::new(options.room.as_str());
    for _ in 0..100 {
        if *stop.borrow() {
            return Ok(sim::spins::SpinSummary::default());
        }
        if admin.snapshot(&room).await.is_ok_and(|s| s.live) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    sim::spins::run(options, stop).await
}

fn paths_log() -> String {
    Paths::discover().log_dir.display().to_string()
}

/// Every 10 s of wall time, the counts so far (on stderr; stdout keeps the
/// summary alone).
async fn report_progress(mut progress: watch::Receiver<Summary>) {
    let began = tokio::time::Instant::now();
    let mut every = tokio::time::interval(Duration::from_secs(10));
    every.tick().await;
    loop {
        every.tick().await;
        let line = progress.borrow_and_update().progress();
        eprintln!("[{:>5}s] {line}", began.elapsed().as_secs());
    }
}

async fn run_load(args: SimArgs, plan: Plan, cancel: watch::Receiver<bool>) -> ExitCode {
    let options = LoadOptions {
        server: plan.server.clone(),
        room: plan.room.clone(),
        token: plan.token,
        rooms: args.rooms,
        viewers: args.viewers,
        rate_per_min: f64::from(args.rate),
        seconds: args.seconds.unwrap_or(10) as f64,
        seed: args.seed,
        concurrency: args.concurrency,
        tag: None,
    };
    eprintln!(
        "cuedeck sim --load: {} rooms ({}-1..) on {}, {} viewers each, {}/min for {} s, \
         at most {} in flight",
        options.rooms,
        plan.room,
        plan.server,
        options.viewers,
        args.rate,
        options.seconds,
        options.concurrency
    );
    match load::run(options, cancel).await {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(err) => exit(err),
    }
}

fn exit(err: SimError) -> ExitCode {
    fail(err.exit_code(), err)
}
