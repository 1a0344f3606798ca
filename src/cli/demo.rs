//! `tace-registry demo`: copy the sample registry to a working file outside
//! the source tree, print its path and open the interface on it (with
//! `--json`, print a summary of its contents instead). The tracked sample
//! file is only read, never opened by SQLite.

use std::fs::{OpenOptions, Permissions};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde_json::json;

use crate::db::{FILE_MODE, Registry};

/// Name of the working copy inside the data folder.
const WORKING_COPY: &str = "demo.sqlite";

/// Options of `demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Registry file to copy instead of the sample registry
    /// `sample_db/registry.sqlite` of the source tree.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,

    /// Replace an existing working copy with a fresh copy of the sample
    /// registry (changes made in the old copy are lost).
    #[arg(long)]
    pub reset: bool,

    /// Print a summary of the working copy as JSON instead of opening the
    /// interface.
    #[arg(long)]
    pub json: bool,
}

/// Returns the path of the tracked sample registry in the source tree this
/// binary was built from.
fn sample_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_db/registry.sqlite")
}

/// `$XDG_DATA_HOME/tace-registry`, else `~/.local/share/tace-registry`.
fn data_dir() -> anyhow::Result<PathBuf> {
    let base = match std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            Some(home) => PathBuf::from(home).join(".local/share"),
            None => bail!("neither XDG_DATA_HOME nor HOME is set, so set one of them"),
        },
    };
    Ok(base.join("tace-registry"))
}

/// Copy the sample and open the interface on the copy, or print a summary
/// with `--json`.
///
/// # Errors
///
/// When the sample is missing or the copy cannot be written or opened.
pub fn run(args: Args) -> anyhow::Result<()> {
    let sample = args.from.clone().unwrap_or_else(sample_path);
    if !sample.is_file() {
        bail!(
            "sample registry {} not found, so create it with `tace-registry generate --db {}`",
            sample.display(),
            sample.display()
        );
    }

    let dir = data_dir()?;
    std::fs::create_dir_all(&dir).with_context(|| format!("failed to create {}", dir.display()))?;
    let working = dir.join(WORKING_COPY);
    if args.reset || !working.exists() {
        copy_sample(&sample, &working)?;
    }

    let registry = Registry::open(&working)?;
    let summary = registry.summary()?;
    if args.json {
        let value = json!({
            "path": working,
            "patients_tace": summary.tace,
            "patients_no_tace": summary.no_tace,
            "patients_withdrawn": summary.withdrawn,
            "followups": summary.followups,
            "deaths": summary.deaths,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    drop(registry);
    println!("Working copy: {}", working.display());
    crate::tui::run(working.clone())?;
    println!(
        "Changes were saved in {}; `tace-registry demo --reset` starts again from the sample.",
        working.display()
    );
    Ok(())
}

/// Replace `working` (and its WAL files) with a copy of `sample`, mode 0600.
fn copy_sample(sample: &Path, working: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut path = working.as_os_str().to_owned();
        path.push(suffix);
        match std::fs::remove_file(&path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(error)
                    .with_context(|| format!("failed to remove {}", Path::new(&path).display()));
            }
            _ => {}
        }
    }
    let mut source = std::fs::File::open(sample)
        .with_context(|| format!("failed to read {}", sample.display()))?;
    let mut target = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(working)
        .with_context(|| format!("failed to create {}", working.display()))?;
    std::io::copy(&mut source, &mut target)
        .with_context(|| format!("failed to copy to {}", working.display()))?;
    target.set_permissions(Permissions::from_mode(FILE_MODE))?;
    Ok(())
}
