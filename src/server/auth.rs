//! Bearer tokens and what each role may do.
//!
//! Tokens are random, shown once, and stored only as SHA-256 hashes. Every
//! command is checked here on the server; a refusal is `forbidden` and is
//! logged with ids only.

use crate::protocol::ErrorCode;
use std::collections::HashMap;
use std::sync::RwLock;

use rand::RngExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::{RefundReason, RoomId, Stamp, UserId};
use crate::protocol::{ApiError, CreateToken};
use crate::store::{Store, StoreError, TokenDb, TokenRow};

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

    fn parse(text: &str) -> Option<TokenRole> {
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
    CreateToken,
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
    /// List the room's broadcasts and read their reports.
    ReadReports(&'a RoomId),
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
            (TokenRole::Integration, Intake(_)) => true,
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
            (TokenRole::Viewer, Join(_) | Purchase(_) | Spin(_)) => self.user.is_some(),
            (TokenRole::Viewer, ReadBalance(user)) => self.user.as_ref() == Some(user),
            (TokenRole::Performer | TokenRole::Moderator, ReadReports(r)) => self.has_room(r),
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

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The token store: hashes in SQLite, a cache in memory.
pub struct Tokens {
    db: TokenDb,
    cache: RwLock<HashMap<String, Principal>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Scope {
    #[serde(default)]
    rooms: Vec<RoomId>,
    #[serde(default)]
    user: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<Stamp>,
}

impl Scope {
    fn platform() -> Self {
        Scope {
            rooms: vec![],
            user: None,
            expires_at: None,
        }
    }
}

impl Tokens {
    /// Load the stored tokens (the store created the table); new ones are
    /// written through `db`.
    pub fn open(rows: Vec<TokenRow>, db: TokenDb) -> Self {
        let mut cache = HashMap::new();
        for row in rows {
            let (Some(role), Ok(scope)) = (
                TokenRole::parse(&row.role),
                serde_json::from_str::<Scope>(&row.scope),
            ) else {
                tracing::warn!("skipping an unreadable token row");
                continue;
            };
            let principal = Principal {
                role,
                token_id: row.hash[..8.min(row.hash.len())].to_string(),
                rooms: scope.rooms,
                user: scope.user,
                expires_at: scope.expires_at,
            };
            cache.insert(row.hash, principal);
        }
        Tokens {
            db,
            cache: RwLock::new(cache),
        }
    }

    /// The tokens of `store`'s database, written through its writer.
    pub fn from_store(store: &Store) -> Result<Self, StoreError> {
        let rows = store.reader()?.tokens()?;
        Ok(Self::open(rows, TokenDb::new(store.write_handle()?)))
    }

    pub fn authenticate(&self, token: &str) -> Option<Principal> {
        let cache = self.cache.read().unwrap_or_else(|e| e.into_inner());
        cache.get(&hash(token)).cloned()
    }

    /// The principal of a token that is valid at `now` (not expired).
    pub fn authenticate_at(&self, token: &str, now: Stamp) -> Option<Principal> {
        self.authenticate(token).filter(|p| !p.expired_at(now))
    }

    fn store(&self, token: &str, role: TokenRole, scope: Scope) -> Result<(), ApiError> {
        let digest = hash(token);
        let scope_json = serde_json::to_string(&scope)
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        let row = TokenRow {
            hash: digest.clone(),
            role: role.as_str().to_string(),
            scope: scope_json,
        };
        self.db
            .insert(row, crate::domain::Stamp::now().0)
            .map_err(|e| ApiError::new(ErrorCode::Internal, format!("token store: {e}")))?;
        let principal = Principal {
            role,
            token_id: digest[..8].to_string(),
            rooms: scope.rooms,
            user: scope.user,
            expires_at: scope.expires_at,
        };
        self.cache
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(digest, principal);
        Ok(())
    }

    /// Mint a token for `spec`; the token itself is returned once. An
    /// expiry must be later than `now`.
    pub fn create(&self, spec: &CreateToken, now: Stamp) -> Result<String, ApiError> {
        let invalid = |field: &str, message: &str| ApiError {
            code: ErrorCode::InvalidField,
            message: message.into(),
            field: Some(field.into()),
        };
        let role = TokenRole::parse(&spec.role).ok_or_else(|| {
            invalid(
                "role",
                "must be admin, integration, performer, moderator or viewer",
            )
        })?;
        let scope = match role {
            TokenRole::Admin | TokenRole::Integration => Scope::platform(),
            TokenRole::Performer => Scope {
                rooms: vec![
                    spec.room
                        .clone()
                        .ok_or_else(|| invalid("room", "a performer token needs its room"))?,
                ],
                ..Scope::platform()
            },
            TokenRole::Moderator if spec.rooms.is_empty() => {
                return Err(invalid(
                    "rooms",
                    "a moderator token needs the rooms it watches",
                ));
            }
            TokenRole::Moderator => Scope {
                rooms: spec.rooms.clone(),
                ..Scope::platform()
            },
            TokenRole::Viewer => Scope {
                rooms: vec![],
                user: Some(
                    spec.user
                        .clone()
                        .ok_or_else(|| invalid("user", "a viewer token needs its user"))?,
                ),
                ..Scope::platform()
            },
        };
        if let Some(end) = spec.expires_at
            && end <= now
        {
            return Err(invalid("expiresAt", "must be in the future"));
        }
        let scope = Scope {
            expires_at: spec.expires_at,
            ..scope
        };
        let token = new_token();
        self.store(&token, role, scope)?;
        Ok(token)
    }

    /// Make sure an admin token exists. With `configured` (from
    /// CUEDECK_ADMIN_TOKEN) that one is registered; otherwise, if the
    /// database has no admin yet, one is generated and returned to be
    /// printed once.
    pub fn ensure_admin(&self, configured: Option<&str>) -> Result<Option<String>, ApiError> {
        if let Some(token) = configured {
            if token.len() < 16 {
                return Err(ApiError::invalid(
                    "CUEDECK_ADMIN_TOKEN",
                    "must be at least 16 characters",
                ));
            }
            self.store(token, TokenRole::Admin, Scope::platform())?;
            return Ok(None);
        }
        let exists = {
            let cache = self.cache.read().unwrap_or_else(|e| e.into_inner());
            cache.values().any(|p| p.role == TokenRole::Admin)
        };
        if exists {
            return Ok(None);
        }
        let token = new_token();
        self.store(&token, TokenRole::Admin, Scope::platform())?;
        Ok(Some(token))
    }
}

fn new_token() -> String {
    let bytes: [u8; 24] = rand::rng().random();
    format!("cdk_{}", hex::encode(bytes))
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

    #[test]
    fn tokens_are_stored_hashed_and_authenticate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let (store, _engine) = Store::open(&path, Default::default()).unwrap();
        let tokens = Tokens::from_store(&store).unwrap();
        let token = tokens
            .create(
                &CreateToken {
                    role: "performer".into(),
                    room: Some("r1".into()),
                    rooms: vec![],
                    user: None,
                    expires_at: None,
                },
                Stamp(0),
            )
            .unwrap();
        let who = tokens.authenticate(&token).unwrap();
        assert_eq!(who.role, TokenRole::Performer);
        assert!(tokens.authenticate("cdk_wrong").is_none());
        let stored = store.reader().unwrap().tokens().unwrap();
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0].hash, token);
        assert_eq!(stored[0].hash, hash(&token));
        // A reopened store knows it.
        store.close();
        let (store, _engine) = Store::open(&path, Default::default()).unwrap();
        assert!(
            Tokens::from_store(&store)
                .unwrap()
                .authenticate(&token)
                .is_some()
        );
        let tokens = Tokens::from_store(&store).unwrap();
        assert!(tokens.ensure_admin(Some("short")).is_err());
        let generated = tokens
            .ensure_admin(None)
            .unwrap()
            .expect("first admin is generated");
        assert_eq!(
            tokens.authenticate(&generated).unwrap().role,
            TokenRole::Admin
        );
        assert_eq!(tokens.ensure_admin(None).unwrap(), None, "only once");
    }
}
