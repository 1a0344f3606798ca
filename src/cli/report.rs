//! `tace-registry report`: the active models' results, Kaplan–Meier figures
//! and tables, written to a folder.

use std::path::PathBuf;

use anyhow::Context;

use crate::db::Registry;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to write `results.md`, the SVG figures and `metrics.json` to.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

pub fn run(db: PathBuf, args: Args) -> anyhow::Result<()> {
    let registry = Registry::open(&db).with_context(|| format!("cannot open {}", db.display()))?;
    let written = crate::report::write(&registry, &args.out)?;
    println!(
        "Wrote {} files to {} (benefit model v{}, survival model v{}).",
        written.files.len(),
        args.out.display(),
        written.benefit_version,
        written.survival_version
    );
    Ok(())
}
