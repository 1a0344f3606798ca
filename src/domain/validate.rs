//! Validation rules for patient and follow-up input.
