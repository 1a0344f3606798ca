-- Audit trail of every write: who (operating-system user), when (UTC RFC
-- 3339), what, and the values before and after as JSON text (NULL when there
-- was no value before, as for an insert).

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    study_id TEXT,
    before_json TEXT,
    after_json TEXT
);

CREATE INDEX audit_log_study_id ON audit_log (study_id, id);
