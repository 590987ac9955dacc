//! `cuedeck serve token|room|wallet`: what a small site's admin does
//! beside the server, through its API with the admin token.

use std::process::ExitCode;

use chrono::{DateTime, Utc};

use crate::cli::{AdminConnection, RoomAction, TokenAction, TokenArgs, WalletAction};
use crate::client::{ClientError, RestClient, ServerList};
use crate::domain::{RoomId, Stamp, UserId};
use crate::protocol::{CreateToken, ErrorCode, TokenInfo};

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("cuedeck serve: {message}");
    ExitCode::from(2)
}

/// Run `work` against the server named by `connection`, reporting its
/// error in one line.
fn with_client<F>(connection: AdminConnection, work: impl FnOnce(RestClient) -> F) -> ExitCode
where
    F: Future<Output = Result<(), String>>,
{
    let server = match ServerList::parse(&connection.server) {
        Ok(server) => server,
        Err(err) => return fail(err),
    };
    let Some(token) = connection.token.filter(|t| !t.is_empty()) else {
        return fail(
            "needs the admin token: --token TOKEN or CUEDECK_ADMIN_TOKEN \
             (the one `cuedeck serve` printed on its first start)",
        );
    };
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(err) => return fail(err),
    };
    match runtime.block_on(work(RestClient::new(server, token))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(message),
    }
}

fn said(err: ClientError) -> String {
    match err {
        ClientError::Api { error, .. } => format!("{}: {}", error.code, error.message),
        other => other.to_string(),
    }
}

pub fn token(args: TokenArgs) -> ExitCode {
    match args.action {
        Some(TokenAction::List { role }) => with_client(args.connection, |client| async move {
            let list = client.tokens(role.as_deref()).await.map_err(said)?;
            print!("{}", token_table(&list.tokens));
            Ok(())
        }),
        Some(TokenAction::Revoke { id }) => with_client(args.connection, |client| async move {
            let revoked = client.revoke_token(&id).await.map_err(said)?;
            println!("token {} ({}) revoked", revoked.id, revoked.role);
            Ok(())
        }),
        None => mint_token(args),
    }
}

fn mint_token(args: TokenArgs) -> ExitCode {
    let Some(role) = args.role.clone() else {
        return fail(
            "give --role (admin, integration, performer, moderator or viewer) to mint a \
             token, or `token list` / `token revoke ID`",
        );
    };
    let spec = CreateToken {
        role,
        room: args.room.as_deref().map(RoomId::from),
        rooms: args.rooms.iter().map(|r| r.as_str().into()).collect(),
        user: args.user.as_deref().map(UserId::from),
        expires_at: None,
    };
    let create = args.create;
    with_client(args.connection, |client| async move {
        if spec.role == "performer"
            && let Some(room) = &spec.room
        {
            ensure_room(&client, room, create).await?;
        }
        let created = client.create_token(&spec).await.map_err(said)?;
        eprintln!(
            "token id {} ({}); the token is shown once:",
            created.id, created.role
        );
        println!("{}", created.token);
        Ok(())
    })
}

/// A performer token is only useful for a room that exists: say how to
/// make it, or make it with `--create`.
async fn ensure_room(client: &RestClient, room: &RoomId, create: bool) -> Result<(), String> {
    let rooms = client.rooms().await.map_err(said)?;
    if rooms.contains(room) {
        return Ok(());
    }
    if !create {
        return Err(format!(
            "room {room} does not exist yet: create it with `cuedeck serve room create {room}` \
             (or add --create)"
        ));
    }
    client
        .create_room(room.as_str(), room.as_str())
        .await
        .map_err(said)?;
    eprintln!("room {room} created");
    Ok(())
}

pub fn room(action: RoomAction, connection: AdminConnection) -> ExitCode {
    with_client(connection, |client| async move {
        match action {
            RoomAction::Create { room, performer } => {
                let performer = performer.unwrap_or_else(|| room.clone());
                match client.create_room(&room, &performer).await {
                    Ok(_) => println!("room {room} created (performer {performer}, offline)"),
                    Err(err) if err.code() == Some(ErrorCode::RoomExists) => {
                        return Err(format!("room {room} exists already"));
                    }
                    Err(err) => return Err(said(err)),
                }
            }
            RoomAction::List => {
                for room in client.rooms().await.map_err(said)? {
                    println!("{room}");
                }
            }
        }
        Ok(())
    })
}

pub fn wallet(action: WalletAction, connection: AdminConnection) -> ExitCode {
    with_client(connection, |client| async move {
        let user = match &action {
            WalletAction::Mint { user, .. } | WalletAction::Show { user } => {
                UserId::from(user.as_str())
            }
        };
        if let WalletAction::Mint { amount, .. } = action {
            let key = format!("cli-mint-{}", uuid::Uuid::new_v4());
            client
                .mint(user.as_str(), amount, Some(&key))
                .await
                .map_err(said)?;
        }
        let balance = client.balance(&user).await.map_err(said)?;
        println!(
            "{}: {} tokens, {} points",
            balance.user, balance.tokens, balance.points
        );
        Ok(())
    })
}

fn when(stamp: Stamp) -> String {
    DateTime::<Utc>::from_timestamp_micros(stamp.0)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| stamp.0.to_string())
}

/// One line per token: id, role, scope, created, and expiry or revocation.
fn token_table(tokens: &[TokenInfo]) -> String {
    let mut out = format!(
        "{:<8}  {:<11}  {:<24}  {:<16}  {}\n",
        "id", "role", "scope", "created", "state"
    );
    for t in tokens {
        let scope = match (&t.user, t.rooms.as_slice()) {
            (Some(user), _) => format!("user {user}"),
            (None, []) => "platform".to_string(),
            (None, rooms) => rooms
                .iter()
                .map(RoomId::as_str)
                .collect::<Vec<_>>()
                .join(","),
        };
        let state = match (t.revoked_at, t.expires_at) {
            (Some(at), _) => format!("revoked {}", when(at)),
            (None, Some(at)) => format!("expires {}", when(at)),
            (None, None) => "active".to_string(),
        };
        out.push_str(&format!(
            "{:<8}  {:<11}  {:<24}  {:<16}  {state}\n",
            t.id,
            t.role,
            scope,
            when(t.created_at)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_table_names_scope_and_state() {
        let info = |id: &str, role: &str| TokenInfo {
            id: id.into(),
            role: role.into(),
            rooms: vec![],
            user: None,
            created_at: Stamp::from_secs(1_800_000_000),
            expires_at: None,
            revoked_at: None,
        };
        let table = token_table(&[
            info("aaaaaaaa", "admin"),
            TokenInfo {
                rooms: vec!["room-1".into()],
                revoked_at: Some(Stamp::from_secs(1_800_000_060)),
                ..info("bbbbbbbb", "performer")
            },
            TokenInfo {
                user: Some("v1".into()),
                ..info("cccccccc", "viewer")
            },
        ]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[1].contains("platform") && lines[1].ends_with("active"));
        assert!(lines[2].contains("room-1") && lines[2].contains("revoked 2027-01-15 08:01"));
        assert!(lines[3].contains("user v1"));
    }
}
