//! The tippers' side of the timeline: the room gets the shipped preset
//! ladder, and present viewers tip at realistic amounts.

use rand::RngExt;

use super::timeline::What;
use super::*;
use crate::client::ClientError;
use crate::sim::SimError;

impl Sim {
    /// With a tip rate, give the room the preset ladder and plan the first tip.
    pub(super) async fn start_tipping(&mut self) -> Result<(), SimError> {
        if self.scenario.tips.per_min <= 0.0 {
            return Ok(());
        }
        self.scenario
            .tips
            .check()
            .map_err(|e| failed(&self.server, "tips", ClientError::Transport(e)))?;
        let room = self.room.clone();
        let current = self
            .admin
            .tip_levels(&room)
            .await
            .map_err(|e| failed(&self.server, "tip levels", e))?;
        if current.levels.levels.is_empty() {
            self.admin
                .tip_levels_from_template(&room, "presets", current.version)
                .await
                .map_err(|e| failed(&self.server, "tip levels", e))?;
        }
        self.schedule_tip();
        Ok(())
    }

    fn schedule_tip(&mut self) {
        if let Some(gap) = self.scenario.tips.gap_ms(&mut self.tipping) {
            self.push(self.now + gap, What::Tip);
        }
    }

    pub(super) async fn tip(&mut self) -> Result<(), SimError> {
        self.schedule_tip();
        let present: Vec<usize> = (0..self.viewers.len())
            .filter(|&v| self.viewers[v].present)
            .collect();
        // Drawn whatever happens, so the stream stays in step with the seed.
        let pick = self.tipping.random_range(0..present.len().max(1));
        let amount = self.scenario.tips.amount(&mut self.tipping);
        let Some(&v) = present.get(pick) else {
            return Ok(());
        };
        let key = format!("{}-t{}", self.prefix, self.tips_sent);
        self.tips_sent += 1;
        let viewer = &self.viewers[v];
        // A viewer's public name, as the chat and the overlays show it.
        let body = crate::protocol::TipBody {
            amount,
            display_name: Some(viewer.name.clone()),
            user: None,
            source_event_id: None,
        };
        match viewer.client.tip_with(&self.room, &body, &key).await {
            Ok(_) => {
                self.summary.tips += 1;
                tracing::debug!(room = %self.room, user = %viewer.user, amount, "tip");
                Ok(())
            }
            Err(ClientError::Api { status, error }) if status < 500 => {
                self.summary.tips_refused += 1;
                tracing::debug!(room = %self.room, code = %error.code, "tip refused");
                Ok(())
            }
            Err(e) => Err(failed(&self.server, "tip", e)),
        }
    }
}
