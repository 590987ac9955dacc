//! docs/PROTOCOL.md cannot drift from the code: every example in it is
//! parsed as the real type, and every error code is documented.

use cuedeck::domain::{Event, IntakeLimits, IntakePayload, Reply};
use cuedeck::menus;
use cuedeck::protocol::{self, ErrorCode};
use cuedeck::protocol::{
    ApiError, BanRequest, ClientFrame, CreateRoom, CreateToken, Join, Mint, ModerationRow,
    ServerFrame, SwitchRequest,
};
use serde::Deserialize;

const DOC: &str = include_str!("../../docs/PROTOCOL.md");

/// (info string, body) of every fenced block.
fn blocks() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = DOC.lines();
    while let Some(line) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            let body: Vec<&str> = lines
                .by_ref()
                .take_while(|l| !l.starts_with("```"))
                .collect();
            out.push((info.trim().to_string(), body.join("\n")));
        }
    }
    out
}

#[derive(Deserialize)]
struct EventWithText {
    #[serde(flatten)]
    #[allow(dead_code)]
    event: Event,
    #[allow(dead_code)]
    text: Option<String>,
}

fn check_server(text: &str) {
    let frame: ServerFrame = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    if let ServerFrame::Event { event } = frame {
        serde_json::from_value::<EventWithText>(event)
            .unwrap_or_else(|e| panic!("event {e}: {text}"));
    }
}

fn check_client(text: &str) {
    serde_json::from_str::<ClientFrame>(text).unwrap_or_else(|e| panic!("{e}: {text}"));
}

#[test]
fn every_example_parses_as_its_type() {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for (info, body) in blocks() {
        let kind = info.split_whitespace().nth(1).unwrap_or("").to_string();
        match kind.as_str() {
            "client" => check_client(&body),
            "server" => check_server(&body),
            "error" => drop(serde_json::from_str::<ApiError>(&body).unwrap()),
            "reply" => drop(serde_json::from_str::<Reply>(&body).unwrap()),
            "intake" => {
                drop(IntakePayload::from_json(body.as_bytes(), &IntakeLimits::default()).unwrap())
            }
            "body:create-room" => drop(serde_json::from_str::<CreateRoom>(&body).unwrap()),
            "body:create-token" => drop(serde_json::from_str::<CreateToken>(&body).unwrap()),
            "body:mint" => drop(serde_json::from_str::<Mint>(&body).unwrap()),
            "body:join" => drop(serde_json::from_str::<Join>(&body).unwrap()),
            // Moderation.
            "body:ban" => drop(serde_json::from_str::<BanRequest>(&body).unwrap()),
            "body:switch" => drop(serde_json::from_str::<SwitchRequest>(&body).unwrap()),
            "moderation-row" => drop(serde_json::from_str::<ModerationRow>(&body).unwrap()),
            // Chip menus (docs/MENUS.md).
            "body:menu" => {
                let value = serde_json::from_str(&body).unwrap();
                let menu: menus::MenuSpec = menus::model::from_json(value).unwrap();
                menu.validate().unwrap();
            }
            "menu" => drop(serde_json::from_str::<menus::MenuView>(&body).unwrap()),
            "body:add-item" => drop(serde_json::from_str::<menus::api::AddItem>(&body).unwrap()),
            "body:update-item" => {
                drop(serde_json::from_str::<menus::api::UpdateItem>(&body).unwrap())
            }
            "body:reorder" => drop(serde_json::from_str::<menus::api::Reorder>(&body).unwrap()),
            "body:sort" => drop(serde_json::from_str::<menus::api::Sort>(&body).unwrap()),
            // Games (docs/GAMES.md).
            "body:spin" => {
                drop(serde_json::from_str::<cuedeck::games::api::SpinBody>(&body).unwrap())
            }
            "body:client-seed" => {
                drop(serde_json::from_str::<cuedeck::games::api::ClientSeedBody>(&body).unwrap())
            }
            "body:game" => drop(cuedeck::games::Game::from_json(&body).unwrap()),
            "conflict" => drop(serde_json::from_str::<menus::VersionConflict>(&body).unwrap()),
            "offer" => drop(serde_json::from_str::<menus::Offer>(&body).unwrap()),
            "body:purchase" => {
                drop(serde_json::from_str::<menus::api::PurchaseBody>(&body).unwrap())
            }
            "receipt" => drop(serde_json::from_str::<menus::PurchaseReceipt>(&body).unwrap()),
            "ban-list" => drop(serde_json::from_str::<cuedeck::protocol::BanList>(&body).unwrap()),
            "odds" => drop(serde_json::from_str::<Vec<cuedeck::games::TierOdds>>(&body).unwrap()),
            "revealed" => {
                drop(serde_json::from_str::<cuedeck::games::RevealedSeed>(&body).unwrap())
            }
            "fairness" => {
                drop(serde_json::from_str::<cuedeck::games::api::Fairness>(&body).unwrap())
            }
            "spins" => {
                drop(serde_json::from_str::<cuedeck::games::listing::SpinPage>(&body).unwrap())
            }
            "my-spins" => {
                drop(serde_json::from_str::<cuedeck::games::listing::ViewerSpins>(&body).unwrap())
            }
            "transcript" => {
                for line in body.lines() {
                    match line.split_at(3) {
                        ("-> ", frame) => check_client(frame),
                        ("<- ", frame) => check_server(frame),
                        _ => panic!("transcript lines start with -> or <-: {line}"),
                    }
                }
            }
            "broadcasts" => {
                drop(serde_json::from_str::<cuedeck::report::BroadcastPage>(&body).unwrap())
            }
            "report" => drop(serde_json::from_str::<cuedeck::report::Report>(&body).unwrap()),
            // Loyalty points.
            "body:earn" => drop(serde_json::from_str::<protocol::EarnRequest>(&body).unwrap()),
            "body:award" => drop(serde_json::from_str::<protocol::AwardRequest>(&body).unwrap()),
            "body:adjust" => drop(serde_json::from_str::<protocol::AdjustRequest>(&body).unwrap()),
            "body:lock" => drop(serde_json::from_str::<protocol::LockRequest>(&body).unwrap()),
            "points-page" => drop(serde_json::from_str::<protocol::PointsPage>(&body).unwrap()),
            // Private messages.
            "inbox-frame" => {
                drop(serde_json::from_str::<cuedeck::protocol::InboxFrame>(&body).unwrap())
            }
            "body:reply" => {
                drop(serde_json::from_str::<cuedeck::protocol::ReplyBody>(&body).unwrap())
            }
            "reply-sent" => {
                drop(serde_json::from_str::<cuedeck::protocol::ReplySent>(&body).unwrap())
            }
            "figures" => {
                drop(serde_json::from_str::<cuedeck::protocol::DeliveryFigures>(&body).unwrap())
            }
            "" => continue,
            other => panic!("an example of unknown kind {other:?}"),
        }
        *counts.entry(kind).or_default() += 1;
    }
    for kind in ["client", "server", "error", "reply", "intake", "transcript"] {
        assert!(counts.contains_key(kind), "no {kind} example in the doc");
    }
}

#[test]
fn every_error_code_is_documented_with_its_status() {
    for &code in ErrorCode::ALL {
        let status = code
            .http_status()
            .map_or("—".to_string(), |s| s.to_string());
        let row = format!("| `{code}` | {status} |");
        assert!(DOC.contains(&row), "docs/PROTOCOL.md lacks the row {row}");
    }
}

#[test]
fn the_transcript_shows_every_server_frame_a_session_has() {
    let transcript = blocks()
        .into_iter()
        .find(|(info, _)| info.ends_with("transcript"))
        .unwrap()
        .1;
    for kind in ["hello", "snapshot", "event", "ack", "pong"] {
        assert!(
            transcript.contains(&format!("\"type\":\"{kind}\"")),
            "the transcript lacks a {kind} frame"
        );
    }
}
