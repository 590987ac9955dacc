//! One text field as every form and dialog has it: the text with a cursor
//! (moved by the keymap's `[input]` keys: a character, a word, home, end;
//! erase back, forward, a word, to either end), which characters it takes,
//! and how many. Built on `tui-input`. A paste arrives as one edit.

use std::fmt;
use std::ops::Deref;

use tui_input::{Input, InputRequest};

use super::screen::Action;

/// Which characters a field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    /// Any printable character.
    Text,
    /// 0-9 only (amounts, prices, seconds).
    Digits,
    /// Letters and digits (a length like `12h`).
    Alphanumeric,
    /// A colour: hex digits and `#`.
    HexColour,
    /// Whole numbers separated by commas (`10, 4`).
    DigitList,
}

impl Accept {
    pub fn takes(self, c: char) -> bool {
        match self {
            Accept::Text => !c.is_control(),
            Accept::Digits => c.is_ascii_digit(),
            Accept::Alphanumeric => c.is_ascii_alphanumeric(),
            Accept::HexColour => c.is_ascii_hexdigit() || c == '#',
            Accept::DigitList => c.is_ascii_digit() || c == ',' || c == ' ',
        }
    }
}

/// The caret drawn at the cursor of the focused field.
pub const CARET: char = '▏';

/// One edit of the focused field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEdit<'a> {
    /// A typed character.
    Char(char),
    /// An action of the `[input]` section (or a screen's `erase`).
    Key(Action),
    /// A bracketed paste, whole.
    Paste(&'a str),
}

#[derive(Clone)]
pub struct TextField {
    input: Input,
    accept: Accept,
    /// The most characters it holds.
    max: usize,
}

impl TextField {
    /// A field holding `value`, the cursor at its end.
    pub fn new(value: impl Into<String>, accept: Accept, max: usize) -> TextField {
        TextField {
            input: Input::new(value.into()),
            accept,
            max,
        }
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.input.cursor()
    }

    /// Replace the whole text (the cursor goes to its end).
    pub fn set(&mut self, value: impl Into<String>) {
        self.input = Input::new(value.into());
    }

    /// A typed character at the cursor; whether the text changed.
    pub fn type_char(&mut self, c: char) -> bool {
        if !self.accept.takes(c) || self.value().chars().count() >= self.max {
            return false;
        }
        self.input.handle(InputRequest::InsertChar(c)).is_some()
    }

    /// A paste at the cursor, as one edit: what the field takes of it (a
    /// line break reads as a space in free text), up to its size.
    pub fn paste(&mut self, text: &str) -> bool {
        let mut changed = false;
        for c in text.chars() {
            let c = if matches!(c, '\n' | '\r' | '\t') && self.accept == Accept::Text {
                ' '
            } else {
                c
            };
            changed |= self.type_char(c);
        }
        changed
    }

    /// An action of the `[input]` section (or a screen's `erase`); whether
    /// it was an editing action.
    pub fn edit(&mut self, action: Action) -> bool {
        let request = match action {
            Action::CursorLeft => InputRequest::GoToPrevChar,
            Action::CursorRight => InputRequest::GoToNextChar,
            Action::WordLeft => InputRequest::GoToPrevWord,
            Action::WordRight => InputRequest::GoToNextWord,
            Action::Home => InputRequest::GoToStart,
            Action::End => InputRequest::GoToEnd,
            Action::Erase => InputRequest::DeletePrevChar,
            Action::EraseNext => InputRequest::DeleteNextChar,
            Action::EraseWord => InputRequest::DeletePrevWord,
            Action::EraseToStart => InputRequest::DeleteFromStart,
            Action::EraseToEnd => InputRequest::DeleteTillEnd,
            _ => return false,
        };
        self.input.handle(request);
        true
    }

    /// Any edit; whether it was one this field takes.
    pub fn apply(&mut self, edit: TextEdit) -> bool {
        match edit {
            TextEdit::Char(c) => self.type_char(c),
            TextEdit::Key(action) => self.edit(action),
            TextEdit::Paste(text) => self.paste(text),
        }
    }

    /// The text with the caret at the cursor, for the focused field.
    pub fn with_caret(&self) -> String {
        let mut shown: String = self.value().chars().take(self.cursor()).collect();
        shown.push(CARET);
        shown.extend(self.value().chars().skip(self.cursor()));
        shown
    }

    /// The text as shown: with the caret when focused.
    pub fn shown(&self, focused: bool) -> String {
        if focused {
            self.with_caret()
        } else {
            self.value().to_string()
        }
    }
}

impl Deref for TextField {
    type Target = str;

    fn deref(&self) -> &str {
        self.value()
    }
}

impl PartialEq for TextField {
    fn eq(&self, other: &TextField) -> bool {
        self.value() == other.value()
            && self.cursor() == other.cursor()
            && self.accept == other.accept
            && self.max == other.max
    }
}

impl Eq for TextField {}

impl PartialEq<String> for TextField {
    fn eq(&self, other: &String) -> bool {
        self.value() == other
    }
}

impl PartialEq<&str> for TextField {
    fn eq(&self, other: &&str) -> bool {
        self.value() == *other
    }
}

impl fmt::Debug for TextField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.value(), f)
    }
}

impl fmt::Display for TextField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(field: &mut TextField, text: &str) {
        for c in text.chars() {
            field.type_char(c);
        }
    }

    #[test]
    fn the_cursor_moves_and_text_goes_in_where_it_is() {
        let mut field = TextField::new("", Accept::Text, 50);
        typed(&mut field, "hello world");
        assert!(field.edit(Action::WordLeft));
        typed(&mut field, "big ");
        assert_eq!(field.value(), "hello big world");
        field.edit(Action::Home);
        field.edit(Action::CursorRight);
        field.edit(Action::EraseNext);
        assert_eq!(field.with_caret(), "h▏llo big world");
        field.edit(Action::End);
        field.edit(Action::EraseWord);
        assert_eq!(field.with_caret(), "hllo big ▏");
        field.edit(Action::EraseToStart);
        assert_eq!(field.value(), "");
    }

    #[test]
    fn a_field_takes_only_its_characters_up_to_its_size() {
        let mut amount = TextField::new("", Accept::Digits, 4);
        typed(&mut amount, "1a2b345");
        assert_eq!(amount, "1234");
        let mut note = TextField::new("", Accept::Text, 12);
        assert!(note.paste("two\nlines and more"));
        assert_eq!(note, "two lines an");
        let mut colour = TextField::new("", Accept::HexColour, 7);
        colour.paste("#ff00zz11");
        assert_eq!(colour, "#ff0011");
    }
}
