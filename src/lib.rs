//! tace-registry: a registry of patients with unresectable hepatocellular
//! carcinoma, the two models fitted on it, and the terminal interface that
//! research coordinators use over SSH.
//!
//! Modules and what each may depend on:
//!
//! - [`stats`]: numerical methods on plain slices and matrices (Kaplan–Meier,
//!   log-rank, Cox, logistic, penalised regression, concordance,
//!   time-dependent AUC, calibration, decision curves, propensity matching,
//!   survival forests, classifiers). It imports nothing else from the crate.
//! - [`domain`]: patients, baseline variables, follow-up contacts, their units,
//!   validation rules and derived values. It knows nothing of SQL or terminals.
//! - [`db`]: the SQLite file, its migrations, queries, the audit log and
//!   backups. It depends on `domain`.
//! - [`synth`]: the seeded synthetic cohort. It depends on `domain`.
//! - [`pipeline`]: the TACE-benefit and overall-survival pipelines, model
//!   versions and prediction for one patient. It composes `domain`, `db` and
//!   `stats`.
//! - [`report`]: tables and SVG figures written to a folder.
//! - [`tui`] and [`cli`]: the two front ends. They call `pipeline`, `db` and
//!   `domain`; only the `stats` subcommand calls `stats` directly.

pub mod cli;
pub mod db;
pub mod domain;
pub mod pipeline;
pub mod report;
pub mod stats;
pub mod synth;
pub mod tui;
