//! The lane when the server dies mid-tip, over real sockets: a real
//! `cuedeck serve` process on loopback, killed with SIGKILL while the
//! console's lane runner (headless, its own socket) drives a virtual toy
//! through a tip. The toy stops at once; started again on the same
//! database, the server gets the tip back from the console with what was
//! left when the toy stopped (the time the server was away is not run
//! time), the toy runs that, and the tip settles exactly once.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cuedeck::client::{RestClient, ServerUrl};
use cuedeck::domain::{ItemId, UserId};
use cuedeck::protocol::CreateToken;
use cuedeck::toy::device::{DriverConfig, spawn_toy};
use cuedeck::toy::scheduler::{SchedulerConfig, spawn_scheduler};
use cuedeck::toy::virtual_toy::VirtualToy;

use crate::support::{ADMIN, PERFORMER, ROOM};

/// `cuedeck serve` on `port` with `db`, its home in `dir`, listening.
fn serve(dir: &Path, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cuedeck"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--db"])
        .arg(dir.join("cuedeck.db"))
        .env("CUEDECK_ADMIN_TOKEN", ADMIN)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    for _ in 0..400 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return child;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    kill(&mut child);
    panic!("nothing listens on port {port} after 10 s");
}

fn kill(child: &mut Child) {
    let killed = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let _ = child.wait();
}

/// The toy's commands, each with when it was written.
type Writes = [(Instant, String)];

/// The toy's motion commands since `from`.
fn motion(
    ctl: &cuedeck::toy::virtual_toy::VirtualControl,
    from: Instant,
) -> Vec<(Instant, String)> {
    ctl.timed_writes()
        .into_iter()
        .map(|(at, w)| (at.into_std(), w))
        .filter(|(at, w)| *at >= from && w.starts_with("Vibrate"))
        .collect()
}

async fn settled(admin: &RestClient, item: ItemId) -> u64 {
    admin
        .audit(&ROOM.into(), item)
        .await
        .map_or(0, |i| i.settled)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_killed_mid_tip_stops_the_toy_and_the_tip_runs_its_rest_once_it_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = serve(dir.path(), port);
    let url = ServerUrl::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    let admin = RestClient::new(url.clone(), ADMIN);
    admin.create_room(ROOM, PERFORMER).await.unwrap();
    admin.broadcast(&ROOM.into(), true).await.unwrap();
    admin.mint("u1", 1_000, Some("mint-u1")).await.unwrap();
    let token = |role: &str| CreateToken {
        role: role.into(),
        room: (role == "performer").then(|| ROOM.into()),
        rooms: vec![],
        user: None,
        expires_at: None,
    };
    let performer = admin.create_token(&token("performer")).await.unwrap().token;
    let integration = admin
        .create_token(&token("integration"))
        .await
        .unwrap()
        .token;
    RestClient::new(url.clone(), &performer)
        .tip_levels_from_template(&ROOM.into(), "classic", 0)
        .await
        .expect("levels saved");

    let (transport, ctl) = VirtualToy::lush("LVS-Lost");
    let (toy, _) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    toy.identify("LVS-Lost", 3, Duration::from_millis(500))
        .await;
    let toys = spawn_scheduler(SchedulerConfig::default());
    toys.add_toy(toy);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = tokio::spawn(cuedeck::console::run::run_lane(
        url.clone(),
        performer,
        ROOM.into(),
        toys.clone(),
        stopped,
    ));

    // A max tip: 20 for 15 s.
    let begin = Instant::now();
    let item = RestClient::new(url.clone(), &integration)
        .tip_for(&ROOM.into(), &UserId::new("u1"), 150, "lost-server-1")
        .await
        .expect("tip accepted")
        .item()
        .expect("a toy tip");
    let wait_for = |what: &str, done: &dyn Fn(&Writes) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let got = motion(&ctl, begin);
            if done(&got) {
                return got;
            }
            assert!(Instant::now() < deadline, "{what}: {got:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let started = tokio::task::block_in_place(|| {
        wait_for("the tip's run", &|got| {
            got.iter().any(|(_, w)| w == "Vibrate:20;")
        })[0]
            .0
    });
    tokio::time::sleep(Duration::from_millis(3_000)).await;

    // The server dies: the toy stops at once, and stays still while it is
    // away.
    let killed_at = Instant::now();
    kill(&mut server);
    tokio::task::block_in_place(|| {
        wait_for("the stop", &|got| {
            got.last().is_some_and(|(_, w)| w == "Vibrate:0;")
        })
    });
    let stop_at = motion(&ctl, begin).last().unwrap().0;
    assert!(
        stop_at - killed_at < Duration::from_millis(1_000),
        "the toy stopped {:?} after the server went",
        stop_at - killed_at
    );
    tokio::time::sleep(Duration::from_millis(4_000)).await;
    assert!(
        motion(&ctl, stop_at).iter().all(|(_, w)| w == "Vibrate:0;"),
        "still while the server is away"
    );

    // Back on the same database: the tip is there, unsettled, and runs the
    // rest (about 12 s: the 4 s away are not run time).
    server = serve(dir.path(), port);
    assert_eq!(settled(&admin, item).await, 0, "a cut run does not settle");
    let resumed = tokio::task::block_in_place(|| {
        wait_for("the rest of the run", &|got| {
            got.iter()
                .any(|(at, w)| *at > stop_at && w == "Vibrate:20;")
        })
        .into_iter()
        .find(|(at, w)| *at > stop_at && w == "Vibrate:20;")
        .unwrap()
        .0
    });
    let ended = tokio::task::block_in_place(|| {
        wait_for("the end of the rest", &|got| {
            got.iter().any(|(at, w)| *at > resumed && w == "Vibrate:0;")
        })
        .into_iter()
        .find(|(at, w)| *at > resumed && w == "Vibrate:0;")
        .unwrap()
        .0
    });
    let first_run = stop_at - started;
    let rest = ended - resumed;
    let total = first_run + rest;
    assert!(
        total >= Duration::from_millis(14_500) && total < Duration::from_millis(16_000),
        "the tip ran its 15 s in all ({first_run:?} + {rest:?})"
    );
    let mut paid = 0;
    for _ in 0..100 {
        paid = settled(&admin, item).await;
        if paid > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(paid, 150, "settled once");
    let balance = admin.balance(&UserId::new("u1")).await.unwrap();
    assert_eq!(balance.tokens, 1_000 - 150, "charged once: {balance:?}");

    let _ = stop.send(true);
    let _ = runner.await;
    toys.exit().await;
    kill(&mut server);
}
