//! A small site's administration through `cuedeck serve token|room|wallet`,
//! the real binary against a real server: rooms, performer tokens for rooms
//! that exist (or are created on request), listing and revoking tokens,
//! test wallets.

use std::process::Command;

use crate::support::*;
use cuedeck::protocol::ErrorCode;
use reqwest::{Method, StatusCode};

/// Run `cuedeck serve ARGS` against `t` with the admin token in the
/// environment, as the README's walkthrough does: (exit code, stdout, stderr).
fn serve(t: &TestServer, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cuedeck"))
        .arg("serve")
        .args(args)
        .env("CUEDECK_SERVER", t.url().to_string())
        .env("CUEDECK_ADMIN_TOKEN", ADMIN)
        .env_remove("CUEDECK_TOKEN")
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn rooms_tokens_and_wallets_from_the_command_line() {
    let t = TestServer::start().await;

    let (code, out, _) = serve(&t, &["room", "create", "stage-7"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("room stage-7 created"), "{out}");
    let (code, _, err) = serve(&t, &["room", "create", "stage-7"]);
    assert_eq!(code, 2);
    assert!(err.contains("exists already"), "{err}");
    let (_, out, _) = serve(&t, &["room", "list"]);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [ROOM, OTHER_ROOM, "stage-7"]
    );

    // A performer token for a room that does not exist says how to make it.
    let (code, out, err) = serve(&t, &["token", "--role", "performer", "--room", "nope"]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "no token minted: {out}");
    assert!(err.contains("cuedeck serve room create nope"), "{err}");
    let (code, token, err) = serve(
        &t,
        &["token", "--role", "performer", "--room", "nope", "--create"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("room nope created"), "{err}");
    let performer = t.client(token.trim());
    performer
        .snapshot(&"nope".into())
        .await
        .expect("the token opens its room");

    // Listed by role with its id; revoked, it is refused at once.
    let id = err
        .lines()
        .find_map(|l| l.strip_prefix("token id "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("token id on stderr")
        .to_string();
    let (_, list, _) = serve(&t, &["token", "list", "--role", "performer"]);
    let line = list.lines().find(|l| l.starts_with(&id)).expect("listed");
    assert!(line.contains("nope") && line.ends_with("active"), "{list}");
    let (code, out, _) = serve(&t, &["token", "revoke", &id]);
    assert_eq!(code, 0);
    assert!(out.contains("revoked"), "{out}");
    let refused = performer.snapshot(&"nope".into()).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Unauthorized));
    let (_, list, _) = serve(&t, &["token", "list", "--role", "performer"]);
    assert!(
        list.lines()
            .any(|l| l.starts_with(&id) && l.contains("revoked"))
    );

    let (code, out, _) = serve(&t, &["wallet", "mint", "fan-1", "250"]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), "fan-1: 250 tokens, 0 points");

    // Without the admin token every command says where to get it.
    let out = Command::new(env!("CARGO_BIN_EXE_cuedeck"))
        .args(["serve", "room", "list", "--server", &t.url().to_string()])
        .env_remove("CUEDECK_ADMIN_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CUEDECK_ADMIN_TOKEN"));
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn token_listing_and_revocation_refuse_bad_input_by_name() {
    let t = TestServer::start().await;
    let admin = t.client(ADMIN);
    for (path, field) in [
        ("/api/v1/tokens?role=king", "role"),
        ("/api/v1/tokens?color=red", "color"),
    ] {
        let (status, answer) = admin.raw(Method::GET, path, None, None).await.unwrap();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(answer["field"], field, "{answer}");
    }
    for (id, status, code) in [
        ("abc", StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
        (
            "zzzzzzzz",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        ("0123456789abcdef", StatusCode::NOT_FOUND, "unknown_token"),
    ] {
        let path = format!("/api/v1/tokens/{id}");
        let (got, answer) = admin.raw(Method::DELETE, &path, None, None).await.unwrap();
        assert_eq!(
            (got, answer["code"].as_str()),
            (status, Some(code)),
            "{id}: {answer}"
        );
    }
    // The admin's own token cannot be revoked by itself.
    let list = admin.tokens(Some("admin")).await.unwrap();
    let own = &list.tokens[0].id;
    let (status, answer) = admin
        .raw(Method::DELETE, &format!("/api/v1/tokens/{own}"), None, None)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("making this request")
    );
    // A revocation survives a restart.
    let viewer = t.tokens.viewer.clone();
    let listed = admin.tokens(Some("viewer")).await.unwrap();
    let revoked = admin.revoke_token(&listed.tokens[0].id).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    let mut t = t;
    t.restart().await;
    let err = t.client(&viewer).balance(&"u1".into()).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Unauthorized));
    t.stop().await;
}
