//! Stream overlays: the queue, the stage timer, the toy, the recent events,
//! the games, the toy lane and the tip levels board as pages for an
//! encoder's browser source (OBS), served on loopback while the console
//! runs. `feed` maps the console's state to each widget's public view
//! (`views`; the games' boards in `games`, the lane's copy in `lane`, the
//! levels board in `board`), `task` keeps it and publishes the frames,
//! `server` serves the pages and their event streams, `tokens` keeps each
//! widget's read-only token. See docs/OVERLAYS.md.

mod board;
pub mod feed;
mod games;
mod lane;
mod server;
pub mod task;
pub mod tokens;
pub mod views;

use std::path::PathBuf;
use std::sync::Arc;

use ratatui::style::Color;
use tokio::sync::{mpsc, watch};

use crate::client::RestClient;
use crate::domain::RoomId;
pub use server::PING_EVERY;
pub use task::Input;
use tokens::Tokens;
pub use views::Widget;

/// The port the overlays listen on unless told otherwise.
pub const DEFAULT_PORT: u16 = 7071;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlaySettings {
    pub enabled: bool,
    pub port: u16,
    /// Where the widgets' tokens are kept.
    pub tokens_file: PathBuf,
}

/// The run loop's end of the overlays: a channel in, the URLs out.
pub struct OverlayHandle {
    tx: mpsc::UnboundedSender<Input>,
    tokens: watch::Sender<Arc<Tokens>>,
    tokens_file: PathBuf,
    port: u16,
}

/// The console theme's colours as CSS custom properties (`--green: #…`),
/// by the pages' names: text, dim, accent, green, yellow, red, overtime,
/// toy, success.
pub fn theme_css(slots: &[(&str, Color)]) -> String {
    let vars: Vec<String> = slots
        .iter()
        .filter_map(|(name, color)| css_color(*color).map(|hex| format!("--{name}: {hex};")))
        .collect();
    format!(":root {{ {} }}", vars.join(" "))
}

/// A terminal colour as CSS (the xterm palette for named ones); none for
/// the terminal's default, so the page's own default applies.
pub fn css_color(color: Color) -> Option<String> {
    let (r, g, b) = match color {
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Black => (0, 0, 0),
        Color::Red => (205, 0, 0),
        Color::Green => (0, 205, 0),
        Color::Yellow => (205, 205, 0),
        Color::Blue => (0, 0, 238),
        Color::Magenta => (205, 0, 205),
        Color::Cyan => (0, 205, 205),
        Color::Gray => (229, 229, 229),
        Color::DarkGray => (127, 127, 127),
        Color::LightRed => (255, 0, 0),
        Color::LightGreen => (0, 255, 0),
        Color::LightYellow => (255, 255, 0),
        Color::LightBlue => (92, 92, 255),
        Color::LightMagenta => (255, 0, 255),
        Color::LightCyan => (0, 255, 255),
        Color::White => (255, 255, 255),
        Color::Reset | Color::Indexed(_) => return None,
    };
    Some(format!("#{r:02x}{g:02x}{b:02x}"))
}

impl OverlayHandle {
    /// Listen on 127.0.0.1:`port` and start the feed. `rest` fetches the
    /// games' prize lists and the spins' receipts.
    pub async fn start(
        settings: &OverlaySettings,
        theme_css: String,
        rest: RestClient,
        room: RoomId,
    ) -> Result<OverlayHandle, String> {
        let tokens = Tokens::load_or_create(&settings.tokens_file)?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", settings.port))
            .await
            .map_err(|e| {
                format!(
                    "overlays: cannot listen on 127.0.0.1:{}: {e}",
                    settings.port
                )
            })?;
        let port = listener
            .local_addr()
            .map_err(|e| format!("overlays: {e}"))?
            .port();
        let (tokens_tx, tokens_rx) = watch::channel(Arc::new(tokens));
        let (tx, frames) = task::spawn(rest, room);
        let app = server::router(frames, tokens_rx, theme_css);
        tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                tracing::warn!(error = %err, "the overlay server stopped");
            }
        });
        tracing::info!(port, "overlays listening");
        Ok(OverlayHandle {
            tx,
            tokens: tokens_tx,
            tokens_file: settings.tokens_file.clone(),
            port,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn send(&self, input: Input) {
        let _ = self.tx.send(input);
    }

    /// Every widget's URL with its token.
    pub fn urls(&self) -> Vec<(Widget, String)> {
        let tokens = self.tokens.borrow();
        Widget::ALL
            .into_iter()
            .map(|w| {
                let url = format!(
                    "http://127.0.0.1:{}/overlay/{}?token={}",
                    self.port,
                    w.name(),
                    tokens.get(w)
                );
                (w, url)
            })
            .collect()
    }

    /// New tokens for every widget: the old ones are refused from now on
    /// and the pages that used them are cut off.
    pub fn regenerate(&self) -> Result<(), String> {
        let tokens = Tokens::random();
        tokens.save(&self.tokens_file)?;
        self.tokens.send_replace(Arc::new(tokens));
        Ok(())
    }
}
