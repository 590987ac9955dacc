//! The queue's own keys: start, finish, refund, selection, the log, and
//! opening the other screens. Money commands are never optimistic: each is
//! sent once, with one idempotency key, and waits for the server.

use super::award::PointsRequest;
use crate::console::app::{App, Dialog, Effect, LogKind, Pending};
use crate::console::model::RoomModel;
use crate::console::screen::Action;
use crate::domain::{ItemId, Stamp};
use crate::protocol::RoomCommand;

impl App {
    /// An action of the queue's section.
    pub(in crate::console) fn act(&mut self, action: Action, now: Stamp) -> Vec<Effect> {
        match action {
            Action::Start => self.send_money(now, |model| {
                if let Some(running) = &model.in_progress {
                    return Err(format!(
                        "{} is on stage: finish or refund it first",
                        running.item.id
                    ));
                }
                let head = model.head().ok_or("the queue is empty: nothing to start")?;
                Ok(RoomCommand::Start {
                    item: Some(head.id),
                })
            }),
            Action::Finish => self.send_money(now, |model| {
                let running = model.in_progress.as_ref().ok_or("nothing is on stage")?;
                Ok(RoomCommand::Finish {
                    item: Some(running.item.id),
                })
            }),
            Action::Refund => {
                self.open_refund();
                Vec::new()
            }
            Action::Award => self.open_award(),
            Action::Reply => self.open_reply(),
            Action::Up | Action::Down => {
                let rows = self.rows();
                if let Some(index) = self.selected_index() {
                    let next = if action == Action::Up {
                        index.saturating_sub(1)
                    } else {
                        (index + 1).min(rows.len() - 1)
                    };
                    self.selected = rows.get(next).copied();
                }
                Vec::new()
            }
            Action::Details => match self.selected_index().map(|i| self.rows()[i]) {
                Some(item) => {
                    self.dialog = Some(Dialog::Details { item, record: None });
                    self.viewer_points = None;
                    let mut effects = vec![Effect::FetchAudit(item)];
                    let viewer = self.model.as_ref().and_then(|m| m.find(item));
                    if let Some(viewer) = viewer.map(|i| i.user_id.clone())
                        && !self.read_only()
                    {
                        effects.push(Effect::Points(PointsRequest::Viewer(viewer)));
                    }
                    effects
                }
                None => Vec::new(),
            },
            Action::Quit => {
                let on_stage = self.model.as_ref().is_some_and(|m| m.in_progress.is_some());
                if on_stage {
                    self.dialog = Some(Dialog::ConfirmQuit);
                    Vec::new()
                } else {
                    self.quit_now()
                }
            }
            // Nobody can press a stop key while the console is suspended.
            Action::Suspend => {
                let mut effects = self.stop_toy(now);
                effects.push(Effect::Suspend);
                effects
            }
            Action::Toy => {
                self.dialog = Some(Dialog::Toy);
                Vec::new()
            }
            Action::Broadcast => self.broadcast_key(),
            Action::Report => self.open_report(),
            Action::Lane => self.open_lane(),
            Action::Menus => {
                if self.read_only() {
                    self.say(LogKind::Info, "menus are the performer's to edit");
                    return Vec::new();
                }
                self.open_menus()
            }
            Action::Games => {
                if self.read_only() {
                    self.say(LogKind::Info, "games are the performer's to edit");
                    return Vec::new();
                }
                self.open_games()
            }
            Action::Levels => {
                if self.read_only() {
                    self.say(LogKind::Info, "tip levels are the performer's to edit");
                    return Vec::new();
                }
                self.open_levels(false)
            }
            Action::LogUp => {
                self.log_back = (self.log_back + 5).min(self.log.len().saturating_sub(1));
                Vec::new()
            }
            Action::LogDown => {
                self.log_back = self.log_back.saturating_sub(5);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Send a money command after the checks every one needs: connected,
    /// allowed, not already on its way.
    fn send_money(
        &mut self,
        _now: Stamp,
        build: impl FnOnce(&RoomModel) -> Result<RoomCommand, String>,
    ) -> Vec<Effect> {
        let model = match (&self.model, self.connected()) {
            (Some(model), true) => model,
            _ => {
                self.say(
                    LogKind::Error,
                    "not connected: money actions wait until the server is back",
                );
                return Vec::new();
            }
        };
        if self.read_only() {
            self.say(
                LogKind::Error,
                "read-only: a moderator may only refund for moderation",
            );
            return Vec::new();
        }
        match build(model) {
            Ok(command) => self.dispatch(command),
            Err(message) => {
                self.say(LogKind::Info, message);
                Vec::new()
            }
        }
    }

    pub(in crate::console) fn dispatch(&mut self, command: RoomCommand) -> Vec<Effect> {
        let same_kind =
            |p: &Pending| std::mem::discriminant(&p.command) == std::mem::discriminant(&command);
        if let Some(pending) = self
            .pending
            .values()
            .find(|p| same_kind(p) && p.item() == command_item(&command))
        {
            let message = format!("{} already sent, waiting for the server", pending.verb());
            self.say(LogKind::Info, message);
            return Vec::new();
        }
        self.next_request += 1;
        let request_id = format!("c-{}", self.next_request);
        let key = uuid::Uuid::new_v4().simple().to_string();
        self.pending.insert(
            request_id.clone(),
            Pending {
                command: command.clone(),
                key: key.clone(),
            },
        );
        vec![Effect::Send {
            request_id,
            key,
            command,
        }]
    }
}

fn command_item(command: &RoomCommand) -> Option<ItemId> {
    command.item()
}
