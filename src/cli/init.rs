//! `tace-registry init`: create a new, empty registry file.

use std::path::PathBuf;

use crate::db::Registry;

/// Options of `init` (the file is given by the global --db).
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Create the registry file; an existing file is never overwritten.
///
/// # Errors
///
/// When the file exists or cannot be created.
pub fn run(db: PathBuf, _args: Args) -> anyhow::Result<()> {
    let registry = Registry::create(&db)?;
    println!(
        "Created registry {} (schema version {}).",
        db.display(),
        registry.schema_version()?
    );
    Ok(())
}
