//! The analysis table: one row per patient with overall survival and the
//! derived categories the models use, written as `analysis.csv` by
//! `export --analysis`.
//!
//! Overall survival comes from [`overall_survival`] and the categories from
//! the thresholds in [`crate::domain::cutoffs`]: a binary category is `1`
//! at or above its threshold, `0` below it, and empty when the raw value is
//! missing.

use std::io::Write;

use chrono::NaiveDate;

use super::cutoffs::{
    AFP_HIGH_NG_ML, AGE_OLDER_YEARS, ALP_HIGH_U_L, ALT_HIGH_U_L, LEUKOCYTES_HIGH_1E9_L,
    PLATELETS_HIGH_1E9_L, TUMOR_NUMBER_MULTIPLE,
};
use super::derived::{
    albi_grade, hsp90a_high, overall_survival, tumor_size_bin, tumor_size_bin_label,
};
use super::patient::{FollowUp, PatientRecord, yes_no};

/// Columns of `analysis.csv`, in the order they are written.
pub const ANALYSIS_COLUMNS: [&str; 29] = [
    "study_id",
    "center",
    "center_external",
    "treatment",
    "treatment_start",
    "os_months",
    "os_event",
    "os_end_date",
    "sex",
    "age_years",
    "age_older",
    "hsp90a_ng_ml",
    "hsp90a_high",
    "hbv",
    "diabetes",
    "hypertension",
    "child_pugh",
    "albi_grade",
    "afp_high",
    "alp_high",
    "platelets_normal",
    "alt_high",
    "leukocytes_normal",
    "bclc",
    "tumor_multiple",
    "tumor_size_bin",
    "pvtt",
    "lymph_nodes",
    "metastasis",
];

fn text<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn indicator(value: Option<bool>) -> String {
    text(value.map(u8::from))
}

fn at_least(value: Option<f64>, threshold: f64) -> String {
    indicator(value.map(|v| v >= threshold))
}

/// Formats the analysis cells of one patient, or returns `None` when the
/// treatment started after `as_of` (the patient was not yet in the registry
/// at that date).
///
/// Contacts after `as_of` are ignored, as in [`overall_survival`].
pub fn analysis_cells(
    record: &PatientRecord,
    followups: &[FollowUp],
    as_of: Option<NaiveDate>,
) -> Option<[String; 29]> {
    if as_of.is_some_and(|cutoff| record.treatment_start > cutoff) {
        return None;
    }
    let os = overall_survival(record.treatment_start, followups, as_of);
    let b = &record.baseline;
    Some([
        record.study_id.clone(),
        record.center.clone(),
        yes_no(record.center_external).to_string(),
        record.treatment.to_string(),
        record.treatment_start.to_string(),
        os.months.to_string(),
        u8::from(os.event).to_string(),
        os.end_date.to_string(),
        text(b.sex),
        text(b.age_years),
        indicator(b.age_years.map(|age| age >= AGE_OLDER_YEARS)),
        text(b.hsp90a_ng_ml),
        indicator(b.hsp90a_ng_ml.map(hsp90a_high)),
        indicator(b.hbv),
        indicator(b.diabetes),
        indicator(b.hypertension),
        text(b.child_pugh.map(|c| c.as_str())),
        text(albi_grade(b)),
        at_least(b.afp_ng_ml, AFP_HIGH_NG_ML),
        at_least(b.alp_u_l, ALP_HIGH_U_L),
        at_least(b.platelets_1e9_l, PLATELETS_HIGH_1E9_L),
        at_least(b.alt_u_l, ALT_HIGH_U_L),
        at_least(b.leukocytes_1e9_l, LEUKOCYTES_HIGH_1E9_L),
        text(b.bclc.map(|s| s.as_str())),
        indicator(b.tumor_number.map(|n| n >= TUMOR_NUMBER_MULTIPLE)),
        text(
            b.tumor_size_cm
                .map(|size| tumor_size_bin_label(tumor_size_bin(size))),
        ),
        indicator(b.pvtt),
        indicator(b.lymph_nodes),
        indicator(b.metastasis),
    ])
}

/// Write the analysis table, header first, and return the number of
/// patient rows written.
///
/// # Errors
///
/// Any error of the underlying writer.
pub fn write_analysis<'a>(
    output: impl Write,
    patients: impl IntoIterator<Item = (&'a PatientRecord, &'a [FollowUp])>,
    as_of: Option<NaiveDate>,
) -> csv::Result<usize> {
    let mut writer = csv::Writer::from_writer(output);
    writer.write_record(ANALYSIS_COLUMNS)?;
    let mut written = 0;
    for (record, followups) in patients {
        if let Some(cells) = analysis_cells(record, followups, as_of) {
            writer.write_record(cells)?;
            written += 1;
        }
    }
    writer.flush()?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Baseline, Treatment, VitalStatus};

    #[test]
    fn cells_follow_cutoffs_and_as_of() {
        let record = PatientRecord {
            study_id: "P1".into(),
            center: "C1".into(),
            center_external: false,
            treatment: Treatment::Tace,
            treatment_start: "2020-01-01".parse().unwrap(),
            baseline: Baseline {
                afp_ng_ml: Some(400.0),
                alp_u_l: Some(124.9),
                tumor_size_cm: Some(5.0),
                ..Baseline::default()
            },
        };
        let death = FollowUp {
            study_id: "P1".into(),
            contact_date: "2020-01-31".parse().unwrap(),
            status: VitalStatus::Dead,
            hsp90a_ng_ml: None,
            afp_ng_ml: None,
            note: None,
        };
        let cells = analysis_cells(&record, std::slice::from_ref(&death), None).unwrap();
        let column = |name| ANALYSIS_COLUMNS.iter().position(|c| *c == name).unwrap();
        // 30 days from 2020-01-01 to 2020-01-31, over 30.4375 days a month.
        assert_eq!(cells[column("os_months")], (30.0 / 30.4375).to_string());
        assert_eq!(cells[column("os_event")], "1");
        assert_eq!(cells[column("afp_high")], "1");
        assert_eq!(cells[column("alp_high")], "0");
        assert_eq!(cells[column("alt_high")], "");
        assert_eq!(cells[column("tumor_size_bin")], "5-10 cm");

        let before_start = "2019-12-31".parse().ok();
        assert!(analysis_cells(&record, &[death], before_start).is_none());
    }
}
