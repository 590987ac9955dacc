//! Going live and ending the broadcast from the console: one key, which
//! starts the broadcast at once and asks before ending it (the end refunds
//! what still waits once the grace period has passed).

use ratatui::Frame;
use ratatui::layout::Alignment;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::console::app::{App, Dialog, Effect, LogKind};
use crate::console::screen::Screen;
use crate::console::widgets::{block, fg, key_line, popup};
use crate::domain::Stamp;

impl App {
    /// The broadcast key: live at once when offline, a question when live.
    pub(in crate::console) fn broadcast_key(&mut self) -> Vec<Effect> {
        if self.read_only() {
            self.say(
                LogKind::Info,
                "the broadcast is the performer's to start and end",
            );
            return Vec::new();
        }
        let Some(model) = self.model.as_ref() else {
            self.say(
                LogKind::Error,
                "not connected: the room's state is not known yet",
            );
            return Vec::new();
        };
        if model.live {
            self.dialog = Some(Dialog::ConfirmEnd);
            Vec::new()
        } else {
            self.say(LogKind::Info, "going live…");
            vec![Effect::Broadcast(true)]
        }
    }

    /// The server's answer to a start or end; the change itself arrives as
    /// the room's event.
    pub fn on_broadcast_answer(&mut self, answer: Result<bool, String>, now: Stamp) {
        if let Err(err) = answer {
            self.note(now, LogKind::Error, format!("broadcast: {err}"));
            self.status = Some((LogKind::Error, format!("broadcast: {err}")));
        }
    }
}

/// What ending the broadcast will do, before the performer says yes.
pub fn draw_confirm_end(frame: &mut Frame, app: &App) {
    let t = &app.theme;
    let (items, tokens) = app.model.as_ref().map_or((0, 0), |m| {
        let tokens: u64 = m.waiting.iter().map(|i| i.token_cost).sum();
        (m.waiting.len(), tokens)
    });
    let area = popup(frame.area(), 60, 9);
    frame.render_widget(Clear, area);
    let lines = vec![
        Line::from("End the broadcast?"),
        Line::from(format!(
            "{items} waiting item(s) ({tokens} tokens) and the toy lane's waiting tips are \
             refunded after the grace period, unless you go live again before it ends."
        )),
        Line::from("The item on stage stays; finish or refund it as usual."),
        Line::from(Span::styled(
            key_line(&app.keymap, Screen::ConfirmEnd),
            fg(t.dim),
        )),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true })
            .block(block(" End the broadcast ", t)),
        area,
    );
}
