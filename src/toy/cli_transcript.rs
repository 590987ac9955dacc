//! Hardware mode's transcript: the messages as they went over the link,
//! and for the virtual toy each output's level whenever it changes.

use tokio::sync::broadcast;
use tokio::time::{Instant, sleep_until};

use super::connect::Connected;
use super::device::ToyEvent;
use super::outputs;
use super::transport::WireLine;
use super::virtual_toy::VirtualControl;

/// The transcript: the messages as they go over the link (Lovense text for
/// Bluetooth and the virtual toy; buttplug JSON for Intiface; request
/// bodies and answers for Lovense Remote, whose Lovense text never leaves
/// cuedeck and is not shown), and for the virtual toy each output's level
/// whenever it changes.
pub(super) struct Transcript {
    events: broadcast::Receiver<ToyEvent>,
    virtual_toy: Option<VirtualControl>,
    shown: Option<outputs::Levels>,
    pub(super) own_wire: bool,
    /// Commands the toy or the app refused, and the last warning shown.
    refused: usize,
    notice: Option<String>,
}

impl Transcript {
    /// Takes the connection's own receiver: it has every event from the
    /// first write on.
    pub(super) fn new(c: &mut Connected) -> Transcript {
        Transcript {
            events: std::mem::replace(&mut c.events, c.toy.events()),
            virtual_toy: c.virtual_control.clone(),
            shown: None,
            own_wire: c.toy.status().borrow().backend.has_own_wire(),
            refused: 0,
            notice: None,
        }
    }

    /// Prints every line waiting; true once closed.
    pub(super) fn print_pending(&mut self) -> bool {
        loop {
            match self.events.try_recv() {
                Ok(event) => {
                    if self.print_event(&event) {
                        return true;
                    }
                }
                Err(broadcast::error::TryRecvError::Lagged(n)) => {
                    println!("!! {n} lines skipped")
                }
                Err(broadcast::error::TryRecvError::Empty) => return false,
                Err(broadcast::error::TryRecvError::Closed) => return true,
            }
        }
    }

    fn print_event(&mut self, event: &ToyEvent) -> bool {
        match event {
            // Inside cuedeck only: the link's own messages are shown.
            ToyEvent::Sent(_) | ToyEvent::Received(_) if self.own_wire => {}
            ToyEvent::Sent(cmd) => println!("-> {cmd}"),
            ToyEvent::Received(reply) => {
                println!("<- {reply}");
                self.print_levels();
            }
            ToyEvent::Wire(WireLine::Out(text)) => println!("-> {text}"),
            ToyEvent::Wire(WireLine::In(text)) => println!("<- {text}"),
            ToyEvent::Notice(Some(text)) => {
                println!("# warning: {text}");
                self.notice = Some(text.clone());
            }
            ToyEvent::Notice(None) => {}
            ToyEvent::BadReply(e) => println!("!! bad reply: {e}"),
            ToyEvent::Refused(_) if self.own_wire => {
                self.refused += 1;
                println!("!! refused (the answer above)");
            }
            ToyEvent::Refused(cmd) => {
                self.refused += 1;
                println!("!! refused: {cmd}");
            }
            ToyEvent::NoReply(cmd) => println!("!! no reply to {cmd}"),
            ToyEvent::WriteFailed(cmd) => println!("!! write failed: {cmd}"),
            ToyEvent::Disconnected => println!("!! disconnected"),
            ToyEvent::Reconnected => println!("!! reconnected"),
            ToyEvent::Closed => {
                self.print_levels();
                return true;
            }
        }
        false
    }

    /// `#   vibrate 5/20 · thrust 5/20` when the virtual toy's outputs moved.
    fn print_levels(&mut self) {
        let Some(ctl) = &self.virtual_toy else { return };
        let levels = ctl.levels();
        if self.shown == Some(levels) {
            return;
        }
        self.shown = Some(levels);
        let spec = ctl.spec();
        let parts: Vec<String> = spec
            .outputs
            .iter()
            .zip(levels.values())
            .map(|(o, v)| format!("{} {v}/{}", o.label, o.max))
            .collect();
        println!("#   {}", parts.join(" · "));
    }

    /// Prints lines as they come until `until`.
    pub(super) async fn print_until(&mut self, until: Instant) {
        loop {
            tokio::select! {
                event = self.events.recv() => match event {
                    Ok(event) => {
                        if self.print_event(&event) {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => println!("!! {n} lines skipped"),
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                () = sleep_until(until) => return,
            }
        }
    }
}

impl Transcript {
    /// Exit 1 when anything was refused, naming why where known.
    pub(super) fn verdict(&self) -> Result<(), String> {
        if self.refused == 0 {
            return Ok(());
        }
        let why = self
            .notice
            .clone()
            .unwrap_or_else(|| "the toy refused a command".to_owned());
        Err(format!("{why} ({} command(s) refused)", self.refused))
    }
}
