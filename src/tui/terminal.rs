//! Taking over the terminal and giving it back on every exit path.
//!
//! [`TerminalGuard`] enters raw mode and the alternate screen, and restores
//! both when dropped, so an early return through `?` leaves the terminal
//! usable. A panic hook restores the terminal too, but only for a panic on
//! the interface thread: a worker thread that panics is reported as a failed
//! job while the interface keeps running, and restoring the terminal under a
//! live interface would garble the screen.

use std::io::{self, Stdout, stdout};
use std::sync::OnceLock;
use std::thread::{self, ThreadId};

use crossterm::cursor::Show;
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The thread that owns the terminal, set once by the first guard.
static UI_THREAD: OnceLock<ThreadId> = OnceLock::new();

/// Owns the terminal while the interface runs.
pub struct TerminalGuard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    /// Enter raw mode and the alternate screen, and install the panic hook.
    ///
    /// # Errors
    ///
    /// When standard output is not a terminal or cannot be switched to raw
    /// mode; the terminal is restored before the error is returned.
    pub fn new() -> io::Result<Self> {
        install_panic_hook();
        enable_raw_mode()?;
        let setup = execute!(stdout(), EnterAlternateScreen)
            .and_then(|()| Terminal::new(CrosstermBackend::new(stdout())));
        match setup {
            Ok(mut terminal) => {
                terminal.clear()?;
                Ok(Self { terminal })
            }
            Err(error) => {
                restore();
                Err(error)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Leave raw mode and the alternate screen and show the cursor. Errors are
/// ignored: there is nothing better to do with them while exiting.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), LeaveAlternateScreen, Show);
}

/// Chain a hook that restores the terminal before the default panic message
/// is printed, for panics on the interface thread only.
fn install_panic_hook() {
    if UI_THREAD.set(thread::current().id()).is_err() {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if UI_THREAD.get() == Some(&thread::current().id()) {
            restore();
        }
        previous(info);
    }));
}
