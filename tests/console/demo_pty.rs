//! The one-command demo in a pseudo-terminal: queue items and a running
//! timer appear within seconds, and it quits cleanly on q.

use crate::support::pty::Console;

#[test]
fn the_demo_shows_a_live_show_and_quits_cleanly() {
    let mut demo = Console::spawn(&[], &[]);
    // The first frame names the room; the snapshot then shows it live.
    demo.wait_for("demo-room");
    demo.wait_for("● LIVE");
    // The simulated audience buys within a few seconds.
    demo.wait_until("a queued item", |screen| {
        screen.contains("Press s to start")
    });
    demo.press("s");
    let on_stage = demo.wait_until("a running timer", |screen| {
        screen.contains(" left") && screen.contains("Now performing #")
    });
    assert!(on_stage.contains("GREEN"), "{on_stage}");
    // The virtual toy is attached (identified: the strip names its model),
    // and the panic key stops it.
    demo.wait_for("toy: Lush ");
    demo.press("!");
    demo.wait_for("STOPPED (panic key)");
    demo.press("q");
    demo.wait_for("Quit anyway?");
    demo.press("y");
    let status = demo.wait_exit();
    assert!(status.success(), "{status:?}");
}
