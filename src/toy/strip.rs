//! The console's toy strip as plain text: which toy, battery, the intensity
//! now as a small bar, the next effect. Pure; the console styles it.

use std::time::Duration;

use tokio::time::Instant;

use super::device::ToyStatus;
use super::scheduler::SchedulerStatus;
use crate::domain::toy_effect::MAX_INTENSITY;

/// Cells in the intensity bar.
pub const BAR_CELLS: usize = 5;

/// `▮▮▯▯▯` for a level on the 0..=20 scale; any level above 0 shows a cell.
pub fn bar(level: u8) -> String {
    let level = usize::from(level.min(MAX_INTENSITY));
    let full = (level * BAR_CELLS).div_ceil(usize::from(MAX_INTENSITY));
    "▮".repeat(full) + &"▯".repeat(BAR_CELLS - full)
}

/// One line, e.g. `Lush 85% ▮▮▯▯▯ 7/20 · next 50% in 12s`, or
/// `Lush (disconnected)`, or `no toy connected`. Words, not colours, carry
/// the state (halted, disconnected, server lost).
pub fn strip_line(toys: &[(String, ToyStatus)], sched: &SchedulerStatus, now: Instant) -> String {
    if toys.is_empty() {
        return "no toy connected".to_owned();
    }
    let mut parts: Vec<String> = toys.iter().map(|(name, s)| toy_part(name, s)).collect();
    if sched.halted {
        parts.push("STOPPED (panic key)".to_owned());
    } else if sched.server_lost {
        parts.push("server lost".to_owned());
    } else if let Some((timing, at)) = sched.next {
        let secs = at.saturating_duration_since(now).as_secs_f64().ceil() as u64;
        parts.push(format!(
            "next {} in {}",
            timing.label(),
            short(Duration::from_secs(secs))
        ));
    }
    parts.join(" · ")
}

fn toy_part(name: &str, s: &ToyStatus) -> String {
    let model = s
        .identity
        .as_ref()
        .map_or(name.to_owned(), |i| i.model.to_string());
    if !s.connected {
        return format!("{model} (disconnected)");
    }
    let battery = s.battery.map(|b| format!(" {b}%")).unwrap_or_default();
    format!(
        "{model}{battery} {} {}/{MAX_INTENSITY}",
        bar(s.level),
        s.level
    )
}

fn short(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::toy_effect::Timing;
    use crate::toy::identify::{Identity, Model, Source};

    fn status(level: u8, connected: bool) -> ToyStatus {
        ToyStatus {
            connected,
            level,
            battery: Some(85),
            identity: Some(Identity {
                model: Model::Lush,
                firmware: Some(11),
                source: Source::DeviceType,
            }),
            halted: false,
        }
    }

    #[test]
    fn bars() {
        assert_eq!(bar(0), "▯▯▯▯▯");
        assert_eq!(bar(1), "▮▯▯▯▯");
        assert_eq!(bar(8), "▮▮▯▯▯");
        assert_eq!(bar(20), "▮▮▮▮▮");
    }

    #[test]
    fn lines() {
        let now = Instant::now();
        let sched = SchedulerStatus {
            next: Some((Timing::P50, now + Duration::from_millis(11_200))),
            ..SchedulerStatus::default()
        };
        let toys = vec![("LVS-S11".to_owned(), status(7, true))];
        assert_eq!(
            strip_line(&toys, &sched, now),
            "Lush 85% ▮▮▯▯▯ 7/20 · next 50% in 12s"
        );
        let toys = vec![("LVS-S11".to_owned(), status(0, false))];
        let halted = SchedulerStatus {
            halted: true,
            ..SchedulerStatus::default()
        };
        assert_eq!(
            strip_line(&toys, &halted, now),
            "Lush (disconnected) · STOPPED (panic key)"
        );
        assert_eq!(strip_line(&[], &sched, now), "no toy connected");
    }
}
