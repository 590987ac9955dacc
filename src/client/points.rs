//! Loyalty points from the REST client: what a performer's console asks
//! (a viewer's points and award limits, the room's awards, an award).

use reqwest::Method;

use super::{ClientError, RestClient};
use crate::domain::{Reply, RoomId, Stamp, UserId};
use crate::protocol::{AwardLeft, AwardRequest, GrantRequest, PointsPage};

impl RestClient {
    /// A viewer in the room: their points and what the award limits allow.
    pub async fn award_left(&self, room: &RoomId, user: &UserId) -> Result<AwardLeft, ClientError> {
        let path = format!("/api/v1/rooms/{room}/points/awards/{user}/left");
        self.call(Method::GET, &path, None, None).await
    }

    /// The room's awards since `since` (to `user` only, when given),
    /// newest first, at most `limit`.
    pub async fn room_awards(
        &self,
        room: &RoomId,
        user: Option<&UserId>,
        since: Option<Stamp>,
        limit: usize,
    ) -> Result<PointsPage, ClientError> {
        let since = since.map(|s| format!("&since={}", s.0)).unwrap_or_default();
        let user = user.map(|u| format!("&user={u}")).unwrap_or_default();
        let path = format!("/api/v1/rooms/{room}/points/awards?limit={limit}{since}{user}");
        self.call(Method::GET, &path, None, None).await
    }

    /// Award `user` points from the performer's allowance.
    pub async fn award(
        &self,
        room: &RoomId,
        award: &AwardRequest,
        key: &str,
    ) -> Result<Reply, ClientError> {
        let path = format!("/api/v1/rooms/{room}/points/awards");
        self.call(Method::POST, &path, Some(key), Self::json(award))
            .await
    }

    /// Grant a performer points to award (admin); `key` makes a retry, or
    /// a second grant under the same key, move nothing more.
    pub async fn grant_allowance(
        &self,
        grant: &GrantRequest,
        key: &str,
    ) -> Result<Reply, ClientError> {
        self.call(
            Method::POST,
            "/api/v1/points/allowances",
            Some(key),
            Self::json(grant),
        )
        .await
    }
}
