//! Lovense toys: the codec, the exchange, pacing, the scheduler and the virtual toy.
//! One test binary per area: each binary links the whole crate.

mod codec;
mod commands;
mod exchange;
mod families;
mod models;
mod pacing;
mod patterns;
mod remote;
mod scheduler;
mod stop_cap;
mod virtual_toy;
