//! Toy control: the Lovense wire codec, transports (Bluetooth LE, virtual,
//! Lovense Remote, Intiface Central, fake), pacing, the effect scheduler and hardware mode.
//!
//! Data flows one way: console state -> [`scheduler`] -> [`device`] (pacing,
//! reply matching) -> [`codec`] -> [`transport`] (BLE | virtual | remote |
//! intiface).
//! See docs/TOY.md for the choices made.

pub mod ahead;
pub mod ble;
pub mod cli;
mod cli_transcript;
pub mod codec;
pub mod command_parse;
pub mod connect;
pub mod device;
mod driver;
pub mod fake;
pub mod gatt;
pub mod generic_model;
pub mod identify;
pub mod intiface;
pub mod intiface_device;
pub mod intiface_transport;
pub mod intiface_wire;
pub mod lane_play;
pub mod models;
pub mod outputs;
pub mod pacing;
pub mod pattern;
pub mod pattern_file;
pub mod plan;
pub mod reconnect;
pub mod remote;
pub mod remote_api;
mod remote_http;
pub mod remote_pattern;
pub mod scheduler;
pub mod scheduler_config;
pub mod strip;
pub mod transport;
pub mod virtual_toy;

pub use codec::{Command, Level, Reply};
pub use device::{DriverConfig, ToyEvent, ToyHandle, ToyStatus, spawn_toy};
pub use identify::{Capabilities, Identity, Model};
pub use plan::PlanConfig;
pub use scheduler::{
    SchedulerConfig, SchedulerHandle, SchedulerStatus, Stopper, install_panic_hook, spawn_scheduler,
};
pub use transport::{Inbound, Transport, TransportError};
pub use virtual_toy::{Faults, VirtualControl, VirtualToy};
