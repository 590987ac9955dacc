//! The real `cuedeck` binary in a pseudo-terminal, its screen parsed.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

pub struct Console {
    pub screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    home: tempfile::TempDir,
}

impl Console {
    /// `cuedeck ARGS` in a 100x30 terminal with its own empty home and `env`.
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Console {
        Self::spawn_program(env!("CARGO_BIN_EXE_cuedeck"), args, env)
    }

    /// `PROGRAM ARGS` the same way (a shell running a documented command line).
    pub fn spawn_program(program: &str, args: &[&str], env: &[(&str, &str)]) -> Console {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 100,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let home = tempfile::tempdir().unwrap();
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env("XDG_DATA_HOME", home.path().join("data"));
        cmd.env("TMPDIR", home.path());
        cmd.env("TERM", "xterm-256color");
        for (name, value) in env {
            cmd.env(name, value);
        }
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let rows = std::num::NonZero::new(30).unwrap();
        let cols = std::num::NonZero::new(100).unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
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
        // Keep the master alive as long as the program runs.
        std::mem::forget(pty.master);
        Console {
            screen,
            writer,
            child,
            home,
        }
    }

    /// The program's home: its config, data and logs live under it.
    pub fn home(&self) -> &std::path::Path {
        self.home.path()
    }

    pub fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Wait (bounded) until the screen shows `what`.
    pub fn wait_for(&self, what: &str) -> String {
        self.wait_until(what, |text| text.contains(what))
    }

    /// Wait (bounded) until `ready` holds for the screen.
    pub fn wait_until(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.text();
            if ready(&text) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {what}:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn press(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Wait for the exit and for the terminal to be restored.
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let status = self.child.wait().unwrap();
        // The last bytes (leaving the alternate screen) may still be on their way.
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.screen.lock().unwrap().screen().alternate_screen() {
            assert!(Instant::now() < deadline, "the terminal was not restored");
            std::thread::sleep(Duration::from_millis(10));
        }
        status
    }
}
