//! Lovense Remote's `Pattern` request for the steps a running effect is
//! due to take (`ahead`): one request carries the next 2 s of 100 ms steps
//! instead of a `Function` post per step. Lovense's Standard API ("by local
//! application"): `rule` `V:1;F:<features>;S:<ms>#` (features `v` vibrate,
//! `r` rotate, `p` pump, `t` thrusting, `f` fingering, `s` suction; steps of
//! at least 100 ms), `strength` at most 50 values separated by `;`, one
//! strength for every feature of the rule, `timeSec` 0 or more than 1,
//! `apiVer` 2.
//!
//! The steps fit only when every action the toy is driven by takes the
//! same level (0..=20) at every step; anything else (a pump's 0..=3, a map
//! scaling one output) stays with `Function` posts. `timeSec` is the
//! window's own length, 2 s: the app stops the pattern when it runs out, so
//! a console that dies leaves the toy running at most 2 s, as with
//! `Function`. The window is sent again every second from the step due
//! then, so a live console never lets it run out.

use tokio::time::Instant;

use super::ahead::{BACK, OutputsAhead};
use super::codec::Levels;
use super::models::ModelSpec;
use super::remote_api::{HOLD_SECS, Request, merge_actions};

/// The published API's limits.
const MIN_STEP_MS: u64 = 100;
const MAX_STRENGTHS: usize = 50;

/// The rule's letter for a published action.
fn letter(action: &str) -> Option<&'static str> {
    Some(match action {
        "Vibrate" => "v",
        "Rotate" => "r",
        "Pump" => "p",
        "Thrusting" => "t",
        "Fingering" => "f",
        "Suction" => "s",
        _ => return None,
    })
}

/// A `Pattern` request for the steps `ahead` foresees from `now`, and the
/// window it carries; `None` when they do not fit the request's rules, do
/// not start near `levels` (what the toy was just told; the motors of a
/// toy take turns, so one may be a step or two behind), or do not change.
pub fn request(
    toy: &str,
    spec: &ModelSpec,
    names: &[String],
    ahead: &OutputsAhead,
    now: Instant,
    levels: &[u8],
) -> Option<(Request, OutputsAhead)> {
    if ahead.step_ms < MIN_STEP_MS || spec.outputs.iter().any(|o| o.max != 20) {
        return None;
    }
    let first = ahead.index_at(now)?;
    let within = (u64::from(HOLD_SECS) * 1_000 / ahead.step_ms) as usize;
    let steps: Vec<Levels> = ahead
        .from(now)
        .iter()
        .take(within.min(MAX_STRENGTHS))
        .copied()
        .collect();
    // Exactly `timeSec` of steps: a shorter list would loop in the app
    // (a hint grown old in a steady stretch); its `Function` does instead.
    if steps.len() < within {
        return None;
    }
    let near = levels
        .iter()
        .enumerate()
        .all(|(i, v)| ahead.foresaw(now, i, *v));
    if !near {
        return None;
    }
    let letters: Vec<&str> = merge_actions(names.to_vec(), levels)
        .iter()
        .map(|(name, _)| letter(name))
        .collect::<Option<_>>()?;
    // One strength per step: every action at the same level.
    let strengths: Vec<u8> = steps
        .iter()
        .map(|s| {
            let merged = merge_actions(names.to_vec(), s.values());
            let v = merged.first().map_or(0, |(_, v)| *v);
            merged.iter().all(|(_, l)| *l == v).then_some(v)
        })
        .collect::<Option<_>>()?;
    if strengths.iter().all(|v| *v == strengths[0]) || strengths.iter().any(|v| *v > 20) {
        return None;
    }
    let strength: Vec<String> = strengths.iter().map(u8::to_string).collect();
    let request = Request::Pattern {
        rule: format!("V:1;F:{};S:{}#", letters.join(","), ahead.step_ms),
        strength: strength.join(";"),
        time_sec: HOLD_SECS,
        toy: toy.to_owned(),
        api_ver: 2,
    };
    // The window keeps the ticks before it, for writes a little late.
    let back = first.saturating_sub(BACK as usize);
    let window = OutputsAhead {
        start: ahead.start + std::time::Duration::from_millis(back as u64 * ahead.step_ms),
        step_ms: ahead.step_ms,
        steps: ahead.steps[back..first + steps.len()].to_vec(),
    };
    Some((request, window))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::toy::models::{Model, ModelSpec};
    use std::time::Duration;

    fn ahead(start: Instant, steps: &[&[u8]]) -> OutputsAhead {
        OutputsAhead {
            start,
            step_ms: 100,
            steps: steps.iter().map(|s| Levels::new(s)).collect(),
        }
    }

    fn spec(model: Model) -> &'static ModelSpec {
        model.spec()
    }

    #[test]
    fn the_next_two_seconds_of_a_wave_are_one_pattern_request() {
        let t0 = Instant::now();
        let steps: Vec<[u8; 2]> = (0..30u8).map(|i| [i % 20, i % 20]).collect();
        let refs: Vec<&[u8]> = steps.iter().map(|s| &s[..]).collect();
        let a = ahead(t0, &refs);
        let names = vec!["Vibrate".to_owned(), "Rotate".to_owned()];
        let now = t0 + Duration::from_millis(350);
        let (req, window) =
            request("t1", spec(Model::Nora), &names, &a, now, &[3, 3]).expect("fits");
        let body = req.body();
        assert!(body.contains(r#""rule":"V:1;F:v,r;S:100#""#), "{body}");
        assert!(
            body.contains(r#""strength":"3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;0;1;2""#),
            "20 steps from the one due: {body}"
        );
        assert!(body.contains(r#""timeSec":2"#) && body.contains(r#""apiVer":2"#));
        assert_eq!(window.steps.len(), 23, "the 20 sent and the 3 before");
        assert_eq!(window.index_at(now), Some(3));
    }

    #[test]
    fn steps_that_do_not_fit_stay_function_posts() {
        let t0 = Instant::now();
        let names = vec!["Vibrate".to_owned(), "Rotate".to_owned()];
        let nora = spec(Model::Nora);
        // The outputs apart (a map scaling the rotation).
        let apart = ahead(t0, &[&[4, 2], &[6, 3]]);
        assert!(request("t", nora, &names, &apart, t0, &[4, 2]).is_none());
        // Not starting where the toy was just told.
        let wave = ahead(t0, &[&[4, 4], &[6, 6]]);
        assert!(request("t", nora, &names, &wave, t0, &[5, 5]).is_none());
        // Steady: one Function does.
        let steady = ahead(t0, &[&[4, 4], &[4, 4]]);
        assert!(request("t", nora, &names, &steady, t0, &[4, 4]).is_none());
        // A pump's own range.
        let max = spec(Model::Max);
        let pump = vec!["Vibrate".to_owned(), "Pump".to_owned()];
        let air = ahead(t0, &[&[4, 1], &[6, 1]]);
        assert!(request("t", max, &pump, &air, t0, &[4, 1]).is_none());
        // Steps shorter than the API allows.
        let fast = OutputsAhead {
            step_ms: 50,
            ..wave.clone()
        };
        assert!(request("t", nora, &names, &fast, t0, &[4, 4]).is_none());
        // Less than `timeSec` of steps left.
        assert!(request("t", nora, &names, &wave, t0, &[4, 4]).is_none());
        let long: Vec<[u8; 2]> = (0..20u8).map(|i| [4 + i % 2, 4 + i % 2]).collect();
        let refs: Vec<&[u8]> = long.iter().map(|s| &s[..]).collect();
        let long = ahead(t0, &refs);
        assert!(request("t", nora, &names, &long, t0, &[4, 4]).is_some());
        let later = t0 + Duration::from_millis(100);
        assert!(request("t", nora, &names, &long, later, &[5, 5]).is_none());
    }
}
