//! What the console's tip-levels editor relies on, over real sockets: the
//! levels view names the room's amount limit and imported patterns, and a
//! stale save comes back as the whole conflict (what changed since, the
//! levels as they are now) for the editor to explain.

use crate::support::*;
use cuedeck::client::versioned::VersionedError;
use cuedeck::domain::tips::{Intensity, TipLevel, TipLevels};
use cuedeck::protocol::ErrorCode;

fn one_level(seconds: u32) -> TipLevels {
    TipLevels {
        levels: vec![TipLevel {
            label: "low".into(),
            min: 1,
            max: None,
            intensity: Intensity::All(5),
            duration_s: seconds,
            pattern: None,
        }],
        specials: vec![],
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_editor_gets_the_rooms_limits_and_a_stale_save_whole() {
    let t = TestServer::start().await;
    let performer = t.client(&t.tokens.performer);
    let view = performer.tip_levels(&ROOM.into()).await.unwrap();
    assert_eq!(
        view.max_amount,
        Some(1_000_000),
        "the room's max_token_cost"
    );
    assert!(view.patterns.is_empty());
    performer
        .put_pattern(&ROOM.into(), "slow-tease", "V:1;F:v;S:200;#\n2;6;10;14\n")
        .await
        .unwrap();
    let view = performer.tip_levels(&ROOM.into()).await.unwrap();
    assert_eq!(view.patterns, vec!["slow-tease".to_string()]);

    let saved = performer
        .save_tip_levels(&ROOM.into(), &one_level(3), 0)
        .await
        .unwrap();
    assert_eq!((saved.version, saved.max_amount), (1, Some(1_000_000)));
    let stale = performer
        .save_tip_levels(&ROOM.into(), &one_level(9), 0)
        .await
        .unwrap_err();
    let VersionedError::Conflict(conflict) = stale else {
        panic!("expected the whole conflict, got {stale:?}");
    };
    assert_eq!(conflict.code, ErrorCode::VersionConflict);
    assert_eq!((conflict.your_version, conflict.current_version), (0, 1));
    assert_eq!(conflict.current.levels, one_level(3));
    assert_eq!(conflict.current.patterns, vec!["slow-tease".to_string()]);
    // The older call keeps answering a plain refusal with the code.
    let plain = performer
        .set_tip_levels(&ROOM.into(), &one_level(9), 0)
        .await
        .unwrap_err();
    assert_eq!(plain.code(), Some(ErrorCode::VersionConflict));
    // A refusal names its field for the editor's message line.
    let mut bad = one_level(3);
    bad.levels[0].min = 2_000_000;
    let refused = performer
        .save_tip_levels(&ROOM.into(), &bad, 1)
        .await
        .unwrap_err();
    let field = refused.api().and_then(|e| e.field.clone());
    assert_eq!(field.as_deref(), Some("levels[0].min"));
    t.stop().await;
}
