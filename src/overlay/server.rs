//! The overlay pages on loopback: `/overlay/{widget}?token=…` is the page
//! (HTML, CSS and script embedded in the binary), `/overlay/{widget}/feed?
//! token=…` its server-sent events: the widget's frame at once, then each
//! change, and a ping every two seconds so a page can tell a live console
//! from a lost one. A token opens its own widget only; a regenerated token
//! closes the streams that used the old one at once.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event as SseEvent, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::Stream;
use serde::Deserialize;
use tokio::sync::watch;

use super::task::Frames;
use super::tokens::Tokens;
use super::views::Widget;

const PAGE: &str = include_str!("static/page.html");
const STYLE: &str = include_str!("static/overlay.css");
const SCRIPT: &str = include_str!("static/overlay.js");
/// How often a stream says it is alive.
pub const PING_EVERY: Duration = Duration::from_secs(2);

#[derive(Clone)]
struct Shared {
    frames: Arc<Frames>,
    tokens: watch::Receiver<Arc<Tokens>>,
    /// `:root { --slot: #hex; … }` from the console's theme.
    theme_css: Arc<str>,
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

pub fn router(frames: Frames, tokens: watch::Receiver<Arc<Tokens>>, theme_css: String) -> Router {
    Router::new()
        .route("/overlay/{widget}", get(page))
        .route("/overlay/{widget}/feed", get(feed))
        .with_state(Shared {
            frames: Arc::new(frames),
            tokens,
            theme_css: theme_css.into(),
        })
}

fn refused(status: StatusCode) -> Response {
    let text = if status == StatusCode::NOT_FOUND {
        "no such overlay: the widgets are queue, stage, toy, events, wheel, slot, lane and levels"
    } else {
        "unauthorized: this overlay's token is wrong or was regenerated; copy the URL again from the console's toy screen"
    };
    (status, [(header::CACHE_CONTROL, "no-store")], text).into_response()
}

/// The widget, if the token opens it.
fn admitted(shared: &Shared, widget: &str, token: &str) -> Result<Widget, StatusCode> {
    let widget = Widget::from_name(widget).ok_or(StatusCode::NOT_FOUND)?;
    if shared.tokens.borrow().admits(widget, token) {
        Ok(widget)
    } else {
        Err(StatusCode::UNAUTHORIZED)
    }
}

async fn page(
    State(shared): State<Shared>,
    Path(widget): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Response {
    let widget = match admitted(&shared, &widget, &query.token) {
        Ok(widget) => widget,
        Err(status) => return refused(status),
    };
    let html = PAGE
        .replace("{{WIDGET}}", widget.name())
        .replace("/*THEME*/", &shared.theme_css)
        .replace("/*STYLE*/", STYLE)
        .replace("/*SCRIPT*/", SCRIPT);
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        html,
    )
        .into_response()
}

struct Follow {
    frames: watch::Receiver<Arc<str>>,
    tokens: watch::Receiver<Arc<Tokens>>,
    widget: Widget,
    token: String,
    first: bool,
    ping: tokio::time::Interval,
}

async fn feed(
    State(shared): State<Shared>,
    Path(widget): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Response {
    let widget = match admitted(&shared, &widget, &query.token) {
        Ok(widget) => widget,
        Err(status) => return refused(status),
    };
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ping.reset();
    let follow = Follow {
        frames: shared.frames[&widget].clone(),
        tokens: shared.tokens.clone(),
        widget,
        token: query.token,
        first: true,
        ping,
    };
    let mut response = Sse::new(stream(follow)).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        "no-store".parse().expect("a valid header"),
    );
    response
}

fn stream(follow: Follow) -> impl Stream<Item = Result<SseEvent, Infallible>> {
    futures_util::stream::unfold(follow, |mut f| async move {
        if f.first {
            f.first = false;
            let frame = f.frames.borrow_and_update().clone();
            return Some((Ok(SseEvent::default().event("frame").data(&*frame)), f));
        }
        tokio::select! {
            changed = f.frames.changed() => {
                changed.ok()?;
                let frame = f.frames.borrow_and_update().clone();
                f.ping.reset();
                Some((Ok(SseEvent::default().event("frame").data(&*frame)), f))
            }
            changed = f.tokens.changed() => {
                changed.ok()?;
                if !f.tokens.borrow_and_update().admits(f.widget, &f.token) {
                    return None;
                }
                // Still admitted: say so, and carry on.
                Some((Ok(SseEvent::default().event("ping").data("")), f))
            }
            _ = f.ping.tick() => Some((Ok(SseEvent::default().event("ping").data("")), f)),
        }
    })
}
