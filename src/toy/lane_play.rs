//! A toy tip's run as levels over time, and how it combines with the stage
//! item's effect: per output, the highest of the two, under the cap. Pure:
//! times are ms offsets from the run's start.
//!
//! - A tip gives one intensity for every output or one per output
//!   (vibrate, rotate, pump, thrust); an output the tip leaves out stays
//!   still (as far as the tip goes: the stage may still drive it).
//! - Its pattern: `pulse` and `wave` render like the menu effects' shapes;
//!   `fireworks` and `earthquake` are the toy's own stored patterns 3 and
//!   4 (`Preset:N;`), which play as a pulse at the tip's intensity under a
//!   cap below 20 (the toy's own levels ignore the cap). An imported
//!   pattern the console cannot render plays steady.

use super::outputs::FeatureLevels;
use super::pattern::{TICK_MS, level_at};
use super::pattern_file::Feature;
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneShape {
    Steady,
    Builtin(Pattern),
    /// The toy's stored pattern N.
    Preset(u8),
}

/// One tip's run: what the toy does for `length_ms` from its start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanePlay {
    pub item: ItemId,
    pub length_ms: u64,
    /// `None`: one level for every output; else vibrate, rotate, pump, thrust.
    per_output: Option<[u8; 4]>,
    peak: u8,
    shape: LaneShape,
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
    /// of a cut run), under the console's intensity cap.
    pub fn new(item: ItemId, tip: &TipToy, length_ms: u64, cap: u8) -> LanePlay {
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
            None | Some(PatternRef::Named(_)) => LaneShape::Steady,
            Some(PatternRef::Builtin(BuiltinPattern::Pulse)) => LaneShape::Builtin(Pattern::Pulse),
            Some(PatternRef::Builtin(BuiltinPattern::Wave)) => LaneShape::Builtin(Pattern::Wave),
            Some(PatternRef::Builtin(_)) if cap < MAX_INTENSITY => {
                LaneShape::Builtin(Pattern::Pulse)
            }
            Some(PatternRef::Builtin(BuiltinPattern::Fireworks)) => LaneShape::Preset(3),
            Some(PatternRef::Builtin(BuiltinPattern::Earthquake)) => LaneShape::Preset(4),
        };
        LanePlay {
            item,
            length_ms,
            per_output,
            peak,
            shape,
        }
    }

    pub fn shape(&self) -> LaneShape {
        self.shape
    }

    /// What the tip asks `t` ms into its run (nothing once it is over).
    pub fn at(&self, t: u64) -> Option<LaneOutput> {
        if t >= self.length_ms {
            return None;
        }
        let scale = |peak: u8| match self.shape {
            LaneShape::Steady => peak,
            LaneShape::Builtin(p) => level_at(p, peak, t, self.length_ms),
            LaneShape::Preset(_) => 0,
        };
        let preset = match self.shape {
            LaneShape::Preset(n) => Some(n),
            _ => None,
        };
        let features = self.per_output.map(|levels| {
            let values: Vec<_> = TIP_FEATURES
                .iter()
                .zip(levels)
                .map(|(f, l)| (*f, scale(l)))
                .collect();
            FeatureLevels::new(&values)
        });
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
        match self.shape {
            LaneShape::Builtin(_) => Some(((t / TICK_MS + 1) * TICK_MS).min(self.length_ms)),
            LaneShape::Steady | LaneShape::Preset(_) => Some(self.length_ms),
        }
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
        let play = LanePlay::new(ItemId(1), &tip(Intensity::All(12), None), 5_000, 20);
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
        );
        assert_eq!(free.shape(), LaneShape::Preset(4));
        assert_eq!(free.at(0).and_then(|o| o.preset), Some(4));
        let capped = LanePlay::new(ItemId(1), &tip(Intensity::All(18), quake), 3_000, 10);
        assert_eq!(capped.shape(), LaneShape::Builtin(Pattern::Pulse));
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
