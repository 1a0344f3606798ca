-- Fitted models, one row per refit of one pipeline. A version is a candidate
-- until promoted; at most one version of each kind is active, and a failed
-- version (with the reason in `failure`) can never become active.

CREATE TABLE model_version (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('benefit', 'survival')),
    status TEXT NOT NULL CHECK (status IN ('candidate', 'active', 'retired', 'failed')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    -- Follow-up contacts after this date (ISO) were ignored.
    data_cutoff TEXT NOT NULL,
    seed INTEGER NOT NULL,
    patients INTEGER NOT NULL,
    events INTEGER NOT NULL,
    -- JSON: every setting of the fit.
    parameters TEXT NOT NULL,
    -- JSON: study ids of each set; NULL for a failed fit.
    splits TEXT,
    -- JSON: what prediction needs; NULL for a failed fit.
    model TEXT,
    -- JSON: every reported metric; NULL for a failed fit.
    metrics TEXT,
    failure TEXT,
    promoted_at TEXT,
    promoted_by TEXT,
    CHECK ((status = 'failed') = (failure IS NOT NULL)),
    CHECK (status = 'failed' OR (model IS NOT NULL AND metrics IS NOT NULL))
);

CREATE UNIQUE INDEX model_version_one_active ON model_version (kind)
    WHERE status = 'active';

CREATE INDEX model_version_kind ON model_version (kind, id);
