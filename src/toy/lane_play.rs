//! A toy tip's run as levels over time, and how it combines with the stage
//! item's effect: per output, the highest of the two, under the cap. Pure:
//! times are ms offsets from the run's start.
//!
//! - A tip gives one intensity for every output or one per output
//!   (vibrate, rotate, pump, thrust); an output the tip leaves out stays
//!   still (as far as the tip goes: the stage may still drive it).
//! - Its pattern is a `plan::Shape`, the menu effects' own player: `pulse`
//!   and `wave` render like the menu effects' shapes; `fireworks` and
//!   `earthquake` are the toy's own stored patterns 3 and 4 (`Preset:N;`),
//!   which play as a pulse at the tip's intensity under a cap below 20 (the
//!   toy's own levels ignore the cap); an imported pattern plays its
//!   file's steps scaled to the tip's intensity (per output, or the file's
//!   own outputs for one intensity), or steady when its file could not be
//!   had.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::outputs::FeatureLevels;
use super::pattern::TICK_MS;
use super::pattern_file::{Feature, PatternFile};
use super::plan::Shape;
use crate::domain::ItemId;
use crate::domain::tips::{BuiltinPattern, Intensity, PatternRef, TipToy};
use crate::domain::toy_effect::{MAX_INTENSITY, Pattern};

/// The outputs a tip names, in the order of `FeatureLevels` it sends.
const TIP_FEATURES: [Feature; 4] = [
    Feature::Vibrate,
    Feature::Rotate,
    Feature::Air,
    Feature::Thrust,
];

/// One tip's run: what the toy does for `length_ms` from its start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanePlay {
    pub item: ItemId,
    pub length_ms: u64,
    /// `None`: one level for every output; else vibrate, rotate, pump, thrust.
    per_output: Option<[u8; 4]>,
    peak: u8,
    shape: Shape,
}

/// What a tip asks of the toys at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaneOutput {
    pub level: u8,
    pub features: Option<FeatureLevels>,
    pub preset: Option<u8>,
}

impl LanePlay {
    /// A tip's run of `length_ms` (its level's duration, or what was left
    /// of a cut run), under the console's intensity cap. `imported`: the
    /// file of the imported pattern the tip names, when it could be had.
    pub fn new(
        item: ItemId,
        tip: &TipToy,
        length_ms: u64,
        cap: u8,
        imported: Option<Arc<PatternFile>>,
    ) -> LanePlay {
        let cap = cap.min(MAX_INTENSITY);
        let (per_output, peak) = match &tip.intensity {
            Intensity::All(level) => (None, (*level).min(cap)),
            Intensity::PerOutput(o) => {
                let levels =
                    [o.vibrate, o.rotate, o.pump, o.thrust].map(|l| l.unwrap_or(0).min(cap));
                (Some(levels), levels.into_iter().max().unwrap_or(0))
            }
        };
        let shape = match &tip.pattern {
            Some(PatternRef::Named(_)) => {
                imported.map_or(Shape::Builtin(Pattern::Constant), Shape::File)
            }
            None => Shape::Builtin(Pattern::Constant),
            Some(PatternRef::Builtin(BuiltinPattern::Pulse)) => Shape::Builtin(Pattern::Pulse),
            Some(PatternRef::Builtin(BuiltinPattern::Wave)) => Shape::Builtin(Pattern::Wave),
            Some(PatternRef::Builtin(_)) if cap < MAX_INTENSITY => Shape::Builtin(Pattern::Pulse),
            Some(PatternRef::Builtin(BuiltinPattern::Fireworks)) => Shape::Preset(3),
            Some(PatternRef::Builtin(BuiltinPattern::Earthquake)) => Shape::Preset(4),
        };
        LanePlay {
            item,
            length_ms,
            per_output,
            peak,
            shape,
        }
    }

    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// What the tip asks `t` ms into its run (nothing once it is over).
    pub fn at(&self, t: u64) -> Option<LaneOutput> {
        if t >= self.length_ms {
            return None;
        }
        let scale = |peak: u8| self.shape.level(peak, t, self.length_ms);
        let preset = match self.shape {
            Shape::Preset(n) => Some(n),
            _ => None,
        };
        let features = match self.per_output {
            Some(levels) => {
                let values: Vec<_> = TIP_FEATURES
                    .iter()
                    .zip(levels)
                    .map(|(f, l)| (*f, scale(l)))
                    .collect();
                Some(FeatureLevels::new(&values))
            }
            // A file of several outputs drives each as it says.
            None => self.shape.features(self.peak, t),
        };
        Some(LaneOutput {
            level: scale(self.peak),
            features,
            preset,
        })
    }

    /// The next offset after `t` at which `at` may change.
    pub fn next_change_after(&self, t: u64) -> Option<u64> {
        if t >= self.length_ms {
            return None;
        }
        if self.shape.is_dynamic() {
            Some(((t / TICK_MS + 1) * TICK_MS).min(self.length_ms))
        } else {
            Some(self.length_ms)
        }
    }
}

/// How long a tip's last step is held after its run, waiting for the next
/// tip: two tips back to back hand over with one level change and no stop
/// between (a stop would hold the next tip's first command back by the
/// pacing gap). The runner stops the toy at once when the lane goes idle;
/// this bounds the hold if nothing follows.
pub const LANE_HANDOFF_HOLD: Duration = Duration::from_millis(300);

/// A tip's run on the scheduler: its play from `start`, then the hold.
pub(super) struct LaneCurrent {
    pub(super) play: LanePlay,
    pub(super) start: Instant,
}

impl LaneCurrent {
    pub(super) fn offset(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.start).as_millis() as u64
    }

    fn held_until_ms(&self) -> u64 {
        self.play.length_ms + LANE_HANDOFF_HOLD.as_millis() as u64
    }

    /// What the tip asks at `now`: its run, then its last step while held.
    pub(super) fn output(&self, now: Instant) -> Option<LaneOutput> {
        let t = self.offset(now);
        if t < self.play.length_ms {
            self.play.at(t)
        } else if t < self.held_until_ms() {
            self.play.at(self.play.length_ms.saturating_sub(1))
        } else {
            None
        }
    }

    /// When `output` may next change after `now`.
    pub(super) fn next_change(&self, now: Instant) -> Option<Instant> {
        if now < self.start {
            return Some(self.start);
        }
        let t = self.offset(now);
        let at = match self.play.next_change_after(t) {
            Some(at) if at < self.play.length_ms => at,
            _ if t < self.held_until_ms() => self.held_until_ms(),
            _ => return None,
        };
        Some(self.start + Duration::from_millis(at))
    }

    pub(super) fn is_over(&self, now: Instant) -> bool {
        self.offset(now) >= self.held_until_ms()
    }
}

/// The stage's level and feature step combined with the lane's: per output
/// the highest. Both are already under the cap, so the result is too.
pub fn combine(
    stage_level: u8,
    stage_features: Option<FeatureLevels>,
    lane: Option<LaneOutput>,
) -> (u8, Option<FeatureLevels>) {
    let Some(lane) = lane else {
        return (stage_level, stage_features);
    };
    if stage_features.is_none() && lane.features.is_none() {
        return (stage_level.max(lane.level), None);
    }
    let stage_for = |f: Feature| match &stage_features {
        None => stage_level,
        Some(fs) => {
            let named = fs.values().iter().filter(|(g, _)| {
                *g == f || (f == Feature::Vibrate && matches!(g, Feature::Motor(_)))
            });
            let strongest = fs.values().iter().map(|(_, v)| *v).max().unwrap_or(0);
            named.map(|(_, v)| *v).max().unwrap_or(strongest)
        }
    };
    let lane_for = |f: Feature| match &lane.features {
        None => lane.level,
        Some(fs) => fs
            .values()
            .iter()
            .find(|(g, _)| *g == f)
            .map_or(0, |(_, v)| *v),
    };
    let values: Vec<_> = TIP_FEATURES
        .iter()
        .map(|f| (*f, stage_for(*f).max(lane_for(*f))))
        .collect();
    let level = values.iter().map(|(_, v)| *v).max().unwrap_or(0);
    (level, Some(FeatureLevels::new(&values)))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::domain::tips::{Matched, OutputLevels};

    fn tip(intensity: Intensity, pattern: Option<PatternRef>) -> TipToy {
        TipToy {
            matched: Matched::Level { index: 0 },
            label: Arc::from("medium"),
            intensity,
            duration_ms: 5_000,
            pattern,
        }
    }

    #[test]
    fn steady_tip_runs_its_length_then_nothing() {
        let play = LanePlay::new(ItemId(1), &tip(Intensity::All(12), None), 5_000, 20, None);
        assert_eq!(play.at(0).map(|o| o.level), Some(12));
        assert_eq!(play.at(4_999).map(|o| o.level), Some(12));
        assert_eq!(play.at(5_000), None);
        assert_eq!(play.next_change_after(0), Some(5_000));
    }

    #[test]
    fn the_cap_holds_and_stored_patterns_pulse_under_it() {
        let quake = Some(PatternRef::Builtin(BuiltinPattern::Earthquake));
        let free = LanePlay::new(
            ItemId(1),
            &tip(Intensity::All(18), quake.clone()),
            3_000,
            20,
            None,
        );
        assert_eq!(free.shape(), &Shape::Preset(4));
        assert_eq!(free.at(0).and_then(|o| o.preset), Some(4));
        let capped = LanePlay::new(ItemId(1), &tip(Intensity::All(18), quake), 3_000, 10, None);
        assert_eq!(capped.shape(), &Shape::Builtin(Pattern::Pulse));
        assert_eq!(capped.at(0).map(|o| o.level), Some(10));
        assert_eq!(capped.at(600).map(|o| o.level), Some(0));
    }

    #[test]
    fn per_output_tip_leaves_unnamed_outputs_still() {
        let levels = OutputLevels {
            vibrate: Some(8),
            rotate: Some(15),
            pump: None,
            thrust: None,
        };
        let play = LanePlay::new(
            ItemId(1),
            &tip(Intensity::PerOutput(levels), None),
            1_000,
            20,
            None,
        );
        let out = play.at(0).unwrap();
        assert_eq!(out.level, 15);
        assert_eq!(
            out.features.unwrap().values(),
            &[
                (Feature::Vibrate, 8),
                (Feature::Rotate, 15),
                (Feature::Air, 0),
                (Feature::Thrust, 0)
            ]
        );
    }

    #[test]
    fn an_imported_pattern_plays_its_steps_scaled_to_the_tip() {
        let file = PatternFile::parse("tease", "V:1;F:v;S:100;#20;10;0;20").unwrap();
        let named = Some(PatternRef::Named("tease".into()));
        let tip = tip(Intensity::All(12), named);
        let play = LanePlay::new(ItemId(1), &tip, 1_000, 20, Some(Arc::new(file)));
        let levels: Vec<u8> = (0..5).map(|k| play.at(k * 100).unwrap().level).collect();
        assert_eq!(levels, [12, 6, 0, 12, 12], "its steps, looping");
        assert_eq!(play.next_change_after(0), Some(100));
        let unknown = LanePlay::new(ItemId(1), &tip, 1_000, 20, None);
        assert_eq!(
            unknown.at(200).map(|o| o.level),
            Some(12),
            "no file: steady"
        );
    }

    #[test]
    fn highest_wins_per_output() {
        assert_eq!(combine(7, None, None), (7, None));
        let lane = LaneOutput {
            level: 12,
            features: None,
            preset: None,
        };
        assert_eq!(combine(7, None, Some(lane)), (12, None));
        assert_eq!(combine(15, None, Some(lane)), (15, None));
        let split = LaneOutput {
            level: 15,
            features: Some(FeatureLevels::new(&[
                (Feature::Vibrate, 4),
                (Feature::Rotate, 15),
                (Feature::Air, 0),
                (Feature::Thrust, 0),
            ])),
            preset: None,
        };
        let (level, features) = combine(9, None, Some(split));
        assert_eq!(level, 15);
        assert_eq!(
            features.unwrap().values(),
            &[
                (Feature::Vibrate, 9),
                (Feature::Rotate, 15),
                (Feature::Air, 9),
                (Feature::Thrust, 9)
            ]
        );
    }
}
