//! `cuedeck serve` over real loopback sockets: the HTTP API, the event stream and chip menus.
//! One test binary per area: each binary links the whole crate.

mod admin_cli;
mod api;
mod bad_input;
mod documented_answers;
mod effect_patterns;
mod failover;
mod follow_leader;
mod games_api;
mod games_fairness;
mod games_listing;
mod games_questions;
mod games_verify_server;
mod lease;
mod menus_api;
mod menus_files;
mod messages;
mod migrate;
mod moderation;
mod moderation_controls;
mod moderation_questions;
mod moderation_scope;
mod multiroom;
mod points;
mod points_redeem;
mod postgres_harness;
mod protocol_doc;
mod race_answers;
mod report;
mod report_html;
mod report_tips;
mod retention;
mod stream;
#[path = "../support/mod.rs"]
mod support;
mod tip_levels_editor;
mod tips;
mod tips_files;
