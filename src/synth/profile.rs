//! The published cohort summaries that the generator is calibrated to: one
//! profile per treatment group, with the baseline shares of Table 1 and the
//! overall-survival figures of Su et al., "Integrating AI with HSP90α to
//! predict TACE benefit and survival in unresectable hepatocellular
//! carcinoma", npj Digital Medicine 2025 (doi 10.1038/s41746-025-02281-y).
//!
//! Shares are fractions of the treatment group, not percentages.

use std::ops::Range;

use crate::domain::Treatment;

/// Baseline shares and survival figures of one treatment group.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct GroupProfile {
    pub male: f64,
    pub age_65_or_older: f64,
    /// Mean and standard deviation of HSP90α, ng/mL.
    pub hsp90a_mean_sd: (f64, f64),
    pub hbv: f64,
    pub diabetes: f64,
    pub hypertension: f64,
    pub child_pugh_b: f64,
    /// ALBI grades 1, 2 and 3.
    pub albi_grades: [f64; 3],
    pub afp_400_or_more: f64,
    pub alp_125_or_more: f64,
    pub platelets_100_or_more: f64,
    pub alt_40_or_more: f64,
    pub leukocytes_4_or_more: f64,
    /// BCLC stages A, B and C.
    pub bclc: [f64; 3],
    pub multiple_tumors: f64,
    /// Largest tumour below 3 cm, 3–5, 5–10 and at least 10 cm.
    pub size_bins: [f64; 4],
    pub pvtt: f64,
    pub lymph_nodes: f64,
    pub metastasis: f64,
    /// Points (months, overall survival) that the group's survival curve
    /// passes through: the 1-, 2- and 3-year rates and the median.
    pub survival: [(f64, f64); 4],
}

/// Patients not treated with TACE (n = 1126 in the published cohort).
pub(super) const NO_TACE: GroupProfile = GroupProfile {
    male: 0.762,
    age_65_or_older: 0.301,
    hsp90a_mean_sd: (158.0, 121.0),
    hbv: 0.460,
    diabetes: 0.112,
    hypertension: 0.145,
    child_pugh_b: 0.398,
    albi_grades: [0.250, 0.571, 0.179],
    afp_400_or_more: 0.410,
    alp_125_or_more: 0.640,
    platelets_100_or_more: 0.726,
    alt_40_or_more: 0.560,
    leukocytes_4_or_more: 0.838,
    bclc: [0.176, 0.137, 0.687],
    multiple_tumors: 0.744,
    size_bins: [0.155, 0.262, 0.376, 0.207],
    pvtt: 0.347,
    lymph_nodes: 0.504,
    metastasis: 0.310,
    survival: [(11.3, 0.5), (12.0, 0.478), (24.0, 0.373), (36.0, 0.329)],
};

/// Patients treated with TACE (n = 1429 in the published cohort).
pub(super) const TACE: GroupProfile = GroupProfile {
    male: 0.833,
    age_65_or_older: 0.229,
    hsp90a_mean_sd: (157.0, 116.0),
    hbv: 0.615,
    diabetes: 0.0798,
    hypertension: 0.138,
    child_pugh_b: 0.248,
    albi_grades: [0.262, 0.689, 0.049],
    afp_400_or_more: 0.543,
    alp_125_or_more: 0.585,
    platelets_100_or_more: 0.703,
    alt_40_or_more: 0.508,
    leukocytes_4_or_more: 0.808,
    bclc: [0.132, 0.232, 0.637],
    multiple_tumors: 0.797,
    size_bins: [0.107, 0.176, 0.372, 0.345],
    pvtt: 0.416,
    lymph_nodes: 0.476,
    metastasis: 0.205,
    survival: [(12.0, 0.623), (19.6, 0.5), (24.0, 0.422), (36.0, 0.344)],
};

/// The patients of one treatment group: indices `patients` of the cohort
/// under construction, drawn to match `profile`.
#[derive(Debug, Clone)]
pub(super) struct TreatmentGroup {
    pub treatment: Treatment,
    pub profile: &'static GroupProfile,
    pub patients: Range<usize>,
}

impl TreatmentGroup {
    /// Splits a cohort of `patients` into the two groups, without TACE
    /// first, sized in the published ratio of 1126 to 1429.
    pub fn split(patients: usize) -> [TreatmentGroup; 2] {
        let tace = (patients as f64 * TACE_SHARE).round() as usize;
        let none = patients - tace;
        [
            TreatmentGroup {
                treatment: Treatment::None,
                profile: &NO_TACE,
                patients: 0..none,
            },
            TreatmentGroup {
                treatment: Treatment::Tace,
                profile: &TACE,
                patients: none..patients,
            },
        ]
    }
}

/// Share of TACE patients in the published cohort, 1429 of 2555.
const TACE_SHARE: f64 = 1429.0 / 2555.0;
