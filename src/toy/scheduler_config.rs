//! The `[toy]` settings the scheduler runs with. Deserialises flat from the
//! console's configuration; unknown keys are refused.

use serde::Deserialize;

use super::outputs::ModelMaps;
use super::plan::PlanConfig;

/// The `[toy]` part of the console's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchedulerConfig {
    /// No level above this is ever sent (0..=20).
    pub intensity_cap: u8,
    /// Length of an effect that gives none, when no effect follows sooner.
    pub default_effect_ms: u64,
    /// Longest the `end` effect may run after its item closes (at most 3 s).
    pub end_burst_max_ms: u64,
    /// Stop the toys once the server has been unreachable this long.
    pub server_loss_stop_ms: u64,
    /// Per model (name or code): which outputs an effect drives, how strongly
    /// (`[toy.models.Nora] outputs = ["vibrate"]`, `scale = { rotate = 50 }`).
    pub models: ModelMaps,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        let plan = PlanConfig::default();
        SchedulerConfig {
            intensity_cap: plan.intensity_cap,
            default_effect_ms: plan.default_effect_ms,
            end_burst_max_ms: plan.end_burst_max_ms,
            server_loss_stop_ms: 5_000,
            models: ModelMaps::new(),
        }
    }
}

impl SchedulerConfig {
    pub fn plan(&self) -> PlanConfig {
        PlanConfig {
            intensity_cap: self.intensity_cap,
            default_effect_ms: self.default_effect_ms,
            end_burst_max_ms: self.end_burst_max_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_reads_from_toml_and_refuses_unknown_keys() {
        let c: SchedulerConfig =
            toml::from_str("intensity_cap = 8\nserver_loss_stop_ms = 3000").unwrap();
        assert_eq!((c.intensity_cap, c.server_loss_stop_ms), (8, 3000));
        assert_eq!(
            c.end_burst_max_ms,
            SchedulerConfig::default().end_burst_max_ms
        );
        let err = toml::from_str::<SchedulerConfig>("intensity_capp = 8").unwrap_err();
        assert!(err.to_string().contains("intensity_capp"), "{err}");
    }
}
