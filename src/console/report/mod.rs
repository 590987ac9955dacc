//! The report screen (`R`, and by itself when the room's broadcast ends):
//! a broadcast's totals, refunds by reason, top items and a chart of its
//! earnings and refunds over time; older broadcasts one key away. The
//! screen asks for the room's broadcasts, then for the shown one's report;
//! the runtime does the asking (`run::requests`).

pub(in crate::console) mod keys;
mod view;

pub use view::draw;

use crate::console::app::{App, Dialog, Effect, LogKind};
use crate::console::keymap::Section;
use crate::console::screen::{Action, Screen};
use crate::report::{Broadcast, Report};

/// How many of the room's broadcasts the screen can step through.
pub const BROADCASTS: usize = 50;

/// What the report screen asks the server for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportRequest {
    /// The room's newest broadcasts.
    Broadcasts,
    /// One broadcast's report.
    Report(i64),
}

/// The server's answer, in the screen's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportAnswer {
    /// Newest first.
    Broadcasts(Vec<Broadcast>),
    Report(Box<Report>),
    Failed(String),
}

/// The report screen's state: the room's broadcasts and the one shown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportScreen {
    /// Newest first; empty until they arrive.
    pub broadcasts: Vec<Broadcast>,
    /// The shown broadcast's place in `broadcasts` (0 is the newest).
    pub index: usize,
    /// The shown broadcast's report, once it arrived.
    pub report: Option<Report>,
    /// Waiting for an answer.
    pub loading: bool,
    /// Why the last request failed.
    pub error: Option<String>,
}

impl ReportScreen {
    /// A screen already showing `report` (the broadcasts it knows of).
    pub fn showing(broadcasts: Vec<Broadcast>, report: Report) -> ReportScreen {
        let index = broadcasts
            .iter()
            .position(|b| b.id == report.broadcast.id)
            .unwrap_or(0);
        ReportScreen {
            broadcasts,
            index,
            report: Some(report),
            loading: false,
            error: None,
        }
    }

    /// The broadcast shown (or asked for).
    pub fn shown(&self) -> Option<&Broadcast> {
        self.broadcasts.get(self.index)
    }

    fn ask(&mut self, request: ReportRequest) -> Vec<Effect> {
        self.loading = true;
        self.error = None;
        vec![Effect::Report(request)]
    }

    fn ask_shown(&mut self) -> Vec<Effect> {
        match self.shown().map(|b| b.id) {
            Some(id) => self.ask(ReportRequest::Report(id)),
            None => Vec::new(),
        }
    }

    /// Step to an older (+1) or newer (-1) broadcast and ask for its report.
    fn step(&mut self, older: bool) -> Vec<Effect> {
        let next = if older {
            self.index + 1
        } else {
            match self.index.checked_sub(1) {
                Some(next) => next,
                None => return Vec::new(),
            }
        };
        if next >= self.broadcasts.len() {
            return Vec::new();
        }
        self.index = next;
        self.report = None;
        self.ask_shown()
    }

    fn on_answer(&mut self, answer: ReportAnswer) -> Vec<Effect> {
        self.loading = false;
        match answer {
            ReportAnswer::Broadcasts(list) => {
                // Keep showing the same broadcast when the list is reloaded.
                let shown = self.shown().map(|b| b.id);
                self.broadcasts = list;
                self.index = shown
                    .and_then(|id| self.broadcasts.iter().position(|b| b.id == id))
                    .unwrap_or(0);
                if self.broadcasts.is_empty() {
                    self.report = None;
                    return Vec::new();
                }
                self.ask_shown()
            }
            // A late answer for a broadcast no longer shown is dropped.
            ReportAnswer::Report(report)
                if self.shown().map(|b| b.id) == Some(report.broadcast.id) =>
            {
                self.report = Some(*report);
                Vec::new()
            }
            ReportAnswer::Report(_) => Vec::new(),
            ReportAnswer::Failed(message) => {
                self.error = Some(message);
                Vec::new()
            }
        }
    }
}

impl App {
    /// The report screen opens on the room's newest broadcast.
    pub(in crate::console) fn open_report(&mut self) -> Vec<Effect> {
        let mut screen = ReportScreen::default();
        let effects = screen.ask(ReportRequest::Broadcasts);
        self.dialog = Some(Dialog::Report(screen));
        effects
    }

    /// The room's broadcast ended: its report opens (on the report screen
    /// too: the newest broadcast is the one that ended), unless the
    /// performer is busy on another screen (then the status names the key).
    pub(in crate::console) fn broadcast_ended(&mut self) -> Vec<Effect> {
        if self.watch.is_some() {
            return Vec::new();
        }
        if matches!(self.screen(), Screen::Queue | Screen::Report) {
            return self.open_report();
        }
        let key = self
            .keymap
            .first_key(Section::On(Screen::Queue), Action::Report);
        self.say(
            LogKind::Info,
            format!("the broadcast ended: {key} shows its report"),
        );
        Vec::new()
    }

    pub(in crate::console) fn report_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(Dialog::Report(screen)) = &mut self.dialog else {
            return Vec::new();
        };
        match action {
            Action::Close => {
                self.dialog = None;
                Vec::new()
            }
            Action::Left => screen.step(true),
            Action::Right => screen.step(false),
            Action::Reload => screen.ask(ReportRequest::Broadcasts),
            _ => Vec::new(),
        }
    }

    pub fn on_report_answer(&mut self, answer: ReportAnswer) -> Vec<Effect> {
        match &mut self.dialog {
            Some(Dialog::Report(screen)) => screen.on_answer(answer),
            _ => Vec::new(),
        }
    }
}
