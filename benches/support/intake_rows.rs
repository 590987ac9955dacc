//! The intakes the durable benches time, and the rows one intake stores,
//! shared by the SQLite bench (`intake`) and the PostgreSQL one (`postgres`)
//! so both measure the same work against their raw baselines.
// Each bench that includes this uses a part of it.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::time::Instant;

use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::*;
use cuedeck::service::QueueService;

pub const ROOM: &str = "bench";
pub const PERFORMER: &str = "perf";
pub const USERS: usize = 16;

/// The `n`th intake: 10 tokens from one of the users, its own key.
pub fn intake(n: usize) -> Request {
    let user = format!("user-{}", n % USERS);
    Request::new(PayloadBuilder::new(PERFORMER, &user, &format!("key-{n}"), 10).queued(ROOM))
}

/// The room, live, and every user's wallet filled.
pub fn setup_commands() -> Vec<Request> {
    let mut commands = vec![
        Request::new(Command::CreateRoom {
            room: ROOM.into(),
            performer: PERFORMER.into(),
        }),
        Request::new(Command::BroadcastStart { room: ROOM.into() }),
    ];
    for u in 0..USERS {
        commands.push(Request::new(Command::Mint {
            user: format!("user-{u}").as_str().into(),
            amount: 1 << 40,
        }));
    }
    commands
}

pub fn median(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

/// Intakes `0..count` through `service`, `pipeline` of them awaiting their
/// commit at a time, stamped from `start` on: per second.
pub fn pipelined_intakes_per_s(
    service: &mut QueueService,
    start: Stamp,
    count: usize,
    pipeline: usize,
) -> f64 {
    let intakes: Vec<Request> = (0..count).map(intake).collect();
    let mut in_flight = VecDeque::with_capacity(pipeline);
    let began = Instant::now();
    for (n, request) in intakes.into_iter().enumerate() {
        let at = Stamp(start.0 + n as i64);
        in_flight.push_back(service.execute(at, request).unwrap());
        if in_flight.len() >= pipeline {
            in_flight.pop_front().unwrap().wait().unwrap();
        }
    }
    for ack in in_flight {
        ack.wait().unwrap();
    }
    count as f64 / began.elapsed().as_secs_f64()
}

/// The rows one intake stores, rendered as the service renders them.
pub struct Rows {
    pub body: String,
    pub reply: String,
    pub view: String,
    pub event: String,
}

pub fn sample_rows() -> Rows {
    let mut engine = Engine::new(EngineConfig::default());
    for c in setup_commands() {
        engine.execute(Stamp(0), &c).unwrap();
    }
    let request = intake(0);
    let outcome = engine.execute(Stamp(1), &request).unwrap();
    let EventKind::ItemQueued { item, .. } = &outcome.events[0].kind else {
        unreachable!()
    };
    Rows {
        body: serde_json::to_string(&request).unwrap(),
        reply: serde_json::to_string(&outcome.reply).unwrap(),
        view: serde_json::to_string(item).unwrap(),
        event: serde_json::to_string(&outcome.events[0]).unwrap(),
    }
}
