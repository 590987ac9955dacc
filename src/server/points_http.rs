//! The loyalty points API: earn events, balances, allowances, awards,
//! adjustments and locks. Permissions are checked here; the rules (limits,
//! approvals, locks) are the engine's. History pages are in
//! `points_history_http.rs`.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::routing::{delete, get, post};

use super::auth::Permission;
use super::errors::{HttpError, bad_request, domain_error, unavailable};
use super::extract::{ApiPath, parse};
use super::http::{App, Authed, Reply_, actor, idempotency_key, run};
use crate::domain::points::{AwardRoom, LockKind};
use crate::domain::{Checked, Command, DomainError, Reply, Request, RoomId, UserId};
use crate::protocol::{
    AdjustRequest, AdjustmentList, AwardLeft, AwardRequest, EarnRequest, GrantRequest, LockRequest,
    PointsBalance,
};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/points/earn", post(earn))
        .route("/api/v1/points/balance/{user}", get(balance))
        .route("/api/v1/points/allowances", post(grant))
        .route("/api/v1/rooms/{room}/points/awards", post(award))
        .route(
            "/api/v1/rooms/{room}/points/awards/{user}/left",
            get(award_left),
        )
        .route("/api/v1/points/adjustments", post(adjust).get(adjustments))
        .route("/api/v1/points/adjustments/{id}/approve", post(approve))
        .route("/api/v1/points/adjustments/{id}/reject", post(reject))
        .route("/api/v1/points/locks", post(lock))
        .route("/api/v1/points/locks/{user}/{lock}", delete(unlock))
}

/// The longest lock given in seconds: ten years.
const MAX_LOCK_SECS: u64 = 10 * 365 * 24 * 3600;

/// An earn event enters once: the same source event again gets its first
/// answer (the same user and amount) or a conflict, decided in the core's
/// turn so two deliveries at once cannot both enter.
async fn earn(
    State(app): State<App>,
    Authed(who): Authed,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<Reply> {
    who.require(Permission::EarnPoints)
        .map_err(|e| app.refuse(e))?;
    let key = idempotency_key(&headers, false).map_err(|e| app.refuse(e))?;
    let spec: EarnRequest = parse(body).map_err(|e| app.refuse(e))?;
    let by = actor(&who);
    // An event older than the engine's window is the store's to recognise.
    let history = app.points_history.clone();
    let event = spec.source_event_id.clone();
    let stored = tokio::task::spawn_blocking(move || history.earned_reply(&event))
        .await
        .map_err(|_| app.refuse(unavailable()))?
        .map_err(|err| {
            tracing::error!(error = %err, "reading the points history failed");
            app.refuse(unavailable())
        })?;
    app.core
        .execute_checked(move |engine, _| {
            if let Some(reply) = key.as_ref().and_then(|k| engine.remembered_reply(k)) {
                return Ok(Checked::Answer(reply.clone()));
            }
            let event = spec.source_event_id.as_str();
            let known = engine
                .points_state()
                .earned_reply(event)
                .or(stored.as_ref());
            match known {
                Some(reply @ Reply::PointsEarned { user, amount, .. })
                    if *user == spec.user && *amount == spec.amount =>
                {
                    return Ok(Checked::Answer(reply.clone()));
                }
                Some(_) => {
                    return Err(domain_error(&DomainError::DuplicateSourceEvent {
                        source_event_id: event.to_string(),
                    }));
                }
                None => {}
            }
            let command = Command::PointsEarn {
                user: spec.user,
                amount: spec.amount,
                source_event_id: spec.source_event_id.into(),
                reason: spec.reason.into(),
                room: spec.room,
                by,
            };
            Ok(Checked::Execute(Request { key, command }))
        })
        .await
        .map(Json)
        .map_err(|e| app.refuse(e))
}

async fn balance(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(user): ApiPath<UserId>,
) -> Reply_<PointsBalance> {
    who.require(Permission::ReadPoints(&user))
        .map_err(|e| app.refuse(e))?;
    let now = app.config.clock.now();
    let answer = app
        .core
        .query(move |engine| PointsBalance {
            balance: engine.ledger().points(&user),
            locks: engine.points_state().locks_of(&user, now),
            user,
        })
        .await
        .map_err(|e| app.refuse(e))?;
    Ok(Json(answer))
}

async fn grant(
    State(app): State<App>,
    Authed(who): Authed,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<Reply> {
    who.require(Permission::ManagePoints)
        .map_err(|e| app.refuse(e))?;
    let key = idempotency_key(&headers, false).map_err(|e| app.refuse(e))?;
    let GrantRequest { performer, amount } = parse(body).map_err(|e| app.refuse(e))?;
    let command = Command::PointsGrant {
        performer,
        amount,
        by: actor(&who),
    };
    Ok(Json(run(&app, Request { key, command }).await?))
}

async fn award(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(room): ApiPath<RoomId>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<Reply> {
    who.require(Permission::AwardPoints(&room))
        .map_err(|e| app.refuse(e))?;
    let key = idempotency_key(&headers, false).map_err(|e| app.refuse(e))?;
    let spec: AwardRequest = parse(body).map_err(|e| app.refuse(e))?;
    let command = Command::PointsAward {
        room,
        user: spec.user,
        amount: spec.amount,
        note: spec.note.map(Into::into),
        by: actor(&who),
    };
    Ok(Json(run(&app, Request { key, command }).await?))
}

async fn award_left(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((room, user)): ApiPath<(RoomId, UserId)>,
) -> Reply_<AwardLeft> {
    who.require(Permission::AwardPoints(&room))
        .map_err(|e| app.refuse(e))?;
    let now = app.config.clock.now();
    let asked = (room.clone(), user.clone());
    // Only a viewer in the room: a performer cannot look up anyone's points.
    let left: Option<(AwardRoom, u64, bool)> = app
        .core
        .query(move |engine| {
            let (room, user) = &asked;
            let left = engine.award_room(room, user, now)?;
            Some((
                left,
                engine.ledger().points(user),
                engine.in_room(room, user),
            ))
        })
        .await
        .map_err(|e| app.refuse(e))?;
    let Some((left, balance, present)) = left else {
        return Err(app.refuse(domain_error(&DomainError::UnknownRoom { room })));
    };
    if !present {
        return Err(app.refuse(domain_error(&DomainError::NotInRoom { room, user })));
    }
    Ok(Json(AwardLeft {
        user,
        balance,
        most: left.most(),
        left,
    }))
}

async fn adjust(
    State(app): State<App>,
    Authed(who): Authed,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<Reply> {
    who.require(Permission::ManagePoints)
        .map_err(|e| app.refuse(e))?;
    let key = idempotency_key(&headers, false).map_err(|e| app.refuse(e))?;
    let spec: AdjustRequest = parse(body).map_err(|e| app.refuse(e))?;
    let command = Command::PointsAdjust {
        user: spec.user,
        amount: spec.amount,
        reason: spec.reason,
        ticket: spec.ticket.into(),
        by: actor(&who),
    };
    Ok(Json(run(&app, Request { key, command }).await?))
}

async fn adjustments(State(app): State<App>, Authed(who): Authed) -> Reply_<AdjustmentList> {
    who.require(Permission::ManagePoints)
        .map_err(|e| app.refuse(e))?;
    let adjustments = app
        .core
        .query(|engine| engine.points_state().adjustments().to_vec())
        .await
        .map_err(|e| app.refuse(e))?;
    Ok(Json(AdjustmentList { adjustments }))
}

async fn decide(
    app: &App,
    who: &super::auth::Principal,
    id: u64,
    approve: bool,
    headers: &HeaderMap,
) -> Result<Reply, HttpError> {
    who.require(Permission::ManagePoints)
        .map_err(|e| app.refuse(e))?;
    let key = idempotency_key(headers, false).map_err(|e| app.refuse(e))?;
    let command = Command::PointsDecide {
        adjustment: id,
        approve,
        by: actor(who),
    };
    run(app, Request { key, command }).await
}

async fn approve(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(id): ApiPath<u64>,
    headers: HeaderMap,
) -> Reply_<Reply> {
    Ok(Json(decide(&app, &who, id, true, &headers).await?))
}

async fn reject(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath(id): ApiPath<u64>,
    headers: HeaderMap,
) -> Reply_<Reply> {
    Ok(Json(decide(&app, &who, id, false, &headers).await?))
}

async fn lock(
    State(app): State<App>,
    Authed(who): Authed,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply_<Reply> {
    who.require(Permission::ManagePoints)
        .map_err(|e| app.refuse(e))?;
    let key = idempotency_key(&headers, false).map_err(|e| app.refuse(e))?;
    let spec: LockRequest = parse(body).map_err(|e| app.refuse(e))?;
    let expires_at = match spec.expires_in_secs {
        None => None,
        Some(secs) if (1..=MAX_LOCK_SECS).contains(&secs) => {
            Some(app.config.clock.now().plus_millis(secs * 1000))
        }
        Some(_) => {
            return Err(app.refuse(bad_request(
                "expiresInSecs",
                format!("must be within 1..={MAX_LOCK_SECS} (ten years); leave it out for a lock until an unlock"),
            )));
        }
    };
    let command = Command::PointsLock {
        user: spec.user,
        lock: spec.lock,
        reason: spec.reason,
        note: spec.note.map(Into::into),
        expires_at,
        by: actor(&who),
    };
    Ok(Json(run(&app, Request { key, command }).await?))
}

async fn unlock(
    State(app): State<App>,
    Authed(who): Authed,
    ApiPath((user, lock)): ApiPath<(UserId, LockKind)>,
    headers: HeaderMap,
) -> Reply_<Reply> {
    who.require(Permission::ManagePoints)
        .map_err(|e| app.refuse(e))?;
    let key = idempotency_key(&headers, false).map_err(|e| app.refuse(e))?;
    let command = Command::PointsUnlock {
        user,
        lock,
        by: actor(&who),
    };
    Ok(Json(run(&app, Request { key, command }).await?))
}
