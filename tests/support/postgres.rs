//! A throwaway PostgreSQL for tests and benchmarks: a cluster made by the
//! machine's own PostgreSQL binaries (Debian's `postgresql` package) in a
//! temporary directory, on a free loopback port, with trust authentication
//! and `fsync=off`. Each test takes its own empty database from the one
//! cluster of its process (`shared().fresh_url("name")`); a test that must
//! stop its database server starts a cluster of its own (`TestPostgres::start()`).
//!
//! Self-contained (std and `tempfile` only) so that any test binary or bench
//! can include it: `#[path = "../tests/support/postgres.rs"] mod postgres;`.
//!
//! Nothing is left behind, even when the test process panics or is killed:
//! every cluster has a watchdog shell reading a pipe that only this process
//! writes to. When the pipe closes (the process exited, or the cluster was
//! dropped) the watchdog stops the postmaster and removes the directory. The
//! shared cluster lives in a static, whose Drop never runs, and relies on
//! that; a cluster from `start()` runs the same cleanup when dropped.
#![allow(dead_code)]

use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

const INSTALL_HINT: &str = "install PostgreSQL: `apt-get install postgresql` (Debian/Ubuntu)";
/// A port picked free can be taken by someone else before the postmaster binds it.
const PORT_ATTEMPTS: u32 = 5;

/// A running PostgreSQL cluster owned by this test process.
pub struct TestPostgres {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    /// initdb refuses root: as root, the server tools run as `postgres`.
    as_postgres_user: bool,
    /// Holds the write end of the watchdog's pipe; closing it cleans up.
    watchdog: Option<Child>,
    databases: AtomicU32,
}

/// The cluster shared by every test of this process, started on first use.
/// Panics, naming the package to install, when PostgreSQL is missing.
pub fn shared() -> &'static TestPostgres {
    static SHARED: OnceLock<TestPostgres> = OnceLock::new();
    SHARED.get_or_init(|| {
        TestPostgres::start().unwrap_or_else(|e| panic!("the test PostgreSQL did not start: {e}"))
    })
}

/// The directory holding `initdb`, `pg_ctl` and `psql`: `pg_config --bindir`
/// (the `pg_config` command given), else the newest `VERSIONS_ROOT/*/bin`
/// (`/usr/lib/postgresql` on Debian).
pub fn bindir_from(pg_config: &str, versions_root: &Path) -> Result<PathBuf, String> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Ok(out) = Command::new(pg_config).arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has_tools(&dir) {
            return Ok(dir);
        }
    }
    let newest = std::fs::read_dir(versions_root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let major: u32 = entry.file_name().to_str()?.parse().ok()?;
            Some((major, entry.path().join("bin")))
        })
        .filter(|(_, bin)| has_tools(bin))
        .max_by_key(|(major, _)| *major);
    newest.map(|(_, bin)| bin).ok_or_else(|| {
        format!(
            "PostgreSQL's server programs (initdb, pg_ctl) were not found by `{pg_config} \
             --bindir` nor in {}/*/bin; {INSTALL_HINT}",
            versions_root.display()
        )
    })
}

impl TestPostgres {
    /// Starts a cluster of its own (stopped and removed on drop or `stop`).
    pub fn start() -> Result<TestPostgres, String> {
        Self::start_with(false)
    }

    /// [`TestPostgres::start`] with PostgreSQL's own durability (`fsync`
    /// and full page writes on), for benchmarks of durable writes.
    pub fn start_durable() -> Result<TestPostgres, String> {
        Self::start_with(true)
    }

    fn start_with(durable: bool) -> Result<TestPostgres, String> {
        let bin = bindir_from("pg_config", Path::new("/usr/lib/postgresql"))?;
        let dir = tempfile::Builder::new()
            .prefix("cuedeck-pg-")
            .tempdir()
            .map_err(|e| format!("cannot make a temporary directory: {e}"))?
            .keep();
        let as_postgres_user = std::fs::metadata(&dir)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .uid()
            == 0;
        // From here on, dropping `cluster` (an early return) cleans up.
        let mut cluster = TestPostgres {
            watchdog: None,
            dir,
            bin,
            port: 0,
            as_postgres_user,
            databases: AtomicU32::new(0),
        };
        cluster.watchdog = Some(cluster.spawn_watchdog()?);
        if as_postgres_user {
            let mut chown = Command::new("chown");
            chown.arg("postgres").arg(&cluster.dir);
            run(&mut chown, "chown of the directory to the postgres user")?;
        }
        let mut initdb = cluster.server_tool("initdb");
        initdb
            .arg("-D")
            .arg(cluster.data_dir())
            .args(["-A", "trust", "-U", "postgres", "--no-sync"])
            .args(["-E", "UTF8", "--locale=C", "--no-instructions"]);
        run(&mut initdb, "initdb")?;
        cluster.start_postmaster(durable)?;
        Ok(cluster)
    }

    /// A new empty database with a unique name (made from `name_hint`);
    /// returns its URL. Panics when the server refuses.
    pub fn fresh_url(&self, name_hint: &str) -> String {
        let n = self.databases.fetch_add(1, Ordering::Relaxed);
        let hint: String = name_hint
            .chars()
            .map(|c| match c {
                'a'..='z' | '0'..='9' => c,
                'A'..='Z' => c.to_ascii_lowercase(),
                _ => '_',
            })
            .take(40)
            .collect();
        let name = format!("t{n}_{hint}");
        let mut psql = Command::new(self.bin.join("psql"));
        psql.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"])
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
            ])
            .arg("-c")
            .arg(format!("CREATE DATABASE \"{name}\""));
        if let Err(e) = run(&mut psql, "CREATE DATABASE") {
            panic!("the test PostgreSQL made no database {name}: {e}");
        }
        format!("{}/{name}", self.url_base())
    }

    /// `postgres://postgres@127.0.0.1:PORT` (append `/DBNAME`).
    pub fn url_base(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The cluster's temporary directory: `data/`, the socket and `postgres.log`.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stops the server at once (`pg_ctl stop -m immediate`) and removes the
    /// directory; returns when both are done. Dropping does the same.
    pub fn stop(self) {
        drop(self);
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// `tool` from the server binaries, as `postgres` when running as root.
    fn server_tool(&self, tool: &str) -> Command {
        let mut command = if self.as_postgres_user {
            let mut runuser = Command::new("runuser");
            runuser
                .args(["-u", "postgres", "--"])
                .arg(self.bin.join(tool));
            runuser
        } else {
            Command::new(self.bin.join(tool))
        };
        // The caller's directory may be unreadable to `postgres`.
        command.current_dir(&self.dir);
        command
    }

    fn spawn_watchdog(&self) -> Result<Child, String> {
        let run_as = if self.as_postgres_user {
            "runuser -u postgres -- "
        } else {
            ""
        };
        let script = format!(
            "read _closed; {run_as}{} stop -D {} -m immediate -w >/dev/null 2>&1; rm -rf {}",
            sh_quote(&self.bin.join("pg_ctl")),
            sh_quote(&self.data_dir()),
            sh_quote(&self.dir),
        );
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: a Ctrl-C to the tests does not stop the cleanup.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot spawn the cleanup watchdog (sh): {e}"))
    }

    fn start_postmaster(&mut self, durable: bool) -> Result<(), String> {
        let log = self.dir.join("postgres.log");
        for _ in 0..PORT_ATTEMPTS {
            self.port = free_port()?;
            let speed = if durable {
                ""
            } else {
                " -c fsync=off -c full_page_writes=off"
            };
            let options = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=1000{speed}",
                self.port,
                sh_quote(&self.dir)
            );
            let mut pg_ctl = self.server_tool("pg_ctl");
            pg_ctl
                .args(["start", "-w", "-t", "60", "-D"])
                .arg(self.data_dir())
                .arg("-l")
                .arg(&log)
                .arg("-o")
                .arg(options);
            match run(&mut pg_ctl, "pg_ctl start") {
                Ok(_) => return Ok(()),
                Err(e) => {
                    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
                    if !log_text.contains("could not bind") {
                        return Err(format!("{e}\n{}:\n{log_text}", log.display()));
                    }
                }
            }
        }
        Err(format!(
            "no free loopback port after {PORT_ATTEMPTS} attempts"
        ))
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        if let Some(mut watchdog) = self.watchdog.take() {
            drop(watchdog.stdin.take()); // end of input: the watchdog cleans up
            let _ = watchdog.wait();
        } else {
            let _ = std::fs::remove_dir_all(&self.dir); // never started a server
        }
    }
}

/// A loopback port nobody listens on right now.
fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("cannot find a free loopback port: {e}"))
}

/// Runs `command` to completion; an error carries its output.
fn run(command: &mut Command, what: &str) -> Result<Output, String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: cannot run {:?}: {e}", command.get_program()))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn sh_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}
