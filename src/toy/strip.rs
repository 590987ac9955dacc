//! The console's toy strip as plain text: which toy, battery, the intensity
//! now as a small bar, the next effect. Pure; the console styles it.

use std::time::Duration;

use tokio::time::Instant;

use super::device::ToyStatus;
use super::models::Output;
use super::scheduler::SchedulerStatus;
use super::transport::Backend;
use crate::domain::toy_effect::MAX_INTENSITY;

/// Cells in the intensity bar.
pub const BAR_CELLS: usize = 5;

/// Cells per output when a toy has several.
pub const OUTPUT_BAR_CELLS: usize = 3;

/// `▮▮▯▯▯` for a level on the 0..=20 scale; any level above 0 shows a cell.
pub fn bar(level: u8) -> String {
    bar_of(level, MAX_INTENSITY, BAR_CELLS)
}

/// A bar of `cells` for `level` out of `max`; any level above 0 shows a cell.
pub fn bar_of(level: u8, max: u8, cells: usize) -> String {
    let max = usize::from(max.max(1));
    let level = usize::from(level).min(max);
    let full = (level * cells).div_ceil(max);
    "▮".repeat(full) + &"▯".repeat(cells - full)
}

/// A few letters per output label, for the strip at 80 columns.
pub fn short_label(label: &str) -> &str {
    match label {
        "vibrate" => "vib",
        "vibrate1" => "v1",
        "vibrate2" => "v2",
        "vibrate3" => "v3",
        "rotate" => "rot",
        "thrust" => "thr",
        "fingering" => "fng",
        other => other,
    }
}

/// `v1 ▮▮▯ 7 v2 ▮▯▯ 3 air ▮▯▯ 1/3`: each output of a multi-output toy.
pub fn outputs_part(outputs: &[Output], levels: &[u8]) -> String {
    outputs
        .iter()
        .zip(levels.iter().copied().chain(std::iter::repeat(0)))
        .map(|(o, v)| {
            let value = if o.max == MAX_INTENSITY {
                v.to_string()
            } else {
                format!("{v}/{}", o.max)
            };
            format!(
                "{} {} {value}",
                short_label(o.label),
                bar_of(v, o.max, OUTPUT_BAR_CELLS)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One line, e.g. `Lush 85% ▮▮▯▯▯ 7/20 · next 50% in 12s`, or
/// `Lush (disconnected)`, or `no toy connected`. Words, not colours, carry
/// the state (halted, disconnected, server lost).
pub fn strip_line(toys: &[(String, ToyStatus)], sched: &SchedulerStatus, now: Instant) -> String {
    if toys.is_empty() {
        return "no toy connected".to_owned();
    }
    let mut parts: Vec<String> = toys
        .iter()
        .map(|(name, s)| match &s.notice {
            Some(notice) => format!("{} · ⚠ {notice}", toy_part(name, s)),
            None => toy_part(name, s),
        })
        .collect();
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
        .map_or(name.to_owned(), |i| i.spec().name.to_owned());
    // Every backend but the console's own Bluetooth link is named: a toy
    // driven through another program (remote, intiface), or not real.
    let backend = (s.backend != Backend::Bluetooth).then(|| s.backend.name());
    if !s.connected {
        return match backend {
            Some(b) => format!("{model} ({b}, disconnected)"),
            None => format!("{model} (disconnected)"),
        };
    }
    let model = match backend {
        Some(b) => format!("{model} ({b})"),
        None => model,
    };
    let battery = s.battery.map(|b| format!(" {b}%")).unwrap_or_default();
    let outputs = s.identity.as_ref().map_or(&[][..], |i| i.outputs());
    if outputs.len() > 1 {
        return format!(
            "{model}{battery} {}",
            outputs_part(outputs, s.outputs.values())
        );
    }
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
    use crate::toy::outputs::Levels;

    fn status(level: u8, connected: bool) -> ToyStatus {
        ToyStatus {
            connected,
            level,
            outputs: Levels::new(&[level]),
            backend: crate::toy::transport::Backend::Bluetooth,
            battery: Some(85),
            identity: Some(Identity {
                model: Model::Lush,
                firmware: Some(11),
                source: Source::DeviceType,
            }),
            halted: false,
            notice: None,
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

    #[test]
    fn multi_output_toys_show_each_output_compactly() {
        let now = Instant::now();
        let mut max = status(0, true);
        max.identity = Some(Identity {
            model: Model::Max,
            firmware: Some(11),
            source: Source::DeviceType,
        });
        max.outputs = Levels::new(&[12, 2]);
        let mut lapis = max.clone();
        lapis.identity = Some(Identity {
            model: Model::Lapis,
            firmware: Some(11),
            source: Source::DeviceType,
        });
        lapis.outputs = Levels::new(&[20, 7, 0]);
        let sched = SchedulerStatus {
            next: Some((Timing::P50, now + Duration::from_millis(11_200))),
            ..SchedulerStatus::default()
        };
        let one = strip_line(&[("b".to_owned(), lapis.clone())], &sched, now);
        assert_eq!(
            one,
            "Lapis 85% v1 ▮▮▮ 20 v2 ▮▮▯ 7 v3 ▯▯▯ 0 · next 50% in 12s"
        );
        assert!(one.chars().count() <= 80, "{}", one.chars().count());
        let mut remote = lapis.clone();
        remote.backend = Backend::Remote;
        let line = strip_line(&[("b".to_owned(), remote)], &sched, now);
        assert_eq!(
            line,
            "Lapis (remote) 85% v1 ▮▮▮ 20 v2 ▮▮▯ 7 v3 ▯▯▯ 0 · next 50% in 12s"
        );
        assert!(line.chars().count() <= 80);
        let mut intiface = status(7, true);
        intiface.backend = Backend::Intiface;
        assert!(
            strip_line(&[("w".to_owned(), intiface.clone())], &sched, now)
                .starts_with("Lush (intiface) 85% ▮▮▯▯▯ 7/20"),
        );
        intiface.connected = false;
        assert!(
            strip_line(&[("w".to_owned(), intiface)], &sched, now)
                .starts_with("Lush (intiface, disconnected)"),
        );
        let toys = vec![("a".to_owned(), max), ("b".to_owned(), lapis)];
        assert_eq!(
            strip_line(&toys, &sched, now),
            "Max 85% vib ▮▮▯ 12 air ▮▮▯ 2/3 · Lapis 85% v1 ▮▮▮ 20 v2 ▮▮▯ 7 v3 ▯▯▯ 0 · next 50% in 12s"
        );
    }
}
