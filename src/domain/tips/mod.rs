//! Tips: the room's tip levels and specials, and matching an amount
//! against them. Pure; the lane that runs toy tips is `domain::lane`.

mod intake;
mod levels;
mod matching;
mod pattern_names;
#[cfg(test)]
mod tests;

pub use intake::{TipAsk, tip_command};
pub use levels::{
    BuiltinPattern, Intensity, MAX_TIP_ENTRIES, MAX_TIP_SECONDS, OutputLevels, PatternRef,
    SpecialAction, TipLevel, TipLevels, TipSpecial,
};
pub use matching::{Matched, TipMatch, TipToy, tip_draw};
pub use pattern_names::{MAX_PATTERN_NAME_CHARS, pattern_name_problem};
