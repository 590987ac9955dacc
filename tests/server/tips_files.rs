//! `cuedeck tips export | import | check` against a real server: a
//! shipped template imported, exported, edited and imported again as the
//! next version; a stale file refused with the conflict explained; check
//! naming the field without a server.

use crate::menus_files::cuedeck;
use crate::support::*;
use cuedeck::domain::RoomId;

/// The arguments that name the server, the room and the token.
fn target<'a>(url: &'a str, token: &'a str) -> [&'a str; 6] {
    ["--server", url, "--room", ROOM, "--token", token]
}

#[tokio::test(flavor = "multi_thread")]
async fn cuedeck_tips_export_import_and_check() {
    let t = TestServer::start().await;
    let url = t.url().to_string();
    let token = t.tokens.performer.clone();
    let target = target(&url, &token);
    fn with<'a>(first: &[&'a str], target: &[&'a str]) -> Vec<&'a str> {
        [first, target].concat()
    }
    let room = RoomId::new(ROOM);
    let performer = t.client(&t.tokens.performer);

    // A shipped template (no version in it) becomes version 1; again: unchanged.
    let args = with(&["tips", "import", "config/tips/presets.toml"], &target);
    let (code, out, err) = cuedeck(&args).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("as version 1"), "{out}");
    let (code, out, _) = cuedeck(&args).await;
    assert_eq!(code, 0);
    assert!(out.starts_with("unchanged"), "{out}");

    // Export, edit, import: version 2 with the edit.
    let (code, exported, err) = cuedeck(&with(&["tips", "export"], &target)).await;
    assert_eq!(code, 0, "{err}");
    assert!(exported.contains("version = 1"), "{exported}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tips.toml");
    std::fs::write(
        &path,
        exported.replacen("durationS = 3", "durationS = 4", 1),
    )
    .unwrap();
    let path = path.to_str().unwrap().to_string();
    let args = with(&["tips", "import", path.as_str()], &target);
    let (code, out, err) = cuedeck(&args).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("as version 2"), "{out}");
    let view = performer.tip_levels(&room).await.unwrap();
    assert_eq!(view.version, 2);
    assert_eq!(view.levels.levels[0].duration_s, 4);

    // The room changes on the server; the file (based on 1) is stale now.
    let mut changed = view.levels.clone();
    changed.levels[0].duration_s = 6;
    performer.set_tip_levels(&room, &changed, 2).await.unwrap();
    std::fs::write(
        &path,
        exported.replacen("durationS = 3", "durationS = 5", 1),
    )
    .unwrap();
    let (code, _, err) = cuedeck(&args).await;
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("version_conflict") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(performer.tip_levels(&room).await.unwrap().version, 3);
    let mut forced = args.clone();
    forced.push("--force");
    let (code, out, err) = cuedeck(&forced).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("as version 4"), "{out}");

    // check: offline, every shipped file passes; a bad one names the field.
    for shipped in [
        "config/tips/classic.toml",
        "config/tips/presets.toml",
        "config/tips/multi_output.toml",
    ] {
        let (code, out, err) = cuedeck(&["tips", "check", shipped]).await;
        assert_eq!(code, 0, "{shipped}: {err}");
        assert!(out.contains("levels"), "{out}");
    }
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[levels]]\nlabel = \"low\"\nmin = 1\nmax = 9\nintensity = 25\ndurationS = 3\n",
    )
    .unwrap();
    let (code, _, err) = cuedeck(&["tips", "check", bad.to_str().unwrap()]).await;
    assert_eq!(code, 2);
    assert!(err.contains("levels[0].intensity"), "{err}");
    std::fs::write(&bad, "[[levels]]\nlabel = \"low\"\nminimum = 1\n").unwrap();
    let (code, _, err) = cuedeck(&["tips", "check", bad.to_str().unwrap()]).await;
    assert_eq!(code, 2);
    assert!(err.contains("minimum"), "{err}");
    t.stop().await;
}

/// One call on the room's pattern `name`: the status and the body.
async fn on_pattern(
    client: &cuedeck::client::RestClient,
    method: reqwest::Method,
    name: &str,
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    let path = format!("/api/v1/rooms/{ROOM}/patterns/{name}");
    let body = body.map(|b| b.as_bytes().to_vec());
    let (status, body) = client.raw(method, &path, None, body).await.unwrap();
    (status.as_u16(), body)
}

#[tokio::test(flavor = "multi_thread")]
async fn imported_patterns_are_named_by_levels_and_survive_a_restart() {
    let mut t = TestServer::start().await;
    let url = t.url().to_string();
    let token = t.tokens.performer.clone();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("slow-tease.pattern");
    std::fs::write(&file, "V:1;T:Edge;F:v;S:200;#\n2;6;10;14;18;14;10;6\n").unwrap();
    let levels = dir.path().join("levels.toml");
    std::fs::write(
        &levels,
        "[[levels]]\nlabel = \"tease\"\nmin = 1\nintensity = 12\ndurationS = 8\npattern = \"slow-tease\"\n",
    )
    .unwrap();
    let target = target(&url, &token);
    let levels_path = levels.to_str().unwrap();
    let mut import = vec!["tips", "import", levels_path];
    import.extend(target);

    // Before the pattern is imported the name is unknown, offline and on the server.
    let (code, _, err) = cuedeck(&["tips", "check", levels_path]).await;
    assert_eq!(code, 2);
    assert!(err.contains("levels[0].pattern"), "{err}");
    let (code, _, err) = cuedeck(&import).await;
    assert_eq!(code, 1);
    assert!(err.contains("levels[0].pattern"), "{err}");

    let mut pattern = vec!["tips", "pattern", file.to_str().unwrap()];
    pattern.extend(target);
    let (code, out, err) = cuedeck(&pattern).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("8 steps of 200 ms"), "{out}");
    let (code, _, err) = cuedeck(&["tips", "check", levels_path, "--pattern", "slow-tease"]).await;
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = cuedeck(&import).await;
    assert_eq!(code, 0, "{out}{err}");

    // A bad file or a built-in's name is refused, naming what was wrong.
    let bad = dir.path().join("wave.pattern");
    std::fs::write(&bad, "V:1;F:v;S:100;#1;2").unwrap();
    let mut args = vec!["tips", "pattern", bad.to_str().unwrap()];
    args.extend(target);
    let (code, _, err) = cuedeck(&args).await;
    assert_eq!(code, 2);
    assert!(err.contains("built-in"), "{err}");
    let performer = t.client(&t.tokens.performer);
    let bad_text = r#"{"text": "V:1;F:x;S:100;#0"}"#;
    let (status, body) =
        on_pattern(&performer, reqwest::Method::PUT, "broken", Some(bad_text)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["field"], "text", "{body}");
    // Only the room's performer (and admins) import; any token reads.
    let good_text = r#"{"text": "V:1;F:v;S:100;#1;2"}"#;
    for token in [&t.tokens.viewer, &t.tokens.other_performer] {
        let (status, _) =
            on_pattern(&t.client(token), reqwest::Method::PUT, "x", Some(good_text)).await;
        assert_eq!(status, 403);
    }
    let (status, _) = on_pattern(
        &t.client(&t.tokens.viewer),
        reqwest::Method::GET,
        "slow-tease",
        None,
    )
    .await;
    assert_eq!(status, 200);

    // Deleting a pattern the levels use is refused.
    let (status, body) = on_pattern(&performer, reqwest::Method::DELETE, "slow-tease", None).await;
    assert_eq!(status, 422, "{body}");

    t.restart().await;
    let performer = t.client(&t.tokens.performer);
    let (status, body) = on_pattern(&performer, reqwest::Method::GET, "slow-tease", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["steps"], 8);
    assert!(body["text"].as_str().unwrap().starts_with("V:1;T:Edge"));
    let view = performer.tip_levels(&RoomId::new(ROOM)).await.unwrap();
    assert_eq!(view.version, 1);
    assert_eq!(
        view.levels.levels[0].pattern.as_ref().map(|p| p.name()),
        Some("slow-tease")
    );
    t.stop().await;
}
