//! Hardware mode: `cuedeck toy scan | test | info`.
//!
//! The transcript (`-> Vibrate:5;`, `<- OK;`) goes to stdout; errors to
//! stderr. Exit codes: 0 done, 1 the toy failed us, 2 no Bluetooth service
//! or no adapter.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast;
use tokio::time::{Instant, sleep_until};

use super::ble::{self, BleError};
use super::connect::{ConnectError, Which, connect};
use super::device::{DriverConfig, ToyEvent, ToyHandle};
use super::identify::Identity;
use super::scheduler::{SchedulerConfig, Stopper, install_panic_hook, spawn_scheduler};
use crate::cli::{ToyArgs, ToyCommand, ToyPattern, ToyTarget};
use crate::domain::ids::ItemId;
use crate::domain::toy_effect::{Pattern, Timing, ToyEffect};

/// `DeviceType;` is asked this often, this far apart, before the name is used.
const IDENTIFY_TRIES: u32 = 3;
const IDENTIFY_EVERY: Duration = Duration::from_millis(500);

pub fn run(args: ToyArgs) -> ExitCode {
    init_logging();
    // Two workers: a panic on one leaves the other to deliver the stop.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cuedeck toy: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        match args.command {
            ToyCommand::Scan { seconds } => scan(seconds).await,
            ToyCommand::Test(t) => {
                test(&t.target, t.intensity, pattern(t.pattern), t.seconds).await
            }
            ToyCommand::Info(target) => info(&target).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_missing_bluetooth() => {
            eprintln!("cuedeck toy: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("cuedeck toy: {e}");
            ExitCode::from(1)
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Ble(#[from] BleError),
    #[error(transparent)]
    Connect(#[from] ConnectError),
}

impl Failure {
    fn is_missing_bluetooth(&self) -> bool {
        match self {
            Failure::Ble(e) => matches!(e, BleError::NoBluetoothService(_) | BleError::NoAdapter),
            Failure::Connect(e) => e.is_missing_bluetooth(),
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CUEDECK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // Another subscriber already set is fine.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn pattern(p: ToyPattern) -> Pattern {
    match p {
        ToyPattern::Constant => Pattern::Constant,
        ToyPattern::Pulse => Pattern::Pulse,
        ToyPattern::Wave => Pattern::Wave,
        ToyPattern::Ramp => Pattern::Ramp,
    }
}

async fn scan(seconds: u64) -> Result<(), Failure> {
    let adapter = ble::first_adapter().await?;
    println!("Scanning for Lovense toys for {seconds} s...");
    let found = ble::scan(&adapter, Duration::from_secs(seconds)).await?;
    if found.is_empty() {
        println!("No Lovense toy found. Is it on, charged, and not connected to another app?");
        return Ok(());
    }
    println!("{:<16} {:<18} {:>5}  MODEL", "NAME", "ADDRESS", "RSSI");
    for f in found {
        let rssi = f.rssi.map_or_else(|| "?".to_owned(), |r| r.to_string());
        let model = f
            .identity
            .map_or_else(|| "unknown".to_owned(), |i| describe(&i));
        println!("{:<16} {:<18} {:>5}  {model}", f.name, f.address, rssi);
    }
    Ok(())
}

fn describe(i: &Identity) -> String {
    let caps = i.capabilities();
    let mut what = format!(
        "{} ({} vibrator{}",
        i.model,
        caps.vibrators,
        if caps.vibrators == 1 { "" } else { "s" }
    );
    if caps.rotate {
        what.push_str(", rotation");
    }
    if caps.air {
        what.push_str(", air");
    }
    what.push(')');
    if let Some(fw) = i.firmware {
        what.push_str(&format!(", firmware {fw}"));
    }
    what
}

/// Connects to the chosen toy and starts its driver.
async fn open(target: &ToyTarget) -> Result<(ToyHandle, broadcast::Receiver<ToyEvent>), Failure> {
    let which = if target.virtual_toy {
        Which::Virtual
    } else {
        Which::Bluetooth(target.device.clone())
    };
    let connected = connect(&which, DriverConfig::default()).await?;
    println!("# toy: {}", connected.description);
    Ok((connected.toy, connected.events))
}

/// Prints every transcript line waiting in `events`; true once closed.
fn print_pending(events: &mut broadcast::Receiver<ToyEvent>) -> bool {
    loop {
        match events.try_recv() {
            Ok(event) => {
                if print_event(&event) {
                    return true;
                }
            }
            Err(broadcast::error::TryRecvError::Lagged(n)) => println!("!! {n} lines skipped"),
            Err(broadcast::error::TryRecvError::Empty) => return false,
            Err(broadcast::error::TryRecvError::Closed) => return true,
        }
    }
}

fn print_event(event: &ToyEvent) -> bool {
    match event {
        ToyEvent::Sent(cmd) => println!("-> {cmd}"),
        ToyEvent::Received(reply) => println!("<- {reply}"),
        ToyEvent::BadReply(e) => println!("!! bad reply: {e}"),
        ToyEvent::Refused(cmd) => println!("!! refused: {cmd}"),
        ToyEvent::NoReply(cmd) => println!("!! no reply to {cmd}"),
        ToyEvent::WriteFailed(cmd) => println!("!! write failed: {cmd}"),
        ToyEvent::Disconnected => println!("!! disconnected"),
        ToyEvent::Reconnected => println!("!! reconnected"),
        ToyEvent::Closed => return true,
    }
    false
}

/// Prints transcript lines as they come until `until`.
async fn print_until(events: &mut broadcast::Receiver<ToyEvent>, until: Instant) {
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(event) => {
                    if print_event(&event) {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => println!("!! {n} lines skipped"),
                Err(broadcast::error::RecvError::Closed) => return,
            },
            () = sleep_until(until) => return,
        }
    }
}

async fn identify(toy: &ToyHandle, events: &mut broadcast::Receiver<ToyEvent>) -> Identity {
    let identity = toy
        .identify(toy.label(), IDENTIFY_TRIES, IDENTIFY_EVERY)
        .await;
    print_pending(events);
    identity
}

async fn test(
    target: &ToyTarget,
    intensity: u8,
    pattern: Pattern,
    seconds: u64,
) -> Result<(), Failure> {
    let (toy, mut events) = open(target).await?;
    install_panic_hook(Stopper::for_toys(vec![toy.clone()]));
    let identity = identify(&toy, &mut events).await;
    println!(
        "# {}; running {pattern:?} at {intensity} for {seconds} s",
        describe(&identity)
    );

    // The same path as a show: a one-effect item through the scheduler.
    let scheduler = spawn_scheduler(SchedulerConfig::default());
    scheduler.add_toy(toy.clone());
    let d_ms = seconds * 1000;
    let effect = ToyEffect {
        enabled: true,
        timing: Timing::Start,
        intensity: Some(intensity),
        duration_ms: Some(d_ms),
        device_vendor: None,
        pattern: Some(pattern),
    };
    let start = Instant::now();
    scheduler.item_started(ItemId(0), start, d_ms, Arc::from([effect]));
    let end = start + Duration::from_millis(d_ms + 150);
    tokio::select! {
        () = print_until(&mut events, end) => {}
        _ = tokio::signal::ctrl_c() => {
            println!("# interrupted: stopping");
            scheduler.panic_stop();
        }
    }
    // Stops every toy with a final `Vibrate:0;` and waits for its `OK;`.
    scheduler.exit().await;
    print_until(&mut events, Instant::now() + Duration::from_secs(2)).await;
    Ok(())
}

async fn info(target: &ToyTarget) -> Result<(), Failure> {
    let (toy, mut events) = open(target).await?;
    install_panic_hook(Stopper::for_toys(vec![toy.clone()]));
    let identity = identify(&toy, &mut events).await;
    let battery = toy.battery().await;
    print_pending(&mut events);
    toy.shutdown().await;
    print_until(&mut events, Instant::now() + Duration::from_secs(2)).await;
    println!("model:    {}", describe(&identity));
    match identity.source {
        super::identify::Source::DeviceType => println!("source:   DeviceType reply"),
        super::identify::Source::Name => {
            println!("source:   advertised name (no DeviceType reply)")
        }
    }
    match battery {
        Ok(percent) => println!("battery:  {percent} %"),
        Err(e) => println!("battery:  unknown ({e})"),
    }
    Ok(())
}
