//! Finding and ordering spins over a real loopback server: a room's spins
//! by page and by server seed with no user ids, a viewer's own spins and
//! nonces, a pinned commitment refused after a rotation (nothing charged,
//! no nonce used), and the stamps of a simulated show with several
//! rotations in order.

use super::games_api::*;
use crate::support::*;
use cuedeck::games::api::{ClientSeedView, Fairness, Rotated};
use cuedeck::games::audit::{SpinCheck, check_history, check_spin};
use cuedeck::games::listing::{CommitmentRecord, SpinEntry, SpinPage, ViewerSpins};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub(super) async fn rotate(t: &TestServer, game: &str) -> Rotated {
    let path = format!("{}/rotate", game_path(game));
    let (status, body) = call(t, &t.tokens.performer, Method::POST, &path, None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

/// Every page of a room's game's spins, read without a token.
pub(super) async fn all_spins(
    t: &TestServer,
    game: &str,
    query: &str,
    limit: u32,
) -> Vec<SpinEntry> {
    let http = reqwest::Client::new();
    let (mut spins, mut after, mut pages) = (Vec::new(), 0, 0);
    loop {
        let path = format!(
            "{}/spins?after={after}&limit={limit}{query}",
            game_path(game)
        );
        let page: Value = http
            .get(t.url().http(&path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            !page.to_string().contains("userId") && !page.to_string().contains("\"u1\""),
            "no user ids in a public listing: {page}"
        );
        let page: SpinPage = serde_json::from_value(page).unwrap();
        assert!(page.spins.len() <= limit as usize);
        pages += 1;
        spins.extend(page.spins);
        match page.next {
            Some(next) => after = next,
            None => break,
        }
    }
    assert!(pages >= spins.len() / limit as usize);
    spins
}

pub(super) async fn history(t: &TestServer, game: &str) -> Vec<CommitmentRecord> {
    let (mut history, mut after) = (Vec::new(), 0);
    loop {
        let path = format!("{}/fairness?after={after}&limit=2", game_path(game));
        let (status, page) = call(t, "", Method::GET, &path, None, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let page: Fairness = serde_json::from_value(page).unwrap();
        assert!(page.history.len() <= 2);
        history.extend(page.history);
        match page.next {
            Some(next) => after = next,
            None => return history,
        }
    }
}

async fn my_spins(t: &TestServer, token: &str, limit: u32) -> (ViewerSpins, Vec<SpinEntry>) {
    let (mut spins, mut after) = (Vec::new(), 0);
    loop {
        let path = format!("/api/v1/me/spins?after={after}&limit={limit}");
        let (status, page) = call(t, token, Method::GET, &path, None, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let page: ViewerSpins = serde_json::from_value(page).unwrap();
        spins.extend(page.spins.clone());
        match page.next {
            Some(next) => after = next,
            None => return (page, spins),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_room_lists_its_spins_by_page_and_by_server_seed_without_user_ids() {
    let t = TestServer::start().await;
    put_game(&t, WHEEL, fast_wheel(0)).await;
    let viewers = [viewer(&t, "u1").await, viewer(&t, "u2").await];
    let mut ids = Vec::new();
    for round in 0..3 {
        for v in &viewers {
            ids.push(spun(&t, v, WHEEL, &format!("a{round}"), 1).await.spin_id);
        }
    }
    let first = rotate(&t, WHEEL).await;
    for round in 0..2 {
        for v in &viewers {
            ids.push(spun(&t, v, WHEEL, &format!("b{round}"), 2).await.spin_id);
        }
    }
    let listed = all_spins(&t, WHEEL, "", 4).await;
    let listed_ids: Vec<&str> = listed.iter().map(|s| s.spin_id.as_str()).collect();
    assert_eq!(listed_ids, ids, "every spin once, in spin order");
    for (s, n) in listed.iter().zip(0..) {
        assert_eq!(s.receipt.spin_id, s.spin_id);
        assert_eq!(s.receipt.spun_at, Some(s.spun_at));
        assert_eq!(
            s.nonce,
            (n % 6) / 2,
            "{n}: nonces count each viewer's spins per seed"
        );
        let revealed = s.commitment == first.revealed.commitment;
        assert_eq!(s.receipt.server_seed.is_some(), revealed);
    }
    assert!(listed.windows(2).all(|w| w[0].spun_at <= w[1].spun_at));

    let seed = format!("&commitment={}", first.revealed.commitment);
    let under_first = all_spins(&t, WHEEL, &seed, 5).await;
    assert_eq!(under_first, listed[..6].to_vec(), "one seed's spins");
    let seed = format!("&commitment={}", first.commitment);
    assert_eq!(all_spins(&t, WHEEL, &seed, 500).await, listed[6..].to_vec());

    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("after=-1", "after"),
        ("commitment=ABC", "commitment"),
        ("colour=red", "colour"),
    ] {
        let path = format!("{}/spins?{query}", game_path(WHEEL));
        let (status, err) = call(&t, "", Method::GET, &path, None, None).await;
        assert_eq!(
            (status, err["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{query}: {err}"
        );
    }
    let path = format!("{}/spins", game_path(SLOT));
    let (status, err) = call(&t, "", Method::GET, &path, None, None).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("game_unavailable"))
    );
    assert_conserved(&t).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_viewer_lists_only_their_own_spins_with_their_nonces_per_seed() {
    let t = TestServer::start().await;
    put_game(&t, WHEEL, fast_wheel(0)).await;
    let (u1, u2) = (viewer(&t, "u1").await, viewer(&t, "u2").await);
    let path = format!("{}/client-seed", game_path(WHEEL));
    call(
        &t,
        &u1,
        Method::PUT,
        &path,
        None,
        Some(json!({"clientSeed": "one"})),
    )
    .await;
    let mut mine = Vec::new();
    for n in 0..3 {
        mine.push(spun(&t, &u1, WHEEL, &format!("m{n}"), 1).await.spin_id);
        spun(&t, &u2, WHEEL, &format!("o{n}"), 1).await;
    }
    let rotated = rotate(&t, WHEEL).await;
    call(
        &t,
        &u1,
        Method::PUT,
        &path,
        None,
        Some(json!({"clientSeed": "two"})),
    )
    .await;
    mine.push(spun(&t, &u1, WHEEL, "m3", 2).await.spin_id);

    let (page, spins) = my_spins(&t, &u1, 2).await;
    assert_eq!(page.user.as_str(), "u1");
    let ids: Vec<&str> = spins.iter().map(|s| s.spin_id.as_str()).collect();
    assert_eq!(ids, mine, "only u1's spins, in order, over pages");
    assert_eq!(page.sequences.len(), 2, "{:?}", page.sequences);
    let (old, new) = (&page.sequences[0], &page.sequences[1]);
    assert_eq!(old.commitment, rotated.revealed.commitment);
    assert_eq!((old.spins, old.first_nonce, old.last_nonce), (3, 0, 2));
    assert_eq!(
        (old.client_seeds.clone(), old.next_nonce),
        (vec!["one".to_string()], None)
    );
    assert_eq!(new.commitment, rotated.commitment);
    assert_eq!((new.spins, new.last_nonce, new.next_nonce), (1, 0, Some(1)));
    assert_eq!(new.client_seeds, ["two"]);
    assert!(page.sequences.iter().all(|s| s.is_whole()));

    let (status, _) = call(&t, &u2, Method::GET, "/api/v1/me/spins", None, None).await;
    assert_eq!(status, StatusCode::OK);
    for token in [
        ADMIN,
        t.tokens.performer.as_str(),
        t.tokens.moderator.as_str(),
    ] {
        let (status, err) = call(&t, token, Method::GET, "/api/v1/me/spins", None, None).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden"))
        );
    }
    let (status, _) = call(&t, "", Method::GET, "/api/v1/me/spins", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn next_nonce(t: &TestServer, token: &str) -> u64 {
    let path = format!("{}/client-seed", game_path(WHEEL));
    let (_, view) = call(t, token, Method::GET, &path, None, None).await;
    serde_json::from_value::<ClientSeedView>(view)
        .unwrap()
        .next_nonce
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pinned_commitment_is_accepted_before_a_rotation_and_refused_after() {
    let t = TestServer::start().await;
    put_game(&t, WHEEL, fast_wheel(0)).await;
    let v = viewer(&t, "u1").await;
    let (_, fair) = call(
        &t,
        "",
        Method::GET,
        &format!("{}/fairness", game_path(WHEEL)),
        None,
        None,
    )
    .await;
    let seen = fair["commitment"].as_str().unwrap().to_string();
    let body = |c: &str| json!({"tier": 1, "expectedCommitment": c});
    let (status, ok) = spin(&t, &v, WHEEL, "p0", body(&seen)).await;
    assert_eq!(status, StatusCode::OK, "{ok}");
    assert_eq!(ok["receipt"]["serverSeedCommitment"], seen.as_str());

    let rotated = rotate(&t, WHEEL).await;
    let (tokens, next) = (tokens_of(&t, "u1").await, next_nonce(&t, &v).await);
    let (status, err) = spin(&t, &v, WHEEL, "p1", body(&seen)).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("commitment_changed")),
        "{err}"
    );
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains(&rotated.commitment)
    );
    assert_eq!(tokens_of(&t, "u1").await, tokens, "nothing charged");
    assert_eq!(next_nonce(&t, &v).await, next, "no nonce used");
    assert_eq!(all_spins(&t, WHEEL, "", 100).await.len(), 1, "no spin kept");

    // A retry of the accepted spin still answers it; a new one under the
    // new commitment takes nonce 0.
    let (status, again) = spin(&t, &v, WHEEL, "p0", body(&rotated.commitment)).await;
    assert_eq!((status, &again["spinId"]), (StatusCode::OK, &ok["spinId"]));
    let (status, fresh) = spin(&t, &v, WHEEL, "p2", body(&rotated.commitment)).await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    assert_eq!(fresh["receipt"]["nonce"], 0);
    let (status, err) = spin(&t, &v, WHEEL, "p3", body("NOT-HEX")).await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("expectedCommitment"))
    );
    assert_conserved(&t).await;
}

/// The spinners (who pin the commitment) against a wheel without cooldown
/// while the performer rotates the seed four times and saves a new
/// configuration: every spin lies between its commitment's publication
/// and its reveal, after its configuration's, and checks.
#[tokio::test(flavor = "multi_thread")]
async fn the_stamps_of_a_show_with_rotations_put_every_commitment_before_its_spins() {
    use cuedeck::sim::spins::{SpinOptions, run};
    let t = TestServer::start().await;
    put_game(&t, WHEEL, fast_wheel(0)).await;
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    let options = SpinOptions {
        server: t.url().into(),
        room: ROOM.into(),
        token: ADMIN.into(),
        viewers: 4,
        spins: Some(160),
        seed: 5,
        pause_ms: 0,
        tag: "show".into(),
    };
    let show = tokio::spawn(run(options, stopped));
    for n in 0..4 {
        // Rotate once the show has spun under the current seed, however
        // fast or slow this machine runs it.
        let before = all_spins(&t, WHEEL, "", 500).await.len();
        while all_spins(&t, WHEEL, "", 500).await.len() < before + 3 && !show.is_finished() {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        rotate(&t, WHEEL).await;
        if n == 1 {
            let (status, body) = put_game(&t, WHEEL, fast_wheel(1)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    }
    let summary = show.await.unwrap().unwrap();
    assert_eq!(summary.other_refused, 0, "{}", summary.line());
    rotate(&t, WHEEL).await;

    let history = history(&t, WHEEL).await;
    assert_eq!(history.len(), 6, "five rotations, then the current seed");
    assert_eq!(check_history(&history), Vec::<String>::new());
    let spins = all_spins(&t, WHEEL, "", 50).await;
    assert!(spins.len() >= 40, "{}", summary.line());
    let mut seeds_used = std::collections::HashSet::new();
    for s in &spins {
        let seed = history
            .iter()
            .find(|c| c.commitment == s.commitment)
            .unwrap();
        seeds_used.insert(&seed.commitment);
        assert!(seed.committed_at <= s.spun_at, "{s:?}");
        assert!(s.spun_at <= seed.revealed_at.unwrap(), "{s:?}");
        let config = seed.config(&s.receipt.config_hash).expect("published");
        assert!(config.published_at <= s.spun_at);
        assert_eq!(check_spin(s, &history), SpinCheck::Fair, "{}", s.spin_id);
    }
    assert!(
        seeds_used.len() >= 3,
        "spins under several seeds: {}",
        seeds_used.len()
    );
    assert!(
        history.iter().any(|c| c.configs.len() == 2),
        "a seed saw both versions"
    );
}
