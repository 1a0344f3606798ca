//! `tace-registry backup`: copy a live registry to a new file with SQLite's
//! online backup API, while other users keep working.

use std::path::PathBuf;

use crate::db::Registry;

/// Options of `backup`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// New file to write the copy to (mode 0600; an existing file is never
    /// overwritten).
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
}

/// Write the backup and report where it went.
///
/// # Errors
///
/// When the registry cannot be opened, the target exists, or the copy
/// fails its integrity check.
pub fn run(db: PathBuf, args: Args) -> anyhow::Result<()> {
    let registry = Registry::open(&db)?;
    registry.backup_to(&args.to)?;
    println!("Backed up {} to {}.", db.display(), args.to.display());
    Ok(())
}
