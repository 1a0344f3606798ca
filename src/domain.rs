//! Patients, their baseline work-up and follow-up contacts: the types, units,
//! validation rules and derived values of the registry. Nothing here knows
//! about SQL or terminals.

pub mod analysis;
pub mod csv;
pub mod cutoffs;
pub mod derived;
pub mod patient;
pub mod validate;

pub use patient::{
    Baseline, Bclc, ChildPugh, FollowUp, PatientRecord, Sex, Treatment, VitalStatus,
};
