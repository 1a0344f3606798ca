//! The audit log: one row per write, with the time, the operating-system
//! user, the action, the study id and the values before and after as JSON.

use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::Value;

use super::error::DbError;
use super::open::{Registry, now_timestamp};

/// Action names written to the audit log by this module.
pub mod action {
    /// A patient entered one at a time.
    pub const INSERT_PATIENT: &str = "insert_patient";
    /// A change of a patient's centre, treatment or baseline.
    pub const UPDATE_PATIENT: &str = "update_patient";
    /// A withdrawal of consent.
    pub const WITHDRAW_PATIENT: &str = "withdraw_patient";
    /// A follow-up contact entered one at a time.
    pub const ADD_FOLLOWUP: &str = "add_followup";
    /// One patient's rows written by an import: the patient if new and
    /// the follow-ups added.
    pub const IMPORT_PATIENT: &str = "import_patient";
    /// The summary row of an import: sources and counts.
    pub const IMPORT: &str = "import";
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    /// UTC time, RFC 3339 with milliseconds.
    pub at: String,
    /// Operating-system user who made the change.
    pub user: String,
    pub action: String,
    pub study_id: Option<String>,
    /// Values before the change; `None` when there were none (an insert).
    pub before: Option<Value>,
    /// Values after the change.
    pub after: Option<Value>,
}

/// Append one row to the audit log, in the caller's transaction.
///
/// `before` and `after` are serialised to JSON; `None` is stored as NULL.
///
/// # Errors
///
/// A SQLite error, or [`DbError::Json`] when a value cannot be serialised.
pub fn record_audit<B: Serialize, A: Serialize>(
    conn: &Connection,
    user: &str,
    action: &str,
    study_id: Option<&str>,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<(), DbError> {
    let before = before.map(serde_json::to_string).transpose()?;
    let after = after.map(serde_json::to_string).transpose()?;
    conn.prepare_cached(
        "INSERT INTO audit_log (at, user, action, study_id, before_json, after_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        now_timestamp(),
        user,
        action,
        study_id,
        before,
        after
    ])?;
    Ok(())
}

fn parse_json(text: Option<String>) -> Result<Option<Value>, DbError> {
    Ok(text.as_deref().map(serde_json::from_str).transpose()?)
}

impl Registry {
    /// Reads the audit log, oldest first: every row, or the rows of one
    /// study id.
    ///
    /// # Errors
    ///
    /// A SQLite error, or [`DbError::Json`] for a corrupt stored value.
    pub fn audit_log(&self, study_id: Option<&str>) -> Result<Vec<AuditEntry>, DbError> {
        let mut statement = self.conn.prepare(
            "SELECT id, at, user, action, study_id, before_json, after_json FROM audit_log
             WHERE ?1 IS NULL OR study_id = ?1 ORDER BY id",
        )?;
        let rows = statement.query_map([study_id], |row| {
            Ok((
                AuditEntry {
                    id: row.get(0)?,
                    at: row.get(1)?,
                    user: row.get(2)?,
                    action: row.get(3)?,
                    study_id: row.get(4)?,
                    before: None,
                    after: None,
                },
                row.get::<_, Option<String>>(5)?,
                row.get::<_, Option<String>>(6)?,
            ))
        })?;
        let mut entries = Vec::new();
        for row in rows {
            let (mut entry, before, after) = row?;
            entry.before = parse_json(before)?;
            entry.after = parse_json(after)?;
            entries.push(entry);
        }
        Ok(entries)
    }
}
