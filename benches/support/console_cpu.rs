//! The real console in a pseudo-terminal, and the CPU it uses: shared by the
//! benches that measure the console's own process.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

/// `cuedeck console ARGS` in a `cols`x`rows` pseudo-terminal with its own
/// home and `token`; what it draws is read and dropped.
pub fn spawn_console(
    home: &Path,
    args: &[&str],
    token: &str,
    (cols, rows): (u16, u16),
) -> Box<dyn Child> {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cuedeck"));
    cmd.arg("console");
    cmd.args(args);
    cmd.env("CUEDECK_TOKEN", token);
    cmd.env("HOME", home);
    cmd.env("XDG_CONFIG_HOME", home.join("config"));
    cmd.env("XDG_DATA_HOME", home.join("data"));
    let child = pty.slave.spawn_command(cmd).unwrap();
    let mut reader = pty.master.try_clone_reader().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while matches!(reader.read(&mut buf), Ok(n) if n > 0) {}
    });
    // The terminal lives as long as the bench: closing it would hang up.
    std::mem::forget(pty.master);
    child
}

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat =
        std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat is readable");
    // Fields after the ")" that closes the command name: state is field 3,
    // utime field 14, stime field 15.
    let rest = &stat[stat.rfind(')').expect("a command name") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// The share of one core `pid` uses over the next `seconds`, in percent.
pub fn cpu_percent(pid: u32, seconds: u64) -> f64 {
    let before = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(seconds));
    let after = cpu_ticks(pid);
    // SAFETY: sysconf has no preconditions.
    let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (after - before) as f64 * 100.0 / ticks_per_second / seconds as f64
}
