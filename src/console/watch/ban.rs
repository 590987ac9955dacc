//! The ban dialog of a watched room: whom (the selected item's viewer),
//! where (this room or every room in the token's scope), why (the fixed
//! list; "other" needs a note) and for how long (empty: until unbanned).
//! Checked here before anything is sent, as one REST request; the server
//! refunds their queued items.

use ratatui::Frame;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::console::app::{App, Dialog, Effect, LogKind};
use crate::console::screen::{Action, Screen};
use crate::console::text_field::{Accept, TextEdit, TextField};
use crate::console::widgets::{block, fg, key_line, popup};
use crate::domain::refund::MAX_NOTE_CHARS;
use crate::domain::{BanReason, RoomId, UserId};

/// The longest ban a moderator types: a year.
pub const MAX_BAN_DAYS: u64 = 365;
/// Enough for "365d" and a typo.
const EXPIRY_CHARS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BanField {
    Reason,
    Scope,
    Note,
    Expires,
}

impl BanField {
    const ORDER: [BanField; 4] = [
        BanField::Reason,
        BanField::Scope,
        BanField::Note,
        BanField::Expires,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanForm {
    pub room: RoomId,
    pub user: UserId,
    pub user_name: String,
    /// Index into `BanReason::ALL`.
    pub reason: usize,
    /// Every room in scope, not only this one.
    pub all: bool,
    pub note: TextField,
    /// A duration as typed ("30m", "12h", "7d"); empty: until unbanned.
    pub expires: TextField,
    pub field: BanField,
    pub error: Option<String>,
}

/// What the runtime sends for a moderation key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModerationRequest {
    Ban {
        room: RoomId,
        user: UserId,
        reason: BanReason,
        all: bool,
        note: Option<String>,
        expires_in_secs: Option<u64>,
    },
    Pause(RoomId),
    Resume(RoomId),
}

/// A ban's length as typed: a whole number and `m`, `h` or `d`; empty is
/// no expiry. The error names the field and says what would do.
pub fn parse_expiry(text: &str) -> Result<Option<u64>, String> {
    let text = text.trim();
    let Some((at, unit)) = text.char_indices().last() else {
        return Ok(None);
    };
    let bad = || {
        format!(
            "expires: {text:?} is not a length: type a number and m, h or d \
             (30m, 12h, 7d), or leave it empty for a ban until unbanned"
        )
    };
    let unit_secs: u64 = match unit {
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        _ => return Err(bad()),
    };
    let count: u64 = text[..at].parse().map_err(|_| bad())?;
    let secs = count.saturating_mul(unit_secs);
    if count == 0 {
        return Err("expires: at least 1m; leave it empty for a ban until unbanned".into());
    }
    if secs > MAX_BAN_DAYS * 86_400 {
        return Err(format!(
            "expires: at most {MAX_BAN_DAYS}d; leave it empty for a ban until unbanned"
        ));
    }
    Ok(Some(secs))
}

impl BanForm {
    fn reason(&self) -> BanReason {
        BanReason::ALL[self.reason]
    }

    /// Whether the focused field takes typed characters.
    pub fn typing(&self) -> bool {
        matches!(self.field, BanField::Note | BanField::Expires)
    }

    /// A typed character, an editing key or a paste into the focused field.
    pub fn edit(&mut self, edit: TextEdit) {
        self.error = None;
        match self.field {
            BanField::Note => self.note.apply(edit),
            BanField::Expires => self.expires.apply(edit),
            BanField::Reason | BanField::Scope => false,
        };
    }

    /// The request, or what is wrong with the form (the field first).
    pub fn request(&self) -> Result<ModerationRequest, String> {
        let note = self.note.trim();
        if self.reason() == BanReason::Other && note.is_empty() {
            return Err("note: a ban for \"other\" needs a note saying why".into());
        }
        let expires_in_secs = parse_expiry(&self.expires)?;
        Ok(ModerationRequest::Ban {
            room: self.room.clone(),
            user: self.user.clone(),
            reason: self.reason(),
            all: self.all,
            note: (!note.is_empty()).then(|| note.to_string()),
            expires_in_secs,
        })
    }

    fn step(&mut self, by: isize) {
        let order = BanField::ORDER;
        let at = order.iter().position(|f| *f == self.field).unwrap_or(0) as isize;
        self.field = order[(at + by).rem_euclid(order.len() as isize) as usize];
    }
}

impl App {
    pub(in crate::console) fn open_ban(&mut self) {
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
            note: TextField::new("", Accept::Text, MAX_NOTE_CHARS),
            expires: TextField::new("", Accept::Alphanumeric, EXPIRY_CHARS),
            field: BanField::Reason,
            error: None,
        }));
    }

    pub(in crate::console) fn ban_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(Dialog::Ban(form)) = &mut self.dialog else {
            return Vec::new();
        };
        form.error = None;
        let count = BanReason::ALL.len();
        match (action, form.field) {
            (Action::Up, BanField::Reason) => form.reason = (form.reason + count - 1) % count,
            (Action::Down, BanField::Reason) => form.reason = (form.reason + 1) % count,
            (Action::Up | Action::Down, BanField::Scope) | (Action::Toggle, _) => {
                form.all = !form.all
            }
            (Action::NextField, _) => form.step(1),
            (Action::PrevField, _) => form.step(-1),
            (Action::Erase, _) => form.edit(TextEdit::Key(Action::Erase)),
            (Action::Submit, _) => match form.request() {
                Ok(request) => {
                    self.dialog = None;
                    return vec![Effect::Moderate(request)];
                }
                Err(message) => form.error = Some(message),
            },
            (Action::Close, _) => self.dialog = None,
            _ => {}
        }
        Vec::new()
    }
}

pub fn draw(frame: &mut Frame, app: &App, form: &BanForm) {
    let t = &app.theme;
    let area = popup(frame.area(), 60, 19);
    frame.render_widget(Clear, area);
    let focus = |field: BanField| {
        if form.field == field {
            fg(t.accent).add_modifier(Modifier::BOLD)
        } else {
            fg(t.dim)
        }
    };
    let shown = |field: BanField, text: &TextField| text.shown(form.field == field);
    let mut lines = vec![
        Line::from(format!("Ban {} ({})", form.user_name, form.user)),
        Line::from(Span::styled(
            "Their queued items there are refunded.",
            fg(t.dim),
        )),
        Line::from(Span::styled("Reason", focus(BanField::Reason))),
    ];
    for (n, reason) in BanReason::ALL.iter().enumerate() {
        let chosen = n == form.reason;
        let mark = if chosen { "(•)" } else { "( )" };
        let style = if chosen {
            fg(t.text).add_modifier(Modifier::BOLD)
        } else {
            fg(t.dim)
        };
        lines.push(Line::from(Span::styled(
            format!("  {mark} {}", reason.as_str()),
            style,
        )));
    }
    let scope = if form.all {
        "every room you moderate".to_string()
    } else {
        format!("{} only", form.room)
    };
    lines.push(Line::from(vec![
        Span::styled("Where   ", focus(BanField::Scope)),
        Span::styled(scope, fg(t.text)),
    ]));
    let note_hint = if form.reason() == BanReason::Other {
        " (required)"
    } else {
        " (optional)"
    };
    lines.push(Line::from(vec![
        Span::styled("Note    ", focus(BanField::Note)),
        Span::styled(
            format!("[{}]", shown(BanField::Note, &form.note)),
            fg(t.text),
        ),
        Span::styled(note_hint, fg(t.dim)),
    ]));
    lines.push(Line::from(vec![
        Span::styled("Expires ", focus(BanField::Expires)),
        Span::styled(
            format!("[{}]", shown(BanField::Expires, &form.expires)),
            fg(t.text),
        ),
        Span::styled(" 30m, 12h, 7d; empty: until unbanned", fg(t.dim)),
    ]));
    lines.push(match &form.error {
        Some(error) => Line::from(Span::styled(
            error.clone(),
            fg(t.error).add_modifier(Modifier::BOLD),
        )),
        None => Line::from(""),
    });
    lines.push(Line::from(Span::styled(
        key_line(&app.keymap, Screen::Ban),
        fg(t.dim),
    )));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: true })
            .block(block(" Ban ", t)),
        area,
    );
}
