//! Clients of `cuedeck serve`: a small REST client (reqwest) and a
//! WebSocket client that resumes where it left off, with jittered
//! exponential backoff. Used by the console, the simulator and the tests.
//! Both follow the leader over a list of servers ([`ServerList`]).

mod fail_over;
mod games;
mod messages;
mod moderation;
mod points;
mod report;
mod rest;
mod servers;
mod stream;
mod tips;
pub mod versioned;

pub use fail_over::FailOver;
pub use games::GameClientError;
pub use messages::InboxSocket;
pub use moderation::LogQuery;
pub use report::BroadcastChoice;
pub use rest::{ClientError, RestClient};
pub use servers::{AsServerList, Moved, ServerList};
pub use stream::{RoomStream, StreamEvent, StreamOptions, WatchEvent, WatchStream};
pub use tips::{LaneAction, TipLevelsError};

/// One server's base URL, `http://HOST:PORT` (one node of a
/// [`ServerList`]); every other address (the WebSocket endpoint) is
/// derived from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUrl {
    base: String,
}

/// A `--server` value that is not `http://HOST:PORT`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{given:?}: the server URL must look like http://HOST:PORT")]
pub struct BadServerUrl {
    pub given: String,
}

impl ServerUrl {
    pub fn parse(text: &str) -> Result<Self, BadServerUrl> {
        let bad = || BadServerUrl {
            given: text.to_string(),
        };
        let trimmed = text.trim().trim_end_matches('/');
        let rest = trimmed.strip_prefix("http://").ok_or_else(bad)?;
        if rest.is_empty() || rest.contains('/') || rest.contains(char::is_whitespace) {
            return Err(bad());
        }
        Ok(ServerUrl {
            base: trimmed.to_string(),
        })
    }

    pub fn http(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn websocket(&self) -> String {
        format!("ws://{}/ws", &self.base["http://".len()..])
    }
}

impl std::fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_url_gives_every_endpoint() {
        let url = ServerUrl::parse("http://127.0.0.1:7070/").unwrap();
        assert_eq!(url.http("/healthz"), "http://127.0.0.1:7070/healthz");
        assert_eq!(url.websocket(), "ws://127.0.0.1:7070/ws");
        for bad in [
            "127.0.0.1:7070",
            "ftp://x",
            "http://",
            "http://a/b",
            "https://x:1",
        ] {
            assert!(ServerUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
