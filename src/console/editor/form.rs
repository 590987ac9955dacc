//! An editor's form: fields in order, the focus moved with tab, choices
//! changed with space and the arrows, text fields edited in place, and the
//! whole form checked again after every change so the problem shows beside
//! its field before anything is sent. A form says only what its fields are
//! and what its rules allow; this module does the rest, the same way for
//! every editor.

use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use crate::console::screen::Action;
use crate::console::text_field::{CARET, TextEdit, TextField};
use crate::console::theme::Theme;
use crate::console::widgets::fg;

/// A field's path as the server names it, and what is wrong there.
pub type Problem = (String, String);

/// What a form is made of; the kit moves the focus and edits the text.
pub trait Form {
    type Field: Copy + PartialEq;

    /// The fields shown, in order (some only while another is on).
    fn fields(&self) -> Vec<Self::Field>;
    fn focus(&self) -> usize;
    fn set_focus(&mut self, focus: usize);
    /// The text of a text or number field; none for a yes/no or a choice.
    fn text(&self, field: Self::Field) -> Option<&TextField>;
    fn text_mut(&mut self, field: Self::Field) -> Option<&mut TextField>;
    /// Space and the arrows on a yes/no or a choice.
    fn toggle(&mut self, field: Self::Field, forward: bool);
    /// Check the whole form again (after every change).
    fn check(&mut self);
}

/// A form's accessors from one list: where it keeps its focus
/// ([`Form::focus`], [`Form::set_focus`]); its text fields ([`Form::text`],
/// [`Form::text_mut`]): first (`else`) what the fields not listed answer,
/// shared and mutable, then each text field's place (written with `$form`
/// for the form).
macro_rules! form_fields {
    (
        $field:ty, $form:ident, $f:ident;
        focus => $focus:ident;
        else => $rest:expr, $rest_mut:expr;
        $($pat:pat => $place:expr,)*
    ) => {
        fn focus(&self) -> usize {
            self.$focus
        }

        fn set_focus(&mut self, focus: usize) {
            self.$focus = focus;
        }

        fn text(&self, $f: $field) -> Option<&$crate::console::text_field::TextField> {
            let $form = self;
            match $f {
                $($pat => Some(&$place),)*
                #[allow(unreachable_patterns)]
                _ => $rest,
            }
        }

        fn text_mut(
            &mut self,
            $f: $field,
        ) -> Option<&mut $crate::console::text_field::TextField> {
            let $form = self;
            match $f {
                $($pat => Some(&mut $place),)*
                #[allow(unreachable_patterns)]
                _ => $rest_mut,
            }
        }
    };
}
pub(crate) use form_fields;

/// One field as a form line shows it (the caret is the kit's).
pub struct FieldView<'a> {
    pub label: String,
    pub value: String,
    /// What goes with the value (a price, the odds, a swatch).
    pub extra: Option<Span<'a>>,
    /// What is wrong there.
    pub problem: Option<&'a str>,
}

/// Every field's line, the label in a column of `width`, then the problem
/// no field shows.
pub fn lines<'a, F: Form>(
    form: &F,
    width: usize,
    problem: Option<&Problem>,
    theme: &Theme,
    view: impl Fn(F::Field) -> FieldView<'a>,
) -> Vec<Line<'a>> {
    let focus = focused(form);
    let mut placed = false;
    let mut lines: Vec<Line<'a>> = form
        .fields()
        .into_iter()
        .map(|field| {
            let seen = view(field);
            placed |= seen.problem.is_some();
            field_line(
                &seen.label,
                width,
                shown(form, field, seen.value),
                field == focus,
                seen.extra,
                seen.problem,
                theme,
            )
        })
        .collect();
    lines.extend(unplaced(problem, placed, theme));
    lines
}

/// What an action did to a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Still editing.
    Editing,
    /// Save (or keep) what the form holds.
    Keep,
    /// Drop the changes.
    Drop,
}

/// The field with the focus.
pub fn focused<F: Form>(form: &F) -> F::Field {
    let fields = form.fields();
    fields[form.focus().min(fields.len() - 1)]
}

/// Whether the focused field takes typed characters.
pub fn typing<F: Form>(form: &F) -> bool {
    form.text(focused(form)).is_some()
}

/// A typed character, an editing key or a paste, into the focused field.
pub fn edit<F: Form>(form: &mut F, edit: TextEdit) {
    let field = focused(form);
    if let Some(text) = form.text_mut(field) {
        text.apply(edit);
    }
    form.check();
}

/// An action of the form's section.
pub fn act<F: Form>(form: &mut F, action: Action) -> Outcome {
    let count = form.fields().len();
    let field = focused(form);
    match action {
        Action::Cancel => return Outcome::Drop,
        Action::Save => return Outcome::Keep,
        Action::NextField => form.set_focus((form.focus() + 1) % count),
        Action::PrevField => form.set_focus((form.focus() + count - 1) % count),
        Action::Toggle | Action::ToggleBack => form.toggle(field, action == Action::Toggle),
        Action::Erase => {
            if let Some(text) = form.text_mut(field) {
                text.edit(Action::Erase);
            }
        }
        _ => {}
    }
    form.check();
    Outcome::Editing
}

/// A field's value as shown: the focused one with the caret (at the
/// cursor of a text field, after a choice).
fn shown<F: Form>(form: &F, field: F::Field, value: String) -> String {
    if field != focused(form) {
        return value;
    }
    match form.text(field) {
        Some(text) => text.with_caret(),
        None => format!("{value}{CARET}"),
    }
}

/// One form line: the label in a column of `width`, the value, what goes
/// with it, and what is wrong there.
fn field_line<'a>(
    label: &str,
    width: usize,
    shown: String,
    focused: bool,
    extra: Option<Span<'a>>,
    problem: Option<&str>,
    theme: &Theme,
) -> Line<'a> {
    let label_style = if focused {
        fg(theme.accent).add_modifier(Modifier::BOLD)
    } else {
        fg(theme.dim)
    };
    let mut spans = vec![
        Span::styled(
            format!("{}{label:<width$}", if focused { '›' } else { ' ' }),
            label_style,
        ),
        Span::styled(shown, fg(theme.text)),
    ];
    spans.extend(extra);
    if let Some(problem) = problem {
        spans.push(Span::styled(
            format!("   ✗ {problem}"),
            fg(theme.error).add_modifier(Modifier::BOLD),
        ));
    }
    Line::from(spans)
}

/// The problem when no field shows it (it is about the whole).
fn unplaced<'a>(problem: Option<&Problem>, placed: bool, theme: &Theme) -> Option<Line<'a>> {
    let (path, message) = problem.filter(|_| !placed)?;
    Some(Line::from(Span::styled(
        format!(" ✗ {path}: {message}"),
        fg(theme.error),
    )))
}
