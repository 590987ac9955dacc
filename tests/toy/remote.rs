//! Lovense Remote as a backend: the bodies posted byte for byte, `timeSec`
//! bounds, stops on every end path of an item, errors and a lost app; and
//! the HTTP poster against a loopback server.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use cuedeck::domain::ids::ItemId;
use cuedeck::domain::toy_effect::{Pattern, Timing};
use cuedeck::toy::ToyHandle;
use cuedeck::toy::codec::Level;
use cuedeck::toy::device::{DriverConfig, ToyEvent, spawn_toy};
use cuedeck::toy::identify::{Model, Source};
use cuedeck::toy::remote::{HttpPoster, Poster, RemoteTransport, find_toy, list_toys};
use cuedeck::toy::remote_api::{HOLD_SECS, RemoteError, Request};
use cuedeck::toy::scheduler::{SchedulerConfig, spawn_scheduler};
use tokio::time::{Instant, sleep, sleep_until};

use super::published_api::{KnownToy, refusal};

const NORA: &str = "f082c00246fa";

fn toys_answer() -> String {
    let toys = format!(
        r#"{{"{NORA}":{{"id":"{NORA}","status":"1","version":"3","name":"nora","battery":60,"nickName":"","shortFunctionNames":["v","r"],"fullFunctionNames":["Vibrate","Rotate"]}},"aa11bb22cc33":{{"id":"aa11bb22cc33","status":"0","version":"","name":"lush","battery":10,"nickName":""}}}}"#
    );
    serde_json::json!({"code": 200, "data": {"toys": toys, "platform": "pc", "appType": "remote"}, "type": "OK"})
        .to_string()
}

/// The toys of `toys_answer`, for the published API's checks.
const KNOWN: &[KnownToy] = &[
    KnownToy {
        id: NORA,
        connected: true,
        functions: &["Vibrate", "Rotate"],
    },
    KnownToy {
        id: "aa11bb22cc33",
        connected: false,
        functions: &[],
    },
];

/// The app, scripted: records every body with its time; answers `GetToys`
/// with a Nora and a Lush, refuses with the documented code whatever the
/// published API does not define, and answers the rest `OK` (or an error
/// code, or not at all when `down`).
#[derive(Clone, Default)]
pub(super) struct FakeApp {
    pub(super) posts: Arc<Mutex<Vec<(Instant, String)>>>,
    down: Arc<Mutex<bool>>,
    code: Arc<Mutex<Option<i64>>>,
    refused: Arc<Mutex<Vec<String>>>,
    /// An older app: `Pattern` requests answered 400.
    pub(super) no_patterns: Arc<Mutex<bool>>,
}

#[async_trait]
impl Poster for FakeApp {
    async fn post(&self, body: String) -> Result<String, RemoteError> {
        if *self.down.lock().unwrap() {
            return Err(RemoteError::Unreachable("fake".into()));
        }
        self.posts
            .lock()
            .unwrap()
            .push((Instant::now(), body.clone()));
        if let Some((code, why)) = refusal(&body, KNOWN) {
            self.refused.lock().unwrap().push(why);
            return Ok(format!(r#"{{"code":{code},"type":"error"}}"#));
        }
        if body == r#"{"command":"GetToys"}"# {
            return Ok(toys_answer());
        }
        if *self.no_patterns.lock().unwrap() && body.contains(r#""command":"Pattern""#) {
            return Ok(r#"{"code":400,"type":"error"}"#.to_owned());
        }
        Ok(match *self.code.lock().unwrap() {
            Some(code) => format!(r#"{{"code":{code},"type":"error"}}"#),
            None => r#"{"code":200,"type":"OK"}"#.to_owned(),
        })
    }
}

impl FakeApp {
    /// Every request was one the published API defines.
    pub(super) fn assert_conformant(&self) {
        let refused = self.refused.lock().unwrap().clone();
        assert!(
            refused.is_empty(),
            "refused by the published API: {refused:?}"
        );
    }

    pub(super) fn bodies(&self) -> Vec<String> {
        self.posts
            .lock()
            .unwrap()
            .iter()
            .map(|(_, b)| b.clone())
            .collect()
    }

    pub(super) fn functions(&self) -> Vec<String> {
        self.bodies()
            .into_iter()
            .filter(|b| b.contains(r#""command":"Function""#))
            .collect()
    }
}

fn function(action: &str, time_sec: u32) -> String {
    format!(
        r#"{{"command":"Function","action":"{action}","timeSec":{time_sec},"toy":"{NORA}","stopPrevious":1,"apiVer":1}}"#
    )
}

pub(super) async fn nora(app: &FakeApp) -> ToyHandle {
    let found = find_toy(app, None).await.unwrap();
    assert_eq!(found.id, NORA, "the first connected toy");
    let transport = RemoteTransport::new(Arc::new(app.clone()), &found);
    let (toy, _) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    toy.identify("Nora", 3, Duration::from_millis(500)).await;
    toy
}

#[tokio::test(start_paused = true)]
async fn identify_then_every_output_in_one_function_with_a_short_time_sec() {
    let app = FakeApp::default();
    let toy = nora(&app).await;
    let identity = toy.status().borrow().identity.clone().unwrap();
    assert_eq!(
        (identity.model, identity.firmware, identity.source),
        (Model::Nora, Some(3), Source::DeviceType)
    );
    assert_eq!(toy.battery().await, Ok(60));
    toy.set_level(Level::new(8).unwrap());
    sleep(Duration::from_millis(300)).await;
    toy.stop_now();
    sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.functions(),
        [
            function("Vibrate:8", HOLD_SECS),
            function("Vibrate:8,Rotate:8", HOLD_SECS),
            // The stop at once, for every output; then the rotation's own 0.
            function("Stop", 0),
            function("Stop", 0),
        ]
    );
    assert_eq!(app.bodies()[0], Request::GetToys.body());
    app.assert_conformant();
}

#[tokio::test(start_paused = true)]
async fn a_running_level_is_refreshed_and_never_sent_without_a_bound() {
    let app = FakeApp::default();
    let toy = nora(&app).await;
    toy.set_level(Level::new(5).unwrap());
    sleep(Duration::from_millis(3_500)).await;
    let running: Vec<String> = app
        .functions()
        .into_iter()
        .filter(|b| !b.contains("Stop"))
        .collect();
    assert!(
        running.len() >= 4,
        "refreshed about every second: {running:?}"
    );
    for body in &running {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        let t = v["timeSec"].as_u64().unwrap();
        assert!(t > 1 && t <= u64::from(HOLD_SECS), "{body}");
    }
    // Refreshes are at least 900 ms apart: well within pacing.
    let times: Vec<Instant> = app.posts.lock().unwrap().iter().map(|(t, _)| *t).collect();
    let last = times[times.len() - 1];
    let before = times[times.len() - 2];
    assert!(last - before >= Duration::from_millis(900));
    toy.shutdown().await;
    assert_eq!(app.functions().last(), Some(&function("Stop", 0)));
}

#[tokio::test(start_paused = true)]
async fn every_end_path_ends_with_a_stop_and_nothing_runs_after() {
    for end in ["finish", "refund", "panic", "exit", "server"] {
        let app = FakeApp::default();
        let toy = nora(&app).await;
        let sched = spawn_scheduler(SchedulerConfig {
            server_loss_stop_ms: 1_000,
            ..SchedulerConfig::default()
        });
        sched.add_toy(toy);
        let t0 = Instant::now() + Duration::from_millis(300);
        sleep_until(t0).await;
        let effect = cuedeck::domain::toy_effect::ToyEffect {
            enabled: true,
            timing: Timing::Start,
            intensity: Some(12),
            duration_ms: Some(20_000),
            device_vendor: None,
            pattern: Some(Pattern::Constant.into()),
        };
        sched.item_started(ItemId(1), t0, 20_000, Arc::from([effect]));
        sleep(Duration::from_millis(1_500)).await;
        let ended = Instant::now();
        match end {
            "finish" => sched.item_finished(ItemId(1)),
            "refund" => sched.item_refunded(ItemId(1)),
            "panic" => sched.panic_stop(),
            "exit" => sched.exit().await,
            _ => sched.server_connection(false),
        }
        sleep(Duration::from_millis(6_000)).await;
        let posts = app.posts.lock().unwrap().clone();
        let stop = posts
            .iter()
            .position(|(t, b)| *t >= ended && b.contains(r#""action":"Stop""#))
            .unwrap_or_else(|| panic!("{end}: no Stop in {posts:?}"));
        let after: Vec<_> = posts[stop..]
            .iter()
            .filter(|(_, b)| b.contains(r#""command":"Function""#) && !b.contains("Stop"))
            .collect();
        assert!(after.is_empty(), "{end}: ran after the stop: {after:?}");
        let due = if end == "server" { 1_000 } else { 0 } + if end == "finish" { 1_000 } else { 0 };
        assert!(
            posts[stop].0 - ended <= Duration::from_millis(due + 300),
            "{end}: stop {:?} after the end",
            posts[stop].0 - ended
        );
        app.assert_conformant();
    }
}

#[tokio::test(start_paused = true)]
async fn an_error_code_is_a_refusal_and_a_lost_app_a_disconnect() {
    let app = FakeApp::default();
    let toy = nora(&app).await;
    let mut events = toy.events();
    *app.code.lock().unwrap() = Some(402);
    toy.set_level(Level::new(4).unwrap());
    sleep(Duration::from_millis(300)).await;
    let mut refused = false;
    while let Ok(e) = events.try_recv() {
        refused |= matches!(e, ToyEvent::Refused(_));
    }
    assert!(refused, "402 toy not connected: refused");
    // The strip names the code and its documented meaning.
    assert_eq!(
        toy.status().borrow().notice.as_deref(),
        Some("Lovense Remote answered 402: toy not connected")
    );
    *app.code.lock().unwrap() = None;
    *app.down.lock().unwrap() = true;
    toy.set_level(Level::new(9).unwrap());
    sleep(Duration::from_millis(500)).await;
    assert!(
        !toy.status().borrow().connected,
        "the strip says disconnected"
    );
    let notice = toy.status().borrow().notice.clone().unwrap_or_default();
    assert!(notice.contains("reconnecting"), "{notice}");
    *app.down.lock().unwrap() = false;
    sleep(Duration::from_millis(1_500)).await;
    assert!(toy.status().borrow().connected, "back once the app answers");
    assert_eq!(toy.status().borrow().notice, None);
    assert_eq!(
        RemoteError::App {
            code: 402,
            message: cuedeck::toy::remote_api::error_message(402)
        }
        .to_string(),
        "Lovense Remote answered 402: toy not connected"
    );
}

#[tokio::test]
async fn the_http_poster_talks_to_a_loopback_app() {
    use axum::{Router, http::HeaderMap, routing::post};
    /// (X-platform header, body) of every request.
    type Seen = Arc<Mutex<Vec<(Option<String>, String)>>>;
    let seen: Seen = Arc::default();
    let record = seen.clone();
    let app = Router::new().route(
        "/command",
        post(move |headers: HeaderMap, body: String| {
            let record = record.clone();
            async move {
                let platform = headers
                    .get("X-platform")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let answer = if body.contains("GetToys") {
                    toys_answer()
                } else {
                    r#"{"code":200,"type":"OK"}"#.to_owned()
                };
                record.lock().unwrap().push((platform, body));
                answer
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let poster = HttpPoster::new(&format!("http://{addr}")).unwrap();
    let toys = list_toys(&poster).await.unwrap();
    assert_eq!(toys.len(), 2);
    assert_eq!(toys[1].name, "nora");
    assert!(!toys[0].connected());
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [(
            Some("cuedeck".to_owned()),
            r#"{"command":"GetToys"}"#.to_owned()
        )]
    );
    // Nothing listening: unreachable, not a panic.
    drop(poster);
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gone = closed.local_addr().unwrap();
    drop(closed);
    let err = list_toys(&HttpPoster::new(&gone.to_string()).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, RemoteError::Unreachable(_)), "{err}");
}

/// TLS over a loopback listener, for axum: the fake app speaks HTTPS with
/// the self-signed certificate in `fixtures/`.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            // A client that refuses the certificate just goes away.
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

const CA: &[u8] = include_bytes!("fixtures/test-ca.pem");
const CERT: &[u8] = include_bytes!("fixtures/localhost-cert.pem");
const KEY: &[u8] = include_bytes!("fixtures/localhost-key.pem");

pub(super) async fn https_app() -> std::net::SocketAddr {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(CERT)
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(KEY).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = tcp.local_addr().unwrap();
    let listener = TlsListener {
        tcp,
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
    };
    let app = axum::Router::new().route(
        "/command",
        axum::routing::post(|body: String| async move {
            if body.contains("GetToys") {
                toys_answer()
            } else {
                r#"{"code":200,"type":"OK"}"#.to_owned()
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

#[tokio::test]
async fn https_with_a_trusted_certificate_and_refused_without() {
    let addr = https_app().await;
    let base = format!("https://localhost:{}", addr.port());
    let trusting = HttpPoster::with_roots(&base, CA).unwrap();
    let toys = list_toys(&trusting).await.unwrap();
    assert_eq!(toys.len(), 2);
    // A toy driven end to end over HTTPS.
    let found = find_toy(&trusting, Some("nora")).await.unwrap();
    let transport = RemoteTransport::new(Arc::new(trusting), &found);
    let (toy, _) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    let identity = toy.identify("Nora", 3, Duration::from_millis(500)).await;
    assert_eq!(identity.model, Model::Nora);
    toy.set_level(Level::new(3).unwrap());
    toy.shutdown().await;
    // The system's roots do not know this certificate: refused, no panic.
    let strict = HttpPoster::new(&base).unwrap();
    let err = list_toys(&strict).await.unwrap_err();
    assert!(matches!(err, RemoteError::Unreachable(_)), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn toy_test_remote_plays_and_stops_through_the_app() {
    use axum::routing::post;
    let bodies: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = bodies.clone();
    let app = axum::Router::new().route(
        "/command",
        post(move |body: String| {
            let record = record.clone();
            async move {
                let answer = if body.contains("GetToys") {
                    toys_answer()
                } else {
                    r#"{"code":200,"type":"OK"}"#.to_owned()
                };
                record.lock().unwrap().push(body);
                answer
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let args = [
        "toy",
        "test",
        "--remote",
        &base,
        "--intensity",
        "6",
        "--seconds",
        "1",
    ]
    .map(str::to_owned);
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_cuedeck"))
            .args(&args)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("# toy: Nora f082c00246fa via Lovense Remote"),
        "{stdout}"
    );
    // The transcript shows the bodies as posted, not the Lovense text
    // that stays inside cuedeck.
    assert!(!stdout.contains("-> Vibrate:6;"), "{stdout}");
    assert!(!stdout.contains("AutoSwith"), "{stdout}");
    let bodies = bodies.lock().unwrap().clone();
    for body in &bodies {
        assert_eq!(refusal(body, KNOWN), None);
        assert!(
            stdout.contains(&format!("-> {body}")),
            "{body} not in {stdout}"
        );
    }
    let sent: Vec<&str> = stdout.lines().filter(|l| l.starts_with("-> ")).collect();
    assert_eq!(
        sent.last().copied(),
        Some(format!("-> {}", function("Stop", 0)).as_str()),
        "{stdout}"
    );
    assert!(
        bodies.contains(&function("Vibrate:6,Rotate:6", HOLD_SECS)),
        "{bodies:?}"
    );
    assert_eq!(bodies.last(), Some(&function("Stop", 0)), "{bodies:?}");
}

#[tokio::test(start_paused = true)]
async fn a_toy_the_app_reports_off_is_said_not_connected() {
    let app = FakeApp::default();
    let err = find_toy(&app, Some("lush")).await.unwrap_err();
    assert_eq!(err, RemoteError::NotConnected("lush".into()));
    assert!(err.to_string().contains("not connected"), "{err}");
    let err = find_toy(&app, Some("zork")).await.unwrap_err();
    assert!(matches!(err, RemoteError::NoToy(_)), "{err}");
}

#[test]
fn motors_apart_only_where_the_app_lists_them() {
    use cuedeck::toy::models::ModelSpec;
    use cuedeck::toy::remote_api::{action_names, merge_actions, motors_note};
    let edge = ModelSpec::for_code("P", None);
    let listed = ["Vibrate1".to_owned(), "Vibrate2".to_owned()];
    let names = action_names(edge, &listed);
    assert_eq!(
        merge_actions(names, &[20, 7]),
        [("Vibrate1".to_owned(), 20), ("Vibrate2".to_owned(), 7)]
    );
    assert_eq!(motors_note(edge, &listed), "");
    // Not listed: one Vibrate for both, the stronger level, and said so.
    let names = action_names(edge, &["Vibrate".to_owned()]);
    assert_eq!(merge_actions(names, &[20, 7]), [("Vibrate".to_owned(), 20)]);
    assert!(motors_note(edge, &[]).contains("as one `Vibrate`"));
    let body = Request::function("e", &[("Vibrate".to_owned(), 20)]).body();
    let edge_toy = [KnownToy {
        id: "e",
        connected: true,
        functions: &[],
    }];
    assert_eq!(refusal(&body, &edge_toy), None);
    let body = Request::function("e", &[("Vibrate1".to_owned(), 20)]).body();
    assert!(refusal(&body, &edge_toy).is_some(), "not listed: refused");
}
