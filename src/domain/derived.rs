//! Values derived from stored data at read time: the ALBI grade, the
//! categorical versions of baseline values, and overall survival from the
//! follow-up contacts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::cutoffs::*;
use super::patient::{Baseline, FollowUp, VitalStatus};

/// ALBI score from albumin (g/L) and total bilirubin (µmol/L).
pub fn albi_score(albumin_g_l: f64, bilirubin_umol_l: f64) -> f64 {
    ALBI_LOG10_BILIRUBIN_WEIGHT * bilirubin_umol_l.log10() + ALBI_ALBUMIN_WEIGHT * albumin_g_l
}

/// ALBI grade 1–3 of a score: grade 1 ≤ −2.60 < grade 2 ≤ −1.39 < grade 3.
pub fn albi_grade_of_score(score: f64) -> u8 {
    if score <= ALBI_GRADE1_MAX {
        1
    } else if score <= ALBI_GRADE2_MAX {
        2
    } else {
        3
    }
}

/// The ALBI grade of a baseline: computed from albumin and bilirubin when
/// both are present, otherwise the grade entered directly, if any.
pub fn albi_grade(baseline: &Baseline) -> Option<u8> {
    match (baseline.albumin_g_l, baseline.bilirubin_umol_l) {
        (Some(albumin), Some(bilirubin)) => {
            Some(albi_grade_of_score(albi_score(albumin, bilirubin)))
        }
        _ => baseline.albi_grade,
    }
}

/// Tumour size bin: 0 for < 3 cm, 1 for 3–5, 2 for 5–10, 3 for ≥ 10.
pub fn tumor_size_bin(size_cm: f64) -> u8 {
    TUMOR_SIZE_BIN_EDGES_CM
        .iter()
        .filter(|&&edge| size_cm >= edge)
        .count() as u8
}

/// Label of a tumour size bin from [`tumor_size_bin`].
pub fn tumor_size_bin_label(bin: u8) -> &'static str {
    match bin {
        0 => "<3 cm",
        1 => "3-5 cm",
        2 => "5-10 cm",
        _ => ">=10 cm",
    }
}

/// Whether HSP90α is at or above the high cut-off.
pub fn hsp90a_high(value_ng_ml: f64) -> bool {
    value_ng_ml >= HSP90A_HIGH_NG_ML
}

/// Overall survival of one patient.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OverallSurvival {
    /// Months from treatment start to death or last contact (days / 30.4375).
    pub months: f64,
    /// Whether the patient died (`true`) or is censored (`false`).
    pub event: bool,
    /// Date of death or of the last contact used.
    pub end_date: NaiveDate,
}

/// Overall survival from the treatment start and the follow-up contacts.
///
/// Contacts after `cutoff` are ignored. The event is a contact with status
/// `dead`; otherwise the patient is censored at the latest contact (an
/// `alive` or `lost` contact both mean last known alive on that date).
/// Without any contact the patient is censored at time zero. Contacts need
/// not be sorted.
pub fn overall_survival(
    treatment_start: NaiveDate,
    followups: &[FollowUp],
    cutoff: Option<NaiveDate>,
) -> OverallSurvival {
    let usable = followups
        .iter()
        .filter(|f| cutoff.is_none_or(|c| f.contact_date <= c));
    let death = usable
        .clone()
        .filter(|f| f.status == VitalStatus::Dead)
        .map(|f| f.contact_date)
        .min();
    let (end_date, event) = match death {
        Some(date) => (date, true),
        None => (
            usable
                .map(|f| f.contact_date)
                .max()
                .unwrap_or(treatment_start)
                .max(treatment_start),
            false,
        ),
    };
    let days = (end_date - treatment_start).num_days() as f64;
    OverallSurvival {
        months: days / DAYS_PER_MONTH,
        event,
        end_date,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn contact(d: &str, status: VitalStatus) -> FollowUp {
        FollowUp {
            study_id: "P1".into(),
            contact_date: date(d),
            status,
            hsp90a_ng_ml: None,
            afp_ng_ml: None,
            note: None,
        }
    }

    #[test]
    fn albi_grades_at_boundaries() {
        assert_eq!(albi_grade_of_score(-2.60), 1);
        assert_eq!(albi_grade_of_score(-2.59), 2);
        assert_eq!(albi_grade_of_score(-1.39), 2);
        assert_eq!(albi_grade_of_score(-1.38), 3);
        // Albumin 40 g/L and bilirubin 10 µmol/L give 0.66 - 3.4 = -2.74.
        assert!((albi_score(40.0, 10.0) - (-2.74)).abs() < 1e-12);
    }

    #[test]
    fn size_bins_at_edges() {
        assert_eq!(tumor_size_bin(2.99), 0);
        assert_eq!(tumor_size_bin(3.0), 1);
        assert_eq!(tumor_size_bin(5.0), 2);
        assert_eq!(tumor_size_bin(10.0), 3);
    }

    #[test]
    fn survival_from_contacts_and_cutoff() {
        let start = date("2020-01-01");
        let contacts = vec![
            contact("2020-03-01", VitalStatus::Alive),
            contact("2020-07-01", VitalStatus::Dead),
        ];
        let os = overall_survival(start, &contacts, None);
        assert!(os.event);
        assert!((os.months - 182.0 / DAYS_PER_MONTH).abs() < 1e-12);

        let os = overall_survival(start, &contacts, Some(date("2020-06-30")));
        assert!(!os.event);
        assert_eq!(os.end_date, date("2020-03-01"));

        let os = overall_survival(start, &[], None);
        assert_eq!(os.months, 0.0);
        assert!(!os.event);
    }
}
