//! Handing a connected toy to the scheduler, and connecting a backend
//! again by hand (the console's toy screen): the old link is stopped and
//! closed first, then the same backend is connected afresh. The scheduler
//! tells a toy that joins the level of the moment, so a stage effect or a
//! lane tip resumes only once the toy is back, under the same cap and the
//! same stop key latch.

use std::time::Duration;

use super::connect::{ConnectError, Connected, Which, connect};
use super::device::DriverConfig;
use super::scheduler::SchedulerHandle;

/// Hands `connected`'s toy to the scheduler and waits (briefly) until it
/// drives it, so a strip read right after already shows it.
pub async fn attach(toys: &SchedulerHandle, connected: &Connected) {
    let label = connected.toy.label().to_owned();
    toys.add_toy(connected.toy.clone());
    // The scheduler adds it on its own task.
    for _ in 0..100 {
        if toys.toys().iter().any(|t| t.label() == label) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Stops and lets go every toy of `which`'s backend (a lost link is closed
/// too, so nothing is left open and undriven), then connects that backend
/// again and hands the toy to the scheduler.
pub async fn reconnect(
    toys: &SchedulerHandle,
    which: &Which,
    config: DriverConfig,
) -> Result<Connected, ConnectError> {
    let backend = which.backend();
    for toy in toys.toys() {
        if toy.status().borrow().backend == backend {
            toys.remove_toy(toy.label());
            toy.shutdown().await;
        }
    }
    let connected = connect(which, config).await?;
    attach(toys, &connected).await;
    Ok(connected)
}
