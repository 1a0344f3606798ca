//! Placeholder.

use super::CommonArgs;

#[derive(Debug, clap::Args)]
pub struct RsfArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn rsf(_args: RsfArgs) -> anyhow::Result<()> {
    anyhow::bail!("rsf is not available yet")
}
