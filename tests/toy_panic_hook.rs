//! The panic hook stops every toy. In its own test binary: the hook is
//! process-wide.

use std::time::Duration;

use cuedeck::toy::codec::Level;
use cuedeck::toy::device::{DriverConfig, spawn_toy};
use cuedeck::toy::scheduler::{Stopper, install_panic_hook};
use cuedeck::toy::virtual_toy::VirtualToy;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_anywhere_stops_the_toys() {
    let (transport, ctl) = VirtualToy::lush("LVS-S11");
    let (toy, _events) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    toy.set_level(Level::new(14).unwrap());
    // Waits for a state, with a generous bound; no timing is asserted.
    let wait_for = |want: u8| {
        let ctl = ctl.clone();
        async move {
            for _ in 0..500 {
                if ctl.intensity() == want {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            false
        }
    };
    assert!(wait_for(14).await);
    install_panic_hook(Stopper::for_toys(vec![toy.clone()]));
    let crashed = std::thread::spawn(|| panic!("a bug somewhere in the console")).join();
    assert!(crashed.is_err());
    assert!(wait_for(0).await, "the hook stopped the toy");
    assert!(toy.is_halted());
    toy.set_level(Level::new(9).unwrap());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        ctl.intensity(),
        0,
        "halted: levels are refused until resume"
    );
}
