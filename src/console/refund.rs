//! The refund dialog: reason, amount (all by default) and a note, checked
//! before anything is sent. Its amount and note are text fields.

use super::app::{App, Dialog, Effect, LogKind};
use super::screen::Action;
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
    pub amount: String,
    pub note: String,
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

    /// A character typed into the focused field (digits only in the amount).
    pub fn type_char(&mut self, c: char) {
        self.error = None;
        match self.field {
            RefundField::Amount if c.is_ascii_digit() && self.amount_fresh => {
                self.amount = c.to_string();
                self.amount_fresh = false;
            }
            RefundField::Amount if c.is_ascii_digit() && self.amount.len() < AMOUNT_DIGITS => {
                self.amount.push(c)
            }
            RefundField::Note if self.note.chars().count() < NOTE_CHARS => self.note.push(c),
            _ => {}
        }
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
    pub(super) fn open_refund(&mut self) {
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
            amount: item.token_cost.to_string(),
            note: String::new(),
            field: RefundField::Reason,
            amount_fresh: true,
            error: None,
        }));
    }

    /// An action of the refund dialog's section.
    pub(super) fn refund_action(&mut self, action: Action) -> Vec<Effect> {
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
            Action::Erase => {
                form.amount_fresh = false;
                match form.field {
                    RefundField::Amount => form.amount.pop(),
                    RefundField::Note => form.note.pop(),
                    RefundField::Reason => None,
                };
            }
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
