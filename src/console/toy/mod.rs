//! The toy screen (`t`): connect, reconnect, disconnect, try a level by hand, resume
//! after a stop key; and the toy's state as the console follows it (what
//! the scheduler is told as the stage moves, what its strip reads).

pub(in crate::console) mod keys;
pub mod state;
mod view;

pub use state::{PREVIEW, ToyCue, ToyReading, ToyState};
pub use view::draw;

use crate::console::app::{App, Effect, ToyRequest};
use crate::console::key::Key;
use crate::console::screen::Action;

impl App {
    pub(in crate::console) fn toy_screen_action(
        &mut self,
        action: Action,
        key: &Key,
    ) -> Vec<Effect> {
        let request = match action {
            Action::Close => {
                self.dialog = None;
                None
            }
            Action::ConnectVirtual => Some(ToyRequest::ConnectVirtual),
            Action::ConnectBluetooth => Some(ToyRequest::ConnectBluetooth),
            Action::Disconnect => Some(ToyRequest::DisconnectAll),
            Action::Reconnect => Some(ToyRequest::Reconnect),
            // The lane resumes with the toy: the cut tip runs on.
            Action::Resume => return self.resume_lane(),
            // The digit pressed picks the level: 0 off, 9 is 18 of 20.
            Action::TryLevel => key
                .typed()
                .and_then(|c| c.to_digit(10))
                .map(|d| ToyRequest::Try(d as u8 * 2)),
            Action::RegenerateOverlay => return vec![Effect::RegenerateOverlay],
            _ => None,
        };
        request.map(Effect::Toy).into_iter().collect()
    }
}
