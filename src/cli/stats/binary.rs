//! Placeholder.

use super::CommonArgs;

#[derive(Debug, clap::Args)]
pub struct LogisticArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn logistic(_args: LogisticArgs) -> anyhow::Result<()> {
    anyhow::bail!("logistic is not available yet")
}
