//! Lovense toys: the codec, the exchange, pacing, the scheduler and the virtual toy.
//! One test binary per area: each binary links the whole crate.

mod codec;
mod exchange;
mod pacing;
mod scheduler;
mod virtual_toy;
