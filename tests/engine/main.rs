//! The queue engine, its ledger and the durable store.
//! One test binary per area: each binary links the whole crate.

mod amounts;
mod backend;
mod games_chi_square;
mod games_config;
mod games_cooldown;
mod games_draws;
mod games_fairness;
mod games_verify_cli;
mod held_writes;
mod intake_validation;
mod lane;
mod layers;
mod ledger_torture;
mod model;
mod outbox;
mod points_model;
mod retention;
mod rules;
mod store;

#[path = "../support/postgres.rs"]
mod postgres;
