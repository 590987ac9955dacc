//! The wheel's and the slot's boards: each game's visible prizes and
//! colours, the spins heard of in the queue, and the last spin once the
//! server's receipt named its prize. Pure, like the feed that holds them.

use super::feed::{SPIN_FRESH_MS, age_ms};
use super::views::{GameColours, GameMark, GameView, Segment, SpinShow};
use crate::domain::Stamp;
use crate::games::config::GameConfig;

/// A spin as the server's receipt describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpinReceipt {
    pub spin_id: String,
    pub prize: u32,
    pub title: String,
    pub commitment: String,
}

/// A spin heard of in the queue, waiting for its receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpinHeard {
    pub game: GameMark,
    pub spin_id: String,
    pub name: String,
    pub at: Stamp,
}

#[derive(Debug, Clone, Default)]
struct Board {
    segments: Vec<Segment>,
    colours: GameColours,
    heard: Vec<SpinHeard>,
    spin: Option<(SpinHeard, SpinReceipt)>,
}

/// Both games' boards.
#[derive(Debug, Default)]
pub struct GameBoards {
    wheel: Board,
    slot: Board,
}

impl GameBoards {
    /// A spin heard of in the queue, to be shown once its receipt comes.
    pub fn heard(&mut self, heard: SpinHeard) {
        self.board_mut(heard.game).heard.push(heard);
    }

    /// A game's configuration: its visible prizes and colours.
    pub fn on_game(&mut self, config: &GameConfig) {
        let board = self.board_mut(match config.game {
            crate::games::config::GameKind::SlotMachine => GameMark::Slot,
            crate::games::config::GameKind::SpinWheel => GameMark::Wheel,
        });
        board.segments = config
            .prizes
            .iter()
            .filter(|p| !p.hidden)
            .map(|p| Segment {
                prize: p.id,
                title: p.title.clone(),
            })
            .collect();
        let theme = &config.theme;
        board.colours = GameColours {
            primary: theme.primary.clone(),
            secondary: theme.secondary.clone(),
            background: theme.background.clone(),
            text: theme.text.clone(),
        };
    }

    /// The receipt of a spin heard before: the game shows it landing.
    pub fn on_receipt(&mut self, game: GameMark, receipt: SpinReceipt) {
        let board = self.board_mut(game);
        let Some(index) = board
            .heard
            .iter()
            .position(|h| h.spin_id == receipt.spin_id)
        else {
            return;
        };
        let heard = board.heard.remove(index);
        // A hidden prize is not on the wheel: it gets a segment of its own.
        if !board.segments.iter().any(|s| s.prize == receipt.prize) {
            board.segments.push(Segment {
                prize: receipt.prize,
                title: receipt.title.clone(),
            });
        }
        board.spin = Some((heard, receipt));
    }

    fn board_mut(&mut self, game: GameMark) -> &mut Board {
        match game {
            GameMark::Wheel => &mut self.wheel,
            GameMark::Slot => &mut self.slot,
        }
    }

    /// `server_now` on the server's clock, as the spins' stamps are.
    pub fn view(&self, game: GameMark, live: bool, server_now: Stamp) -> GameView {
        let board = match game {
            GameMark::Wheel => &self.wheel,
            GameMark::Slot => &self.slot,
        };
        let spin = board
            .spin
            .as_ref()
            .filter(|_| live)
            .map(|(heard, receipt)| {
                let landing = board
                    .segments
                    .iter()
                    .position(|s| s.prize == receipt.prize)
                    .unwrap_or(0);
                SpinShow {
                    spin_id: receipt.spin_id.clone(),
                    name: heard.name.clone(),
                    prize: receipt.prize,
                    title: receipt.title.clone(),
                    landing,
                    commitment: receipt.commitment.clone(),
                    verify: format!("verify: cuedeck verify {}", receipt.spin_id),
                    fresh: age_ms(heard.at, server_now) < SPIN_FRESH_MS,
                }
            });
        GameView {
            live,
            game,
            segments: board.segments.clone(),
            colours: board.colours.clone(),
            spin,
        }
    }

    /// How long until each shown spin grows old (stops animating).
    pub fn fresh_for_ms(&self, server_now: Stamp) -> impl Iterator<Item = u64> + '_ {
        [&self.wheel, &self.slot]
            .into_iter()
            .filter_map(move |board| {
                let (heard, _) = board.spin.as_ref()?;
                let age = age_ms(heard.at, server_now);
                (age < SPIN_FRESH_MS).then(|| SPIN_FRESH_MS - age)
            })
    }
}
