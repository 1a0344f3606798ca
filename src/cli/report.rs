//! Placeholder.

use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_db: PathBuf, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`report` is not available yet")
}
