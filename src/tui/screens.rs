//! The screens of the interface, one file each.

pub mod cohort;
pub mod followup_form;
pub mod models;
pub mod patient;
pub mod patient_form;
pub mod patients;
pub mod prediction_panel;
pub mod worklist;
