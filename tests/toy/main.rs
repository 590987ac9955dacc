//! Toys: the codec, the exchange, pacing, the scheduler, the virtual toy,
//! and every backend (Bluetooth, Lovense Remote, Intiface, virtual).
//! One test binary per area: each binary links the whole crate.

mod backends;
mod close_handshake;
mod codec;
mod commands;
mod exchange;
mod fake_intiface;
mod families;
mod intiface;
mod lane;
mod models;
mod pacing;
mod patterns;
mod published_api;
mod real_engine;
mod real_intiface;
mod reconnect;
mod remote;
mod remote_pattern;
mod remote_tls;
mod scheduler;
mod stop_cap;
mod virtual_toy;
mod ws_frames;
