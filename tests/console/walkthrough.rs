//! The README's own-server walkthrough, taken from the README itself and
//! run as written (only the port moved to a free one, through
//! `CUEDECK_SERVER` and `CUEDECK_LISTEN`): a fresh server, a
//! room, a performer token, a menu, the console going live with its key,
//! and a simulated audience whose purchases reach the console's queue. A
//! renamed flag or a missing step in the README fails here.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use crate::support::pty::Console;

const README: &str = include_str!("../../README.md");

/// The command lines of the shell block after `<!-- walkthrough: NAME -->`.
fn block(name: &str) -> Vec<String> {
    let marker = format!("<!-- walkthrough: {name} -->");
    let after = README
        .split_once(&marker)
        .unwrap_or_else(|| panic!("the README has no {marker}"))
        .1;
    let body = after
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(body, _)| body)
        .expect("a sh block follows the marker");
    body.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Runs lines one by one in `dir` with bash, keeping what they export.
struct Shell {
    dir: PathBuf,
    port: u16,
    background: Vec<Child>,
}

impl Shell {
    fn env_file(&self) -> PathBuf {
        self.dir.join("walkthrough.env")
    }

    /// The line as the reader would type it, on this test's port, with
    /// `cuedeck` the binary under test (a server listens where `CUEDECK_LISTEN`
    /// says).
    fn script(&self, line: &str) -> String {
        let bin = Path::new(env!("CARGO_BIN_EXE_cuedeck")).parent().unwrap();
        format!(
            "export PATH={}:$PATH CUEDECK_LISTEN=127.0.0.1:{}; source {} 2>/dev/null; {}",
            bin.display(),
            self.port,
            self.env_file().display(),
            line.replace("127.0.0.1:7070", &format!("127.0.0.1:{}", self.port))
        )
    }

    fn run(&mut self, line: &str) {
        if let Some(job) = line.strip_suffix('&') {
            let child = Command::new("bash")
                .args(["-c", &self.script(&format!("exec {job}"))])
                .current_dir(&self.dir)
                .spawn()
                .unwrap();
            self.background.push(child);
            self.wait_for_port();
            return;
        }
        let keep = format!(
            "{} && export -p > {}.new && mv {}.new {}",
            self.script(line),
            self.env_file().display(),
            self.env_file().display(),
            self.env_file().display()
        );
        let out = Command::new("bash")
            .args(["-c", &keep])
            .current_dir(&self.dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "the README's `{line}` failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A server started in the background takes a moment to listen; a
    /// reader types the next line more slowly than a test.
    fn wait_for_port(&self) {
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        panic!("nothing listens on port {} after 5 s", self.port);
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        for child in &mut self.background {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn the_readme_walkthrough_reaches_a_live_room_with_a_buying_audience() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::os::unix::fs::symlink(repo.join("config"), dir.path().join("config")).unwrap();
    let mut shell = Shell {
        dir: dir.path().to_path_buf(),
        port: free_port(),
        background: Vec::new(),
    };
    let server = block("server");
    let (console_line, setup) = server.split_last().expect("lines");
    assert!(
        console_line.starts_with("cuedeck console"),
        "{console_line}"
    );
    for line in setup {
        shell.run(line);
    }
    let console_script = shell.script(&format!("exec {console_line}"));
    let home = dir.path().to_str().unwrap();
    let mut console = Console::spawn_program("bash", &["-c", &console_script], &[("PWD", home)]);
    console.wait_for("OFFLINE");
    console.press("b");
    console.wait_for("LIVE");
    let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap_or_default();
    assert!(log.contains("listening"), "{log}");
    // The room offers the imported menu to buy from.
    let exported = std::fs::read_to_string(shell.env_file()).unwrap();
    let token = exported
        .lines()
        .find_map(|l| l.strip_prefix("declare -x CUEDECK_TOKEN=\""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("the walkthrough exports the performer token");
    let out = Command::new(env!("CARGO_BIN_EXE_cuedeck"))
        .args(["menu", "export", "--room", "room-1", "--token", token])
        .args(["--server", &format!("http://127.0.0.1:{}", shell.port)])
        .output()
        .unwrap();
    let menu = String::from_utf8_lossy(&out.stdout);
    assert!(
        menu.contains("Quick Fun"),
        "the imported menu is there: {menu}"
    );
    let audience = block("audience");
    let (sim_line, exports) = audience.split_last().expect("lines");
    for line in exports {
        shell.run(line);
    }
    shell.run(&format!("{sim_line} --seconds 600 > sim.log 2>&1 &"));
    console.wait_until("a purchase in the queue", |screen| {
        !screen.contains("Queue (0)") && screen.contains("Queue (")
    });
    console.press("q");
    console.wait_exit();
}
