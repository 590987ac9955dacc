//! The ban dialog of a watched room: whom (the selected item's viewer),
//! where (this room or every room in the token's scope), why (the fixed
//! list). Sent as one REST request; the server refunds their queued items.

use ratatui::Frame;
use ratatui::layout::Alignment;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::app::{App, Dialog, Effect, LogKind};
use super::screen::Action;
use super::view::{block, fg, popup};
use crate::domain::{BanReason, RoomId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanForm {
    pub room: RoomId,
    pub user: UserId,
    pub user_name: String,
    /// Index into the reasons, `other` left out (it needs a note).
    pub reason: usize,
    /// Every room in scope, not only this one.
    pub all: bool,
}

/// The reasons offered: the fixed list without `other`.
pub fn reasons() -> Vec<BanReason> {
    BanReason::ALL
        .into_iter()
        .filter(|r| *r != BanReason::Other)
        .collect()
}

/// What the runtime sends for a moderation key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModerationRequest {
    Ban {
        room: RoomId,
        user: UserId,
        reason: BanReason,
        all: bool,
    },
    Pause(RoomId),
    Resume(RoomId),
}

impl App {
    pub(super) fn open_ban(&mut self) {
        let item = self
            .selected_index()
            .map(|i| self.rows()[i])
            .and_then(|id| self.model.as_ref()?.find(id).cloned());
        let Some(item) = item else {
            self.say(LogKind::Info, "the queue is empty: no viewer to ban");
            return;
        };
        self.dialog = Some(Dialog::Ban(BanForm {
            room: self.room.clone(),
            user: item.user_id.clone(),
            user_name: item.user_name.to_string(),
            reason: 0,
            all: false,
        }));
    }

    pub(super) fn ban_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(Dialog::Ban(form)) = &mut self.dialog else {
            return Vec::new();
        };
        let count = reasons().len();
        match action {
            Action::Up => form.reason = (form.reason + count - 1) % count,
            Action::Down => form.reason = (form.reason + 1) % count,
            Action::Toggle => form.all = !form.all,
            Action::Submit => {
                let request = ModerationRequest::Ban {
                    room: form.room.clone(),
                    user: form.user.clone(),
                    reason: reasons()[form.reason],
                    all: form.all,
                };
                self.dialog = None;
                return vec![Effect::Moderate(request)];
            }
            Action::Close => self.dialog = None,
            _ => {}
        }
        Vec::new()
    }
}

pub(super) fn draw(frame: &mut Frame, app: &App, form: &BanForm) {
    let t = &app.theme;
    let area = popup(frame.area(), 56, 13);
    frame.render_widget(Clear, area);
    let mut lines = vec![
        Line::from(format!("Ban {} ({})", form.user_name, form.user)),
        Line::from(if form.all {
            "from every room you moderate".to_string()
        } else {
            format!("from {}", form.room)
        }),
        Line::from("Their queued items there are refunded."),
    ];
    for (n, reason) in reasons().iter().enumerate() {
        let mark = if n == form.reason { "▸ " } else { "  " };
        lines.push(Line::from(format!("{mark}{}", reason.as_str())));
    }
    lines.push(Line::from(Span::styled(
        super::view::key_line(&app.keymap, super::screen::Screen::Ban),
        fg(t.dim),
    )));
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Left)
            .block(block(" Ban ", t)),
        area,
    );
}
