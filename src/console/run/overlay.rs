//! The console's side of the stream overlays: start their server, show
//! their URLs, and hand them the console's state and the room's events
//! over a channel (the console keeps no socket of theirs).

use crate::client::{RestClient, StreamEvent};
use crate::console::app::App;
use crate::console::config::Resolved;
use crate::domain::{RoomId, Stamp};
use crate::overlay::views::{OutputBar, ToyBar};
use crate::overlay::{self, OverlayHandle};
use crate::toy::device::ToyStatus;
use crate::toy::scheduler::SchedulerHandle;
use crate::toy::strip::short_label;

/// The overlay server, when the configuration wants it; the toy screen
/// shows its URLs, or why there are none.
pub(in crate::console) async fn start_overlays(
    config: &Resolved,
    rest: &RestClient,
    room: &RoomId,
    app: &mut App,
) -> Option<OverlayHandle> {
    if !config.overlay.enabled {
        app.overlay = vec!["off: [overlay] enabled = false in the config file".into()];
        return None;
    }
    let t = &config.theme;
    let colours = overlay::theme_css(&[
        ("text", t.text),
        ("dim", t.dim),
        ("accent", t.accent),
        ("green", t.timer_green),
        ("yellow", t.timer_yellow),
        ("red", t.timer_red),
        ("overtime", t.overtime),
        ("toy", t.toy_active),
        ("success", t.success),
    ]);
    match OverlayHandle::start(&config.overlay, colours, rest.clone(), room.clone()).await {
        Ok(handle) => {
            app.overlay = overlay_lines(&handle);
            Some(handle)
        }
        Err(err) => {
            tracing::warn!(error = %err, "no overlays");
            app.overlay = vec![err];
            None
        }
    }
}

pub(in crate::console) fn overlay_lines(handle: &OverlayHandle) -> Vec<String> {
    handle
        .urls()
        .into_iter()
        .map(|(widget, url)| format!("{:<7} {url}", widget.name()))
        .collect()
}

pub(in crate::console) fn regenerate_overlays(overlays: Option<&OverlayHandle>, app: &mut App) {
    let Some(handle) = overlays else { return };
    let note = match handle.regenerate() {
        Ok(()) => "new overlay tokens: update the browser sources' URLs".to_string(),
        Err(err) => format!("overlay tokens not changed: {err}"),
    };
    app.overlay = overlay_lines(handle);
    app.toy_note(note, Stamp::now());
}

/// The console's state as the overlays see it (they keep no sockets of
/// ours and we keep none of theirs: a channel between).
pub(in crate::console) fn publish(
    overlays: Option<&OverlayHandle>,
    app: &App,
    toys: &SchedulerHandle,
) {
    let Some(handle) = overlays else { return };
    handle.send(overlay::Input::State(std::sync::Arc::new(
        overlay::feed::ConsoleState {
            connected: app.connected(),
            in_progress: app.model.as_ref().and_then(|m| m.in_progress.clone()),
            waiting: app
                .model
                .as_ref()
                .map(|m| m.waiting.clone())
                .unwrap_or_default(),
            offset_us: app.offset_us,
            toy_halted: app.toy.halted,
            toys: toys
                .toys()
                .iter()
                .map(|t| toy_bar(t.label(), &t.status().borrow()))
                .collect(),
        },
    )));
}

pub(in crate::console) fn tell_overlays(overlays: Option<&OverlayHandle>, event: &StreamEvent) {
    if let (Some(handle), StreamEvent::Event { event, .. }) = (overlays, event) {
        handle.send(overlay::Input::Event(event.clone()));
    }
}

/// A toy as its overlay bar: the strongest level, and each output's own
/// when it has more than one (as the toy strip shows them).
fn toy_bar(label: &str, status: &ToyStatus) -> ToyBar {
    let outputs = status.identity.as_ref().map_or(&[][..], |i| i.outputs());
    let levels = status.outputs.values();
    ToyBar {
        label: label.to_string(),
        level: status.level,
        outputs: if outputs.len() > 1 {
            outputs
                .iter()
                .enumerate()
                .map(|(i, o)| OutputBar {
                    name: short_label(o.label).to_string(),
                    level: levels.get(i).copied().unwrap_or(0),
                    max: o.max,
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}
