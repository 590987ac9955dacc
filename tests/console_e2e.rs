//! The real `cuedeck console` binary in a pseudo-terminal against a real
//! server: start, finish and refund through keys, checked on the parsed
//! screen and on the server's ledger.

mod support;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use support::*;

struct Console {
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _home: tempfile::TempDir,
}

impl Console {
    fn open(url: &str, token: &str) -> Console {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 100,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let home = tempfile::tempdir().unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cuedeck"));
        cmd.args(["console", "--server", url, "--room", ROOM]);
        cmd.env("CUEDECK_TOKEN", token);
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env("XDG_DATA_HOME", home.path().join("data"));
        cmd.env("TERM", "xterm-256color");
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZero::new(30).unwrap(),
            std::num::NonZero::new(100).unwrap(),
            0,
        )));
        let mut reader = pty.master.try_clone_reader().unwrap();
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().process(&buf[..n]);
            }
        });
        let writer = pty.master.take_writer().unwrap();
        // Keep the master alive as long as the console runs.
        std::mem::forget(pty.master);
        Console {
            screen,
            writer,
            child,
            _home: home,
        }
    }

    fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Wait (bounded) until the screen shows `what`.
    fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = self.text();
            if text.contains(what) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {what:?}:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn press(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn start_finish_and_refund_through_keys() {
    let t = TestServer::start().await;
    for (n, user) in ["u1", "u2", "u3"].iter().enumerate() {
        t.intake(user, &format!("e2e-{n}"), 40).await;
    }
    let admin = t.client(ADMIN);
    let url = t.url().to_string();
    let token = t.tokens.performer.clone();
    let mut console = tokio::task::spawn_blocking(move || Console::open(&url, &token))
        .await
        .unwrap();

    let screen = tokio::task::block_in_place(|| console.wait_for("Queue (3)"));
    assert!(screen.contains("LIVE"), "{screen}");

    tokio::task::block_in_place(|| {
        console.press("s");
        console.wait_for("Now performing #1");
    });
    let snapshot = admin.snapshot(&ROOM.into()).await.unwrap();
    assert_eq!(snapshot.in_progress.map(|r| r.item.id.0), Some(1));

    tokio::task::block_in_place(|| {
        console.press("f");
        console.wait_for("done 1");
    });
    let snapshot = admin.snapshot(&ROOM.into()).await.unwrap();
    assert_eq!(snapshot.totals.earned, 40, "finish settled the item");

    // Refund the selected row (the next waiting item) in full.
    tokio::task::block_in_place(|| {
        console.press("r");
        console.wait_for("Refund #2");
        console.press("\r");
        console.wait_for("refunded 40 tk of #2");
    });
    assert_eq!(
        admin.balance(&"u2".into()).await.unwrap().tokens,
        10_000,
        "u2 got the tokens back"
    );
    let snapshot = admin.snapshot(&ROOM.into()).await.unwrap();
    assert_eq!(snapshot.totals.refunded, 40);
    assert_eq!(snapshot.waiting.len(), 1);

    // Quit: the console leaves the alternate screen and exits cleanly.
    let status = tokio::task::block_in_place(|| {
        console.press("q");
        console.child.wait().unwrap()
    });
    assert!(status.success(), "{status:?}");
    assert!(
        !console.screen.lock().unwrap().screen().alternate_screen(),
        "the terminal was restored"
    );
    t.stop().await;
}
