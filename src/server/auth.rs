//! Roles and what each may do. Every command is checked here on the
//! server; a refusal is `forbidden` and is logged with ids only. The tokens
//! themselves are kept by `server::tokens`.

use crate::protocol::ErrorCode;

use serde::{Deserialize, Serialize};

use crate::domain::{RefundReason, RoomId, Stamp, UserId};
use crate::protocol::ApiError;

pub use super::tokens::Tokens;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenRole {
    Admin,
    /// A trusted platform service that posts canonical intakes.
    Integration,
    /// One room: start, finish, refund, menus, broadcast.
    Performer,
    /// Listed rooms: watch, refund for moderation.
    Moderator,
    /// One user: join, leave, purchases.
    Viewer,
}

impl TokenRole {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRole::Admin => "admin",
            TokenRole::Integration => "integration",
            TokenRole::Performer => "performer",
            TokenRole::Moderator => "moderator",
            TokenRole::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<TokenRole> {
        [
            TokenRole::Admin,
            TokenRole::Integration,
            TokenRole::Performer,
            TokenRole::Moderator,
            TokenRole::Viewer,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
    }
}

/// Who is asking: a role and its scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub role: TokenRole,
    /// A short, non-secret id of the token, for logs.
    pub token_id: String,
    #[serde(default)]
    pub rooms: Vec<RoomId>,
    #[serde(default)]
    pub user: Option<UserId>,
    /// When the token stops working; never when absent.
    #[serde(default)]
    pub expires_at: Option<Stamp>,
}

/// Everything a client can ask for, as far as permissions go.
#[derive(Debug, Clone, Copy)]
pub enum Permission<'a> {
    CreateRoom,
    ManageTokens,
    Mint,
    ReadBalance(&'a UserId),
    Intake(&'a RoomId),
    Join(&'a RoomId),
    Broadcast(&'a RoomId),
    Start(&'a RoomId),
    Finish(&'a RoomId),
    Refund(&'a RoomId, RefundReason),
    Watch(&'a RoomId),
    Purchase(&'a RoomId),
    /// Create, edit and delete the room's chip menus.
    EditMenus(&'a RoomId),
    /// Add and remove the room's subscribers.
    ManageSubscribers(&'a RoomId),
    /// See what the room's menus offer a viewer (`None`: the asker).
    SeeOffer(&'a RoomId, Option<&'a UserId>),
    /// Ban, unban, pause, resume; list bans.
    Moderate(&'a RoomId),
    /// Turn a kill switch on or off.
    SetSwitch,
    /// See the switches and read the moderation log (of the rooms in scope).
    ReadModeration,
    /// Spin a room's slot machine or spin wheel.
    Spin(&'a RoomId),
    /// Configure the room's games and rotate their seeds.
    EditGames(&'a RoomId),
    /// Tip in the room: a viewer from their own wallet, an integration on
    /// a viewer's behalf.
    Tip(&'a RoomId),
    /// Run the room's toy lane: take, done, skip, clear, pause, resume,
    /// release.
    RunLane(&'a RoomId),
    /// List the room's broadcasts and read their reports.
    ReadReports(&'a RoomId),
    /// Post the platform's points earn events.
    EarnPoints,
    /// Read a user's points balance and history.
    ReadPoints(&'a UserId),
    /// Award the room's viewers points from the performer's allowance, and
    /// read the room's awards.
    AwardPoints(&'a RoomId),
    /// Grant allowances, adjust, approve, lock; read and export every
    /// account's history.
    ManagePoints,
    /// Read and mark one's own private messages (a viewer's inbox).
    ReadInbox,
    /// Reply to a viewer of the room, privately or in its chat.
    Reply(&'a RoomId),
    /// Read the history of the room's private messages.
    ReadMessages(&'a RoomId),
    /// See the delivery figures of every room.
    ReadDeliveryFigures,
}

impl Principal {
    fn has_room(&self, room: &RoomId) -> bool {
        self.rooms.iter().any(|r| r == room)
    }

    /// Whether this principal may do `permission`.
    pub fn allows(&self, permission: Permission<'_>) -> bool {
        use Permission::*;
        match (self.role, permission) {
            (TokenRole::Admin, _) => true,
            (TokenRole::Integration, Intake(_) | Tip(_)) => true,
            (TokenRole::Performer, RunLane(r)) => self.has_room(r),
            (
                TokenRole::Performer,
                Broadcast(r) | Start(r) | Finish(r) | Refund(r, _) | Watch(r),
            ) => self.has_room(r),
            (TokenRole::Performer, EditMenus(r) | ManageSubscribers(r) | EditGames(r)) => {
                self.has_room(r)
            }
            (TokenRole::Integration, ManageSubscribers(_)) => true,
            (TokenRole::Performer, SeeOffer(r, _)) => self.has_room(r),
            (TokenRole::Viewer, SeeOffer(_, asked)) => {
                self.user.is_some() && asked.is_none_or(|u| self.user.as_ref() == Some(u))
            }
            (TokenRole::Performer | TokenRole::Moderator, Moderate(r)) => self.has_room(r),
            (TokenRole::Performer | TokenRole::Moderator, ReadModeration) => true,
            (TokenRole::Moderator, Watch(r)) => self.has_room(r),
            (TokenRole::Moderator, Refund(r, RefundReason::Moderation)) => self.has_room(r),
            (TokenRole::Viewer, Join(_) | Purchase(_) | Spin(_) | Tip(_)) => self.user.is_some(),
            (TokenRole::Viewer, ReadBalance(user)) => self.user.as_ref() == Some(user),
            (TokenRole::Performer | TokenRole::Moderator, ReadReports(r)) => self.has_room(r),
            (TokenRole::Integration, EarnPoints | ReadPoints(_)) => true,
            (TokenRole::Viewer, ReadPoints(user)) => self.user.as_ref() == Some(user),
            (TokenRole::Performer, AwardPoints(r)) => self.has_room(r),
            (TokenRole::Viewer, ReadInbox) => self.user.is_some(),
            (TokenRole::Performer, Reply(r)) => self.has_room(r),
            (TokenRole::Performer | TokenRole::Moderator, ReadMessages(r)) => self.has_room(r),
            _ => false,
        }
    }

    /// Whether the token has passed its expiry at `now`.
    pub fn expired_at(&self, now: Stamp) -> bool {
        self.expires_at.is_some_and(|end| now >= end)
    }

    /// `Ok` or a `forbidden` error, logged with ids only.
    pub fn require(&self, permission: Permission<'_>) -> Result<(), ApiError> {
        if self.allows(permission) {
            return Ok(());
        }
        tracing::warn!(token = %self.token_id, role = self.role.as_str(), ?permission, "forbidden");
        let mut err = ApiError::new(
            ErrorCode::Forbidden,
            format!("a {} token may not do this", self.role.as_str()),
        );
        if let Permission::Refund(_, reason) = permission
            && self.role == TokenRole::Moderator
        {
            err.message = format!("moderators refund only for reason moderation, not {reason}");
        }
        Err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: TokenRole, rooms: &[&str], user: Option<&str>) -> Principal {
        Principal {
            role,
            token_id: "t".into(),
            rooms: rooms.iter().map(|r| RoomId::from(*r)).collect(),
            user: user.map(UserId::from),
            expires_at: None,
        }
    }

    #[test]
    fn moderators_refund_only_for_moderation_in_their_rooms() {
        let m = principal(TokenRole::Moderator, &["r1"], None);
        let r1 = RoomId::from("r1");
        let r2 = RoomId::from("r2");
        assert!(m.allows(Permission::Refund(&r1, RefundReason::Moderation)));
        assert!(!m.allows(Permission::Refund(&r1, RefundReason::Goodwill)));
        assert!(!m.allows(Permission::Refund(&r2, RefundReason::Moderation)));
        assert!(m.allows(Permission::Watch(&r1)));
        assert!(!m.allows(Permission::Start(&r1)));
        let err = m
            .require(Permission::Refund(&r1, RefundReason::Dispute))
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Forbidden);
        assert!(err.message.contains("moderation"));
    }
}
