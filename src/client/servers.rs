//! The servers a client may talk to: one URL (a single server, or a load
//! balancer in front of several), or a leader and its standbys given as
//! `http://a:7070,http://b:7070`. The list keeps the node in use now and
//! moves on when that node cannot serve: to the leader a standby named,
//! else to the next URL in order. Clones share that state, so a console's
//! REST client and its stream follow the same leader.

use std::sync::{Arc, Mutex};

use super::{BadServerUrl, ServerUrl};

#[derive(Clone)]
pub struct ServerList {
    shared: Arc<Mutex<Rotation>>,
}

#[derive(Debug)]
struct Rotation {
    /// As given, in order.
    nodes: Vec<ServerUrl>,
    /// Where in `nodes` the round robin stands.
    position: usize,
    /// The node requests go to now: one of `nodes`, or a leader a standby
    /// named that the list does not hold.
    current: ServerUrl,
}

/// Where a list moved to when a node could not serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub to: ServerUrl,
    /// The node a standby named as the leader.
    pub leader: bool,
}

impl ServerList {
    /// One URL, or several separated by commas; each must be
    /// `http://HOST:PORT`, and the error names the first that is not.
    pub fn parse(text: &str) -> Result<Self, BadServerUrl> {
        let nodes = text
            .split(',')
            .map(ServerUrl::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_nodes(nodes))
    }

    fn from_nodes(nodes: Vec<ServerUrl>) -> Self {
        let current = nodes[0].clone();
        ServerList {
            shared: Arc::new(Mutex::new(Rotation {
                nodes,
                position: 0,
                current,
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rotation> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The node to talk to now.
    pub fn current(&self) -> ServerUrl {
        self.lock().current.clone()
    }

    /// The nodes as given.
    pub fn nodes(&self) -> Vec<ServerUrl> {
        self.lock().nodes.clone()
    }

    /// More than one node given: a node that cannot be reached is worth
    /// leaving for another.
    pub fn has_standbys(&self) -> bool {
        self.lock().nodes.len() > 1
    }

    /// `from` could not serve: go to `leader` when a standby named one
    /// (a valid URL other than `from`, in the list or not), else to the
    /// next node in order. When the list already left `from` (another
    /// request on the same list moved it), it stays where it is, so two
    /// failures of one node move it once.
    pub fn move_on(&self, from: &ServerUrl, leader: Option<&str>) -> Moved {
        let mut rotation = self.lock();
        let named = leader
            .and_then(|url| ServerUrl::parse(url).ok())
            .filter(|url| url != from);
        if let Some(leader) = named {
            if let Some(index) = rotation.nodes.iter().position(|n| *n == leader) {
                rotation.position = index;
            }
            rotation.current = leader.clone();
            return Moved {
                to: leader,
                leader: true,
            };
        }
        if rotation.current == *from {
            rotation.position = (rotation.position + 1) % rotation.nodes.len();
            rotation.current = rotation.nodes[rotation.position].clone();
        }
        Moved {
            to: rotation.current.clone(),
            leader: false,
        }
    }
}

/// What a stream is connected to: one server, or a list (the stream then
/// shares the list's place with the other clients made from it).
pub trait AsServerList {
    fn server_list(&self) -> ServerList;
}

impl AsServerList for ServerUrl {
    fn server_list(&self) -> ServerList {
        self.into()
    }
}

impl AsServerList for ServerList {
    fn server_list(&self) -> ServerList {
        self.clone()
    }
}

impl From<ServerUrl> for ServerList {
    fn from(url: ServerUrl) -> Self {
        Self::from_nodes(vec![url])
    }
}

impl From<&ServerUrl> for ServerList {
    fn from(url: &ServerUrl) -> Self {
        Self::from_nodes(vec![url.clone()])
    }
}

/// The same list, sharing where it stands.
impl From<&ServerList> for ServerList {
    fn from(list: &ServerList) -> Self {
        list.clone()
    }
}

impl std::fmt::Display for ServerList {
    /// The nodes as given, comma-separated.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let nodes: Vec<String> = self.lock().nodes.iter().map(ToString::to_string).collect();
        f.write_str(&nodes.join(","))
    }
}

impl std::fmt::Debug for ServerList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rotation = self.lock();
        f.debug_struct("ServerList")
            .field("nodes", &rotation.nodes)
            .field("current", &rotation.current)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> ServerUrl {
        ServerUrl::parse(text).unwrap()
    }

    #[test]
    fn one_or_several_urls_parse_and_a_bad_one_is_named() {
        let one = ServerList::parse("http://a:7070/").unwrap();
        assert_eq!(one.nodes(), vec![url("http://a:7070")]);
        assert!(!one.has_standbys());
        let three = ServerList::parse("http://a:7070, http://b:7070 ,http://c:7070").unwrap();
        assert_eq!(
            three.nodes(),
            vec![
                url("http://a:7070"),
                url("http://b:7070"),
                url("http://c:7070")
            ]
        );
        assert_eq!(three.current(), url("http://a:7070"));
        assert_eq!(
            three.to_string(),
            "http://a:7070,http://b:7070,http://c:7070"
        );
        let err = ServerList::parse("http://a:7070,b:7070,http://c:7070").unwrap_err();
        assert_eq!(err.given, "b:7070");
        assert!(err.to_string().contains("\"b:7070\""), "{err}");
        for bad in [
            "",
            "http://a:7070,",
            ",http://a:7070",
            "http://a:7070,,http://b:7070",
        ] {
            assert!(ServerList::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn without_a_leader_named_it_goes_round_robin() {
        let list = ServerList::parse("http://a:1,http://b:1,http://c:1").unwrap();
        let mut seen = Vec::new();
        for _ in 0..4 {
            let from = list.current();
            let moved = list.move_on(&from, None);
            assert!(!moved.leader);
            assert_eq!(moved.to, list.current());
            seen.push(moved.to.to_string());
        }
        assert_eq!(
            seen,
            ["http://b:1", "http://c:1", "http://a:1", "http://b:1"]
        );
        // One node: nowhere else to go.
        let single = ServerList::parse("http://a:1").unwrap();
        assert_eq!(
            single.move_on(&url("http://a:1"), None).to,
            url("http://a:1")
        );
    }

    #[test]
    fn the_leader_a_standby_names_is_followed_even_outside_the_list() {
        let list = ServerList::parse("http://a:1,http://b:1,http://c:1").unwrap();
        let moved = list.move_on(&url("http://a:1"), Some("http://c:1"));
        assert_eq!(
            moved,
            Moved {
                to: url("http://c:1"),
                leader: true
            }
        );
        // The round robin goes on from the leader's place in the list.
        assert_eq!(list.move_on(&url("http://c:1"), None).to, url("http://a:1"));
        // A leader the list does not hold (another name for a node).
        let moved = list.move_on(&url("http://a:1"), Some("http://10.0.0.9:7070/"));
        assert_eq!(moved.to, url("http://10.0.0.9:7070"));
        assert!(moved.leader);
        assert_eq!(list.current(), url("http://10.0.0.9:7070"));
        // When it fails, the list goes on where it stood.
        assert_eq!(
            list.move_on(&url("http://10.0.0.9:7070"), None).to,
            url("http://b:1")
        );
    }

    #[test]
    fn a_useless_hint_counts_as_none_and_one_failure_moves_the_list_once() {
        let list = ServerList::parse("http://a:1,http://b:1").unwrap();
        // A node naming itself, or something that is no URL, is no leader.
        for hint in ["http://a:1", "not a url", "https://b:1"] {
            let list = ServerList::parse("http://a:1,http://b:1").unwrap();
            let moved = list.move_on(&url("http://a:1"), Some(hint));
            assert_eq!(
                (moved.to, moved.leader),
                (url("http://b:1"), false),
                "{hint}"
            );
        }
        // Two requests that both failed on a: the second finds the list on b.
        let shared = list.clone();
        assert_eq!(list.move_on(&url("http://a:1"), None).to, url("http://b:1"));
        assert_eq!(
            shared.move_on(&url("http://a:1"), None).to,
            url("http://b:1")
        );
        assert_eq!(shared.current(), url("http://b:1"));
    }
}
