//! A short run of the crash-consistency torture (see examples/ledger_torture.rs):
//! children killed with SIGKILL mid-write, the database verified after each.

#[path = "../../examples/ledger_torture.rs"]
#[allow(dead_code)]
mod torture;

use std::process::Command;

#[test]
fn sigkill_mid_write_loses_nothing_acknowledged() {
    // The children are this same test binary, re-entered with a task.
    if let Some(task) = torture::ChildTask::from_env() {
        let result = torture::run_child(&task);
        std::process::exit(if result.is_ok() { 0 } else { 1 });
    }
    let dir = tempfile::tempdir().unwrap();
    let me = std::env::current_exe().unwrap();
    let child = || {
        let mut cmd = Command::new(&me);
        cmd.args([
            "ledger_torture::sigkill_mid_write_loses_nothing_acknowledged",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ]);
        cmd
    };
    let report = torture::run_parent(4, 7, dir.path(), &child).expect("torture ran");
    println!("{}", report.line());
    assert_eq!(report.rounds, 4);
    assert!(
        report.acked >= 4,
        "every round acknowledged something: {}",
        report.line()
    );
    assert!(report.clean(), "{}", report.line());
}
