//! Placeholder.

use super::CommonArgs;

macro_rules! placeholder {
    ($args:ident, $fn:ident) => {
        #[derive(Debug, clap::Args)]
        pub struct $args {
            #[command(flatten)]
            pub common: CommonArgs,
        }
        pub fn $fn(_args: $args) -> anyhow::Result<()> {
            anyhow::bail!(concat!(stringify!($fn), " is not available yet"))
        }
    };
}
placeholder!(ConcordanceArgs, concordance);
placeholder!(TdaucArgs, tdauc);
