//! The games' fairness over a real loopback server: every receipt verifies
//! after rotation and a tampered one does not; seeds, nonces, cooldowns and
//! client seeds across a restart; a refused spin keeps nothing; and
//! `cuedeck verify` against the server. The ledger is checked after each.

use super::games_api::*;
use crate::support::*;
use cuedeck::domain::Stamp;
use cuedeck::games::api::{ClientSeedView, Fairness, Rotated};
use cuedeck::games::{GameKind, ServerSeed, verify};
use cuedeck::server::ServerConfig;
use cuedeck::server::config::Clock;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn every_spin_verifies_after_rotation_and_a_tampered_one_does_not() {
    let t = TestServer::start().await;
    put_game(&t, WHEEL, fast_wheel(0)).await;
    let viewers = [
        viewer(&t, "u1").await,
        viewer(&t, "u2").await,
        viewer(&t, "u3").await,
    ];
    let (status, _) = call(
        &t,
        &viewers[0],
        Method::PUT,
        &format!("{}/client-seed", game_path(WHEEL)),
        None,
        Some(json!({"clientSeed": "alice"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, err) = call(
        &t,
        &viewers[0],
        Method::PUT,
        &format!("{}/client-seed", game_path(WHEEL)),
        None,
        Some(json!({"clientSeed": "a:b"})),
    )
    .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("clientSeed"))
    );

    let mut spins = Vec::new();
    for round in 0..4 {
        for (i, v) in viewers.iter().enumerate() {
            let s = spun(&t, v, WHEEL, &format!("r{round}"), 1 + (round % 2) as u8).await;
            assert_eq!(
                s.receipt.nonce, round as u64,
                "nonces count each viewer's spins"
            );
            if i == 0 {
                assert_eq!(s.receipt.client_seed, "alice");
            }
            spins.push(s);
        }
    }
    // Before rotation, the fairness page shows the commitment, no seed.
    let (_, fair) = call(
        &t,
        ADMIN,
        Method::GET,
        &format!("{}/fairness", game_path(WHEEL)),
        None,
        None,
    )
    .await;
    let fair: Fairness = serde_json::from_value(fair).unwrap();
    assert!(fair.revealed.is_empty());
    assert_eq!(fair.commitment, spins[0].receipt.server_seed_commitment);
    assert!(receipt(&t, &spins[0].spin_id).await.server_seed.is_none());

    let (status, body) = call(
        &t,
        &t.tokens.performer,
        Method::POST,
        &format!("{}/rotate", game_path(WHEEL)),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rotated: Rotated = serde_json::from_value(body).unwrap();
    assert_eq!(rotated.revealed.commitment, fair.commitment);
    assert_ne!(rotated.commitment, fair.commitment);

    for s in &spins {
        let r = receipt(&t, &s.spin_id).await;
        let seed = ServerSeed::from_hex(r.server_seed.as_deref().expect("revealed")).unwrap();
        assert!(verify(&r, &seed).is_fair(), "{}", s.spin_id);
        let mut nonce = r.clone();
        nonce.nonce += 1;
        assert!(
            !verify(&nonce, &seed).is_fair(),
            "a changed nonce is caught"
        );
        let mut config = r.clone();
        config.canonical_config = config.canonical_config.replace("Smile", "Smiles");
        assert!(
            !verify(&config, &seed).is_fair(),
            "a changed config is caught"
        );
        let other = ServerSeed::from_bytes([7; 32]);
        assert!(!verify(&r, &other).is_fair(), "another seed is caught");
    }
    // The next spin is under the new seed, from nonce 0.
    let next = spun(&t, &viewers[0], WHEEL, "after", 1).await;
    assert_eq!(
        (
            next.receipt.nonce,
            next.receipt.server_seed_commitment.as_str()
        ),
        (0, rotated.commitment.as_str())
    );

    // The public page needs no token and keeps every revealed seed.
    let http = reqwest::Client::new();
    let url = t.url().http(&format!("{}/fairness", game_path(WHEEL)));
    let fair: Fairness = http.get(url).send().await.unwrap().json().await.unwrap();
    assert_eq!(fair.revealed.len(), 1);
    assert_eq!(fair.revealed[0], rotated.revealed);
    assert_conserved(&t).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn seeds_nonces_cooldowns_and_client_seeds_survive_a_restart() {
    let clock = Clock::default();
    let mut t = TestServer::start_with(ServerConfig {
        clock: clock.clone(),
        ..ServerConfig::default()
    })
    .await;
    put_game(&t, WHEEL, fast_wheel(0)).await;
    template(&t, SLOT, "slot_lucky_four", 0).await;
    let v = viewer(&t, "u1").await;
    call(
        &t,
        &v,
        Method::PUT,
        &format!("{}/client-seed", game_path(WHEEL)),
        None,
        Some(json!({"clientSeed": "mine"})),
    )
    .await;
    let a = spun(&t, &v, WHEEL, "a", 1).await;
    let b = spun(&t, &v, WHEEL, "b", 2).await;
    let slot = spun(&t, &v, SLOT, "s", 1).await;
    assert_eq!((a.receipt.nonce, b.receipt.nonce), (0, 1));

    t.restart().await;
    let (_, seed) = call(
        &t,
        &v,
        Method::GET,
        &format!("{}/client-seed", game_path(WHEEL)),
        None,
        None,
    )
    .await;
    let seed: ClientSeedView = serde_json::from_value(seed).unwrap();
    assert_eq!((seed.client_seed.as_str(), seed.next_nonce), ("mine", 2));
    assert_eq!(seed.commitment, a.receipt.server_seed_commitment);
    let c = spun(&t, &v, WHEEL, "c", 1).await;
    assert_eq!(c.receipt.nonce, 2, "the nonce goes on after the restart");
    assert_eq!(
        spun(&t, &v, WHEEL, "a", 1).await,
        a,
        "a retry still answers the same"
    );
    let (status, _) = spin(&t, &v, SLOT, "s2", json!({"tier": 1})).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the slot's cooldown survives too"
    );
    assert_eq!(receipt(&t, &slot.spin_id).await.nonce, 0);

    // Two minutes after the last spin the slot takes a spin again.
    clock.set(Stamp(Stamp::now().0 + 121_000_000));
    let again = spun(&t, &v, SLOT, "s3", 1).await;
    assert_eq!(again.receipt.nonce, 1);

    // Ending the broadcast rotates both games' seeds.
    t.client(ADMIN)
        .broadcast(&ROOM.into(), false)
        .await
        .unwrap();
    let mut revealed = Vec::new();
    for _ in 0..200 {
        let (_, fair) = call(
            &t,
            ADMIN,
            Method::GET,
            &format!("{}/fairness", game_path(WHEEL)),
            None,
            None,
        )
        .await;
        let fair: Fairness = serde_json::from_value(fair).unwrap();
        if !fair.revealed.is_empty() {
            revealed = fair.revealed;
            break;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(revealed.len(), 1, "rotated at broadcast end");
    assert_eq!(revealed[0].commitment, a.receipt.server_seed_commitment);
    t.restart().await;
    let r = receipt(&t, &a.spin_id).await;
    let seed = ServerSeed::from_hex(r.server_seed.as_deref().unwrap()).unwrap();
    assert!(verify(&r, &seed).is_fair());
    assert_conserved(&t).await;
}

/// A spin the engine refuses (no funds) keeps nothing: no receipt and no
/// nonce used, before and after a restart (which rebuilds nonces from the
/// stored spins).
#[tokio::test(flavor = "multi_thread")]
async fn a_spin_refused_for_funds_keeps_no_record() {
    let mut t = TestServer::start().await;
    put_game(&t, WHEEL, fast_wheel(0)).await;
    let broke = viewer(&t, "u9").await;
    let (status, err) = spin(&t, &broke, WHEEL, "no-funds", json!({"tier": 1})).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::PAYMENT_REQUIRED, Some("insufficient_funds")),
        "{err}"
    );
    let (room, user) = (ROOM.into(), "u9".into());
    let key = cuedeck::games::spin::viewer_key(&room, &user, &"no-funds".into());
    let spin_id = cuedeck::games::spin::spin_id(&room, GameKind::SpinWheel, &user, &key, 1);
    assert_eq!(
        stored_spin(&t, &broke, &spin_id).await,
        (0, StatusCode::NOT_FOUND)
    );
    t.restart().await;
    assert_eq!(
        stored_spin(&t, &broke, &spin_id).await,
        (0, StatusCode::NOT_FOUND),
        "nothing of the refused spin was stored"
    );
    // A charged spin keeps its record through a restart.
    let u1 = viewer(&t, "u1").await;
    let paid = spun(&t, &u1, WHEEL, "paid", 1).await;
    t.restart().await;
    assert_eq!(receipt(&t, &paid.spin_id).await, paid.receipt);
    assert_eq!(stored_spin(&t, &u1, &paid.spin_id).await.0, 1);
    assert_conserved(&t).await;
}

/// The viewer's next wheel nonce, and the status of `GET /spins/{spin_id}`.
async fn stored_spin(t: &TestServer, token: &str, spin_id: &str) -> (u64, StatusCode) {
    let path = format!("{}/client-seed", game_path(WHEEL));
    let (_, seed) = call(t, token, Method::GET, &path, None, None).await;
    let seed: ClientSeedView = serde_json::from_value(seed).unwrap();
    let path = format!("/api/v1/spins/{spin_id}");
    let (status, _) = call(t, ADMIN, Method::GET, &path, None, None).await;
    (seed.next_nonce, status)
}

/// `cuedeck verify --server URL SPINID`, the real binary: not revealed yet
/// (2), fair after the rotation (0).
#[tokio::test(flavor = "multi_thread")]
async fn cuedeck_verify_fetches_a_spin_from_the_server() {
    let t = TestServer::start().await;
    put_game(&t, WHEEL, fast_wheel(0)).await;
    let v = viewer(&t, "u1").await;
    let s = spun(&t, &v, WHEEL, "v", 2).await;
    let url = t.url().http("");
    let verify_cli = |url: String, spin: String| async move {
        tokio::task::spawn_blocking(move || {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_cuedeck"))
                .args(["verify", "--server", &url, &spin])
                .output()
                .unwrap();
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .await
        .unwrap()
    };
    let (code, _, err) = verify_cli(url.clone(), s.spin_id.clone()).await;
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not revealed yet"), "{err}");
    call(
        &t,
        &t.tokens.performer,
        Method::POST,
        &format!("{}/rotate", game_path(WHEEL)),
        None,
        None,
    )
    .await;
    let (code, out, err) = verify_cli(url.clone(), s.spin_id.clone()).await;
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.starts_with("fair: spin "), "{out}");
    let (code, _, err) = verify_cli(url, "wheel-unknown".into()).await;
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown_spin"), "{err}");
}
