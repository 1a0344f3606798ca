//! Model versions in the registry file. Every refit of a pipeline is kept
//! with its parameters, splits, fitted model and metrics. At most one
//! version of each kind is active, and predictions name the version they use.

use std::fmt;
use std::str::FromStr;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

/// Which pipeline a version belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    Benefit,
    Survival,
}

/// Lifecycle state of a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    /// Fitted, not yet used for predictions.
    Candidate,
    /// The version predictions come from.
    Active,
    /// Was active, replaced by a later promotion.
    Retired,
    /// Could not be fitted honestly; `failure` contains the reason.
    Failed,
}

macro_rules! sql_text {
    ($ty:ty, [$(($variant:path, $text:literal)),+]) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($variant => $text,)+
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($variant),)+
                    other => Err(format!("unknown value `{other}`")),
                }
            }
        }
    };
}

sql_text!(
    ModelKind,
    [
        (ModelKind::Benefit, "benefit"),
        (ModelKind::Survival, "survival")
    ]
);
sql_text!(
    VersionStatus,
    [
        (VersionStatus::Candidate, "candidate"),
        (VersionStatus::Active, "active"),
        (VersionStatus::Retired, "retired"),
        (VersionStatus::Failed, "failed")
    ]
);

/// A model version as stored; the JSON columns stay text until needed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelVersion {
    pub id: i64,
    pub kind: ModelKind,
    pub status: VersionStatus,
    pub created_at: String,
    pub created_by: String,
    pub data_cutoff: String,
    pub seed: u64,
    pub patients: u64,
    pub events: u64,
    pub parameters: String,
    pub splits: Option<String>,
    pub model: Option<String>,
    pub metrics: Option<String>,
    pub failure: Option<String>,
    pub promoted_at: Option<String>,
    pub promoted_by: Option<String>,
}

/// A version about to be written.
#[derive(Debug, Clone)]
pub struct NewVersion {
    pub kind: ModelKind,
    pub created_at: String,
    pub created_by: String,
    pub data_cutoff: String,
    pub seed: u64,
    pub patients: u64,
    pub events: u64,
    pub parameters: String,
    /// The fitted model, or why it failed.
    pub outcome: Result<FittedParts, String>,
}

/// The JSON parts of a successful fit.
#[derive(Debug, Clone)]
pub struct FittedParts {
    pub splits: String,
    pub model: String,
    pub metrics: String,
}

const COLUMNS: &str = "id, kind, status, created_at, created_by, data_cutoff, seed, patients, \
                       events, parameters, splits, model, metrics, failure, promoted_at, \
                       promoted_by";

fn from_row(row: &Row<'_>) -> rusqlite::Result<ModelVersion> {
    let text_enum = |index: usize, text: String| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            format!("unexpected value `{text}` in model_version").into(),
        )
    };
    let kind: String = row.get(1)?;
    let status: String = row.get(2)?;
    Ok(ModelVersion {
        id: row.get(0)?,
        kind: kind.parse().map_err(|_| text_enum(1, kind.clone()))?,
        status: status.parse().map_err(|_| text_enum(2, status.clone()))?,
        created_at: row.get(3)?,
        created_by: row.get(4)?,
        data_cutoff: row.get(5)?,
        seed: row.get::<_, i64>(6)? as u64,
        patients: row.get::<_, i64>(7)? as u64,
        events: row.get::<_, i64>(8)? as u64,
        parameters: row.get(9)?,
        splits: row.get(10)?,
        model: row.get(11)?,
        metrics: row.get(12)?,
        failure: row.get(13)?,
        promoted_at: row.get(14)?,
        promoted_by: row.get(15)?,
    })
}

/// Write a new version (candidate, or failed with its reason) and return its
/// id. Call inside the caller's write transaction.
pub fn insert(conn: &Connection, version: &NewVersion) -> rusqlite::Result<i64> {
    let (status, splits, model, metrics, failure) = match &version.outcome {
        Ok(parts) => (
            VersionStatus::Candidate,
            Some(parts.splits.as_str()),
            Some(parts.model.as_str()),
            Some(parts.metrics.as_str()),
            None,
        ),
        Err(reason) => (
            VersionStatus::Failed,
            None,
            None,
            None,
            Some(reason.as_str()),
        ),
    };
    conn.execute(
        "INSERT INTO model_version (kind, status, created_at, created_by, data_cutoff, seed, \
         patients, events, parameters, splits, model, metrics, failure) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            version.kind.as_str(),
            status.as_str(),
            version.created_at,
            version.created_by,
            version.data_cutoff,
            version.seed as i64,
            version.patients as i64,
            version.events as i64,
            version.parameters,
            splits,
            model,
            metrics,
            failure,
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// One version by id.
pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<ModelVersion>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM model_version WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()
}

/// The active version of a kind, if any.
pub fn active(conn: &Connection, kind: ModelKind) -> rusqlite::Result<Option<ModelVersion>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM model_version WHERE kind = ?1 AND status = 'active'"),
        [kind.as_str()],
        from_row,
    )
    .optional()
}

/// Every version, newest first.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<ModelVersion>> {
    let mut statement = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM model_version ORDER BY id DESC"
    ))?;
    statement
        .query_map([], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()
}

/// Why a version cannot be promoted.
#[derive(Debug, thiserror::Error)]
pub enum PromoteError {
    #[error("model version {0} does not exist; `tace-registry refit` lists the versions")]
    NotFound(i64),
    #[error("model version {id} failed ({reason}) and cannot be promoted; refit instead")]
    Failed { id: i64, reason: String },
    #[error("model version {id} is {status}; only a candidate can be promoted")]
    NotCandidate { id: i64, status: VersionStatus },
    #[error(
        "model version {id} has a metric that could not be estimated ({reason}), so it is \
         not promoted; refit when more follow-up is recorded"
    )]
    NotEstimable { id: i64, reason: String },
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
}

/// Make a candidate the active version of its kind, retiring the one active
/// before. `blocking` is the reason a required metric is not estimable, if
/// any. Call inside the caller's write transaction.
pub fn promote(
    conn: &Connection,
    id: i64,
    user: &str,
    at: &str,
    blocking: Option<String>,
) -> Result<ModelVersion, PromoteError> {
    let version = get(conn, id)?.ok_or(PromoteError::NotFound(id))?;
    match version.status {
        VersionStatus::Candidate => {}
        VersionStatus::Failed => {
            return Err(PromoteError::Failed {
                id,
                reason: version.failure.unwrap_or_default(),
            });
        }
        status => return Err(PromoteError::NotCandidate { id, status }),
    }
    if let Some(reason) = blocking {
        return Err(PromoteError::NotEstimable { id, reason });
    }
    conn.execute(
        "UPDATE model_version SET status = 'retired' WHERE kind = ?1 AND status = 'active'",
        [version.kind.as_str()],
    )?;
    conn.execute(
        "UPDATE model_version SET status = 'active', promoted_at = ?2, promoted_by = ?3 \
         WHERE id = ?1",
        params![id, at, user],
    )?;
    get(conn, id)?.ok_or(PromoteError::NotFound(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(include_str!("../../migrations/0003_model_versions.sql"))
            .unwrap();
        conn
    }

    fn new(kind: ModelKind, outcome: Result<FittedParts, String>) -> NewVersion {
        NewVersion {
            kind,
            created_at: "2026-01-01T00:00:00Z".into(),
            created_by: "tester".into(),
            data_cutoff: "2025-12-31".into(),
            seed: 7,
            patients: 10,
            events: 4,
            parameters: "{}".into(),
            outcome,
        }
    }

    fn parts() -> FittedParts {
        FittedParts {
            splits: "{}".into(),
            model: "{\"m\":1}".into(),
            metrics: "{}".into(),
        }
    }

    #[test]
    fn promotion_retires_previous_active() {
        let c = conn();
        let first = insert(&c, &new(ModelKind::Benefit, Ok(parts()))).unwrap();
        let second = insert(&c, &new(ModelKind::Benefit, Ok(parts()))).unwrap();
        promote(&c, first, "u", "t", None).unwrap();
        assert_eq!(active(&c, ModelKind::Benefit).unwrap().unwrap().id, first);
        promote(&c, second, "u", "t", None).unwrap();
        assert_eq!(active(&c, ModelKind::Benefit).unwrap().unwrap().id, second);
        assert_eq!(
            get(&c, first).unwrap().unwrap().status,
            VersionStatus::Retired
        );
        assert!(active(&c, ModelKind::Survival).unwrap().is_none());
    }

    #[test]
    fn failed_or_unestimable_never_promoted() {
        let c = conn();
        let failed = insert(
            &c,
            &new(ModelKind::Survival, Err("no events in training".into())),
        )
        .unwrap();
        let err = promote(&c, failed, "u", "t", None).unwrap_err();
        assert!(err.to_string().contains("no events in training"), "{err}");
        let weak = insert(&c, &new(ModelKind::Survival, Ok(parts()))).unwrap();
        let err = promote(&c, weak, "u", "t", Some("no cases at 36 months".into())).unwrap_err();
        assert!(matches!(err, PromoteError::NotEstimable { .. }));
        assert!(active(&c, ModelKind::Survival).unwrap().is_none());
        assert!(matches!(
            promote(&c, 999, "u", "t", None),
            Err(PromoteError::NotFound(999))
        ));
    }

    #[test]
    fn schema_rejects_second_active_version() {
        let c = conn();
        let a = insert(&c, &new(ModelKind::Benefit, Ok(parts()))).unwrap();
        let b = insert(&c, &new(ModelKind::Benefit, Ok(parts()))).unwrap();
        c.execute(
            "UPDATE model_version SET status = 'active' WHERE id = ?1",
            [a],
        )
        .unwrap();
        let second = c.execute(
            "UPDATE model_version SET status = 'active' WHERE id = ?1",
            [b],
        );
        assert!(second.is_err());
    }
}
