//! `cuedeck verify --server URL --room ROOM` and `--viewer`: list the
//! spins from the server, check each against the game's published
//! history (docs/FAIRNESS.md), and for a viewer check their nonces under
//! each server seed. One line per problem, then one summary line. Exit 0
//! when nothing is unfair, 1 when something is, 2 when the server cannot
//! be read.

use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;

use serde::de::DeserializeOwned;

use reqwest::Method;

use crate::client::{RestClient, ServerList};
use crate::games::GameKind;
use crate::games::api::Fairness;
use crate::games::audit::{SpinCheck, check_history, check_nonces, check_spin};
use crate::games::listing::{CommitmentRecord, SpinEntry, SpinPage, ViewerSpins};

const UNFAIR: u8 = 1;
const BAD_INPUT: u8 = 2;

/// GETs JSON from a server (or the leader of several), with a token or
/// without.
pub struct Fetcher {
    client: RestClient,
}

/// A failed read: the server's error code when it answered with one.
#[derive(Debug)]
pub struct FetchError {
    pub code: Option<String>,
    pub message: String,
}

impl From<String> for FetchError {
    fn from(message: String) -> Self {
        FetchError {
            code: None,
            message,
        }
    }
}

impl Fetcher {
    pub fn new(server: &str, token: Option<String>) -> Result<Fetcher, String> {
        let servers = ServerList::parse(server).map_err(|e| format!("--server: {e}"))?;
        let client = match token {
            Some(token) => RestClient::new(servers, token),
            None => RestClient::anonymous(servers),
        };
        Ok(Fetcher { client })
    }

    /// The body of `path`; any status but 2xx is an error naming the
    /// address, the status and the server's answer.
    async fn value(&self, path: &str) -> Result<serde_json::Value, FetchError> {
        let (status, body) = self
            .client
            .raw(Method::GET, path, None, None)
            .await
            .map_err(|e| format!("cannot reach {}: {e}", self.client.server().http(path)))?;
        if !status.is_success() {
            return Err(FetchError {
                code: body["code"].as_str().map(str::to_string),
                message: format!("{}: {status}: {body}", self.client.server().http(path)),
            });
        }
        Ok(body)
    }

    /// The body of `path` as JSON text.
    pub async fn text(&self, path: &str) -> Result<String, FetchError> {
        Ok(self.value(path).await?.to_string())
    }

    pub async fn json<T: DeserializeOwned>(&self, path: &str) -> Result<T, FetchError> {
        serde_json::from_value(self.value(path).await?).map_err(|e| {
            let address = self.client.server().http(path);
            FetchError::from(format!("{address}: unexpected answer: {e}"))
        })
    }

    /// A game's whole commitment history (every page); `None` when the
    /// room has no such game.
    async fn history(
        &self,
        room: &str,
        game: GameKind,
    ) -> Result<Option<Vec<CommitmentRecord>>, FetchError> {
        let mut history = Vec::new();
        let mut after = 0;
        loop {
            let path =
                format!("/api/v1/rooms/{room}/games/{game}/fairness?after={after}&limit=500");
            let page: Fairness = match self.json(&path).await {
                Ok(page) => page,
                Err(e) if e.code.as_deref() == Some("game_unavailable") => return Ok(None),
                Err(e) => return Err(e),
            };
            history.extend(page.history);
            match page.next {
                Some(next) => after = next,
                None => return Ok(Some(history)),
            }
        }
    }
}

/// Run an async check on a runtime of its own; a failed read exits 2.
fn block_on(check: impl std::future::Future<Output = Result<Tally, FetchError>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cuedeck verify: {e}");
            return ExitCode::from(BAD_INPUT);
        }
    };
    match runtime.block_on(check) {
        Ok(tally) => tally.exit(),
        Err(e) => {
            eprintln!("cuedeck verify: {}", e.message);
            ExitCode::from(BAD_INPUT)
        }
    }
}

/// What the checks came to.
#[derive(Debug, Default)]
struct Tally {
    spins: u64,
    fair: u64,
    pending: u64,
    unfair: u64,
    /// Problems beyond single spins (a history, a nonce sequence).
    other: u64,
    by_game: BTreeMap<String, u64>,
    summary: String,
}

impl Tally {
    fn spin(&mut self, entry: &SpinEntry, history: &[CommitmentRecord]) {
        self.spins += 1;
        *self.by_game.entry(entry.game.to_string()).or_default() += 1;
        match check_spin(entry, history) {
            SpinCheck::Fair => self.fair += 1,
            SpinCheck::Pending => self.pending += 1,
            SpinCheck::Unfair(problems) => {
                self.unfair += 1;
                println!(
                    "unfair: spin {} ({} in room {}, nonce {}): {}",
                    entry.spin_id,
                    entry.game,
                    entry.room,
                    entry.nonce,
                    problems.join("; ")
                );
            }
        }
    }

    fn problem(&mut self, what: &str) {
        self.other += 1;
        println!("unfair: {what}");
    }

    fn counts(&self) -> String {
        let games: Vec<String> = self
            .by_game
            .iter()
            .map(|(game, n)| format!("{game} {n}"))
            .collect();
        format!(
            "{} spins ({}): {} fair, {} not revealed yet, {} unfair",
            self.spins,
            if games.is_empty() {
                "none".to_string()
            } else {
                games.join(", ")
            },
            self.fair,
            self.pending,
            self.unfair
        )
    }

    fn exit(&self) -> ExitCode {
        println!("{}", self.summary);
        if self.unfair + self.other == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(UNFAIR)
        }
    }
}

/// `--room ROOM [--game G]`.
pub fn run_room(server: &str, room: &str, game: Option<&str>) -> ExitCode {
    let kinds = match game {
        None => GameKind::ALL.to_vec(),
        Some(name) => match GameKind::from_name(name) {
            Some(kind) => vec![kind],
            None => {
                eprintln!("cuedeck verify: --game {name:?} is not slot_machine or spin_wheel");
                return ExitCode::from(BAD_INPUT);
            }
        },
    };
    let fetcher = match Fetcher::new(server, None) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cuedeck verify: {e}");
            return ExitCode::from(BAD_INPUT);
        }
    };
    block_on(audit_room(fetcher, room.to_string(), kinds))
}

async fn audit_room(
    fetcher: Fetcher,
    room: String,
    kinds: Vec<GameKind>,
) -> Result<Tally, FetchError> {
    let mut tally = Tally::default();
    let mut commitments = 0;
    for game in kinds {
        let Some(history) = fetcher.history(&room, game).await? else {
            continue;
        };
        commitments += history.len();
        for problem in check_history(&history) {
            tally.problem(&format!("{game} history: {problem}"));
        }
        let mut after = 0;
        loop {
            let path = format!("/api/v1/rooms/{room}/games/{game}/spins?after={after}&limit=500");
            let page: SpinPage = fetcher.json(&path).await?;
            for entry in &page.spins {
                tally.spin(entry, &history);
            }
            match page.next {
                Some(next) => after = next,
                None => break,
            }
        }
    }
    let order = if tally.unfair + tally.other == 0 {
        ", each published before its spins"
    } else {
        ""
    };
    tally.summary = format!(
        "room {room}: {}; {commitments} commitments{order}",
        tally.counts()
    );
    Ok(tally)
}

/// `--viewer` with the viewer's token.
pub fn run_viewer(server: &str, token: Option<String>) -> ExitCode {
    let Some(token) = token else {
        eprintln!("cuedeck verify: --viewer needs the viewer's token (--token or CUEDECK_TOKEN)");
        return ExitCode::from(BAD_INPUT);
    };
    match Fetcher::new(server, Some(token)) {
        Ok(fetcher) => block_on(audit_viewer(fetcher)),
        Err(e) => {
            eprintln!("cuedeck verify: {e}");
            ExitCode::from(BAD_INPUT)
        }
    }
}

async fn audit_viewer(fetcher: Fetcher) -> Result<Tally, FetchError> {
    let mut spins = Vec::new();
    let mut after = 0;
    let (user, sequences) = loop {
        let page: ViewerSpins = fetcher
            .json(&format!("/api/v1/me/spins?after={after}&limit=500"))
            .await?;
        spins.extend(page.spins);
        match page.next {
            Some(next) => after = next,
            None => break (page.user, page.sequences),
        }
    };
    let mut histories: HashMap<(String, GameKind), Vec<CommitmentRecord>> = HashMap::new();
    let mut tally = Tally::default();
    for entry in &spins {
        let key = (entry.room.to_string(), entry.game);
        if !histories.contains_key(&key) {
            let history = fetcher.history(&key.0, key.1).await?.unwrap_or_default();
            for problem in check_history(&history) {
                tally.problem(&format!("{} history in room {}: {problem}", key.1, key.0));
            }
            histories.insert(key.clone(), history);
        }
        tally.spin(entry, &histories[&key]);
    }
    let before = tally.other;
    for problem in check_nonces(&spins) {
        tally.problem(&format!("nonces of {problem}"));
    }
    for s in &sequences {
        let listed = spins
            .iter()
            .filter(|e| e.room == s.room && e.game == s.game && e.commitment == s.commitment)
            .count() as u64;
        if !s.is_whole() || listed != s.spins {
            tally.problem(&format!(
                "nonces of {} in room {}, commitment {}: the server counts {} spin(s), nonces \
                 {}..={}, {} gap(s), {} repeat(s), next {:?}; the listing has {listed}",
                s.game,
                s.room,
                s.commitment,
                s.spins,
                s.first_nonce,
                s.last_nonce,
                s.gaps,
                s.repeats,
                s.next_nonce
            ));
        }
    }
    tally.summary = format!(
        "viewer {user}: {}; {} server seeds, nonces {}",
        tally.counts(),
        sequences.len(),
        if tally.other == before {
            "whole (each seed's from 0, no gap, no repeat)"
        } else {
            "NOT whole (see above)"
        }
    );
    Ok(tally)
}
