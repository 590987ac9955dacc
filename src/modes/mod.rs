//! The command-line modes: each turns its arguments into a running program
//! and an exit code. `main` only dispatches.

pub mod config;
pub mod console;
pub mod demo;
pub mod menu;
pub mod report;
pub mod serve;
mod serve_admin;
mod serve_migrate;
pub mod sim;
pub mod tips;
pub mod verify;
pub mod verify_server;

/// Build the tokio runtime a mode runs on.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// A client of the target's server and its room, the room's name checked.
pub fn room_client(
    target: &crate::cli::MenuTarget,
) -> Result<(crate::client::RestClient, crate::domain::RoomId), String> {
    let server = crate::client::ServerList::parse(&target.server).map_err(|e| e.to_string())?;
    if let Some(problem) = crate::domain::ids::id_problem(&target.room) {
        return Err(format!("--room {:?}: {problem}", target.room));
    }
    Ok((
        crate::client::RestClient::new(server, target.token.clone()),
        crate::domain::RoomId::new(target.room.as_str()),
    ))
}
