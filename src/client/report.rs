//! Broadcasts and their reports, from the REST client.

use reqwest::Method;

use super::{ClientError, RestClient};
use crate::domain::RoomId;
use crate::report::{BroadcastPage, Report};

/// Which broadcast to report on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BroadcastChoice {
    /// The room's newest broadcast (live or ended).
    Last,
    Id(i64),
}

impl std::str::FromStr for BroadcastChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "last" => Ok(BroadcastChoice::Last),
            _ => match text.parse::<i64>() {
                Ok(id) if id > 0 => Ok(BroadcastChoice::Id(id)),
                _ => Err(format!(
                    "{text:?} is neither `last` nor a broadcast id (1, 2, …)"
                )),
            },
        }
    }
}

impl RestClient {
    /// The room's broadcasts, newest first; `before` pages back.
    pub async fn broadcasts(
        &self,
        room: &RoomId,
        before: Option<i64>,
        limit: Option<usize>,
    ) -> Result<BroadcastPage, ClientError> {
        let mut query = Vec::new();
        if let Some(before) = before {
            query.push(format!("before={before}"));
        }
        if let Some(limit) = limit {
            query.push(format!("limit={limit}"));
        }
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{}", query.join("&"))
        };
        let path = format!("/api/v1/rooms/{room}/broadcasts{query}");
        self.call(Method::GET, &path, None, None).await
    }

    /// One broadcast's report.
    pub async fn report(&self, room: &RoomId, broadcast: i64) -> Result<Report, ClientError> {
        let path = format!("/api/v1/rooms/{room}/broadcasts/{broadcast}/report");
        self.call(Method::GET, &path, None, None).await
    }

    /// The report of `choice`; `Ok(None)` when the room has had no
    /// broadcast yet and `last` was asked for.
    pub async fn report_of(
        &self,
        room: &RoomId,
        choice: BroadcastChoice,
    ) -> Result<Option<Report>, ClientError> {
        let id = match choice {
            BroadcastChoice::Id(id) => id,
            BroadcastChoice::Last => match self
                .broadcasts(room, None, Some(1))
                .await?
                .broadcasts
                .first()
            {
                Some(newest) => newest.id,
                None => return Ok(None),
            },
        };
        self.report(room, id).await.map(Some)
    }
}
