//! The terminal interface coordinators use over SSH: keyboard only, usable
//! at 80×24, with long work on worker threads.
//!
//! [`run`] owns the terminal through a [`terminal::TerminalGuard`] and
//! loops: collect job messages, draw, wait briefly for a key. The state and
//! all key handling live in [`app::App`], which tests drive directly.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use crossterm::event;

use crate::db::Registry;

pub mod active_models;
pub mod app;
pub mod describe;
pub mod form;
pub mod format;
pub mod jobs;
pub mod keymap;
pub mod predictions;
pub mod queries;
pub mod screens;
pub mod terminal;
pub mod theme;
pub mod widgets;

/// How long the loop waits for a key before it looks at jobs again.
const TICK: Duration = Duration::from_millis(100);

/// Open the interface on a registry file and run it until the user quits.
///
/// # Errors
///
/// When the registry cannot be opened or the terminal cannot be set up or
/// written to; the terminal is restored first.
pub fn run(db: PathBuf) -> anyhow::Result<()> {
    let registry = Registry::open(&db)?;
    let mut app = app::App::new(registry);
    let mut guard = terminal::TerminalGuard::new()
        .context("failed to set up the terminal (is standard output a terminal?)")?;
    tracing::info!(path = %db.display(), "interface started");
    while !app.should_quit() {
        app.tick();
        guard
            .terminal
            .draw(|frame| app.render(frame))
            .context("failed to draw the interface")?;
        if event::poll(TICK).context("failed to read the keyboard")? {
            let event = event::read().context("failed to read the keyboard")?;
            app.handle_event(&event);
        }
    }
    drop(guard);
    tracing::info!(path = %db.display(), "interface closed");
    Ok(())
}
