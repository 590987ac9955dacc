//! A short run of the crash-consistency torture (see examples/ledger_torture.rs):
//! children killed with SIGKILL mid-write, the database verified after each,
//! on SQLite and on PostgreSQL.

#[path = "../../examples/ledger_torture.rs"]
#[allow(dead_code)]
mod torture;

use std::process::Command;

use super::postgres;

/// Four rounds on `db`; the children re-enter this binary's test `name`.
fn torture(name: &str, db: &str) {
    // The children are this same test binary, re-entered with a task.
    if let Some(task) = torture::ChildTask::from_env() {
        let result = torture::run_child(&task);
        if let Err(err) = &result {
            eprintln!("child: {err}");
        }
        std::process::exit(if result.is_ok() { 0 } else { 1 });
    }
    let me = std::env::current_exe().unwrap();
    let child = || {
        let mut cmd = Command::new(&me);
        cmd.args([name, "--exact", "--nocapture", "--test-threads=1"]);
        cmd
    };
    let report = torture::run_parent(4, 7, db, &child).expect("torture ran");
    println!("{}", report.line());
    assert_eq!(report.rounds, 4);
    assert!(
        report.acked >= 4,
        "every round acknowledged something: {}",
        report.line()
    );
    assert!(report.clean(), "{}", report.line());
}

#[test]
fn sigkill_mid_write_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("torture.db");
    torture(
        "ledger_torture::sigkill_mid_write_loses_nothing_acknowledged",
        &db.display().to_string(),
    );
}

#[test]
fn sigkill_mid_write_loses_nothing_acknowledged_on_postgres() {
    let name = "ledger_torture::sigkill_mid_write_loses_nothing_acknowledged_on_postgres";
    if torture::ChildTask::from_env().is_some() {
        return torture(name, "");
    }
    torture(name, &postgres::shared().fresh_url("torture"));
}
