//! The refund dialog: reason, amount (all by default) and a note, checked
//! before anything is sent. Its amount and note are text fields.

use crate::console::app::{App, Dialog, Effect, LogKind};
use crate::console::screen::Action;
use crate::console::text_field::{Accept, TextEdit, TextField};
use crate::domain::{ItemId, RefundReason};
use crate::protocol::RoomCommand;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundField {
    Reason,
    Amount,
    Note,
}

/// The longest note and amount typed.
const NOTE_CHARS: usize = 200;
const AMOUNT_DIGITS: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundForm {
    pub item: ItemId,
    pub title: String,
    pub user: String,
    pub cost: u64,
    pub reasons: Vec<RefundReason>,
    pub reason: usize,
    pub amount: TextField,
    pub note: TextField,
    pub field: RefundField,
    /// The amount shown is the default: the first digit typed replaces it.
    pub amount_fresh: bool,
    pub error: Option<String>,
}

impl RefundForm {
    fn reason(&self) -> RefundReason {
        self.reasons[self.reason]
    }

    /// Whether the focused field takes typed characters.
    pub fn typing(&self) -> bool {
        self.field != RefundField::Reason
    }

    /// The command, or what is wrong with the form.
    fn command(&self) -> Result<RoomCommand, String> {
        let amount: u64 = self
            .amount
            .parse()
            .map_err(|_| format!("amount: type a number from 1 to {}", self.cost))?;
        if !(1..=self.cost).contains(&amount) {
            return Err(format!("amount: {amount} is outside 1..={}", self.cost));
        }
        let note = self.note.trim();
        if self.reason() == RefundReason::Other && note.is_empty() {
            return Err("note: a refund for \"other\" needs a note".into());
        }
        Ok(RoomCommand::Refund {
            item: self.item,
            amount: (amount != self.cost).then_some(amount),
            reason: self.reason(),
            note: (!note.is_empty()).then(|| note.to_string()),
        })
    }

    /// A typed character, an editing key or a paste into the focused
    /// field (digits only in the amount). The amount shown at first is the
    /// default: what is typed or pasted there replaces it.
    pub fn edit(&mut self, edit: TextEdit) {
        self.error = None;
        let field = match self.field {
            RefundField::Amount => &mut self.amount,
            RefundField::Note => &mut self.note,
            RefundField::Reason => return,
        };
        if self.field == RefundField::Amount && self.amount_fresh {
            let digits = |text: &str| text.chars().any(|c| c.is_ascii_digit());
            let replaces = match edit {
                TextEdit::Char(c) => c.is_ascii_digit(),
                TextEdit::Paste(text) => digits(text),
                TextEdit::Key(_) => false,
            };
            if replaces {
                field.set("");
            }
            self.amount_fresh = !replaces && !matches!(edit, TextEdit::Key(_));
        }
        field.apply(edit);
    }

    fn step(&mut self, forward: bool) {
        self.field = match (self.field, forward) {
            (RefundField::Reason, true) | (RefundField::Note, false) => RefundField::Amount,
            (RefundField::Amount, true) | (RefundField::Reason, false) => RefundField::Note,
            (RefundField::Note, true) | (RefundField::Amount, false) => RefundField::Reason,
        };
    }
}

impl App {
    pub(in crate::console) fn open_refund(&mut self) {
        if !self.connected() {
            self.say(
                LogKind::Error,
                "not connected: refunds wait until the server is back",
            );
            return;
        }
        let Some(index) = self.selected_index() else {
            self.say(LogKind::Info, "the queue is empty: nothing to refund");
            return;
        };
        let id = self.rows()[index];
        let Some(item) = self.model.as_ref().and_then(|m| m.find(id)).cloned() else {
            return;
        };
        if self.pending_for(id).is_some() {
            self.say(LogKind::Info, format!("{id} has a command on its way"));
            return;
        }
        if item.token_cost == 0 {
            self.say(
                LogKind::Info,
                format!("{id} cost nothing: nothing to refund"),
            );
            return;
        }
        let reasons: Vec<RefundReason> = if self.read_only() {
            vec![RefundReason::Moderation]
        } else {
            vec![
                RefundReason::Goodwill,
                RefundReason::Dispute,
                RefundReason::Moderation,
                RefundReason::Other,
            ]
        };
        self.dialog = Some(Dialog::Refund(RefundForm {
            item: id,
            title: item.action.title.to_string(),
            user: item.user_name.to_string(),
            cost: item.token_cost,
            reasons,
            reason: 0,
            amount: TextField::new(item.token_cost.to_string(), Accept::Digits, AMOUNT_DIGITS),
            note: TextField::new("", Accept::Text, NOTE_CHARS),
            field: RefundField::Reason,
            amount_fresh: true,
            error: None,
        }));
    }

    /// An action of the refund dialog's section.
    pub(in crate::console) fn refund_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(Dialog::Refund(mut form)) = self.dialog.take() else {
            return Vec::new();
        };
        form.error = None;
        match action {
            Action::Close => return Vec::new(),
            Action::NextField => form.step(true),
            Action::PrevField => form.step(false),
            Action::Up if form.field == RefundField::Reason => {
                form.reason = form.reason.saturating_sub(1)
            }
            Action::Down if form.field == RefundField::Reason => {
                form.reason = (form.reason + 1).min(form.reasons.len() - 1);
            }
            Action::Erase => form.edit(TextEdit::Key(Action::Erase)),
            Action::Submit if !self.connected() => {
                form.error = Some("not connected: wait for the server".into());
            }
            Action::Submit => match form.command() {
                Ok(command) => return self.dispatch(command),
                Err(message) => form.error = Some(message),
            },
            _ => {}
        }
        self.dialog = Some(Dialog::Refund(form));
        Vec::new()
    }
}
