-- Centres, patients with their baseline work-up, and follow-up contacts.
--
-- Dates are ISO 8601 text (YYYY-MM-DD); timestamps are UTC RFC 3339 text.
-- Yes/no values are 0/1 integers. A NULL baseline value means "not known":
-- nothing is ever guessed. Units are part of the column names.

CREATE TABLE centers (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    -- 1 when the centre's patients form the external validation set.
    external_validation INTEGER NOT NULL DEFAULT 0 CHECK (external_validation IN (0, 1))
);

CREATE TABLE patients (
    id INTEGER PRIMARY KEY,
    study_id TEXT NOT NULL UNIQUE,
    center_id INTEGER NOT NULL REFERENCES centers (id),
    treatment TEXT NOT NULL CHECK (treatment IN ('tace', 'none')),
    treatment_start TEXT NOT NULL,

    sex TEXT CHECK (sex IN ('male', 'female')),
    age_years INTEGER,
    hsp90a_ng_ml REAL,
    hbv INTEGER CHECK (hbv IN (0, 1)),
    diabetes INTEGER CHECK (diabetes IN (0, 1)),
    hypertension INTEGER CHECK (hypertension IN (0, 1)),
    child_pugh TEXT CHECK (child_pugh IN ('A', 'B')),
    albumin_g_l REAL,
    bilirubin_umol_l REAL,
    albi_grade INTEGER CHECK (albi_grade IN (1, 2, 3)),
    afp_ng_ml REAL,
    alp_u_l REAL,
    platelets_1e9_l REAL,
    alt_u_l REAL,
    leukocytes_1e9_l REAL,
    bclc TEXT CHECK (bclc IN ('0', 'A', 'B', 'C', 'D')),
    tumor_number INTEGER,
    tumor_size_cm REAL,
    pvtt INTEGER CHECK (pvtt IN (0, 1)),
    lymph_nodes INTEGER CHECK (lymph_nodes IN (0, 1)),
    metastasis INTEGER CHECK (metastasis IN (0, 1)),

    -- Latest follow-up contact and its vital status, kept up to date by every
    -- write of a follow-up so that a page of the patient list needs no
    -- aggregate over the follow-ups table.
    last_contact_date TEXT,
    last_status TEXT CHECK (last_status IN ('alive', 'dead', 'lost')),

    -- Withdrawal of consent: the row is kept for the audit trail and left out
    -- of every model and export.
    withdrawn INTEGER NOT NULL DEFAULT 0 CHECK (withdrawn IN (0, 1)),
    withdrawn_at TEXT,
    withdrawn_by TEXT,

    -- Optimistic locking: an update must carry the version it read.
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE INDEX patients_center ON patients (center_id, study_id);
CREATE INDEX patients_treatment ON patients (treatment, study_id);
CREATE INDEX patients_treatment_start ON patients (treatment_start, study_id);
CREATE INDEX patients_last_contact ON patients (last_contact_date, study_id);
CREATE INDEX patients_last_status ON patients (last_status, study_id);
CREATE INDEX patients_bclc ON patients (bclc, study_id);
CREATE INDEX patients_hsp90a ON patients (hsp90a_ng_ml, study_id);
CREATE TABLE followups (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    contact_date TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('alive', 'dead', 'lost')),
    hsp90a_ng_ml REAL,
    afp_ng_ml REAL,
    note TEXT,
    entered_at TEXT NOT NULL,
    entered_by TEXT NOT NULL
);

CREATE INDEX followups_patient_date ON followups (patient_id, contact_date);
