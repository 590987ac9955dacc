//! Where a simulated purchase goes: the seam between the audience and the
//! server.
//!
//! Today every purchase is a canonical intake posted under an integration
//! token (`POST /api/v1/rooms/{room}/intake`, `?mode=instant` for queue mode
//! OFF), as the site's chip-menu module would post it. When the menus issue
//! lands its viewer purchase endpoint (viewer token, the server computes the
//! price), add a variant to [`Shop`] whose `prepare` builds that endpoint's
//! body and whose `send` posts it with the viewer's token; nothing else in
//! the simulator has to change.

use std::sync::Arc;

use super::catalog::Offer;
use crate::client::{ClientError, RestClient};
use crate::domain::builder::PayloadBuilder;
use crate::domain::{IntakePayload, Reply, RoomId};

/// One purchase, ready to send and to send again byte for byte.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub key: String,
    pub body: Arc<[u8]>,
    pub instant: bool,
}

/// How purchases reach the server.
#[derive(Clone)]
pub enum Shop {
    /// Canonical intakes under an integration (or admin) token.
    Intake {
        client: RestClient,
        room: RoomId,
        performer: String,
    },
}

/// What a viewer buys, before it is turned into a request.
pub struct Purchase<'a> {
    pub user: &'a str,
    pub display_name: &'a str,
    pub offer: &'a Offer,
    pub instant: bool,
    pub private_request: bool,
    pub key: &'a str,
    /// The client's stamp (metadata only; the server stamps again).
    pub client_stamp: &'a str,
}

impl Shop {
    pub fn prepare(&self, purchase: &Purchase<'_>) -> Prepared {
        match self {
            Shop::Intake { performer, .. } => {
                let payload = payload_for(
                    performer,
                    purchase.user,
                    purchase.display_name,
                    purchase.key,
                    purchase.offer,
                    purchase.private_request,
                    purchase.client_stamp,
                );
                Prepared {
                    key: purchase.key.to_string(),
                    body: serde_json::to_vec(&payload)
                        .expect("payloads serialize")
                        .into(),
                    instant: purchase.instant,
                }
            }
        }
    }

    /// The same purchase with a different price: what a buggy client that
    /// reuses a key for another purchase would send.
    pub fn prepare_conflicting(&self, purchase: &Purchase<'_>) -> Prepared {
        let mut prepared = self.prepare(purchase);
        if let Ok(mut payload) = serde_json::from_slice::<IntakePayload>(&prepared.body) {
            payload.token_cost += 1;
            prepared.body = serde_json::to_vec(&payload)
                .expect("payloads serialize")
                .into();
        }
        prepared
    }

    pub async fn send(&self, prepared: &Prepared) -> Result<Reply, ClientError> {
        match self {
            Shop::Intake { client, room, .. } => {
                client
                    .intake(room, &prepared.body, &prepared.key, prepared.instant)
                    .await
            }
        }
    }
}

/// The canonical intake payload for one purchase of `offer`.
pub fn payload_for(
    performer: &str,
    user: &str,
    display_name: &str,
    key: &str,
    offer: &Offer,
    private_request: bool,
    client_stamp: &str,
) -> IntakePayload {
    let mut builder = PayloadBuilder::new(performer, user, key, offer.tokens)
        .title(&offer.title)
        .description(&offer.description)
        .menu_item(&offer.id)
        .duration_ms(offer.duration_ms)
        .display_name(display_name);
    if private_request {
        builder = builder.private_request();
    }
    for effect in &offer.effects {
        builder = builder.toy(
            effect.timing,
            effect.intensity,
            effect.duration_ms,
            effect.pattern,
        );
    }
    let mut payload = builder.build();
    payload.created_at_high_precision = client_stamp.into();
    payload
}
