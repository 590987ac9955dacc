//! The real `cuedeck sim` binary: exit codes and messages for usage,
//! configuration and runtime failures, and a whole run against an
//! in-process server.

use std::process::Output;

use cuedeck::server::{self, ServerConfig};
use cuedeck::store::Synchronous;

const ADMIN: &str = "admin-token-for-sim-cli-0001";

async fn sim(args: &[&str]) -> Output {
    let data = tempfile::tempdir().unwrap();
    tokio::process::Command::new(env!("CARGO_BIN_EXE_cuedeck"))
        .arg("sim")
        .args(args)
        .env_remove("CUEDECK_SERVER")
        .env_remove("CUEDECK_TOKEN")
        // Logs go to the data directory; keep them out of the user's.
        .env("XDG_DATA_HOME", data.path())
        .env("HOME", data.path())
        .output()
        .await
        .expect("the binary runs")
}

fn text(output: &Output) -> (String, String, i32) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().expect("exited"),
    )
}

#[tokio::test]
async fn usage_and_configuration_errors_exit_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[purchases]\ntop_up = 2\n").unwrap();
    let bad = bad.display().to_string();
    let server = [
        "--server",
        "http://127.0.0.1:9",
        "--room",
        "r",
        "--token",
        "t",
    ];
    let cases: Vec<(Vec<&str>, &[&str])> = vec![
        (
            vec!["--room", "r", "--token", "t"],
            &["--server is required"],
        ),
        (
            vec!["--server", "127.0.0.1:7070", "--room", "r", "--token", "t"],
            &["http://HOST:PORT"],
        ),
        (
            vec![
                "--server",
                "http://127.0.0.1:9,127.0.0.2:7070",
                "--room",
                "r",
                "--token",
                "t",
            ],
            &["\"127.0.0.2:7070\"", "http://HOST:PORT"],
        ),
        (
            vec!["--server", "http://127.0.0.1:9", "--token", "t"],
            &["--room is required"],
        ),
        (
            vec!["--server", "http://127.0.0.1:9", "--room", "r"],
            &["--token"],
        ),
        (
            [&server[..], &["--speed", "max"]].concat(),
            &["--speed max needs --seconds"],
        ),
        (
            [&server[..], &["--speed", "fast"]].concat(),
            &["--speed \"fast\""],
        ),
        (
            [&server[..], &["--scenario", "nope"]].concat(),
            &["no scenario named \"nope\"", "quiet"],
        ),
        (
            [&server[..], &["--scenario", &bad]].concat(),
            &["bad.toml", "line 2", "2"],
        ),
        ([&server[..], &["--rooms", "3"]].concat(), &["--load"]),
        (
            vec![
                "--server",
                "http://127.0.0.1:9",
                "--room",
                "bad room",
                "--token",
                "t",
                "--seconds",
                "1",
            ],
            &["--room \"bad room\""],
        ),
    ];
    for (args, wanted) in cases {
        let (stdout, stderr, code) = text(&sim(&args).await);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        for want in wanted {
            assert!(stderr.contains(want), "{args:?}: {want:?} not in {stderr}");
        }
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[tokio::test]
async fn a_server_that_is_not_there_exits_with_1() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let (_, stderr, code) = text(
        &sim(&[
            "--server",
            &url,
            "--room",
            "r",
            "--token",
            ADMIN,
            "--seconds",
            "5",
        ])
        .await,
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("cannot reach the server"), "{stderr}");
    let (_, stderr, code) = text(
        &sim(&[
            "--server",
            &url,
            "--room",
            "r",
            "--token",
            ADMIN,
            "--load",
            "--seconds",
            "1",
        ])
        .await,
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("cannot reach the server"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_run_prints_the_summary_last() {
    let dir = tempfile::tempdir().unwrap();
    let config = ServerConfig {
        listen: "127.0.0.1:0".into(),
        admin_token: Some(ADMIN.into()),
        synchronous: Synchronous::Normal,
        ..ServerConfig::default()
    };
    let server = server::start(config, dir.path().join("cuedeck.db"))
        .await
        .unwrap();
    let url = server.url();
    let args = [
        "--server",
        &url,
        "--room",
        "cli-room",
        "--token",
        ADMIN,
        "--seconds",
        "120",
        "--speed",
        "max",
        "--scenario",
        "rush-hour",
    ];
    let (stdout, stderr, code) = text(&sim(&args).await);
    assert_eq!(code, 0, "{stderr}");
    let last = stdout.lines().last().unwrap_or_default();
    let fields: Vec<&str> = last
        .split(' ')
        .map(|f| f.split('=').next().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "intakes",
            "instant",
            "refunds",
            "rejected",
            "final_balance_total",
            "points_earned",
            "points_redeemed",
            "points_awarded"
        ],
        "{stdout}"
    );
    for field in last.split(' ') {
        let value = field.split('=').nth(1).unwrap();
        value.parse::<u64>().unwrap_or_else(|_| panic!("{last}"));
    }
    assert!(stderr.contains("scenario rush-hour"), "{stderr}");

    // An integration token may post intakes but cannot set a room up.
    let admin =
        cuedeck::client::RestClient::new(cuedeck::client::ServerUrl::parse(&url).unwrap(), ADMIN);
    let integration = admin
        .create_token(&cuedeck::protocol::CreateToken {
            role: "integration".into(),
            room: None,
            rooms: vec![],
            user: None,
            expires_at: None,
        })
        .await
        .unwrap()
        .token;
    let args = [
        "--server",
        &url,
        "--room",
        "other-room",
        "--token",
        &integration,
        "--seconds",
        "10",
    ];
    let (stdout, stderr, code) = text(&sim(&args).await);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("needs an admin token"), "{stderr}");
    server.stop().await;
}
