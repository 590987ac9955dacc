//! Logs go to a file in the log directory, never to a terminal a UI owns.
//! They carry ids only: no names, emails, phones or addresses.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Log to `dir/<name>.log` (rotated daily). Keep the guard alive: dropping
/// it flushes the log. `RUST_LOG` sets the level (default `info`).
pub fn to_file(dir: &Path, name: &str) -> std::io::Result<WorkerGuard> {
    std::fs::create_dir_all(dir)?;
    let appender = tracing_appender::rolling::daily(dir, format!("{name}.log"));
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // A second init (tests, embedded use) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
    Ok(guard)
}
