//! The simulated audience: runs, the CLI and scenario files.
//! One test binary per area: each binary links the whole crate.

mod audience;
mod cli;
mod inbox;
mod scenarios;
mod spins;
