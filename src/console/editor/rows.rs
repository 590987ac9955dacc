//! An editor's list of rows (menus, items, prizes, levels): moving the
//! selection and moving a row, the same in every editor.

use crate::console::screen::Action;

/// The selection after `action` (up or down) in a list of `count` rows.
pub fn select(selected: usize, action: Action, count: usize) -> usize {
    match action {
        Action::Up => selected.saturating_sub(1),
        Action::Down => (selected + 1).min(count.saturating_sub(1)),
        _ => selected,
    }
}

/// Where `move_up` or `move_down` takes the selected row, if it can go.
pub fn move_target(selected: usize, action: Action, count: usize) -> Option<usize> {
    match action {
        Action::MoveUp => selected.checked_sub(1),
        Action::MoveDown => Some(selected + 1).filter(|i| *i < count),
        _ => None,
    }
}

/// The rows with the selected one moved by `action`, and where it went.
pub fn moved<T>(rows: &mut [T], selected: usize, action: Action) -> Option<usize> {
    let to = move_target(selected, action, rows.len())?;
    rows.swap(selected, to);
    Some(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selection_stays_in_the_list_and_a_row_moves_one_place() {
        assert_eq!(select(0, Action::Up, 3), 0);
        assert_eq!(select(2, Action::Down, 3), 2);
        assert_eq!(select(1, Action::Down, 3), 2);
        assert_eq!(select(0, Action::Down, 0), 0);
        let mut rows = ['a', 'b', 'c'];
        assert_eq!(moved(&mut rows, 1, Action::MoveUp), Some(0));
        assert_eq!(rows, ['b', 'a', 'c']);
        assert_eq!(moved(&mut rows, 2, Action::MoveDown), None);
        assert_eq!(rows, ['b', 'a', 'c']);
    }
}
