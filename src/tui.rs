//! The terminal interface coordinators use over SSH: keyboard only, usable
//! at 80×24, with long work on worker threads.

use std::path::PathBuf;

pub mod jobs;
pub mod keymap;
pub mod terminal;
pub mod theme;
pub mod widgets;

/// Open the interface on a registry file.
///
/// # Errors
///
/// When the registry cannot be opened or the terminal cannot be set up.
pub fn run(_db: PathBuf) -> anyhow::Result<()> {
    anyhow::bail!("the terminal interface is not available yet")
}
