//! The console's state and lane runner without a terminal: the room's
//! stream into the state, the lane runner's commands onto the stream and
//! its cues onto the toy scheduler. What a benchmark or a test drives to
//! measure the runner over a real socket.

use std::time::Duration;

use tokio::sync::watch;

use super::toy::{PatternSource, ToyLink, follow};
use crate::client::{RestClient, RoomStream, ServerList, StreamOptions};
use crate::console::app::{App, Effect};
use crate::console::keymap::Keymap;
use crate::console::theme::Theme;
use crate::domain::{RoomId, Stamp};
use crate::toy::scheduler::SchedulerHandle;

/// Run `room`'s lane on `toys` until `stop` turns true.
pub async fn run_lane(
    server: impl Into<ServerList>,
    token: String,
    room: RoomId,
    toys: SchedulerHandle,
    mut stop: watch::Receiver<bool>,
) {
    let server = server.into();
    let mut app = App::new(room.clone(), Keymap::default_keymap(), Theme::no_color());
    let patterns = PatternSource {
        rest: RestClient::new(server.clone(), token.clone()),
        room: room.clone(),
    };
    let mut stream = RoomStream::connect(&server, &token, room, None, StreamOptions::default());
    let mut status = toys.status();
    let link = ToyLink::new(&toys);
    app.on_toy_reading(link.reading());
    while !*stop.borrow() {
        let mut effects = Vec::new();
        let wait = app
            .lane_deadline()
            .map_or(Duration::from_secs(3600), |end| {
                Duration::from_micros(end.micros_since(Stamp::now()).max(0) as u64)
            });
        tokio::select! {
            event = stream.next() => {
                let Some(event) = event else { break };
                effects.extend(app.on_stream(event, Stamp::now()));
            }
            Ok(()) = status.changed() => {
                app.on_toy_reading(link.reading());
            }
            () = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
        effects.extend(app.drive_lane(Stamp::now()));
        for effect in effects {
            match effect {
                Effect::Send {
                    request_id,
                    key,
                    command,
                } => super::send(&stream, &request_id, &key, command).await,
                Effect::ToyCue(cue) => follow(&toys, cue, &patterns),
                Effect::StopToy => toys.panic_stop(),
                _ => {}
            }
        }
    }
    stream.close();
}
