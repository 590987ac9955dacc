//! Lovense pattern files, the text format of Lovense's apps, imported as
//! named patterns. Pure apart from `load`.
//!
//! ```text
//! V:1;T:Edge;F:v1,v2;S:100;M:<md5>;#
//! 0,0;5,3;10,8;...
//! ```
//!
//! Header fields before `#`: `V` version, `F` the features (one value per
//! feature in every step: `v` all vibrators, `v1`..`v3` one motor, `r`
//! rotation, `p` air pump, `t` thrust), `S` milliseconds per step; `T`
//! (toy) and `M` (a digest) are informational. After `#`, steps separated by
//! `;`, values by `,`; line breaks carry no meaning. (Format facts: the
//! go-lovense notes on Lovense Remote's pattern files.)

use std::path::Path;

use thiserror::Error;

use crate::domain::toy_effect::MAX_INTENSITY;

/// Largest pattern file read.
pub const MAX_FILE_BYTES: usize = 1 << 20;
/// Most steps a pattern may have.
pub const MAX_STEPS: usize = 36_000;
/// Shortest and longest step.
pub const MIN_STEP_MS: u64 = 10;
pub const MAX_STEP_MS: u64 = 60_000;
/// Most features a step carries.
pub const MAX_FEATURES: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PatternError {
    #[error("{name}: cannot read it: {reason}")]
    Io { name: String, reason: String },
    #[error("{name}: {bytes} bytes, more than the {MAX_FILE_BYTES} a pattern file may have")]
    TooLarge { name: String, bytes: usize },
    #[error("{name}: line {line}: {what}")]
    Bad {
        name: String,
        line: usize,
        what: String,
    },
}

/// What one feature of a pattern drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    /// `v`: every vibrator.
    Vibrate,
    /// `v1`..`v3`: one motor (index from 0).
    Motor(u8),
    Rotate,
    Air,
    Thrust,
}

impl Feature {
    fn parse(s: &str) -> Option<Feature> {
        Some(match s {
            "v" => Feature::Vibrate,
            "v1" => Feature::Motor(0),
            "v2" => Feature::Motor(1),
            "v3" => Feature::Motor(2),
            "r" => Feature::Rotate,
            "p" => Feature::Air,
            "t" => Feature::Thrust,
            _ => return None,
        })
    }

    /// Top of the feature's scale (the air pump has its own).
    pub fn max(self) -> u8 {
        match self {
            Feature::Air => 3,
            _ => MAX_INTENSITY,
        }
    }
}

/// A parsed pattern: every step's values, one per feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternFile {
    pub name: String,
    pub toy: Option<String>,
    pub features: Vec<Feature>,
    pub step_ms: u64,
    pub steps: Vec<Vec<u8>>,
}

impl PatternFile {
    /// Reads and parses a file; the name is the file's stem.
    pub fn load(path: &Path) -> Result<PatternFile, PatternError> {
        let name = path.file_stem().map_or_else(
            || path.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        let bytes = std::fs::read(path).map_err(|e| PatternError::Io {
            name: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let text = String::from_utf8(bytes).map_err(|_| PatternError::Bad {
            name: name.clone(),
            line: 1,
            what: "not UTF-8 text".to_owned(),
        })?;
        PatternFile::parse(&name, &text)
    }

    pub fn parse(name: &str, text: &str) -> Result<PatternFile, PatternError> {
        if text.len() > MAX_FILE_BYTES {
            return Err(PatternError::TooLarge {
                name: name.to_owned(),
                bytes: text.len(),
            });
        }
        let bad = |offset: usize, what: String| PatternError::Bad {
            name: name.to_owned(),
            line: line_of(text, offset),
            what,
        };
        let Some(hash) = text.find('#') else {
            return Err(bad(
                text.len(),
                "no '#' after the header (V:1;F:...;S:...;#)".into(),
            ));
        };
        let (mut version, mut features, mut step_ms, mut toy) = (None, None, None, None);
        for (offset, field) in tokens(text, 0, hash, ';') {
            let Some((key, value)) = field.split_once(':') else {
                return Err(bad(
                    offset,
                    format!("header field {field:?} is not KEY:VALUE"),
                ));
            };
            match key {
                "V" => version = Some(value),
                "T" => toy = Some(value.to_owned()),
                "S" => {
                    let ms = value
                        .parse::<u64>()
                        .ok()
                        .filter(|ms| (MIN_STEP_MS..=MAX_STEP_MS).contains(ms))
                        .ok_or_else(|| {
                            bad(
                                offset,
                                format!("step S:{value} is not {MIN_STEP_MS}..={MAX_STEP_MS} ms"),
                            )
                        })?;
                    step_ms = Some(ms);
                }
                "F" => {
                    let parsed = value
                        .split(',')
                        .map(|f| {
                            Feature::parse(f.trim())
                                .ok_or_else(|| bad(offset, format!("unknown feature {f:?}")))
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    if parsed.is_empty() || parsed.len() > MAX_FEATURES {
                        return Err(bad(
                            offset,
                            format!("{} features, 1..={MAX_FEATURES} allowed", parsed.len()),
                        ));
                    }
                    features = Some(parsed);
                }
                // M (a digest) and anything newer: informational.
                _ => {}
            }
        }
        if version != Some("1") {
            return Err(bad(
                0,
                format!("version V:{} is not V:1", version.unwrap_or("?")),
            ));
        }
        let features = features.ok_or_else(|| bad(hash, "the header has no F: features".into()))?;
        let step_ms = step_ms.ok_or_else(|| bad(hash, "the header has no S: step".into()))?;
        let mut steps = Vec::new();
        for (offset, step) in tokens(text, hash + 1, text.len(), ';') {
            if steps.len() == MAX_STEPS {
                return Err(bad(offset, format!("more than {MAX_STEPS} steps")));
            }
            let values: Vec<&str> = step.split(',').map(str::trim).collect();
            if values.len() != features.len() {
                return Err(bad(
                    offset,
                    format!(
                        "step {step:?} has {} values for {} features",
                        values.len(),
                        features.len()
                    ),
                ));
            }
            let mut parsed = Vec::with_capacity(values.len());
            for (value, feature) in values.iter().zip(&features) {
                let v = value
                    .parse::<u8>()
                    .ok()
                    .filter(|v| *v <= feature.max())
                    .ok_or_else(|| {
                        bad(
                            offset,
                            format!("value {value:?} is not 0..={}", feature.max()),
                        )
                    })?;
                parsed.push(v);
            }
            steps.push(parsed);
        }
        if steps.is_empty() {
            return Err(bad(text.len(), "no steps after '#'".into()));
        }
        Ok(PatternFile {
            name: name.to_owned(),
            toy,
            features,
            step_ms,
            steps,
        })
    }

    pub fn length_ms(&self) -> u64 {
        self.step_ms * self.steps.len() as u64
    }

    /// The pattern's level `elapsed_ms` in (looping), on the 0..=20 scale:
    /// the strongest feature, each on its own scale.
    pub fn level_at(&self, elapsed_ms: u64) -> u8 {
        self.features_at(elapsed_ms)
            .into_iter()
            .map(|(_, v)| v)
            .max()
            .unwrap_or(0)
    }
}

impl PatternFile {
    /// Each feature's level `elapsed_ms` in (looping), on the 0..=20 scale.
    pub fn features_at(&self, elapsed_ms: u64) -> Vec<(Feature, u8)> {
        let i = (elapsed_ms / self.step_ms) as usize % self.steps.len();
        self.steps[i]
            .iter()
            .zip(&self.features)
            .map(|(v, f)| {
                (
                    *f,
                    (u32::from(*v) * u32::from(MAX_INTENSITY) / u32::from(f.max())) as u8,
                )
            })
            .collect()
    }

    /// Whether the features say more than one level (`v1,v2`, `v,r`...).
    pub fn is_multi(&self) -> bool {
        self.features.len() > 1
            || self
                .features
                .first()
                .is_some_and(|f| *f != Feature::Vibrate)
    }
}

/// Non-empty `sep`-separated tokens of `text[start..end]`, trimmed, with the
/// byte offset where each begins.
fn tokens(text: &str, start: usize, end: usize, sep: char) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut at = start;
    for piece in text[start..end].split(sep) {
        let lead = piece.len() - piece.trim_start().len();
        let token = piece.trim();
        if !token.is_empty() {
            out.push((at + lead, token));
        }
        at += piece.len() + sep.len_utf8();
    }
    out
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}
