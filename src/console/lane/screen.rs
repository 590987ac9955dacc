//! The lane screen's actions: what each key asks of the server.

use crate::console::app::{App, Dialog, Effect, LogKind};
use crate::console::screen::Action;
use crate::protocol::RoomCommand;

impl App {
    /// Open the lane screen from the queue.
    pub(in crate::console) fn open_lane(&mut self) -> Vec<Effect> {
        self.dialog = Some(Dialog::Lane { selected: 0 });
        Vec::new()
    }

    /// Every tip of the lane as the screen lists it: the running one first.
    pub fn lane_rows(&self) -> Vec<&crate::protocol::LaneTip> {
        self.lane
            .running
            .iter()
            .chain(self.lane.waiting.iter())
            .collect()
    }

    pub(in crate::console) fn lane_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(Dialog::Lane { selected }) = self.dialog.clone() else {
            return Vec::new();
        };
        let rows = self.lane_rows().len();
        let moderator = self.read_only();
        match action {
            Action::Close => self.dialog = None,
            Action::Up => {
                self.dialog = Some(Dialog::Lane {
                    selected: selected.saturating_sub(1),
                })
            }
            Action::Down => {
                self.dialog = Some(Dialog::Lane {
                    selected: (selected + 1).min(rows.saturating_sub(1)),
                })
            }
            _ if moderator => self.say(LogKind::Error, "read-only: the lane is the performer's"),
            // The editor takes the screen; closing it comes back here.
            Action::Levels => return self.open_levels(true),
            Action::Skip => {
                let item = self.lane_rows().get(selected).map(|t| t.item.id);
                if let Some(item) = item {
                    return self.dispatch(RoomCommand::LaneSkip { item });
                }
            }
            Action::ClearLane if rows > 0 => self.dialog = Some(Dialog::LaneClear),
            Action::Pause if !self.lane.paused => return self.dispatch(RoomCommand::LanePause),
            Action::Resume => return self.resume_lane(),
            _ => {}
        }
        Vec::new()
    }

    pub(in crate::console) fn lane_clear_action(&mut self, action: Action) -> Vec<Effect> {
        self.dialog = Some(Dialog::Lane { selected: 0 });
        match action {
            Action::Confirm => self.dispatch(RoomCommand::LaneClear),
            _ => Vec::new(),
        }
    }
}
