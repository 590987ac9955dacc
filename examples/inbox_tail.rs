//! A viewer's inbox on the terminal: `cargo run --example inbox_tail --
//! <server> <viewer-token> [count] [--read]`. Prints each private message
//! as its tier's time brings it (one JSON line), marks it read with
//! `--read`, and stops after `count` messages (default: never).

use cuedeck::client::{InboxSocket, ServerUrl};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(server), Some(token)) = (args.first(), args.get(1)) else {
        eprintln!("usage: inbox_tail <server> <viewer-token> [count] [--read]");
        std::process::exit(2);
    };
    let count: usize = args
        .get(2)
        .and_then(|c| c.parse().ok())
        .unwrap_or(usize::MAX);
    let read = args.iter().any(|a| a == "--read");
    let server = match ServerUrl::parse(server) {
        Ok(server) => server,
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(2);
        }
    };
    let mut inbox = match InboxSocket::connect(&server, token, None).await {
        Ok(inbox) => inbox,
        Err(err) => {
            eprintln!("cannot open the inbox: {err}");
            std::process::exit(1);
        }
    };
    let mut seen = 0;
    while seen < count {
        match inbox.next_message().await {
            Ok(Some(message)) => {
                println!("{}", serde_json::to_string(&message).unwrap_or_default());
                if read && let Err(err) = inbox.mark_read(vec![message.id]).await {
                    eprintln!("marking read: {err}");
                }
                seen += 1;
            }
            Ok(None) => break,
            Err(err) => {
                eprintln!("{err}");
                std::process::exit(1);
            }
        }
    }
}
