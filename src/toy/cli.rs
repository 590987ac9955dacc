//! Hardware mode: `cuedeck toy scan | test | info`.
//!
//! The transcript (`-> Vibrate:5;`, `<- OK;`) goes to stdout; errors to
//! stderr. Exit codes: 0 done, 1 the toy failed us, 2 no Bluetooth service
//! or no adapter, or Lovense Remote / Intiface Central not reachable. The command line's own types live in `crate::cli`, which
//! converts them into the `Request` below.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::ble::{self, BleError};
use super::cli_transcript::Transcript;
use super::connect::{ConnectError, Connected, Which, connect};
use super::device::DriverConfig;
use super::identify::{Identity, Source};
use super::intiface::{self, IntifaceError};
use super::outputs;
use super::pattern_file::{PatternError, PatternFile};
use super::plan::Shape;
use super::remote::{HttpPoster, list_toys};
use super::remote_api::RemoteError;
use super::scheduler::{SchedulerConfig, Stopper, install_panic_hook, spawn_scheduler};
use crate::domain::ids::ItemId;
use crate::domain::toy_effect::{Pattern, Timing, ToyEffect};

/// What hardware mode is asked to do; every toy is named by the one
/// selector, [`Which`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Bluetooth for `seconds`, or the toys Lovense Remote or Intiface
    /// Central reports (Intiface scans for `seconds` too).
    Scan {
        seconds: u64,
        backend: Which,
    },
    Test(TestRequest),
    Info(Which),
}

/// What `toy test` plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestShape {
    Builtin(Pattern),
    /// The toy's own stored pattern (`Preset:N;`).
    Preset(u8),
    /// A Lovense pattern file (`V:1;F:v;S:100#...`).
    File(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestRequest {
    pub target: Which,
    pub intensity: u8,
    pub shape: TestShape,
    pub seconds: u64,
    /// Reverse the rotation half way (`RotateChange;`), on toys that rotate.
    pub reverse: bool,
}

pub fn run(request: Request) -> ExitCode {
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
        match request {
            Request::Scan { seconds, backend } => match backend {
                Which::Remote { base, .. } => scan_remote(&base).await,
                Which::Intiface { url, .. } => scan_intiface(&url, seconds).await,
                Which::Virtual | Which::VirtualModel(_) | Which::Bluetooth(_) => {
                    scan(seconds).await
                }
            },
            Request::Test(t) => test(&t).await,
            Request::Info(target) => info(&target).await,
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
    #[error(transparent)]
    Pattern(#[from] PatternError),
    #[error(transparent)]
    Remote(#[from] RemoteError),
    #[error(transparent)]
    Intiface(#[from] IntifaceError),
    /// The toy or the app refused commands during the test.
    #[error("{0}")]
    Refused(String),
}

impl Failure {
    fn is_missing_bluetooth(&self) -> bool {
        match self {
            Failure::Ble(e) => matches!(e, BleError::NoBluetoothService(_) | BleError::NoAdapter),
            Failure::Connect(e) => e.is_missing_bluetooth(),
            Failure::Pattern(_) | Failure::Refused(_) => false,
            Failure::Remote(e) => matches!(e, RemoteError::Unreachable(_) | RemoteError::Timeout),
            Failure::Intiface(e) => e.is_unreachable(),
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CUEDECK_LOG")
        // The buttplug crates complain about a link we close on purpose;
        // cuedeck reports what matters itself.
        .unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new(
                "warn,buttplug_client=off,buttplug_core=error,buttplug_transport_websocket_tungstenite=error",
            )
        });
    // Another subscriber already set is fine.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
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
        let mut model = f
            .identity
            .as_ref()
            .map_or_else(|| "unknown".to_owned(), describe);
        if let Some(layout) = f.layout {
            model.push_str(&format!(" · {}", describe_layout(&layout)));
        }
        if let Some(i) = &f.identity {
            model.push_str(&format!(" · {}", describe_outputs(i)));
        }
        println!("{:<16} {:<18} {:>5}  {model}", f.name, f.address, rssi);
    }
    Ok(())
}

async fn scan_remote(base: &str) -> Result<(), Failure> {
    let poster = HttpPoster::new(base)?;
    let toys = list_toys(&poster).await?;
    if toys.is_empty() {
        println!("Lovense Remote at {base} reports no toy. Is one paired and switched on?");
        return Ok(());
    }
    println!(
        "{:<14} {:<10} {:>7}  {:<12}  MODEL",
        "ID", "NAME", "BATTERY", "STATUS"
    );
    for t in toys {
        let status = if t.connected() {
            "connected"
        } else {
            "not connected"
        };
        let identity = Identity {
            model: t.spec().model,
            firmware: Some(t.firmware()),
            source: Source::Name,
        };
        println!(
            "{:<14} {:<10} {:>6}%  {:<12}  {} · {}",
            t.id,
            t.name,
            t.battery_percent(),
            status,
            describe(&identity),
            describe_outputs(&identity)
        );
    }
    Ok(())
}

async fn scan_intiface(url: &str, seconds: u64) -> Result<(), Failure> {
    let session = intiface::connect(url).await?;
    println!(
        "Connected to Intiface Central at {}; scanning for {seconds} s...",
        session.url
    );
    let devices = session.scan(Duration::from_secs(seconds)).await?;
    // Leave nothing running behind us, then leave.
    let _ = session.stop_all().await;
    session.disconnect().await;
    if devices.is_empty() {
        println!("Intiface Central reports no device. Is the toy on, and connected in Intiface?");
        return Ok(());
    }
    println!("{:>5}  {:<24}  OUTPUTS", "INDEX", "NAME");
    for d in devices {
        println!("{:>5}  {:<24}  {}", d.index, d.name, d.describe());
    }
    Ok(())
}

/// `Lush (1 vibrator), firmware 11`, `Nora (1 vibrator, rotation)`.
pub fn describe(i: &Identity) -> String {
    let caps = i.capabilities();
    let mut parts = Vec::new();
    if caps.vibrators > 0 {
        let s = if caps.vibrators == 1 { "" } else { "s" };
        parts.push(format!("{} vibrator{s}", caps.vibrators));
    }
    if caps.rotate {
        parts.push("rotation".to_owned());
    }
    if caps.air {
        parts.push("air".to_owned());
    }
    if caps.oscillate {
        parts.push("thrust".to_owned());
    }
    let mut what = format!("{} ({})", i.spec().name, parts.join(", "));
    if let Some(fw) = i.firmware {
        what.push_str(&format!(", firmware {fw}"));
    }
    what
}

/// `vibrate1 0..=20 (Vibrate1:N;), vibrate2 0..=20 (Vibrate2:N;)`.
pub fn describe_outputs(i: &Identity) -> String {
    let spec = i.spec();
    let parts: Vec<String> = spec
        .outputs
        .iter()
        .enumerate()
        .map(|(n, o)| format!("{o} ({})", outputs::command_of(spec, n)))
        .collect();
    parts.join(", ")
}

/// `vibrate 0..=20, rotate 0..=20`: a toy driven through another program,
/// whose own messages the transcript shows.
fn describe_ranges(i: &Identity) -> String {
    let parts: Vec<String> = i.spec().outputs.iter().map(ToString::to_string).collect();
    parts.join(", ")
}

fn describe_layout(l: &super::identify::GattLayout) -> String {
    let listed = if l.listed {
        ""
    } else {
        " (not in the public tables: tried)"
    };
    let generation = match l.generation {
        super::identify::Generation::One => 1,
        super::identify::Generation::Two => 2,
        super::identify::Generation::Three => 3,
    };
    format!(
        "gen {generation}, service {} tx {} rx {}{listed}",
        l.service, l.tx, l.rx
    )
}

/// Connects to the chosen toy and starts its driver.
async fn open(target: &Which) -> Result<Connected, Failure> {
    let connected = connect(target, DriverConfig::default()).await?;
    println!("# toy: {}", connected.description);
    Ok(connected)
}

/// The identification `connect` made, its lines printed.
fn identify(c: &Connected, transcript: &mut Transcript) -> Identity {
    transcript.print_pending();
    c.identity.clone()
}

fn shape_of(t: &TestRequest) -> Result<(Shape, String), Failure> {
    Ok(match &t.shape {
        TestShape::Builtin(p) => (Shape::Builtin(*p), format!("{p:?}")),
        TestShape::Preset(n) => (Shape::Preset(*n), format!("preset {n}")),
        TestShape::File(path) => {
            let file = PatternFile::load(path)?;
            let what = format!("pattern file {} ({} ms steps)", file.name, file.step_ms);
            (Shape::File(Arc::new(file)), what)
        }
    })
}

async fn test(t: &TestRequest) -> Result<(), Failure> {
    let (shape, what) = shape_of(t)?;
    let mut connected = open(&t.target).await?;
    let mut transcript = Transcript::new(&mut connected);
    let toy = connected.toy.clone();
    install_panic_hook(Stopper::for_toys(vec![toy.clone()]));
    let identity = identify(&connected, &mut transcript);
    println!(
        "# {}; running {what} at {} for {} s",
        describe(&identity),
        t.intensity,
        t.seconds
    );
    if transcript.own_wire {
        println!("# outputs: {}", describe_ranges(&identity));
    } else {
        println!("# outputs: {}", describe_outputs(&identity));
    }

    // The same path as a show: a one-effect item through the scheduler.
    let scheduler = spawn_scheduler(SchedulerConfig::default());
    scheduler.add_toy(toy.clone());
    let d_ms = t.seconds * 1000;
    let effect = ToyEffect {
        enabled: true,
        timing: Timing::Start,
        intensity: Some(t.intensity),
        duration_ms: Some(d_ms),
        device_vendor: None,
        pattern: None,
    };
    let start = Instant::now();
    scheduler.item_started_shaped(
        ItemId(0),
        start,
        d_ms,
        Arc::from([effect]),
        vec![Some(shape)],
    );
    let end = start + Duration::from_millis(d_ms + 150);
    let half = start + Duration::from_millis(d_ms / 2);
    let reverse = t.reverse && identity.capabilities().rotate;
    tokio::select! {
        () = async {
            if reverse {
                transcript.print_until(half).await;
                let _ = toy.reverse_rotation();
            }
            transcript.print_until(end).await;
        } => {}
        _ = tokio::signal::ctrl_c() => {
            println!("# interrupted: stopping");
            scheduler.panic_stop();
        }
    }
    // Stops every toy with a final `Vibrate:0;` and waits for its `OK;`.
    scheduler.exit().await;
    transcript
        .print_until(Instant::now() + Duration::from_secs(2))
        .await;
    transcript.verdict().map_err(Failure::Refused)
}

async fn info(target: &Which) -> Result<(), Failure> {
    let mut connected = open(target).await?;
    let mut transcript = Transcript::new(&mut connected);
    let toy = connected.toy.clone();
    install_panic_hook(Stopper::for_toys(vec![toy.clone()]));
    let identity = identify(&connected, &mut transcript);
    let battery = toy.battery().await;
    transcript.print_pending();
    toy.shutdown().await;
    transcript
        .print_until(Instant::now() + Duration::from_secs(2))
        .await;
    println!("model:    {}", describe(&identity));
    let source = match identity.source {
        Source::DeviceType => "DeviceType reply",
        Source::Name => "advertised name (no DeviceType reply)",
        Source::Service => "advertised service (no DeviceType reply)",
        Source::DeviceList => "the server's device list",
    };
    println!("source:   {source}");
    match battery {
        Ok(percent) => println!("battery:  {percent} %"),
        Err(e) => println!("battery:  unknown ({e})"),
    }
    match &connected.layout {
        Some(l) => println!("gatt:     {}", describe_layout(l)),
        None => println!("gatt:     none (in-process or through an app)"),
    }
    let spec = identity.spec();
    for (n, o) in spec.outputs.iter().enumerate() {
        println!("output {}: {o} ({})", n + 1, outputs::command_of(spec, n));
    }
    Ok(())
}
