//! The award dialog: points from the performer's allowance to the selected
//! item's viewer, with a note. Before anything is sent it shows the
//! viewer's points, what the award limits still allow, and this
//! broadcast's awards so far (all asked of the server when it opens).

use crate::console::app::{App, Dialog, Effect, LogKind};
use crate::console::screen::Action;
use crate::console::text_field::{Accept, TextEdit, TextField};
use crate::domain::UserId;
use crate::protocol::{AwardLeft, PointsRow};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwardField {
    Amount,
    Note,
}

const NOTE_CHARS: usize = 200;
const AMOUNT_DIGITS: usize = 9;

/// A viewer's points and last awards in the room (or why they cannot be
/// shown), for the item details.
pub type ViewerPoints = (UserId, Result<(u64, Vec<PointsRow>), String>);

/// What the console asks the server for about points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PointsRequest {
    /// The viewer's points and what the limits allow.
    Left(UserId),
    /// The room's awards of its current (or last) broadcast, newest first.
    Awards,
    /// A viewer's points and their last awards here, for the item details.
    Viewer(UserId),
    Award {
        user: UserId,
        amount: u64,
        note: Option<String>,
        /// One key per intended award: a resend reuses it.
        key: String,
    },
}

/// The server's answers, in the dialog's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PointsAnswer {
    Left(AwardLeft),
    Awards(Vec<PointsRow>),
    Awarded {
        user: UserId,
        amount: u64,
    },
    /// A viewer's points and last awards, or why they cannot be shown.
    Viewer {
        user: UserId,
        points: Result<(u64, Vec<PointsRow>), String>,
    },
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardForm {
    pub user: UserId,
    pub user_name: String,
    pub amount: TextField,
    pub note: TextField,
    pub field: AwardField,
    pub left: Option<AwardLeft>,
    /// This broadcast's awards, newest first.
    pub awards: Vec<PointsRow>,
    /// An award is on its way: another submit waits.
    pub sending: bool,
    pub key: String,
    pub error: Option<String>,
}

impl AwardForm {
    /// The award, or what is wrong with the form.
    fn request(&self) -> Result<PointsRequest, String> {
        let amount: u64 = self
            .amount
            .parse()
            .map_err(|_| "amount: type a whole number of points".to_string())?;
        if amount == 0 {
            return Err("amount: at least 1 point".into());
        }
        if let Some(left) = &self.left
            && amount > left.most
        {
            return Err(format!(
                "amount: the limits allow at most {} now",
                left.most
            ));
        }
        let note = self.note.trim();
        Ok(PointsRequest::Award {
            user: self.user.clone(),
            amount,
            note: (!note.is_empty()).then(|| note.to_string()),
            key: self.key.clone(),
        })
    }

    pub fn edit(&mut self, edit: TextEdit) {
        self.error = None;
        let field = match self.field {
            AwardField::Amount => &mut self.amount,
            AwardField::Note => &mut self.note,
        };
        field.apply(edit);
    }

    fn step(&mut self) {
        self.field = match self.field {
            AwardField::Amount => AwardField::Note,
            AwardField::Note => AwardField::Amount,
        };
    }
}

impl App {
    pub(in crate::console) fn open_award(&mut self) -> Vec<Effect> {
        if !self.connected() {
            self.say(
                LogKind::Error,
                "not connected: awards wait until the server is back",
            );
            return Vec::new();
        }
        let Some(index) = self.selected_index() else {
            self.say(LogKind::Info, "the queue is empty: no viewer to award");
            return Vec::new();
        };
        let id = self.rows()[index];
        let Some(item) = self.model.as_ref().and_then(|m| m.find(id)).cloned() else {
            return Vec::new();
        };
        self.next_request += 1;
        let user = item.user_id.clone();
        self.dialog = Some(Dialog::Award(Box::new(AwardForm {
            user: user.clone(),
            user_name: item.user_name.to_string(),
            amount: TextField::new("", Accept::Digits, AMOUNT_DIGITS),
            note: TextField::new("", Accept::Text, NOTE_CHARS),
            field: AwardField::Amount,
            left: None,
            awards: Vec::new(),
            sending: false,
            key: format!("award-{}-{}", self.room, self.next_request),
            error: None,
        })));
        vec![
            Effect::Points(PointsRequest::Left(user)),
            Effect::Points(PointsRequest::Awards),
        ]
    }

    /// An action of the award dialog's section.
    pub(in crate::console) fn award_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(Dialog::Award(mut form)) = self.dialog.take() else {
            return Vec::new();
        };
        form.error = None;
        let mut effects = Vec::new();
        match action {
            Action::Close => return Vec::new(),
            Action::NextField | Action::PrevField => form.step(),
            Action::Erase => form.edit(TextEdit::Key(Action::Erase)),
            Action::Submit if form.sending => {}
            Action::Submit if !self.connected() => {
                form.error = Some("not connected: wait for the server".into());
            }
            Action::Submit => match form.request() {
                Ok(request) => {
                    form.sending = true;
                    effects.push(Effect::Points(request));
                }
                Err(message) => form.error = Some(message),
            },
            _ => {}
        }
        self.dialog = Some(Dialog::Award(form));
        effects
    }

    /// What the server said about points.
    pub fn on_points_answer(&mut self, answer: PointsAnswer) {
        if let PointsAnswer::Awarded { user, amount } = &answer {
            self.say(LogKind::Info, format!("awarded {amount} points to {user}"));
            if matches!(self.dialog, Some(Dialog::Award(_))) {
                self.dialog = None;
            }
            return;
        }
        if let PointsAnswer::Viewer { user, points } = answer {
            self.viewer_points = Some((user, points));
            return;
        }
        let Some(Dialog::Award(form)) = &mut self.dialog else {
            return;
        };
        match answer {
            PointsAnswer::Left(left) if left.user == form.user => form.left = Some(left),
            PointsAnswer::Awards(rows) => form.awards = rows,
            PointsAnswer::Failed(message) => {
                form.sending = false;
                form.error = Some(message);
            }
            _ => {}
        }
    }
}
