//! Placeholder.

use std::path::PathBuf;

pub fn run(_db: PathBuf) -> anyhow::Result<()> {
    anyhow::bail!("the terminal interface is not available yet")
}
