//! A draft of a configuration against the server's version: what the
//! screen shows (the draft when there is one), whether anything is unsaved,
//! and leaving with unsaved changes, which warns once.

use super::session::Session;

/// The unsaved changes, if any, and whether leaving was warned about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft<T> {
    changed: Option<Box<T>>,
    warned: bool,
}

impl<T> Default for Draft<T> {
    fn default() -> Self {
        Draft {
            changed: None,
            warned: false,
        }
    }
}

impl<T> Draft<T> {
    /// The draft, or else the server's version.
    pub fn shown<'a>(&'a self, server: Option<&'a T>) -> Option<&'a T> {
        self.changed.as_deref().or(server)
    }

    pub fn get(&self) -> Option<&T> {
        self.changed.as_deref()
    }

    pub fn get_mut(&mut self) -> Option<&mut T> {
        self.changed.as_deref_mut()
    }

    pub fn unsaved(&self) -> bool {
        self.changed.is_some()
    }

    /// A change: it becomes the draft (and leaving warns again).
    pub fn change(&mut self, value: T) {
        self.changed = Some(Box::new(value));
        self.warned = false;
    }

    /// The draft, taken away (to save it, or to drop it).
    pub fn take(&mut self) -> Option<Box<T>> {
        self.warned = false;
        self.changed.take()
    }

    /// Whether the editor may leave: with unsaved changes, the first try
    /// only warns (the caller says so) and the second goes.
    pub fn may_leave(&mut self) -> bool {
        if self.changed.is_some() && !self.warned {
            self.warned = true;
            return false;
        }
        true
    }

    /// [`Draft::may_leave`], the warning said on the editor's line.
    pub fn may_leave_or_warn(&mut self, session: &mut Session) -> bool {
        if self.may_leave() {
            return true;
        }
        session.say(
            false,
            "not saved: w saves; the same key again drops the changes",
        );
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_shows_over_the_server_and_leaving_it_warns_once() {
        let mut draft: Draft<u32> = Draft::default();
        assert_eq!(draft.shown(Some(&1)), Some(&1));
        assert!(draft.may_leave(), "nothing unsaved: leave at once");
        draft.change(2);
        assert_eq!(draft.shown(Some(&1)), Some(&2));
        assert!(!draft.may_leave());
        assert!(draft.may_leave());
        draft.change(3);
        assert!(!draft.may_leave(), "a new change warns again");
        assert_eq!(draft.take().as_deref(), Some(&3));
        assert!(!draft.unsaved());
    }
}
