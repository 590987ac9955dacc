//! The performer console: views, keys, the menu editor, and the real binary in a pseudo-terminal.
//! One test binary per area: each binary links the whole crate.

mod award;
mod broadcast;
mod demo_pty;
mod e2e;
mod effect_pattern;
mod fixture;
mod games;
mod keys;
mod lane;
mod lane_multi_pty;
mod lane_pty;
mod lane_server_loss;
mod levels;
mod menus;
mod overlay_browser;
mod overlay_page;
mod overlay_tips;
mod reply;
mod report;
mod screens;
mod stop_pty;
#[path = "../support/mod.rs"]
mod support;
mod view;
mod walkthrough;
mod watch;
mod watch_lane;
mod watch_mod;
mod watch_pty;
