//! An editor's conversation with the server: whether a request is in
//! flight, and the last thing said (an error or a note). While a request
//! is in flight only leaving is taken; the message line shows it all.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

use crate::console::screen::Action;
use crate::console::text_field::TextEdit;
use crate::console::theme::Theme;
use crate::console::widgets::fg;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Session {
    /// A request was sent and its answer has not come yet.
    pub waiting: bool,
    /// The last note, `true` when it is an error.
    pub message: Option<(bool, String)>,
}

impl Session {
    /// A session whose first request (the load) is on its way.
    pub fn loading() -> Session {
        Session {
            waiting: true,
            message: None,
        }
    }

    pub fn say(&mut self, error: bool, text: impl Into<String>) {
        self.message = Some((error, text.into()));
    }

    /// The server's refusal, naming its field when the message does not.
    pub fn refused(&mut self, message: String, field: Option<String>) {
        let text = match field {
            Some(field) if !message.contains(&field) => format!("{field}: {message}"),
            _ => message,
        };
        self.say(true, text);
    }

    /// Whether an edit of a form's text may go on: an editing key is an
    /// action like any other; text waits while a request is in flight.
    pub fn admit_edit(&mut self, edit: TextEdit) -> bool {
        match edit {
            TextEdit::Key(action) => self.admit(action),
            TextEdit::Char(_) | TextEdit::Paste(_) => !self.waiting,
        }
    }

    /// Whether `action` may go on: while waiting, only leaving does. A
    /// taken action clears the last message.
    pub fn admit(&mut self, action: Action) -> bool {
        let leaving = matches!(action, Action::Close | Action::Cancel);
        if self.waiting && !leaving {
            self.say(false, "waiting for the server…");
            return false;
        }
        self.message = None;
        true
    }
}

/// The editor's message line: talking to the server, an error, or a note.
pub fn draw_message(frame: &mut Frame, session: &Session, theme: &Theme, area: Rect) {
    let line = match (&session.message, session.waiting) {
        (_, true) => Span::styled(" talking to the server…", fg(theme.pending)),
        (Some((true, text)), _) => Span::styled(
            format!(" {text}"),
            fg(theme.error).add_modifier(Modifier::BOLD),
        ),
        (Some((false, text)), _) => Span::styled(format!(" {text}"), fg(theme.success)),
        (None, _) => Span::raw(""),
    };
    frame.render_widget(Paragraph::new(line), area);
}
