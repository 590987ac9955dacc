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

use crate::domain::{RefundReason, RoomId, UserId};
use crate::protocol::{ApiError, CreateToken};
use crate::store::{Store, StoreError, TokenDb, TokenRow};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
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

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Integration => "integration",
            Role::Performer => "performer",
            Role::Moderator => "moderator",
            Role::Viewer => "viewer",
        }
    }

    fn parse(text: &str) -> Option<Role> {
        [
            Role::Admin,
            Role::Integration,
            Role::Performer,
            Role::Moderator,
            Role::Viewer,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
    }
}

/// Who is asking: a role and its scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub role: Role,
    /// A short, non-secret id of the token, for logs.
    pub token_id: String,
    #[serde(default)]
    pub rooms: Vec<RoomId>,
    #[serde(default)]
    pub user: Option<UserId>,
}

/// Everything a client can ask for, as far as permissions go.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
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
    Spin(&'a RoomId),
}

impl Principal {
    fn has_room(&self, room: &RoomId) -> bool {
        self.rooms.iter().any(|r| r == room)
    }

    /// Whether this principal may do `action`.
    pub fn allows(&self, action: Action<'_>) -> bool {
        use Action::*;
        match (self.role, action) {
            (Role::Admin, _) => true,
            (Role::Integration, Intake(_)) => true,
            (Role::Performer, Broadcast(r) | Start(r) | Finish(r) | Refund(r, _) | Watch(r)) => {
                self.has_room(r)
            }
            (Role::Moderator, Watch(r)) => self.has_room(r),
            (Role::Moderator, Refund(r, RefundReason::Moderation)) => self.has_room(r),
            (Role::Viewer, Join(_) | Purchase(_) | Spin(_)) => self.user.is_some(),
            (Role::Viewer, ReadBalance(user)) => self.user.as_ref() == Some(user),
            _ => false,
        }
    }

    /// `Ok` or a `forbidden` error, logged with ids only.
    pub fn require(&self, action: Action<'_>) -> Result<(), ApiError> {
        if self.allows(action) {
            return Ok(());
        }
        tracing::warn!(token = %self.token_id, role = self.role.as_str(), ?action, "forbidden");
        let mut err = ApiError::new(
            ErrorCode::Forbidden,
            format!("a {} token may not do this", self.role.as_str()),
        );
        if let Action::Refund(_, reason) = action
            && self.role == Role::Moderator
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
}

impl Tokens {
    /// Load the stored tokens (the store created the table); new ones are
    /// written through `db`.
    pub fn open(rows: Vec<TokenRow>, db: TokenDb) -> Self {
        let mut cache = HashMap::new();
        for row in rows {
            let (Some(role), Ok(scope)) = (
                Role::parse(&row.role),
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

    fn store(&self, token: &str, role: Role, scope: Scope) -> Result<(), ApiError> {
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
        };
        self.cache
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(digest, principal);
        Ok(())
    }

    /// Mint a token for `spec`; the token itself is returned once.
    pub fn create(&self, spec: &CreateToken) -> Result<String, ApiError> {
        let invalid = |field: &str, message: &str| ApiError {
            code: ErrorCode::InvalidField,
            message: message.into(),
            field: Some(field.into()),
        };
        let role = Role::parse(&spec.role).ok_or_else(|| {
            invalid(
                "role",
                "must be admin, integration, performer, moderator or viewer",
            )
        })?;
        let scope = match role {
            Role::Admin | Role::Integration => Scope {
                rooms: vec![],
                user: None,
            },
            Role::Performer => Scope {
                rooms: vec![
                    spec.room
                        .clone()
                        .ok_or_else(|| invalid("room", "a performer token needs its room"))?,
                ],
                user: None,
            },
            Role::Moderator if spec.rooms.is_empty() => {
                return Err(invalid(
                    "rooms",
                    "a moderator token needs the rooms it watches",
                ));
            }
            Role::Moderator => Scope {
                rooms: spec.rooms.clone(),
                user: None,
            },
            Role::Viewer => Scope {
                rooms: vec![],
                user: Some(
                    spec.user
                        .clone()
                        .ok_or_else(|| invalid("user", "a viewer token needs its user"))?,
                ),
            },
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
            self.store(
                token,
                Role::Admin,
                Scope {
                    rooms: vec![],
                    user: None,
                },
            )?;
            return Ok(None);
        }
        let exists = {
            let cache = self.cache.read().unwrap_or_else(|e| e.into_inner());
            cache.values().any(|p| p.role == Role::Admin)
        };
        if exists {
            return Ok(None);
        }
        let token = new_token();
        self.store(
            &token,
            Role::Admin,
            Scope {
                rooms: vec![],
                user: None,
            },
        )?;
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

    fn principal(role: Role, rooms: &[&str], user: Option<&str>) -> Principal {
        Principal {
            role,
            token_id: "t".into(),
            rooms: rooms.iter().map(|r| RoomId::from(*r)).collect(),
            user: user.map(UserId::from),
        }
    }

    #[test]
    fn moderators_refund_only_for_moderation_in_their_rooms() {
        let m = principal(Role::Moderator, &["r1"], None);
        let r1 = RoomId::from("r1");
        let r2 = RoomId::from("r2");
        assert!(m.allows(Action::Refund(&r1, RefundReason::Moderation)));
        assert!(!m.allows(Action::Refund(&r1, RefundReason::Goodwill)));
        assert!(!m.allows(Action::Refund(&r2, RefundReason::Moderation)));
        assert!(m.allows(Action::Watch(&r1)));
        assert!(!m.allows(Action::Start(&r1)));
        let err = m
            .require(Action::Refund(&r1, RefundReason::Dispute))
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
            .create(&CreateToken {
                role: "performer".into(),
                room: Some("r1".into()),
                rooms: vec![],
                user: None,
            })
            .unwrap();
        let who = tokens.authenticate(&token).unwrap();
        assert_eq!(who.role, Role::Performer);
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
        assert_eq!(tokens.authenticate(&generated).unwrap().role, Role::Admin);
        assert_eq!(tokens.ensure_admin(None).unwrap(), None, "only once");
    }
}
