//! The terminal: raw mode and the alternate screen (undone on drop, on
//! panic and on suspend), the hang-up signals, and what one terminal event
//! does to the state, the same for every console loop.

use std::io::{self, Stdout, Write};

use crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, Event as TermEvent, KeyEventKind,
};
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute, queue};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;

use crate::console::app::{App, Effect};
use crate::console::view;
use crate::domain::Stamp;

fn leave_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
}

/// Raw mode and the alternate screen, undone on drop and on panic.
pub(in crate::console) struct Tui {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl Tui {
    pub(in crate::console) fn enter() -> io::Result<Tui> {
        Ok(Tui {
            terminal: Self::fresh()?,
        })
    }

    /// A cleared alternate screen and a terminal with empty buffers, so the
    /// next draw paints everything. (ratatui's own clear asks the terminal
    /// for the cursor position, which not every terminal answers.)
    fn fresh() -> io::Result<Terminal<CrosstermBackend<Stdout>>> {
        enable_raw_mode()?;
        execute!(
            io::stdout(),
            EnterAlternateScreen,
            // A paste arrives whole, as one edit, not as typed keys.
            EnableBracketedPaste,
            cursor::Hide,
            Clear(ClearType::All)
        )?;
        Terminal::new(CrosstermBackend::new(io::stdout()))
    }

    pub(in crate::console) fn draw(&mut self, app: &App) -> io::Result<()> {
        // Synchronized output: the terminal shows the frame whole, never half.
        queue!(io::stdout(), crossterm::terminal::BeginSynchronizedUpdate)?;
        self.terminal
            .draw(|frame| view::draw(frame, app, Stamp::now()))?;
        queue!(io::stdout(), crossterm::terminal::EndSynchronizedUpdate)?;
        io::stdout().flush()
    }

    /// Ctrl-Z: give the terminal back, stop, and take it again on `fg`.
    pub(in crate::console) fn suspend(&mut self) -> io::Result<()> {
        leave_terminal();
        #[cfg(unix)]
        // SAFETY: raising a signal on our own process has no memory effects.
        unsafe {
            libc::raise(libc::SIGTSTP);
        }
        self.terminal = Self::fresh()?;
        Ok(())
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        leave_terminal();
    }
}

/// Restore the terminal before a panic message prints (the toy module's
/// own hook, installed first, stops every toy).
pub(in crate::console) fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave_terminal();
        previous(info);
    }));
}

/// SIGHUP and SIGTERM end the console cleanly (terminal restored, toy stopped).
pub(in crate::console) fn signals() -> mpsc::Receiver<()> {
    let (tx, rx) = mpsc::channel(1);
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut hup), Ok(mut term)) = (
            signal(SignalKind::hangup()),
            signal(SignalKind::terminate()),
        ) else {
            return;
        };
        tokio::select! {
            _ = hup.recv() => {}
            _ = term.recv() => {}
        }
        let _ = tx.send(()).await;
    });
    rx
}

/// What one terminal event did to the state.
pub(in crate::console) enum TermOutcome {
    /// The state changed (a key, a resize); these effects follow.
    Changed(Vec<Effect>),
    Unchanged,
    /// The terminal's input ended.
    Closed,
}

/// A terminal event, the same for every console loop: key presses go to
/// the input layer, resizes to the layout; a failed terminal is an error.
pub(in crate::console) fn on_terminal(
    app: &mut App,
    event: Option<std::io::Result<TermEvent>>,
) -> Result<TermOutcome, String> {
    match event {
        Some(Ok(TermEvent::Key(key))) if key.kind == KeyEventKind::Press => {
            Ok(TermOutcome::Changed(app.on_key(key, Stamp::now())))
        }
        Some(Ok(TermEvent::Paste(text))) => Ok(if app.on_paste(&text) {
            TermOutcome::Changed(Vec::new())
        } else {
            TermOutcome::Unchanged
        }),
        Some(Ok(TermEvent::Resize(width, height))) => {
            app.size = (width, height);
            Ok(TermOutcome::Changed(Vec::new()))
        }
        Some(Ok(_)) => Ok(TermOutcome::Unchanged),
        Some(Err(err)) => Err(format!("the terminal failed: {err}")),
        None => Ok(TermOutcome::Closed),
    }
}
