//! Registry tests. They cover the SQLite file (migrations, permissions,
//! pragmas), the validation rules, and single writes with their audit trail
//! and optimistic locking. They also cover CSV import in both modes with one
//! fixture per failure mode, the export/import round trip, concurrent
//! writers, the real DTSDHCC cohort, the reads at scale, and the command
//! line run as a separate process.
//!
//! Fixtures are in `tests/data/registry/` (one file per bad input) and
//! `tests/data/dtsdhcc/`.

mod common;

mod cli;
mod concurrency;
mod dtsdhcc;
mod export;
mod import;
mod migrate;
mod queries;
mod rejects;
mod scale;
mod validate;
mod writes;
