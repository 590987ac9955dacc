//! Strict validation of the canonical intake payload from JSON: every
//! refusal names the field at fault.

use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::{DomainError, IntakeLimits, IntakePayload};
use cuedeck::protocol::ErrorCode;
use serde_json::{Value, json};

/// A named change to a valid payload.
type Edit = Box<dyn FnOnce(&mut Value)>;

fn valid() -> Value {
    PayloadBuilder::new("perf-1", "user-1", "key-1", 25)
        .display_name("LuckyStar")
        .json()
}

fn parse(value: Value) -> Result<IntakePayload, DomainError> {
    IntakePayload::from_value(value, &IntakeLimits::default())
}

/// Apply `edit` to a valid payload and return the error it causes.
fn refuse(edit: impl FnOnce(&mut Value)) -> DomainError {
    let mut value = valid();
    edit(&mut value);
    parse(value).expect_err("payload should be refused")
}

fn field_of(err: &DomainError) -> &str {
    err.field().unwrap_or_else(|| panic!("no field in {err}"))
}

#[test]
fn the_builders_payload_is_valid_and_round_trips() {
    let payload = parse(valid()).unwrap();
    let again = parse(serde_json::to_value(&payload).unwrap()).unwrap();
    assert_eq!(payload, again);
}

#[test]
fn the_contracts_example_shape_is_accepted() {
    let body = json!({
        "source": "slot_machine",
        "sourceEventId": "spin_7f3a",
        "idempotencyKey": "spin_7f3a:attempt-1",
        "performerId": "64f0c2a9e1b2c3d4e5f60718",
        "userId": "64f0c2a9e1b2c3d4e5f60799",
        "tokenCost": 50,
        "action": {
            "actionType": "performance_action",
            "title": "Take off T-shirt",
            "description": "Slot prize: the T-shirt comes off",
            "rank": 7,
            "durationHintMs": 60000
        },
        "createdAtHighPrecision": "2026-11-21T10:15:30.123456789Z",
        "chat": {
            "publicAnnounceTemplateKey": "slot.spin.winner",
            "privateUserMessageTemplateKeys": ["queue.receipt"]
        },
        "metadata": {
            "userDisplayName": "LuckyStar",
            "betTier": 2,
            "uiSurface": "mobile",
            "additional": {"campaign": "winter", "streak": 3}
        },
        "effects": {
            "toy": {"enabled": true, "timing": "p50", "intensity": 12, "durationMs": 3000, "deviceVendor": "lovense"}
        }
    });
    let payload =
        IntakePayload::from_json(body.to_string().as_bytes(), &IntakeLimits::default()).unwrap();
    assert_eq!(payload.toy_effects().count(), 1);
    assert_eq!(payload.action.rank, Some(7));
}

#[test]
fn every_required_field_is_named_when_missing() {
    for path in [
        "source",
        "sourceEventId",
        "idempotencyKey",
        "performerId",
        "userId",
        "tokenCost",
        "action",
        "createdAtHighPrecision",
        "chat",
        "metadata",
        "action.actionType",
        "action.title",
        "action.description",
        "chat.publicAnnounceTemplateKey",
    ] {
        let err = refuse(|v| {
            let (parent, name) = match path.split_once('.') {
                Some((p, n)) => (&mut v[p], n),
                None => (v, path),
            };
            parent.as_object_mut().unwrap().remove(name);
        });
        assert_eq!(field_of(&err), path, "{err}");
        assert!(err.to_string().contains("missing field"), "{err}");
    }
}

#[test]
fn malformed_values_are_named() {
    let cases: Vec<(&str, Edit)> = vec![
        ("source", Box::new(|v| v["source"] = json!("lottery"))),
        (
            "action.actionType",
            Box::new(|v| v["action"]["actionType"] = json!("dance")),
        ),
        ("tokenCost", Box::new(|v| v["tokenCost"] = json!(1.5))),
        ("tokenCost", Box::new(|v| v["tokenCost"] = json!(-3))),
        ("tokenCost", Box::new(|v| v["tokenCost"] = json!("25"))),
        ("tokenCost", Box::new(|v| v["tokenCost"] = json!(0))),
        ("tokenCost", Box::new(|v| v["tokenCost"] = json!(1_000_001))),
        ("userId", Box::new(|v| v["userId"] = json!(""))),
        (
            "performerId",
            Box::new(|v| v["performerId"] = json!("has spaces")),
        ),
        (
            "idempotencyKey",
            Box::new(|v| v["idempotencyKey"] = json!("x".repeat(200))),
        ),
        (
            "action.title",
            Box::new(|v| v["action"]["title"] = json!("   ")),
        ),
        (
            "action.title",
            Box::new(|v| v["action"]["title"] = json!("t".repeat(81))),
        ),
        ("action.rank", Box::new(|v| v["action"]["rank"] = json!(11))),
        (
            "action.durationHintMs",
            Box::new(|v| v["action"]["durationHintMs"] = json!(5)),
        ),
        (
            "createdAtHighPrecision",
            Box::new(|v| v["createdAtHighPrecision"] = json!("yesterday")),
        ),
        (
            "chat.publicAnnounceTemplateKey",
            Box::new(|v| v["chat"]["publicAnnounceTemplateKey"] = json!("Menu Purchase")),
        ),
        (
            "metadata.betTier",
            Box::new(|v| v["metadata"]["betTier"] = json!(4)),
        ),
        (
            "metadata.uiSurface",
            Box::new(|v| v["metadata"]["uiSurface"] = json!("watch")),
        ),
        (
            "effects.toy.intensity",
            Box::new(|v| {
                v["effects"] = json!({"toy": {"enabled": true, "timing": "p25", "intensity": 21}})
            }),
        ),
        (
            "effects.toy",
            Box::new(|v| v["effects"] = json!({"toy": {"enabled": true, "timing": "p33"}})),
        ),
        (
            "effects.other",
            Box::new(|v| v["effects"] = json!({"other": [{"kind": "confetti"}]})),
        ),
        (
            "effects.other",
            Box::new(|v| v["effects"] = json!({"other": []})),
        ),
    ];
    for (expected, edit) in cases {
        let err = refuse(edit);
        assert_eq!(field_of(&err), expected, "{err}");
        assert_eq!(err.code(), ErrorCode::InvalidField, "{err}");
    }
}

#[test]
fn a_body_that_is_not_an_object_names_no_field() {
    let err = refuse(|v| *v = json!([1, 2]));
    assert!(matches!(err, DomainError::InvalidBody { .. }), "{err}");
    assert_eq!(err.code(), ErrorCode::InvalidField);
    assert_eq!(err.field(), None);
}

#[test]
fn a_key_given_twice_is_refused_by_name() {
    let body = br#"{"tokenCost": 5, "tokenCost": 7}"#;
    let err = IntakePayload::from_json(body, &IntakeLimits::default()).unwrap_err();
    assert_eq!(err.field(), Some("tokenCost"), "{err}");
}

#[test]
fn unknown_fields_are_refused_by_name() {
    let err = refuse(|v| v["surprise"] = json!(1));
    assert_eq!(field_of(&err), "surprise");
    let err = refuse(|v| v["action"]["colour"] = json!("red"));
    assert_eq!(field_of(&err), "action.colour");
}

#[test]
fn pii_is_forbidden_anywhere_in_the_payload() {
    let cases: Vec<(&str, Edit)> = vec![
        ("email", Box::new(|v| v["email"] = json!("a@b.co"))),
        (
            "metadata.phoneNumber",
            Box::new(|v| v["metadata"]["phoneNumber"] = json!("1")),
        ),
        (
            "metadata.additional.clientIp",
            Box::new(|v| v["metadata"]["additional"] = json!({"clientIp": "x"})),
        ),
        (
            "metadata.additional.profile.legal_name",
            Box::new(|v| v["metadata"]["additional"] = json!({"profile": {"legal_name": "J"}})),
        ),
        (
            "metadata.additional.contacts[1]",
            Box::new(|v| {
                v["metadata"]["additional"] = json!({"contacts": ["ok", "jane@example.com"]})
            }),
        ),
        (
            "metadata.userDisplayName",
            Box::new(|v| v["metadata"]["userDisplayName"] = json!("jane@example.com")),
        ),
        (
            "metadata.additional.seen_from",
            Box::new(|v| v["metadata"]["additional"] = json!({"seen_from": "192.168.1.20"})),
        ),
    ];
    for (expected, edit) in cases {
        let err = refuse(edit);
        assert_eq!(err.code(), ErrorCode::ForbiddenField, "{err}");
        assert_eq!(field_of(&err), expected, "{err}");
    }
}

#[test]
fn settlement_directives_are_forbidden() {
    for key in ["settleImmediately", "payout", "earnedWalletCredit"] {
        let err = refuse(|v| v[key] = json!(true));
        assert_eq!(err.code(), ErrorCode::ForbiddenField);
        assert_eq!(field_of(&err), key);
        assert!(err.to_string().contains("settle"), "{err}");
    }
}

#[test]
fn not_json_at_all() {
    // Not a field's fault: the error names none, and says what is wrong.
    for body in [&b"{not json"[..], b""] {
        let err = IntakePayload::from_json(body, &IntakeLimits::default()).unwrap_err();
        assert!(matches!(err, DomainError::InvalidBody { .. }), "{err}");
        assert_eq!(err.field(), None);
        assert!(err.to_string().starts_with("not valid JSON"), "{err}");
    }
}

#[test]
fn toy_effects_may_come_as_a_list_one_per_timing() {
    let mut v = valid();
    v["effects"] = json!({"toy": [
        {"enabled": true, "timing": "start", "intensity": 5},
        {"enabled": true, "timing": "end", "intensity": 20, "pattern": "pulse"}
    ]});
    assert_eq!(parse(v.clone()).unwrap().toy_effects().count(), 2);
    v["effects"]["toy"][1]["timing"] = json!("start");
    let err = parse(v).unwrap_err();
    assert_eq!(field_of(&err), "effects.toy[1].timing");
}

#[test]
fn a_configured_cost_limit_applies() {
    let limits = IntakeLimits {
        max_token_cost: 20,
        ..IntakeLimits::default()
    };
    let err = IntakePayload::from_value(valid(), &limits).unwrap_err();
    assert_eq!(field_of(&err), "tokenCost");
    assert!(err.to_string().contains("limit of 20"), "{err}");
}
