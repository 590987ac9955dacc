//! The effects of one item as levels over time. Pure: times are ms offsets
//! from the item's start; the scheduler turns them into instants.
//!
//! Rules (shared/design/DOMAIN.md, "Sub-effects (toy)"), and the choices made
//! where it is silent (docs/TOY.md):
//! - start = 0, p25 = D/4, p50 = D/2, p75 = 3D/4, end = the item's close.
//! - The item closes at D, or at Finish if that comes first. Effects other
//!   than `end` are cut at the close; those not yet due are dropped.
//! - `end` fires at the close as a short burst: its duration (default 3 s)
//!   capped by `end_burst_max_ms` (1 s by default). It is the only output
//!   after the close, and it is bounded.
//! - An effect lasts its `durationMs`, else until the next effect, at most
//!   3 s; a later effect cuts an earlier one short.
//! - Intensities are capped by the configured cap.

use std::sync::Arc;

use super::outputs::FeatureLevels;
use super::pattern::{TICK_MS, is_dynamic, level_at};
use super::pattern_file::PatternFile;
use crate::domain::toy_effect::{MAX_INTENSITY, Pattern, Timing, ToyEffect};

/// The shape of one effect: a built-in pattern, the toy's own stored
/// pattern, or an imported Lovense pattern file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    Builtin(Pattern),
    /// `Preset:N;`: the toy plays its own pattern N. Its levels are the
    /// toy's, so under an intensity cap below 20 it plays as a pulse at
    /// the cap instead.
    Preset(u8),
    /// Sampled on the same 100 ms ticks as the built-in patterns, scaled so
    /// the file's 20 is the effect's intensity.
    File(Arc<PatternFile>),
}

/// A file's 20 is the effect's peak.
fn scale_to_peak(v: u8, peak: u8) -> u8 {
    ((u32::from(v) * u32::from(peak)).div_ceil(u32::from(MAX_INTENSITY)) as u8).min(peak)
}

impl Shape {
    /// Per-feature levels of a multi-feature file (`v1,v2`, `v,r`), scaled.
    pub(super) fn features(&self, peak: u8, elapsed_ms: u64) -> Option<FeatureLevels> {
        let Shape::File(f) = self else { return None };
        if !f.is_multi() {
            return None;
        }
        let tick = elapsed_ms / TICK_MS * TICK_MS;
        let scaled: Vec<_> = f
            .features_at(tick)
            .into_iter()
            .map(|(feature, v)| (feature, scale_to_peak(v, peak)))
            .collect();
        Some(FeatureLevels::new(&scaled))
    }

    pub(super) fn level(&self, peak: u8, elapsed_ms: u64, length_ms: u64) -> u8 {
        match self {
            Shape::Builtin(p) => level_at(*p, peak, elapsed_ms, length_ms),
            Shape::Preset(_) => 0,
            Shape::File(f) => scale_to_peak(f.level_at(elapsed_ms / TICK_MS * TICK_MS), peak),
        }
    }

    pub(super) fn is_dynamic(&self) -> bool {
        match self {
            Shape::Builtin(p) => is_dynamic(*p),
            Shape::Preset(_) => false,
            Shape::File(_) => true,
        }
    }
}

/// Default effect length when the effect gives none and no effect follows soon.
pub const DEFAULT_EFFECT_MS: u64 = 3000;
/// Default bound of the `end` burst after the item closes.
pub const DEFAULT_END_BURST_MS: u64 = 1000;
/// The `end` burst is never configured longer than this.
pub const MAX_END_BURST_MS: u64 = 3000;

/// Read from the console's configuration through `SchedulerConfig`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanConfig {
    /// No level above this is ever sent (0..=20).
    pub intensity_cap: u8,
    /// Length of an effect that gives none, when no effect follows sooner.
    pub default_effect_ms: u64,
    /// Longest the `end` effect may run after the item closes.
    pub end_burst_max_ms: u64,
}

impl Default for PlanConfig {
    fn default() -> Self {
        PlanConfig {
            intensity_cap: MAX_INTENSITY,
            default_effect_ms: DEFAULT_EFFECT_MS,
            end_burst_max_ms: DEFAULT_END_BURST_MS,
        }
    }
}

impl PlanConfig {
    fn cap(&self) -> u8 {
        self.intensity_cap.min(MAX_INTENSITY)
    }

    fn end_burst(&self) -> u64 {
        self.end_burst_max_ms.min(MAX_END_BURST_MS)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Segment {
    timing: Timing,
    start: u64,
    end: u64,
    peak: u8,
    shape: Shape,
}

impl Segment {
    fn level(&self, t: u64) -> u8 {
        self.shape
            .level(self.peak, t - self.start, self.end - self.start)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct EndBurst {
    peak: u8,
    shape: Shape,
    length: u64,
}

/// One item's effects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemPlan {
    d_ms: u64,
    /// Effects before the close, sorted, not overlapping.
    segments: Vec<Segment>,
    end: Option<EndBurst>,
    /// Where the item closes: D, or Finish if earlier.
    close: u64,
    /// Everything stopped from here on (refund, panic, exit...).
    cancelled_at: Option<u64>,
}

impl ItemPlan {
    pub fn new(d_ms: u64, effects: &[ToyEffect], config: &PlanConfig) -> ItemPlan {
        ItemPlan::new_shaped(d_ms, effects, &[], config)
    }

    /// Like `new`, with `shapes[i]` (when given) replacing effect i's pattern.
    pub fn new_shaped(
        d_ms: u64,
        effects: &[ToyEffect],
        shapes: &[Option<Shape>],
        config: &PlanConfig,
    ) -> ItemPlan {
        let cap = config.cap();
        let mut timed: Vec<(u64, &ToyEffect, Shape)> = effects
            .iter()
            .enumerate()
            .filter(|(_, e)| e.enabled)
            .map(|(i, e)| {
                let shape = shapes
                    .get(i)
                    .cloned()
                    .flatten()
                    .unwrap_or(Shape::Builtin(e.shape()));
                let shape = match shape {
                    // A stored pattern's levels are the toy's: not under a cap.
                    Shape::Preset(_) if cap < MAX_INTENSITY => Shape::Builtin(Pattern::Pulse),
                    other => other,
                };
                (e.timing.offset_ms(d_ms), e, shape)
            })
            .collect();
        // Stable: of two effects at one moment the later listed wins.
        timed.sort_by_key(|(at, _, _)| *at);
        let peak = |e: &ToyEffect| e.intensity_or_default().min(cap);

        let mut segments = Vec::new();
        for (i, (start, effect, shape)) in timed.iter().enumerate() {
            if effect.timing == Timing::End {
                continue;
            }
            let next = timed.get(i + 1).map(|(at, _, _)| *at);
            let wanted = match effect.duration_ms {
                Some(ms) => ms,
                None => next.map_or(config.default_effect_ms, |n| {
                    (n - start).min(config.default_effect_ms)
                }),
            };
            let end = (start + wanted).min(next.unwrap_or(u64::MAX)).min(d_ms);
            if end > *start {
                segments.push(Segment {
                    timing: effect.timing,
                    start: *start,
                    end,
                    peak: peak(effect),
                    shape: shape.clone(),
                });
            }
        }
        let end = timed
            .iter()
            .rev()
            .find(|(_, e, _)| e.timing == Timing::End)
            .map(|(_, e, shape)| EndBurst {
                peak: peak(e),
                shape: shape.clone(),
                length: e
                    .duration_ms
                    .unwrap_or(config.default_effect_ms)
                    .min(config.end_burst()),
            })
            .filter(|b| b.length > 0);
        ItemPlan {
            d_ms,
            segments,
            end,
            close: d_ms,
            cancelled_at: None,
        }
    }

    pub fn duration_ms(&self) -> u64 {
        self.d_ms
    }

    /// The item finished `at_ms` after its start. Before D this moves the
    /// close (and the `end` burst) forward; at or after D nothing changes.
    pub fn finish(&mut self, at_ms: u64) {
        self.close = self.close.min(at_ms);
    }

    /// Stops everything from `at_ms` on (refund, panic, exit, lost server).
    pub fn cancel(&mut self, at_ms: u64) {
        self.cancelled_at = Some(self.cancelled_at.map_or(at_ms, |c| c.min(at_ms)));
    }

    pub fn close_ms(&self) -> u64 {
        self.close
    }

    /// From here on the level is 0 for good.
    pub fn quiet_from(&self) -> u64 {
        let natural = self.close + self.end.as_ref().map_or(0, |b| b.length);
        self.cancelled_at.map_or(natural, |c| c.min(natural))
    }

    /// The level `t_ms` after the item's start.
    pub fn level_at(&self, t: u64) -> u8 {
        if t >= self.quiet_from() {
            return 0;
        }
        if t >= self.close {
            return self
                .end
                .as_ref()
                .map_or(0, |b| b.shape.level(b.peak, t - self.close, b.length));
        }
        self.segments
            .iter()
            .find(|s| s.start <= t && t < s.end)
            .map_or(0, |s| s.level(t))
    }

    /// The next moment after `t` at which the level may change.
    pub fn next_change_after(&self, t: u64) -> Option<u64> {
        let quiet = self.quiet_from();
        if t >= quiet {
            return None;
        }
        let mut candidates = vec![quiet];
        let mut consider = |start: u64, end: u64, shape: &Shape| {
            if start > t {
                candidates.push(start);
            } else if t < end && shape.is_dynamic() {
                candidates.push(start + ((t - start) / TICK_MS + 1) * TICK_MS);
            }
            if end > t {
                candidates.push(end);
            }
        };
        for s in &self.segments {
            consider(s.start, s.end.min(self.close), &s.shape);
        }
        if let Some(b) = &self.end {
            consider(self.close, self.close + b.length, &b.shape);
        }
        candidates.into_iter().filter(|c| *c > t).min()
    }

    /// Per-feature levels at `t` when a multi-feature pattern file plays.
    pub fn features_at(&self, t: u64) -> Option<FeatureLevels> {
        if t >= self.quiet_from() {
            return None;
        }
        if t >= self.close {
            return self
                .end
                .as_ref()
                .and_then(|b| b.shape.features(b.peak, t - self.close));
        }
        self.segments
            .iter()
            .find(|s| s.start <= t && t < s.end)
            .and_then(|s| s.shape.features(s.peak, t - s.start))
    }

    /// The stored pattern the toy should run at `t` (`Preset:N;`), if any.
    pub fn preset_at(&self, t: u64) -> Option<u8> {
        if t >= self.quiet_from() {
            return None;
        }
        let shape = if t >= self.close {
            self.end.as_ref().map(|b| &b.shape)
        } else {
            self.segments
                .iter()
                .find(|s| s.start <= t && t < s.end)
                .map(|s| &s.shape)
        };
        match shape {
            Some(Shape::Preset(n)) => Some(*n),
            _ => None,
        }
    }

    /// The next effect to fire after `t`: its timing and offset.
    pub fn next_effect_after(&self, t: u64) -> Option<(Timing, u64)> {
        if self.cancelled_at.is_some_and(|c| c <= t) {
            return None;
        }
        let before_close = self
            .segments
            .iter()
            .find(|s| s.start > t && s.start < self.close)
            .map(|s| (s.timing, s.start));
        let end = self
            .end
            .as_ref()
            .filter(|_| self.close > t)
            .map(|_| (Timing::End, self.close));
        before_close.or(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fx(timing: Timing, intensity: u8, duration_ms: Option<u64>) -> ToyEffect {
        ToyEffect {
            enabled: true,
            timing,
            intensity: Some(intensity),
            duration_ms,
            device_vendor: None,
            pattern: None,
        }
    }

    #[test]
    fn default_duration_is_next_effect_or_three_seconds() {
        let plan = ItemPlan::new(
            10_000,
            &[
                fx(Timing::Start, 5, None),
                fx(Timing::P25, 7, None),
                fx(Timing::P75, 9, None),
            ],
            &PlanConfig::default(),
        );
        assert_eq!(plan.level_at(0), 5);
        assert_eq!(plan.level_at(2_499), 5);
        assert_eq!(plan.level_at(2_500), 7);
        assert_eq!(plan.level_at(5_499), 7);
        assert_eq!(plan.level_at(5_500), 0);
        assert_eq!(plan.level_at(7_500), 9);
        assert_eq!(plan.level_at(9_999), 9);
        assert_eq!(plan.level_at(10_000), 0);
        assert_eq!(plan.quiet_from(), 10_000);
    }

    #[test]
    fn cap_applies_everywhere() {
        let config = PlanConfig {
            intensity_cap: 6,
            ..PlanConfig::default()
        };
        let plan = ItemPlan::new(
            4_000,
            &[fx(Timing::Start, 20, None), fx(Timing::End, 20, None)],
            &config,
        );
        assert_eq!(plan.level_at(0), 6);
        assert_eq!(plan.level_at(4_000), 6);
        assert_eq!(plan.level_at(5_000), 0);
    }
}
