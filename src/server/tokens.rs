//! The token store: bearer tokens, their role and scope.
//!
//! Tokens are random, shown once, and stored only as SHA-256 hashes; a
//! token's id is the start of its hash, so lists, logs and revocation name a
//! token without revealing it. A revoked token keeps its row and is refused
//! from the moment it is revoked.

use std::collections::HashMap;
use std::sync::RwLock;

use rand::RngExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::auth::{Principal, TokenRole};
use crate::domain::{RoomId, Stamp, UserId};
use crate::protocol::{ApiError, CreateToken, ErrorCode, TokenInfo};
use crate::store::{Store, StoreError, TokenDb, TokenRow};

/// How many hex digits of the hash make a token's id.
const ID_LEN: usize = 8;

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The token store: hashes in SQLite, a cache in memory.
pub struct Tokens {
    db: TokenDb,
    cache: RwLock<HashMap<String, Entry>>,
}

/// A known token: who it is, when it was made and whether it was revoked.
#[derive(Debug, Clone)]
struct Entry {
    principal: Principal,
    created_at: Stamp,
    revoked_at: Option<Stamp>,
}

impl Entry {
    fn info(&self) -> TokenInfo {
        let p = &self.principal;
        TokenInfo {
            id: p.token_id.clone(),
            role: p.role.as_str().to_string(),
            rooms: p.rooms.clone(),
            user: p.user.clone(),
            created_at: self.created_at,
            expires_at: p.expires_at,
            revoked_at: self.revoked_at,
        }
    }
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

fn principal(digest: &str, role: TokenRole, scope: Scope) -> Principal {
    Principal {
        role,
        token_id: digest[..ID_LEN.min(digest.len())].to_string(),
        rooms: scope.rooms,
        user: scope.user,
        expires_at: scope.expires_at,
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
            let entry = Entry {
                principal: principal(&row.hash, role, scope),
                created_at: Stamp(row.created_at),
                revoked_at: row.revoked_at.map(Stamp),
            };
            cache.insert(row.hash, entry);
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

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Entry>> {
        self.cache.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The principal of a token that has not been revoked.
    pub fn authenticate(&self, token: &str) -> Option<Principal> {
        self.read()
            .get(&hash(token))
            .filter(|e| e.revoked_at.is_none())
            .map(|e| e.principal.clone())
    }

    /// The principal of a token that is valid at `now` (not expired).
    pub fn authenticate_at(&self, token: &str, now: Stamp) -> Option<Principal> {
        self.authenticate(token).filter(|p| !p.expired_at(now))
    }

    fn store(
        &self,
        token: &str,
        role: TokenRole,
        scope: Scope,
        now: Stamp,
    ) -> Result<String, ApiError> {
        let digest = hash(token);
        let scope_json = serde_json::to_string(&scope)
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        let row = TokenRow {
            hash: digest.clone(),
            role: role.as_str().to_string(),
            scope: scope_json,
            created_at: now.0,
            revoked_at: None,
        };
        self.db.insert(row).map_err(store_failed)?;
        let principal = principal(&digest, role, scope);
        let id = principal.token_id.clone();
        self.cache
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .entry(digest)
            .or_insert(Entry {
                principal,
                created_at: now,
                revoked_at: None,
            });
        Ok(id)
    }

    /// Mint a token for `spec`; the token itself is returned once, with its
    /// id. An expiry must be later than `now`.
    pub fn create(&self, spec: &CreateToken, now: Stamp) -> Result<(String, String), ApiError> {
        let invalid = |field: &str, message: &str| ApiError::invalid(field, message);
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
        let id = self.store(&token, role, scope, now)?;
        Ok((token, id))
    }

    /// Make sure an admin token exists. With `configured` (from
    /// CUEDECK_ADMIN_TOKEN) that one is registered; otherwise, if the
    /// database has no usable admin yet, one is generated and returned to
    /// be printed once.
    pub fn ensure_admin(
        &self,
        configured: Option<&str>,
        now: Stamp,
    ) -> Result<Option<String>, ApiError> {
        if let Some(token) = configured {
            if token.len() < 16 {
                return Err(ApiError::invalid(
                    "CUEDECK_ADMIN_TOKEN",
                    "must be at least 16 characters",
                ));
            }
            if self
                .read()
                .get(&hash(token))
                .is_some_and(|e| e.revoked_at.is_some())
            {
                return Err(ApiError::invalid(
                    "CUEDECK_ADMIN_TOKEN",
                    "this token was revoked; choose another",
                ));
            }
            self.store(token, TokenRole::Admin, Scope::platform(), now)?;
            return Ok(None);
        }
        let exists = self
            .read()
            .values()
            .any(|e| e.principal.role == TokenRole::Admin && e.revoked_at.is_none());
        if exists {
            return Ok(None);
        }
        let token = new_token();
        self.store(&token, TokenRole::Admin, Scope::platform(), now)?;
        Ok(Some(token))
    }

    /// Every token (revoked ones included), or those of one role, oldest first.
    pub fn list(&self, role: Option<TokenRole>) -> Vec<TokenInfo> {
        let mut found: Vec<TokenInfo> = self
            .read()
            .values()
            .filter(|e| role.is_none_or(|r| e.principal.role == r))
            .map(Entry::info)
            .collect();
        found.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        found
    }

    /// Revoke the one token whose hash starts with `id` (at least the id's
    /// eight hex digits). Revoking a revoked token answers its first
    /// revocation; `by` may not revoke itself, so an admin cannot lock
    /// themselves out by mistake.
    pub fn revoke(&self, id: &str, by: &Principal, now: Stamp) -> Result<TokenInfo, ApiError> {
        let id = id.to_ascii_lowercase();
        if id.len() < ID_LEN || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ApiError::invalid(
                "id",
                format!("a token id is at least {ID_LEN} hex digits (as `serve token list` shows)"),
            ));
        }
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        let matches: Vec<&String> = cache.keys().filter(|h| h.starts_with(&id)).collect();
        let digest = match matches.as_slice() {
            [] => {
                return Err(ApiError::new(
                    ErrorCode::UnknownToken,
                    format!("no token has the id `{id}`"),
                ));
            }
            [one] => (*one).clone(),
            many => {
                return Err(ApiError::invalid(
                    "id",
                    format!("`{id}` names {} tokens; give more of its hash", many.len()),
                ));
            }
        };
        let entry = cache.get_mut(&digest).expect("matched above");
        if entry.principal.token_id == by.token_id && entry.principal.role == by.role {
            return Err(ApiError::invalid(
                "id",
                "that is the token making this request; revoke it with another admin token",
            ));
        }
        if entry.revoked_at.is_none() {
            self.db.revoke(digest, now.0).map_err(store_failed)?;
            entry.revoked_at = Some(now);
        }
        Ok(entry.info())
    }
}

fn store_failed(err: StoreError) -> ApiError {
    ApiError::new(ErrorCode::Unavailable, format!("token store: {err}"))
}

fn new_token() -> String {
    let bytes: [u8; 24] = rand::rng().random();
    format!("cdk_{}", hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn performer_spec() -> CreateToken {
        CreateToken {
            role: "performer".into(),
            room: Some("r1".into()),
            rooms: vec![],
            user: None,
            expires_at: None,
        }
    }

    #[test]
    fn tokens_are_stored_hashed_and_authenticate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let (store, _engine) = Store::open(&path, Default::default()).unwrap();
        let tokens = Tokens::from_store(&store).unwrap();
        let (token, id) = tokens.create(&performer_spec(), Stamp(0)).unwrap();
        let who = tokens.authenticate(&token).unwrap();
        assert_eq!(who.role, TokenRole::Performer);
        assert_eq!(who.token_id, id);
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
        assert!(tokens.ensure_admin(Some("short"), Stamp(1)).is_err());
        let generated = tokens
            .ensure_admin(None, Stamp(1))
            .unwrap()
            .expect("first admin is generated");
        assert_eq!(
            tokens.authenticate(&generated).unwrap().role,
            TokenRole::Admin
        );
        assert_eq!(
            tokens.ensure_admin(None, Stamp(2)).unwrap(),
            None,
            "only once"
        );
    }

    #[test]
    fn a_revoked_token_is_refused_listed_and_stays_revoked_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let (store, _engine) = Store::open(&path, Default::default()).unwrap();
        let tokens = Tokens::from_store(&store).unwrap();
        let admin = tokens.ensure_admin(None, Stamp(1)).unwrap().unwrap();
        let admin = tokens.authenticate(&admin).unwrap();
        let (token, id) = tokens.create(&performer_spec(), Stamp(5)).unwrap();

        let short = tokens.revoke(&id[..4], &admin, Stamp(9)).unwrap_err();
        assert_eq!(short.field.as_deref(), Some("id"));
        let unknown = tokens.revoke("zz", &admin, Stamp(9)).unwrap_err();
        assert_eq!(unknown.field.as_deref(), Some("id"), "not hex");
        let nobody = format!("{}0", "f".repeat(63));
        let unknown = tokens.revoke(&nobody, &admin, Stamp(9)).unwrap_err();
        assert_eq!(unknown.code, ErrorCode::UnknownToken);
        let own = tokens
            .revoke(&admin.token_id, &admin, Stamp(9))
            .unwrap_err();
        assert!(own.message.contains("making this request"));

        let revoked = tokens
            .revoke(&id.to_uppercase(), &admin, Stamp(10))
            .unwrap();
        assert_eq!(revoked.revoked_at, Some(Stamp(10)));
        assert!(tokens.authenticate(&token).is_none());
        let again = tokens.revoke(&id, &admin, Stamp(20)).unwrap();
        assert_eq!(
            again.revoked_at,
            Some(Stamp(10)),
            "the first revocation stands"
        );

        let performers = tokens.list(Some(TokenRole::Performer));
        assert_eq!(performers.len(), 1);
        assert_eq!(performers[0].id, id);
        assert_eq!(performers[0].created_at, Stamp(5));
        assert_eq!(tokens.list(None).len(), 2);

        store.close();
        let (store, _engine) = Store::open(&path, Default::default()).unwrap();
        let tokens = Tokens::from_store(&store).unwrap();
        assert!(tokens.authenticate(&token).is_none());
        assert_eq!(
            tokens.list(Some(TokenRole::Performer))[0].revoked_at,
            Some(Stamp(10))
        );
    }
}
