//! The queue engine, its ledger and the durable store.
//! One test binary per area: each binary links the whole crate.

mod amounts;
mod intake_validation;
mod ledger_torture;
mod model;
mod retention;
mod rules;
mod store;
