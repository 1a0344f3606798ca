-- The follow-up worklist: patients still in the study and not known to have
-- died, by the date they were last seen (the treatment start before any
-- contact).
CREATE INDEX patients_due ON patients (coalesce(last_contact_date, treatment_start), study_id)
    WHERE withdrawn = 0 AND (last_status IS NULL OR last_status <> 'dead');
