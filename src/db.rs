//! The registry file: opening it with the right pragmas, applying
//! `migrations/*.sql`, queries, the audit log and backups.
