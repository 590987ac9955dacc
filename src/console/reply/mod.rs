//! The reply dialog: from a queue row or an item's details, answer the
//! item's viewer with a template (a mood, then one of its templates,
//! previewed in the viewer's tier wording) or free text, privately (by
//! their tier) or in the room's chat. The server renders and sends; the
//! log then shows the message's status as it changes.

pub mod keys;
mod view;

pub use view::draw_reply;

use crate::console::app::{App, Dialog, Effect, LogKind};
use crate::console::screen::Action;
use crate::console::text_field::{Accept, TextEdit, TextField};
use crate::domain::ItemId;
use crate::protocol::{ReplyBody, ReplyCatalog, ReplySent, ReplyVisibility};

/// The longest free text typed (the server holds its own limit).
const TEXT_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyField {
    /// Template or free text.
    Kind,
    Mood,
    Template,
    Text,
    /// Private or public.
    Visibility,
}

/// What the dialog asks the server for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyRequest {
    /// The templates in the tier wording of the item's viewer.
    Catalog(ItemId),
    Send(Box<ReplyBody>),
}

/// The server's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyAnswer {
    Catalog(ReplyCatalog),
    Sent(Box<ReplySent>),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyForm {
    pub item: ItemId,
    pub user: String,
    pub title: String,
    /// `None` until the server has answered.
    pub catalog: Option<ReplyCatalog>,
    pub free_text: bool,
    pub mood: usize,
    pub template: usize,
    pub text: TextField,
    pub public: bool,
    pub field: ReplyField,
    pub error: Option<String>,
}

impl ReplyForm {
    pub fn new(item: ItemId, user: String, title: String) -> Self {
        ReplyForm {
            item,
            user,
            title,
            catalog: None,
            free_text: false,
            mood: 0,
            template: 0,
            text: TextField::new("", Accept::Text, TEXT_CHARS),
            public: false,
            field: ReplyField::Kind,
            error: None,
        }
    }

    /// Whether the focused field takes typed characters.
    pub fn typing(&self) -> bool {
        self.field == ReplyField::Text
    }

    /// The fields shown, in order.
    pub fn fields(&self) -> &'static [ReplyField] {
        if self.free_text {
            &[ReplyField::Kind, ReplyField::Text, ReplyField::Visibility]
        } else {
            &[
                ReplyField::Kind,
                ReplyField::Mood,
                ReplyField::Template,
                ReplyField::Visibility,
            ]
        }
    }

    /// The chosen mood's name and templates.
    pub fn mood(&self) -> Option<&crate::protocol::ReplyMood> {
        self.catalog.as_ref()?.moods.get(self.mood)
    }

    /// The chosen template's text, as the viewer will read it.
    pub fn preview(&self) -> Option<&str> {
        self.mood()?
            .templates
            .get(self.template)
            .map(|t| t.text.as_str())
    }

    fn step(&mut self, forward: bool) {
        let fields = self.fields();
        let at = fields.iter().position(|f| *f == self.field).unwrap_or(0);
        let next = if forward {
            (at + 1) % fields.len()
        } else {
            (at + fields.len() - 1) % fields.len()
        };
        self.field = fields[next];
    }

    /// Up (`-1`) or down (`+1`) on the focused choice.
    fn choose(&mut self, down: bool) {
        let moods = self.catalog.as_ref().map_or(0, |c| c.moods.len());
        let templates = self.mood().map_or(0, |m| m.templates.len());
        let moved = |at: usize, len: usize| match (down, len) {
            (_, 0) => 0,
            (true, _) => (at + 1).min(len - 1),
            (false, _) => at.saturating_sub(1),
        };
        match self.field {
            ReplyField::Kind => self.free_text = !self.free_text,
            ReplyField::Visibility => self.public = !self.public,
            ReplyField::Mood => {
                self.mood = moved(self.mood, moods);
                self.template = 0;
            }
            ReplyField::Template => self.template = moved(self.template, templates),
            ReplyField::Text => {}
        }
    }

    /// The request, or what is missing.
    fn body(&self) -> Result<ReplyBody, String> {
        let visibility = if self.public {
            ReplyVisibility::Public
        } else {
            ReplyVisibility::Private
        };
        let item = (!self.public).then_some(self.item);
        if self.free_text {
            let text = self.text.value().trim();
            if text.is_empty() {
                return Err("text: type what to say".into());
            }
            return Ok(ReplyBody {
                item,
                viewer: None,
                visibility,
                mood: None,
                template: None,
                text: Some(text.to_string()),
            });
        }
        let mood = self.mood().ok_or("the templates have not arrived yet")?;
        let template = mood
            .templates
            .get(self.template)
            .ok_or("this mood has no template")?;
        Ok(ReplyBody {
            item,
            viewer: None,
            visibility,
            mood: Some(mood.mood.clone()),
            template: Some(template.key.clone()),
            text: None,
        })
    }
}

impl App {
    /// Open the reply dialog on the selected row (or the item whose
    /// details are open); the templates are asked for at once.
    pub(in crate::console) fn open_reply(&mut self) -> Vec<Effect> {
        if !self.connected() {
            self.say(LogKind::Error, "not connected: replies wait for the server");
            return Vec::new();
        }
        let id = match &self.dialog {
            Some(Dialog::Details { item, .. }) => Some(*item),
            _ => self.selected_index().map(|i| self.rows()[i]),
        };
        let Some(id) = id else {
            self.say(LogKind::Info, "the queue is empty: no one to reply to");
            return Vec::new();
        };
        let Some(item) = self.model.as_ref().and_then(|m| m.find(id)).cloned() else {
            return Vec::new();
        };
        self.dialog = Some(Dialog::Reply(Box::new(ReplyForm::new(
            id,
            item.user_name.to_string(),
            item.action.title.to_string(),
        ))));
        vec![Effect::Reply(ReplyRequest::Catalog(id))]
    }

    /// An action of the reply dialog's section.
    pub(in crate::console) fn reply_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(Dialog::Reply(mut form)) = self.dialog.take() else {
            return Vec::new();
        };
        form.error = None;
        match action {
            Action::Close => return Vec::new(),
            Action::NextField => form.step(true),
            Action::PrevField => form.step(false),
            Action::Up => form.choose(false),
            Action::Down => form.choose(true),
            Action::Erase => form.edit(TextEdit::Key(Action::Erase)),
            Action::Submit => match form.body() {
                Ok(body) => {
                    let whom = if body.visibility == ReplyVisibility::Public {
                        "the room".to_string()
                    } else {
                        form.user.clone()
                    };
                    self.say(LogKind::Info, format!("replying to {whom}…"));
                    return vec![Effect::Reply(ReplyRequest::Send(Box::new(body)))];
                }
                Err(message) => form.error = Some(message),
            },
            _ => {}
        }
        self.dialog = Some(Dialog::Reply(form));
        Vec::new()
    }

    pub fn on_reply_answer(&mut self, answer: ReplyAnswer) -> Vec<Effect> {
        match answer {
            ReplyAnswer::Catalog(catalog) => {
                if let Some(Dialog::Reply(form)) = &mut self.dialog {
                    form.catalog = Some(catalog);
                }
            }
            ReplyAnswer::Sent(sent) => {
                let line = match &sent.message {
                    Some(message) => format!(
                        "message {} to {} ({}): {}",
                        message.id,
                        message.viewer,
                        message.tier.label(),
                        sent.text
                    ),
                    None => format!("said in the room: {}", sent.text),
                };
                self.say(LogKind::Private, line);
            }
            ReplyAnswer::Failed(message) => {
                if let Some(Dialog::Reply(form)) = &mut self.dialog {
                    form.error = Some(message.clone());
                }
                self.say(LogKind::Error, format!("reply: {message}"));
            }
        }
        Vec::new()
    }
}

impl ReplyForm {
    pub fn edit(&mut self, edit: TextEdit) {
        self.error = None;
        if self.field == ReplyField::Text {
            self.text.apply(edit);
        }
    }
}
