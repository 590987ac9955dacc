//! Message templates: the text of public chat lines and private messages,
//! keyed as in the contract. Variables are HTML-escaped before they go in.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use crate::domain::messages::{MessageVars, Tier};

/// The shipped templates, used when no file is configured.
pub const DEFAULT_TEMPLATES: &str = include_str!("../../config/templates.toml");

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Templates {
    #[serde(default)]
    public: HashMap<String, String>,
    #[serde(default)]
    private: HashMap<String, String>,
    /// The performer's replies: by mood, then template key, then tier
    /// (`default` for tiers without their own wording).
    #[serde(default)]
    replies: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>,
}

/// A reply template's wording for a tier without its own.
const DEFAULT_WORDING: &str = "default";

/// A message template file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{origin}: {message}")]
    Parse { origin: String, message: String },
}

impl Templates {
    pub fn parse(text: &str, origin: &str) -> Result<Self, TemplateError> {
        let templates: Templates = toml::from_str(text).map_err(|e| TemplateError::Parse {
            origin: origin.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        for (mood, keys) in &templates.replies {
            for (key, wordings) in keys {
                let problem = |message: String| TemplateError::Parse {
                    origin: origin.to_string(),
                    message: format!("replies.{mood}.{key}: {message}"),
                };
                if let Some(bad) = wordings
                    .keys()
                    .find(|t| *t != DEFAULT_WORDING && Tier::parse(t).is_none())
                {
                    return Err(problem(format!(
                        "`{bad}` is not a tier (free, basic, premium, vip or default)"
                    )));
                }
                let covered = wordings.contains_key(DEFAULT_WORDING)
                    || Tier::ALL.iter().all(|t| wordings.contains_key(t.label()));
                if !covered {
                    return Err(problem("needs a `default` wording or one per tier".into()));
                }
            }
        }
        Ok(templates)
    }

    /// The moods and their reply templates' keys, in order.
    pub fn reply_keys(&self) -> Vec<(String, Vec<String>)> {
        self.replies
            .iter()
            .map(|(mood, keys)| (mood.clone(), keys.keys().cloned().collect()))
            .collect()
    }

    /// A reply in `tier`'s wording, variables escaped; `None` when the mood
    /// or the key is unknown.
    pub fn render_reply(
        &self,
        mood: &str,
        key: &str,
        tier: Tier,
        vars: &MessageVars,
    ) -> Option<String> {
        let wordings = self.replies.get(mood)?.get(key)?;
        let text = wordings
            .get(tier.label())
            .or_else(|| wordings.get(DEFAULT_WORDING))?;
        Some(render(text, vars))
    }

    pub fn load(path: Option<&Path>) -> Result<Self, TemplateError> {
        match path {
            None => Self::parse(DEFAULT_TEMPLATES, "config/templates.toml"),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
                Self::parse(&text, &path.display().to_string())
            }
        }
    }

    pub fn has_public(&self, key: &str) -> bool {
        self.public.contains_key(key)
    }

    pub fn has_private(&self, key: &str) -> bool {
        self.private.contains_key(key)
    }

    pub fn render_public(&self, key: &str, vars: &MessageVars) -> Option<String> {
        self.public.get(key).map(|t| render(t, vars))
    }

    pub fn render_private(&self, key: &str, vars: &MessageVars) -> Option<String> {
        self.private.get(key).map(|t| render(t, vars))
    }
}

/// Replace `{name}` with the escaped variable; unknown names stay as written.
pub fn render(template: &str, vars: &MessageVars) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match value(name, vars) {
                    Some(v) => escape_into(&v, &mut out),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn value(name: &str, vars: &MessageVars) -> Option<String> {
    match name {
        "user" => Some(vars.user.to_string()),
        "action" => vars.action.as_deref().map(str::to_string),
        "tokens" => vars.tokens.map(|v| v.to_string()),
        "position" => vars.position.map(|v| v.to_string()),
        "ahead" => vars.ahead.map(|v| v.to_string()),
        "amount" => vars.amount.map(|v| v.to_string()),
        "reason" => vars.reason.map(|r| r.as_str().to_string()),
        "item" => vars.item.map(|i| i.0.to_string()),
        "seconds" => vars.seconds.map(|v| v.to_string()),
        _ => None,
    }
}

/// `text` with HTML's special characters escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(text, &mut out);
    out
}

fn escape_into(text: &str, out: &mut String) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::messages::keys;

    #[test]
    fn variables_are_escaped() {
        let vars = MessageVars {
            user: "<b>Eve</b> & co".into(),
            action: Some("Dance \"now\"".into()),
            tokens: Some(25),
            ..MessageVars::default()
        };
        let text = render("{user} bought {action} for {tokens} ({unknown})", &vars);
        assert_eq!(
            text,
            "&lt;b&gt;Eve&lt;/b&gt; &amp; co bought Dance &quot;now&quot; for 25 ({unknown})"
        );
    }

    #[test]
    fn the_shipped_templates_cover_every_key_the_queue_sends() {
        let t = Templates::load(None).unwrap();
        for key in [
            keys::QUEUE_RECEIPT,
            keys::INSTANT_RECEIPT,
            keys::QUEUE_SIT_BACK,
            keys::QUEUE_SOON,
            keys::QUEUE_REFUND,
        ] {
            assert!(t.has_private(key), "{key}");
        }
        for key in [
            "menu.purchase",
            "menu.redeem",
            "slot.spin.started",
            "slot.spin.winner",
            "wheel.spin.started",
            "wheel.spin.winner",
            keys::QUEUE_REFUND_PUBLIC,
        ] {
            assert!(t.has_public(key), "{key}");
        }
    }
}
