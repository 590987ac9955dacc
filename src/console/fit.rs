//! Text cut to a terminal width: whole when it fits, else shortened with
//! an ellipsis so a cut is never mistaken for the whole. Widths are
//! terminal columns (a wide character takes two).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn width(text: &str) -> usize {
    text.width()
}

/// `text` in at most `max` columns, ending in "…" when cut: at the end
/// of a word when that keeps two thirds of the room, separators trimmed.
pub fn ellipsize(text: &str, max: usize) -> String {
    if text.width() <= max {
        return text.to_string();
    }
    let Some(room) = max.checked_sub(1) else {
        return String::new();
    };
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        out.push(c);
        used += w;
    }
    if let Some(space) = out.rfind(' ')
        && out[..space].width() * 3 >= room * 2
    {
        out.truncate(space);
    }
    let kept = out.trim_end_matches([' ', '·', '│', ',']).len();
    out.truncate(kept);
    out.push('…');
    out
}

/// Parts joined by `sep` in at most `max` columns. Each part has a
/// priority (lower is cut first); the lowest parts shrink, down to
/// nothing, before a higher one loses a column.
pub fn fit_parts(parts: &[(&str, u8)], sep: &str, max: usize) -> Vec<String> {
    let mut shown: Vec<String> = parts.iter().map(|(p, _)| p.to_string()).collect();
    let total = |shown: &[String]| {
        let kept: Vec<&String> = shown.iter().filter(|s| !s.is_empty()).collect();
        kept.iter().map(|s| s.width()).sum::<usize>() + sep.width() * kept.len().saturating_sub(1)
    };
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| (parts[i].1, std::cmp::Reverse(i)));
    for i in order {
        let over = total(&shown).saturating_sub(max);
        if over == 0 {
            break;
        }
        let now = shown[i].width();
        // Fewer than "abc…" left of it reads as noise: drop it.
        let keep = now.saturating_sub(over);
        shown[i] = if keep < 4 {
            String::new()
        } else {
            ellipsize(&shown[i], keep)
        };
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_fits_is_whole() {
        assert_eq!(ellipsize("Dance for me", 12), "Dance for me");
    }

    #[test]
    fn a_cut_ends_at_a_word_with_an_ellipsis() {
        assert_eq!(
            ellipsize("Slow dance for the whole room", 20),
            "Slow dance for the…"
        );
        assert_eq!(ellipsize("Supercalifragilistic", 10), "Supercali…");
        assert_eq!(ellipsize("anything", 0), "");
        assert!(width(&ellipsize("名前名前名前名前", 7)) <= 7);
    }

    #[test]
    fn the_lowest_priority_shrinks_first_and_the_rest_stays_whole() {
        let parts = [("r1", 9), ("a very long performer name", 1), ("LIVE", 9)];
        let shown = fit_parts(&parts, " · ", 24);
        assert_eq!(shown[0], "r1");
        assert_eq!(shown[2], "LIVE");
        assert!(shown[1].ends_with('…'), "{shown:?}");
        let line: Vec<&String> = shown.iter().filter(|s| !s.is_empty()).collect();
        let joined = line
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" · ");
        assert!(width(&joined) <= 24, "{joined}");
        let tight = fit_parts(&parts, " · ", 9);
        assert_eq!(tight, vec!["r1", "", "LIVE"]);
    }
}
