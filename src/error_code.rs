//! Every error code cuedeck answers with, in one enum: its wire name and its
//! HTTP status live beside it, so a code cannot be misspelt or mapped to the
//! wrong status. The lowest layer: it imports nothing from the crate, so the
//! domain, the menus, the server and the clients all use this one type
//! (re-exported as `protocol::ErrorCode`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! error_codes {
    ($($variant:ident => $name:literal, $status:literal;)*) => {
        /// A stable, machine-readable error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($variant,)*
            /// A code this build does not know (a newer server sent it).
            Unrecognized,
        }

        impl ErrorCode {
            /// Every code a server of this build can answer with.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The name on the wire (`invalid_field`, …).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)*
                    ErrorCode::Unrecognized => "unrecognized",
                }
            }

            /// The HTTP status that goes with the code; `None` for codes
            /// that only WebSocket frames carry.
            pub fn http_status(self) -> Option<u16> {
                let status = match self {
                    $(ErrorCode::$variant => $status,)*
                    ErrorCode::Unrecognized => 500,
                };
                (status != 0).then_some(status)
            }

            /// The code with this wire name, if this build knows it.
            pub fn parse(name: &str) -> Option<ErrorCode> {
                match name {
                    $($name => Some(ErrorCode::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

// Status 0: the code is only ever sent in a WebSocket frame.
error_codes! {
    InvalidField => "invalid_field", 422;
    ForbiddenField => "forbidden_field", 422;
    MissingIdempotencyKey => "missing_idempotency_key", 422;
    BadFrame => "bad_frame", 0;
    PayloadTooLarge => "payload_too_large", 413;
    Unauthorized => "unauthorized", 401;
    Forbidden => "forbidden", 403;
    NotFound => "not_found", 404;
    MethodNotAllowed => "method_not_allowed", 405;
    UnknownRoom => "unknown_room", 404;
    UnknownItem => "unknown_item", 404;
    InsufficientFunds => "insufficient_funds", 402;
    IdempotencyConflict => "idempotency_conflict", 409;
    DuplicateSourceEvent => "duplicate_source_event", 409;
    RoomExists => "room_exists", 409;
    NotLive => "not_live", 409;
    AlreadyLive => "already_live", 409;
    NotHead => "not_head", 409;
    QueueEmpty => "queue_empty", 409;
    Busy => "busy", 409;
    NothingInProgress => "nothing_in_progress", 409;
    NotInProgress => "not_in_progress", 409;
    ItemClosed => "item_closed", 409;
    NotInRoom => "not_in_room", 409;
    Overflow => "overflow", 409;
    AlreadySubscribed => "already_subscribed", 0;
    UnknownMenu => "unknown_menu", 404;
    UnknownMenuItem => "unknown_menu_item", 404;
    VersionConflict => "version_conflict", 409;
    MenuRestricted => "menu_restricted", 403;
    DailyLimitReached => "daily_limit_reached", 409;
    ZeroPrice => "zero_price", 409;
    GameUnavailable => "game_unavailable", 409;
    Cooldown => "cooldown", 429;
    UnknownSpin => "unknown_spin", 404;
    UnknownToken => "unknown_token", 404;
    RateLimited => "rate_limited", 429;
    Banned => "banned", 403;
    Paused => "paused", 409;
    KillSwitchIntakes => "kill_switch_intakes", 503;
    KillSwitchPurchases => "kill_switch_purchases", 503;
    KillSwitchRooms => "kill_switch_rooms", 503;
    KillSwitchTokens => "kill_switch_tokens", 503;
    NotBanned => "not_banned", 409;
    AlreadyPaused => "already_paused", 409;
    NotPaused => "not_paused", 409;
    LanePaused => "lane_paused", 409;
    LaneNotPaused => "lane_not_paused", 409;
    NotInLane => "not_in_lane", 409;
    UnknownBroadcast => "unknown_broadcast", 404;
    Unavailable => "unavailable", 503;
    Internal => "internal", 500;
    CommitmentChanged => "commitment_changed", 409;
    InsufficientPoints => "insufficient_points", 402;
    PointsLocked => "points_locked", 403;
    AwardLimit => "award_limit", 409;
    UnknownAdjustment => "unknown_adjustment", 404;
    AdjustmentDecided => "adjustment_decided", 409;
    SelfApproval => "self_approval", 403;
    NotLocked => "not_locked", 409;
    ReplyRateLimitedPerformer => "reply_rate_limited_performer", 429;
    ReplyRateLimitedViewer => "reply_rate_limited_viewer", 429;
    ReplyTooLong => "reply_too_long", 422;
    UnknownTemplate => "unknown_template", 404;
    UnknownMessage => "unknown_message", 404;
    NotLeader => "not_leader", 503;
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    /// Unknown names become [`ErrorCode::Unrecognized`], so a client keeps
    /// working against a newer server.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Ok(ErrorCode::parse(&name).unwrap_or(ErrorCode::Unrecognized))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
        }
    }

    #[test]
    fn an_unknown_name_is_unrecognized_not_an_error() {
        let code: ErrorCode = serde_json::from_str("\"from_the_future\"").unwrap();
        assert_eq!(code, ErrorCode::Unrecognized);
    }

    #[test]
    fn statuses_are_error_statuses() {
        for &code in ErrorCode::ALL {
            if let Some(status) = code.http_status() {
                assert!((400..600).contains(&status), "{code}: {status}");
            }
        }
    }
}
